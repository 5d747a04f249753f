/*
 * glue.js: the ONLY injected file that reads `angular`.
 *
 * It waits for the app to bootstrap (the app calls angular.bootstrap synchronously at the end of
 * its own script, so a check at DOMContentLoaded nearly always succeeds; a short JS-side watcher
 * covers late or async script loading), then hands services and scopes to the other files through
 * window.__wpw.glue. Only AngularJS 1.2 APIs are used ($watch, $on, $apply, injector().get).
 */
(function () {
  'use strict';
  var wpw = window.__wpw;
  if (!wpw || wpw.glue) {
    return;
  }
  var injector = null;
  var bootCallbacks = [];

  function findInjector() {
    if (injector) {
      return injector;
    }
    var ng = window.angular;
    if (!ng || !ng.element || !document.documentElement) {
      return null;
    }
    try {
      injector = ng.element(document).injector() || null;
    } catch (e) {
      injector = null;
    }
    return injector;
  }

  function scopeOf(selector) {
    var ng = window.angular;
    var el = document.querySelector(selector);
    if (!ng || !el) {
      return null;
    }
    try {
      return ng.element(el).scope() || null;
    } catch (e) {
      return null;
    }
  }

  function service(name) {
    var inj = findInjector();
    if (!inj) {
      throw new Error('angular app not bootstrapped');
    }
    return inj.get(name);
  }

  /* Run fn inside a digest so scope changes are seen (safe when a digest is already running). */
  function apply(fn) {
    var root = service('$rootScope');
    if (root.$$phase) {
      return fn();
    }
    var result;
    root.$apply(function () { result = fn(); });
    return result;
  }

  function booted() {
    var callbacks = bootCallbacks;
    bootCallbacks = [];
    for (var i = 0; i < callbacks.length; i++) {
      wpw.guard('boot', callbacks[i])();
    }
  }

  function watchForBoot() {
    if (findInjector()) {
      booted();
      return;
    }
    var tries = 0;
    var timer = setInterval(function () {
      tries += 1;
      if (findInjector()) {
        clearInterval(timer);
        booted();
      } else if (tries > 600) {
        // 30 s without an app: not the web client (or it failed to load); say so once.
        clearInterval(timer);
        wpw.emit('boot-timeout', {url: String(location.href)});
      }
    }, 50);
  }

  wpw.glue = {
    injector: findInjector,
    service: service,
    apply: apply,
    rootScope: function () { return service('$rootScope'); },
    loginScope: function () { return scopeOf('div.login[ng-controller="loginController"]') ||
                                     scopeOf('[ng-controller="loginController"]'); },
    bodyScope: function () { return scopeOf('[ng-controller="appController"]'); },
    /* Call fn once the app's injector exists (at once if it already does). */
    onBoot: function (fn) {
      if (injector) {
        wpw.guard('boot', fn)();
      } else {
        bootCallbacks.push(fn);
      }
    }
  };

  wpw.onReady(function () {
    if (window.top !== window) {
      return;  // the web client is the top document; frames get no hooks
    }
    if (document.readyState === 'loading') {
      document.addEventListener('DOMContentLoaded', watchForBoot);
    } else {
      watchForBoot();
    }
  });
})();
