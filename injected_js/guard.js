/*
 * guard.js: one bad answer costs no more than itself.
 *
 * 1. Sync items one by one. The client files a webwxsync answer after the SyncKey has advanced;
 *    a junk item in AddMsgList or ModContactList (null, a number, a numeric FromUserName...)
 *    makes its code throw and the rest of the batch is gone for good. Each item is checked and
 *    processed on its own here: a bad one is reported ('bad-item') and skipped, the rest arrive.
 * 2. Back-off. The client re-polls synccheck at once after any retcode it does not know (1205:
 *    ~176 polls a second) and stalls on a webwxsync Ret != 0 until its 40 s survive timer. Both
 *    wait here instead, exponentially (1 s doubling to 30 s, with jitter), and an episode is
 *    reported once ('sync-backoff'), its end once ('sync-recovered'). Logouts (1100-1102) stay
 *    the client's (and hooks.js's) business.
 * 3. Own messages seen in sync, so a send whose every answer was lost can still be confirmed
 *    (confirmSent): the server did it, and its message comes back in the next sync.
 *
 * Services come from __wpw.glue; no angular here. Surface: webclient-surface §3.7 (appFactory's
 * syncCheck/sync are called through the service object, so they can be wrapped).
 */
(function () {
  'use strict';
  var wpw = window.__wpw;
  if (!wpw || wpw.syncGuard) {
    return;
  }
  var glue = wpw.glue;
  var BACKOFF_MIN_MS = 1000;
  var BACKOFF_MAX_MS = 30000;  // under the survive timer's 40 s, which would restart the loop
  var LOGOUT_CODES = {'1100': true, '1101': true, '1102': true};
  var OWN_KEPT = 200;          // recent own messages remembered for confirmSent
  var SUMMARY_CHARS = 300;

  // ---- 1. sync items -----------------------------------------------------------------------
  function typeOf(v) {
    if (v === null) { return 'null'; }
    return Object.prototype.toString.call(v) === '[object Array]' ? 'array' : typeof v;
  }

  function messageProblem(m) {
    if (typeOf(m) !== 'object') { return 'the item is ' + typeOf(m) + ', not a message'; }
    var id = typeOf(m.MsgId);
    if (id !== 'string' && id !== 'number') { return 'MsgId is ' + id; }
    if (typeof m.FromUserName !== 'string') { return 'FromUserName is ' + typeOf(m.FromUserName); }
    if (typeof m.ToUserName !== 'string') { return 'ToUserName is ' + typeOf(m.ToUserName); }
    if (m.Content !== undefined && typeof m.Content !== 'string') {
      return 'Content is ' + typeOf(m.Content);
    }
    return '';
  }

  function contactProblem(c) {
    if (typeOf(c) !== 'object') { return 'the item is ' + typeOf(c) + ', not a contact'; }
    if (typeof c.UserName !== 'string' || !c.UserName) {
      return 'UserName is ' + typeOf(c.UserName);
    }
    if (c.MemberList !== undefined && c.MemberList !== null && typeOf(c.MemberList) !== 'array') {
      return 'MemberList is ' + typeOf(c.MemberList);
    }
    return '';
  }

  function summary(item) {
    var text;
    try { text = wpw.stringify(wpw.plain(item)); } catch (e) { text = String(item); }
    text = String(text);
    return text.length > SUMMARY_CHARS ? text.slice(0, SUMMARY_CHARS) + '…' : text;
  }

  function reportItem(list, why, item) {
    try {
      wpw.emit('bad-item', {list: list, why: why, item: summary(item)});
    } catch (e) { /* never throw into the client's loop */ }
  }

  function errorText(e) {
    return String((e && e.message) || e);
  }

  function wrapItems(chat, contacts) {
    var process = chat.messageProcess;
    chat.messageProcess = function (msg) {
      var why = messageProblem(msg);
      if (why) {
        reportItem('AddMsgList', why, msg);
        return undefined;
      }
      noteOwn(msg);
      try {
        return process.apply(this, arguments);
      } catch (e) {
        reportItem('AddMsgList', 'the web client failed on it: ' + errorText(e), msg);
        return undefined;
      }
    };
    var add = contacts.addContact;
    contacts.addContact = function (c) {
      var why = contactProblem(c);
      if (why) {
        reportItem('ModContactList', why, c);
        return undefined;
      }
      try {
        return add.apply(this, arguments);
      } catch (e) {
        reportItem('ModContactList', 'the web client failed on it: ' + errorText(e), c);
        return undefined;
      }
    };
  }

  // ---- 2. back-off -------------------------------------------------------------------------
  var trouble = {failures: 0, reported: false, delay: 0, generation: 0, syncRetry: null};

  function nextDelay() {
    var top = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * Math.pow(2, trouble.failures - 1));
    return Math.round(top / 2 + Math.random() * top / 2);  // jitter: many bots do not beat as one
  }

  function failed(endpoint, code) {
    trouble.failures += 1;
    trouble.delay = nextDelay();
    if (!trouble.reported) {
      trouble.reported = true;
      wpw.emit('sync-backoff', {endpoint: endpoint, code: String(code), delayMs: trouble.delay});
    }
  }

  function healthy() {
    if (trouble.failures) {
      wpw.emit('sync-recovered', {failures: trouble.failures});
    }
    trouble.failures = 0;
    trouble.reported = false;
    trouble.delay = 0;
  }

  function takeDelay() {
    var wait = trouble.delay;
    trouble.delay = 0;
    return wait;
  }

  function judgeSyncCheck(sc) {
    var code = String((sc && sc.retcode !== undefined) ? sc.retcode : '');
    if (code === '0') {
      healthy();  // a quiet long poll (selector 0)
    } else if (!LOGOUT_CODES[code]) {
      failed('synccheck', code);
    }
  }

  function later(ms, fn) {
    setTimeout(wpw.guard('sync-backoff', function () { glue.apply(fn); }), ms);
  }

  function wrapSyncLoop(app) {
    var check = app.syncCheck;
    var sync = app.sync;
    app.syncCheck = function () {
      var me = this;
      var args = arguments;
      trouble.generation += 1;  // a new poll (or the survive timer's restart) ends older retries
      var run = function () {
        var promise = check.apply(me, args);
        promise.then(function () { healthy(); }, wpw.guard('synccheck', judgeSyncCheck));
        return promise;
      };
      var wait = takeDelay();
      if (!wait) {
        return run();
      }
      var deferred = glue.service('$q').defer();
      later(wait, function () { run().then(deferred.resolve, deferred.reject); });
      return deferred.promise;
    };
    app.sync = function () {
      var me = this;
      var args = arguments;
      var generation = trouble.generation;
      var deferred = glue.service('$q').defer();
      var attempt = function () {
        if (generation !== trouble.generation) {
          return;  // the loop moved on; its new poll will sync again
        }
        // Called by the XHR observer below when this answer is a non-zero, non-logout Ret:
        // the client's own promise then never settles, so retry it after the back-off.
        trouble.syncRetry = function () { later(takeDelay(), attempt); };
        sync.apply(me, args).then(function (data) {
          trouble.syncRetry = null;
          healthy();
          deferred.resolve(data);
        }, deferred.reject);
      };
      attempt();
      return deferred.promise;
    };
  }

  function syncAnswered(xhr) {
    var reply = null;
    try { reply = wpw.parse(xhr.responseText); } catch (e) { return; }
    var ret = Number(((reply || {}).BaseResponse || {}).Ret);
    if (isNaN(ret) || ret === 0 || LOGOUT_CODES[String(ret)]) {
      return;
    }
    failed('webwxsync', ret);
    var retry = trouble.syncRetry;
    trouble.syncRetry = null;
    if (retry) { retry(); }
  }

  var OrigXHR = window.XMLHttpRequest;
  if (OrigXHR && OrigXHR.prototype) {
    var origSend = OrigXHR.prototype.send;
    OrigXHR.prototype.send = function () {
      var xhr = this;
      if (String(xhr.__wpwUrl || '').indexOf('/webwxsync?') >= 0) {
        xhr.addEventListener('loadend', wpw.guard('sync-answer', function () {
          syncAnswered(xhr);
        }));
      }
      return origSend.apply(this, arguments);
    };
  }

  // ---- 3. own messages seen in sync --------------------------------------------------------
  var own = [];
  var ownWaiters = [];
  var claimed = {};

  function selfName() {
    try { return glue.service('accountFactory').getUserName(); } catch (e) { return ''; }
  }

  function noteOwn(msg) {
    var me = selfName();
    // Only what the server sent: the client runs its own outgoing messages (MMStatus set,
    // MsgId still the local id) through messageProcess as well.
    if (!me || msg.FromUserName !== me || msg.MMStatus !== undefined ||
        String(msg.MsgId) === String(msg.ClientMsgId || '')) {
      return;
    }
    // Read before the client's messageProcess rewrites ClientMsgId (= MsgId when received).
    own.push({cid: msg.ClientMsgId ? String(msg.ClientMsgId) : '', id: String(msg.MsgId),
              to: msg.ToUserName, type: Number(msg.MsgType), content: String(msg.Content || '')});
    if (own.length > OWN_KEPT) { own.shift(); }
    var waiting = ownWaiters.slice();
    for (var i = 0; i < waiting.length; i++) { waiting[i](); }
  }

  /* The echo of `local` (a message this page failed to hear back about): by its ClientMsgId,
     or, when the server left that out, by receiver, type and content — never one already
     claimed or one the client already knows as another send's server id. */
  function findOwn(local) {
    var cid = String(local.ClientMsgId || '');
    var known = glue.service('chatFactory');
    for (var i = own.length - 1; i >= 0; i--) {
      var o = own[i];
      if (claimed[o.id]) { continue; }
      if (o.cid) {
        if (o.cid === cid) { return o; }
        continue;
      }
      var other = known.getMsg ? known.getMsg(o.id) : null;
      if (other && other !== local && other.ClientMsgId && String(other.ClientMsgId) !== o.id) {
        continue;
      }
      if (o.to === local.ToUserName && o.type === Number(local.MsgType) &&
          o.content === String(local.Content || '')) {
        return o;
      }
    }
    return null;
  }

  /* Promise of the echo's {MsgId} (or null after waitMs): was `local` sent after all? */
  function confirmSent(local, waitMs) {
    return new wpw.Promise(function (resolve) {
      var timer = null;
      var check = function () {
        var found = findOwn(local);
        if (!found) { return false; }
        claimed[found.id] = true;
        finish({MsgId: found.id});
        return true;
      };
      var finish = function (value) {
        var at = ownWaiters.indexOf(check);
        if (at >= 0) { ownWaiters.splice(at, 1); }
        clearTimeout(timer);
        resolve(value);
      };
      if (check()) { return; }
      ownWaiters.push(check);
      timer = setTimeout(function () { finish(null); }, waitMs);
    });
  }

  /* A send handler's failure path: when the reply was lost (no Ret from the server), look for
     the message in sync before calling it failed. Resolves with the plain message (server id
     set) or rejects with `error`. */
  function settleLostSend(msg, result, error) {
    if (result && result.reply) {
      return wpw.Promise.reject(error);  // the server answered and refused: a real failure
    }
    return confirmSent(msg, CONFIRM_MS).then(function (found) {
      if (!found) { throw error; }
      var copy = wpw.hooks.copyMessage(msg);
      copy.MsgId = found.MsgId;
      copy.NewMsgId = found.MsgId;
      copy.MMStatus = 2;
      wpw.emit('send-confirmed', {MsgId: found.MsgId, ClientMsgId: String(msg.ClientMsgId)});
      return copy;
    });
  }
  var CONFIRM_MS = 10000;

  function install() {
    wrapItems(glue.service('chatFactory'), glue.service('contactFactory'));
    wrapSyncLoop(glue.service('appFactory'));
  }

  wpw.syncGuard = {confirmSent: confirmSent, settleLostSend: settleLostSend, state: trouble};
  glue.onBoot(install);
})();
