/*
 * glue.js: the ONLY injected file that reads `angular`.
 *
 * Why it traps the bootstrap: the real client runs webwxinit during its bootstrap (appController)
 * and initContact one $timeout later, on a page so heavy that DOMContentLoaded can come after both
 * were answered. Hooks found by polling for the injector then arrive too late (the contact paging
 * is over and `ready` never fires). So, from the init script, before any page script runs, this
 * file catches `window.angular` as the vendor bundle defines it, then `angular.bootstrap` as
 * AngularJS publishes it, and adds one module of its own to the app's bootstrap. That module's run
 * block comes before the app's own run blocks and before any controller: there the services are
 * handed to the hooks (phase "boot"); once bootstrap has compiled the page, the scopes are
 * (phase "compiled"). If the trap cannot be set (another script owns `window.angular`, or the app
 * boots some other way), a watcher polls for the injector from DOMContentLoaded as before, and the
 * hooks derive what they missed from state.
 *
 * Only AngularJS 1.2 APIs are used ($watch, $on, $apply, injector().get).
 */
(function () {
  'use strict';
  var wpw = window.__wpw;
  if (!wpw || wpw.glue) {
    return;
  }
  var injector = null;
  var phases = {boot: {done: false, callbacks: []}, compiled: {done: false, callbacks: []}};
  var trappedAngular = null;
  var bootPath = '';

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

  function reach(name) {
    var phase = phases[name];
    if (phase.done) {
      return;
    }
    phase.done = true;
    var callbacks = phase.callbacks;
    phase.callbacks = [];
    for (var i = 0; i < callbacks.length; i++) {
      wpw.guard(name, callbacks[i])();
    }
  }

  function on(name, fn) {
    if (phases[name].done) {
      wpw.guard(name, fn)();
    } else {
      phases[name].callbacks.push(fn);
    }
  }

  // ---- the early path: catch the bootstrap --------------------------------------------------

  /* Our module for the app's bootstrap: a config function whose return value AngularJS 1.2 runs
     as a run block, with the app's own injector, before the app's run blocks (it is loaded
     first) and before bootstrap compiles the page (no controller has run yet). */
  var earlyModule = [function () {
    return ['$injector', function ($injector) {
      if (!injector) {
        injector = $injector;
        bootPath = 'early';
        reach('boot');
      }
    }];
  }];

  function wrapBootstrap(orig) {
    return function (element, modules) {
      var list = [];
      if (modules && typeof modules.length === 'number') {
        for (var i = 0; i < modules.length; i++) {
          list.push(modules[i]);
        }
      }
      if (!injector) {
        list.unshift(earlyModule);
      }
      var result = orig.call(this, element, list);
      if (injector && result === injector) {
        reach('compiled');
      }
      return result;
    };
  }

  function trapBootstrap(ng) {
    if (!ng || (typeof ng !== 'object' && typeof ng !== 'function') || trappedAngular === ng) {
      return;
    }
    trappedAngular = ng;
    var current = ng.bootstrap;
    try {
      Object.defineProperty(ng, 'bootstrap', {
        configurable: true,
        enumerable: true,
        get: function () { return current; },
        set: function (fn) { current = (typeof fn === 'function') ? wrapBootstrap(fn) : fn; }
      });
    } catch (e) {
      return;  // not ours to trap: the polling watcher covers it
    }
    if (typeof current === 'function') {
      current = wrapBootstrap(current);
    }
  }

  function trapAngular() {
    if (window.angular) {
      trapBootstrap(window.angular);
      return;
    }
    var desc = Object.getOwnPropertyDescriptor(window, 'angular');
    if (desc && !desc.configurable) {
      return;
    }
    var value;
    try {
      Object.defineProperty(window, 'angular', {
        configurable: true,
        enumerable: true,
        get: function () { return value; },
        set: function (v) {
          value = v;
          trapBootstrap(v);
        }
      });
    } catch (e) {
      // the polling watcher covers it
    }
  }

  // ---- the late path: poll for the injector ------------------------------------------------

  function lateBoot() {
    bootPath = bootPath || 'late';
    reach('boot');
    reach('compiled');
  }

  function watchForBoot() {
    if (phases.compiled.done) {
      return;
    }
    if (findInjector()) {
      lateBoot();
      return;
    }
    var tries = 0;
    var timer = setInterval(function () {
      tries += 1;
      if (phases.compiled.done) {
        clearInterval(timer);
      } else if (findInjector()) {
        clearInterval(timer);
        lateBoot();
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
    /* Call fn once the app's services exist: before the app's first run block on the early path
       (no scope yet), at once if that moment has passed. */
    onBoot: function (fn) { on('boot', fn); },
    /* Call fn once the page is compiled (scopes exist), at once if it already is. */
    onCompiled: function (fn) { on('compiled', fn); },
    /* 'early' when the hooks were in place before the app ran, 'late' when found by polling. */
    path: function () { return bootPath; }
  };

  /* How the hooks reached the app this time ('early', 'late' or '' before boot): Python and the
     tests can tell a trapped bootstrap from a polled one. */
  wpw.register('boot-path', function () { return bootPath; });

  wpw.onReady(function () {
    if (window.top !== window) {
      return;  // the web client is the top document; frames get no hooks
    }
    trapAngular();
    if (document.readyState === 'loading') {
      document.addEventListener('DOMContentLoaded', watchForBoot);
    } else {
      watchForBoot();
    }
  });
})();
