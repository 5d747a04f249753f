/* The page's UI services: ngDialog (module `ngDialog`), mmpop, stateManageService and
 * monitorService. Puppets rarely touch them, but the real page has them, with these members, and
 * a hook that probes them must find the same things here. Dialogs and popups are compiled from
 * the inline templates ($templateCache) into the body, like the real ones. */
(function (angular, window) {
  'use strict';

  /* One layer of overlays (dialogs or popups): open(opts) compiles opts.template (an inline
     template id or markup) on a new scope into a container appended to body; close(id, value)
     removes it and settles its promise; events `<prefix>.opened/closing/closed` on $rootScope. */
  function overlays($rootScope, $compile, $templateCache, $q, kind, events) {
    var open = {};
    var nextId = 0;
    var document = window.document;

    function markup(opts) {
      var t = opts.template || '';
      return opts.plain ? t : ($templateCache.get(t) || t);
    }

    function close(id, value) {
      var item = open[id];
      if (!item) {
        return;
      }
      delete open[id];
      $rootScope.$broadcast(events.closing, item.element, value);
      item.scope.$destroy();
      item.element.remove();
      item.deferred.resolve({id: id, value: value});
      $rootScope.$broadcast(events.closed, item.element, value);
    }

    function openOne(opts) {
      opts = opts || {};
      nextId += 1;
      var id = kind + nextId;
      var scope = (opts.scope || $rootScope).$new();
      scope.ngDialogData = opts.data;
      scope.ngDialogId = id;
      scope.closeThisDialog = function (value) {
        close(id, value);
      };
      var element = angular.element('<div class="' + kind + (opts.className ? ' ' +
        opts.className : '') + '" id="' + id + '"></div>');
      element.html(markup(opts));
      angular.element(document.body).append(element);
      $compile(element.contents())(scope);
      var deferred = $q.defer();
      open[id] = {scope: scope, element: element, deferred: deferred};
      $rootScope.$broadcast(events.opened, element);
      return {id: id, closePromise: deferred.promise, close: function (value) {
        close(id, value);
      }, scope: scope};
    }

    function closeAll(value) {
      angular.forEach(Object.keys(open), function (id) {
        close(id, value);
      });
    }

    return {open: openOne, close: close, closeAll: closeAll,
      isOpen: function (id) { return !!open[id]; }, ids: function () { return Object.keys(open); }};
  }

  angular.module('ngDialog', []).factory('ngDialog', [
    '$rootScope', '$compile', '$templateCache', '$q',
    function ($rootScope, $compile, $templateCache, $q) {
      var layer = overlays($rootScope, $compile, $templateCache, $q, 'ngdialog',
        {opened: 'ngDialog.opened', closing: 'ngDialog.closing', closed: 'ngDialog.closed'});
      var defaults = {className: 'default', plain: false, showClose: true,
        closeByDocument: true, closeByEscape: true};
      return {
        getDefaults: function () {
          return defaults;
        },
        open: function (opts) {
          return layer.open(angular.extend({}, defaults, opts));
        },
        // A promise resolved by the dialog's confirm(value), rejected when it is closed.
        openConfirm: function (opts) {
          var deferred = $q.defer();
          var scope = ((opts && opts.scope) || $rootScope).$new();
          var dialog;
          scope.confirm = function (value) {
            deferred.resolve(value);
            layer.close(dialog.id, value);
          };
          dialog = layer.open(angular.extend({}, defaults, opts, {scope: scope}));
          dialog.closePromise.then(function (result) {
            deferred.reject(result.value);
          });
          return deferred.promise;
        },
        close: function (id, value) {
          layer.close(id, value);
        },
        closeAll: function (value) {
          layer.closeAll(value);
        }
      };
    }]);

  var services = angular.module('Services');

  services.factory('mmpop', ['$rootScope', '$compile', '$templateCache', '$q',
    function ($rootScope, $compile, $templateCache, $q) {
      var layer = overlays($rootScope, $compile, $templateCache, $q, 'mmpop',
        {opened: 'root:mmpop:open', closing: 'root:mmpop:closing', closed: 'root:mmpop:closed'});
      var byTemplate = {};
      return {
        open: function (opts) {
          var pop = layer.open(opts);
          byTemplate[(opts && opts.template) || ''] = pop.id;
          return pop;
        },
        close: function (id, value) {
          layer.close(id, value);
        },
        closeAll: function (value) {
          layer.closeAll(value);
        },
        // Open the popup of this template, or close it when it is open.
        toggleOpen: function (opts) {
          var id = byTemplate[(opts && opts.template) || ''];
          if (id && layer.isOpen(id)) {
            layer.close(id);
            return null;
          }
          return this.open(opts);
        }
      };
    }]);

  /* UI flags with listeners: change(name, value) sets a flag and tells on(name) listeners;
     canDo(name) is false while that flag is set (e.g. no new dialog over an open one). */
  services.factory('stateManageService', [function () {
    var flags = {};
    var payloads = {};
    var listeners = {};
    return {
      canDo: function (name) {
        return !flags[name];
      },
      change: function (name, value) {
        flags[name] = !!value;
        angular.forEach((listeners[name] || []).slice(), function (fn) {
          fn(!!value, payloads[name]);
        });
      },
      data: function (name, value) {
        if (value !== undefined) {
          payloads[name] = value;
        }
        return payloads[name];
      },
      on: function (name, fn) {
        (listeners[name] = listeners[name] || []).push(fn);
      },
      off: function (name, fn) {
        var list = listeners[name] || [];
        var at = list.indexOf(fn);
        if (at > -1) {
          list.splice(at, 1);
        }
      }
    };
  }]);

  /* Counters reported to support.weixin.qq.com (idkey reports): ID is the report id, each
     constant a key; report(key, value, now) sends one. */
  services.factory('monitorService', ['utilFactory', function (util) {
    var monitor = {
      ID: 108, PV: 0, EXCEPTION_COUNT: 1, INIT_EXCEPTION_COUNT: 2, QRCODE_EXCEPTION_COUNT: 3,
      AUTH_FAIL_COUNT: 4, ASSOCIATION_AUTH_COUNT: 5, ASSOCIATION_AUTH_FAIL_COUNT: 6,
      SEND_MSG_COUNT: 7, UPLOAD_COUNT: 8, UPLOAD_FAIL_COUNT: 9, CREATE_CHAT_ROOM_COUNT: 10,
      CREATE_CHAT_ROOM_FAIL_COUNT: 11, INVITE_TO_CHAT_ROOM_COUNT: 12,
      INVITE_TO_CHAT_ROOM_FAIL_COUNT: 13, FEEDBACK_COUNT: 14, CLICK_SNAPSHOT_COUNT: 15,
      report: function (key, value, now) {
        void now;  // the real page batches; this twin sends at once
        util.reportIdkey(monitor.ID, key, value || 1);
      }
    };
    return monitor;
  }]);
})(window.angular, window);
