/*
 * netwatch.js: the web client's link to the server. An outage must not be silent, and delivery
 * must resume as soon as the server is back.
 *
 * The client's synccheck is a jQuery <script> GET whose failure it ignores: the promise stays
 * pending and the sync loop stalls until surviveCheckService restarts it, 40 s after the check
 * began (webclient-surface §2.6, §3.7). After a 30 s outage that is ~10 s of silence once the
 * server is back. (jQuery 1.x's cross-domain script transport never reports a load error at all:
 * only its 35 s timeout fails the request.) So here:
 *   - a synccheck or webwxsync that fails at the network level (no HTTP answer) counts as a miss:
 *     the synccheck <script> element's `error` event (seen by a capturing window listener, since
 *     it does not bubble), a jQuery timeout, or a webwxsync XHR ending with status 0;
 *     after LOST_AFTER misses in a row the page emits `net` {state: 'lost'} once;
 *   - after each miss the client's own loop (the function it gave surviveCheckService.callback)
 *     is restarted after a short back-off capped at RETRY_CAP_MS, so the first poll after the
 *     server returns is at most that far away;
 *   - the first answered synccheck after a loss emits `net` {state: 'back', downMs}.
 * A restart uses the client's SyncKey, which a failed poll never advanced: nothing is skipped.
 */
(function () {
  'use strict';
  var wpw = window.__wpw;
  if (!wpw || wpw.netwatch) {
    return;
  }
  var glue = wpw.glue;
  var LOST_AFTER = 2;
  var RETRY_MS = [250, 500, 1000];
  var RETRY_CAP_MS = 1000;
  var restartLoop = null;  // the client's startSyncLoop
  var misses = 0;
  var lostAt = 0;
  var timer = null;

  function miss(what) {
    misses += 1;
    if (misses >= LOST_AFTER && !lostAt) {
      lostAt = Date.now();
      wpw.emit('net', {state: 'lost', reason: what});
    }
    if (timer || !restartLoop) {
      return;
    }
    var delay = misses <= RETRY_MS.length ? RETRY_MS[misses - 1] : RETRY_CAP_MS;
    timer = setTimeout(wpw.guard('net-retry', function () {
      timer = null;
      restartLoop();
    }), delay);
  }

  function answered() {
    misses = 0;
    if (lostAt) {
      var down = Date.now() - lostAt;
      lostAt = 0;
      wpw.emit('net', {state: 'back', downMs: down});
    }
  }

  function watchAjax(jq) {
    var orig = jq.ajax;
    jq.ajax = function (options) {
      var req = orig.apply(this, arguments);
      var url = String((options && options.url) || '');
      if (url.indexOf('/synccheck?') >= 0 && req && req.done && req.fail) {
        req.done(wpw.guard('net-done', answered));
        req.fail(wpw.guard('net-fail', function (xhr, status) {
          miss('synccheck ' + String(status || 'error'));
        }));
      }
      return req;
    };
  }

  function watchSync() {
    var proto = window.XMLHttpRequest && window.XMLHttpRequest.prototype;
    if (!proto) {
      return;
    }
    var origOpen = proto.open;
    var origSend = proto.send;
    proto.open = function (method, url) {
      this.__wpwNetUrl = String(url);
      return origOpen.apply(this, arguments);
    };
    proto.send = function () {
      var xhr = this;
      if (String(xhr.__wpwNetUrl || '').indexOf('/webwxsync?') >= 0) {
        xhr.addEventListener('loadend', wpw.guard('net-sync', function () {
          if (xhr.status === 0) {
            miss('webwxsync');  // no HTTP answer at all (an HTTP error is the server talking)
          }
        }));
      }
      return origSend.apply(this, arguments);
    };
  }

  function watchScripts() {
    window.addEventListener('error', wpw.guard('net-script', function (event) {
      var el = event && event.target;
      if (el && el.tagName === 'SCRIPT' && String(el.src || '').indexOf('/synccheck?') >= 0) {
        miss('synccheck unreachable');
      }
    }), true);
  }

  function hook() {
    var survive = glue.service('surviveCheckService');
    var origCallback = survive.callback;
    survive.callback = function (fn) {
      restartLoop = fn;
      return origCallback.apply(this, arguments);
    };
    if (window.jQuery && window.jQuery.ajax) {
      watchAjax(window.jQuery);
    }
  }

  wpw.netwatch = {state: function () { return {misses: misses, lost: !!lostAt}; }};
  if (window.top === window) {  // the web client is the top document
    watchSync();
    watchScripts();
    wpw.onReady(function () { glue.onBoot(hook); });
  }
})();
