/*
 * bridge.js: the one global (window.__wpw) and the one binding back to Python (__wpw_emit).
 *
 * Loaded first, before the page's own scripts (Playwright init script). It keeps private
 * references to JSON and Promise so a page that later redefines them cannot break or spy on
 * the transport. It never touches angular (that is glue.js's job).
 *
 * Envelope (page -> Python): {"v":1,"d":doc,"seq":n,"t":ms,"kind":"event","name":…,"payload":…}
 *   doc is this document's id and seq counts its envelopes from 1: Python orders them per
 *   document (browser/ordering.py), whichever lane each took and whenever a new document begins.
 * Calls (Python -> page): window.__wpw.call(name, args) always RESOLVES with
 *   {ok: true, value: <plain JSON>} or {ok: false, error: {kind, op, ret, errMsg, message}}
 * so Python never has to decode a JS exception string. Python goes through callText(name,
 * argsJson), the same call with the args and the reply as JSON text.
 */
(function () {
  'use strict';
  if (window.__wpw) {
    return;
  }
  var stringify = JSON.stringify.bind(JSON);
  var parse = JSON.parse.bind(JSON);
  var PromiseCtor = window.Promise;
  var config = (typeof __WPW_CONFIG__ !== 'undefined') ? __WPW_CONFIG__ : {};
  /* The page's secret: Python puts it in this init script (a closure variable, never a global)
     and accepts only envelopes that carry it, so a page script or a same-origin frame calling
     the binding cannot forge events. It must never reach the page: not in window.__wpw.config,
     and the binding functions are kept from before any page script ran (a page script that
     replaced them later could otherwise read it). */
  var key = (typeof __WPW_KEY__ !== 'undefined') ? String(__WPW_KEY__) : '';
  /* This script runs once per document, so this id names the document; it need not be secret
     (the key is), only differ from the page's other documents. */
  var doc = Date.now().toString(36) + '.' + Math.random().toString(36).slice(2, 10);
  var seq = 0;
  var handlers = {};
  var pending = [];
  var readyCallbacks = [];
  var bindings = {cdp: null, emit: null};

  function keep(name, slot) {
    var fn = window[name];
    if (!bindings[slot] && typeof fn === 'function') {
      bindings[slot] = fn;
    }
  }

  /* __wpw_cdp (a raw CDP binding, when Python could add one) is preferred: one event per call,
     where Playwright's __wpw_emit also evaluates an answer back into the page. */
  function binding() {
    if (!bindings.cdp && !bindings.emit) {
      keep('__wpw_cdp', 'cdp');
      keep('__wpw_emit', 'emit');
    }
    return bindings.cdp || bindings.emit;
  }
  keep('__wpw_cdp', 'cdp');
  keep('__wpw_emit', 'emit');

  function send(text) {
    var fn = binding();
    if (!fn) {
      // The binding is normally installed before any init script runs; queue just in case.
      pending.push(text);
      return;
    }
    while (pending.length) {
      deliver(fn, pending.shift());
    }
    deliver(fn, text);
  }

  /* A failed CDP call falls back to Playwright's binding: the envelope takes the other lane,
     and Python puts the lanes back in seq order. */
  function deliver(fn, text) {
    try {
      fn.call(window, text);
    } catch (e) {
      if (fn === bindings.cdp && bindings.emit) {
        try { bindings.emit.call(window, text); } catch (e2) { /* Python gone */ }
      }
    }
  }

  /* Copy anything into plain JSON: drops functions, Angular's $$ keys, cycles and depth > 6. */
  function plain(value, depth) {
    depth = depth || 0;
    if (value === null || value === undefined) {
      return value === null ? null : undefined;
    }
    var type = typeof value;
    if (type === 'string' || type === 'boolean') {
      return value;
    }
    if (type === 'number') {
      return isFinite(value) ? value : null;
    }
    if (type !== 'object' || depth > 6) {
      return undefined;
    }
    if (Object.prototype.toString.call(value) === '[object Array]') {
      var arr = [];
      for (var i = 0; i < value.length; i++) {
        var item = plain(value[i], depth + 1);
        arr.push(item === undefined ? null : item);
      }
      return arr;
    }
    var out = {};
    for (var key in value) {
      if (!Object.prototype.hasOwnProperty.call(value, key) || key.charAt(0) === '$') {
        continue;
      }
      var copied = plain(value[key], depth + 1);
      if (copied !== undefined) {
        out[key] = copied;
      }
    }
    return out;
  }

  function emit(name, payload) {
    seq += 1;
    var env = {v: 1, d: doc, seq: seq, t: Date.now(), kind: 'event', name: name,
               payload: plain(payload), k: key};
    var text;
    try {
      text = stringify(env);
    } catch (e) {
      text = stringify({v: 1, d: doc, seq: seq, t: Date.now(), kind: 'event', name: 'js-error',
                        payload: {where: 'emit:' + name, message: String(e)}, k: key});
    }
    send(text);
  }

  function errorOf(e) {
    if (e && typeof e === 'object' && e.__wpwError) {
      return plain(e.__wpwError);
    }
    var message = (e && e.message) ? String(e.message) : String(e);
    return {kind: 'js', message: message, stack: (e && e.stack) ? String(e.stack) : ''};
  }

  function call(name, args) {
    return new PromiseCtor(function (resolve) {
      var fn = handlers[name];
      if (!fn) {
        resolve({ok: false, error: {kind: 'missing', message: 'no handler ' + name}});
        return;
      }
      try {
        PromiseCtor.resolve(fn(args === undefined ? null : args)).then(
          function (value) {
            var copied = plain(value);
            resolve({ok: true, value: copied === undefined ? null : copied});
          },
          function (e) { resolve({ok: false, error: errorOf(e)}); }
        );
      } catch (e) {
        resolve({ok: false, error: errorOf(e)});
      }
    });
  }

  /* The form Python uses: args and the {ok, value|error} reply cross as JSON TEXT. Playwright
     walks a returned object field by field (a 500-member room took ~1 s as an object, ~50 ms
     as one string), so both directions are one string each. */
  function callText(name, argsText) {
    var args;
    try {
      args = (argsText === null || argsText === undefined) ? null : parse(argsText);
    } catch (e) {
      return PromiseCtor.resolve(stringify({ok: false, error: errorOf(e)}));
    }
    return call(name, args).then(function (reply) {
      try {
        return stringify(reply);
      } catch (e) {
        return stringify({ok: false, error: errorOf(e)});
      }
    });
  }

  /* Raised by handlers for a server failure (BaseResponse.Ret != 0). */
  function webwxError(op, ret, errMsg, kind) {
    return {__wpwError: {kind: kind || 'webwx', op: op, ret: ret, errMsg: errMsg || ''}};
  }

  /* Run fn later, reporting (never throwing) its failure. */
  function guard(where, fn) {
    return function () {
      try {
        return fn.apply(this, arguments);
      } catch (e) {
        emit('js-error', {where: where, message: String(e && e.message || e)});
        return undefined;
      }
    };
  }

  var publicConfig = {};
  for (var ck in config) {
    if (Object.prototype.hasOwnProperty.call(config, ck) && ck !== 'key') {
      publicConfig[ck] = config[ck];
    }
  }

  window.__wpw = {
    version: 1,
    config: publicConfig,
    plain: plain,
    stringify: stringify,
    parse: parse,
    Promise: PromiseCtor,
    emit: emit,
    call: call,
    callText: callText,
    guard: guard,
    webwxError: webwxError,
    register: function (name, fn) { handlers[name] = fn; },
    onReady: function (fn) { readyCallbacks.push(fn); },
    ready: function () {
      if (window.top === window) {
        // Tells Python this document has the bridge: its start-up handshake dings now (and
        // again after a navigation, when the next document says hello).
        emit('hello', {url: String(location.origin)});
      }
      for (var i = 0; i < readyCallbacks.length; i++) {
        guard('ready', readyCallbacks[i])();
      }
      readyCallbacks = [];
      // The injected files captured this object while the init script ran; page scripts, which
      // run after it, see only what Python calls. Otherwise any of them could call emit() and
      // have its envelope signed.
      window.__wpw = {version: 1, call: call, callText: callText};
    }
  };

  window.__wpw.register('ding', function (data) {
    return {data: data, t: Date.now()};
  });
})();
