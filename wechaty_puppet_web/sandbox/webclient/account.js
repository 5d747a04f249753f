/* accountFactory (self, credentials, SyncKey), mmHttp (MMRetry) and the $http interceptor. */
(function (angular, window) {
  'use strict';

  var services = angular.module('Services');

  services.factory('accountFactory', ['utilFactory', function (utilFactory) {
    var userInfo = {};
    var skey = '';
    var sid;
    var uin;
    var passticket;
    var syncKey;
    var syncCheckKey;

    function formatKey(key) {
      if (!key || !key.List) {
        return '';
      }
      return key.List.map(function (item) {
        return item.Key + '_' + item.Val;
      }).join('|');
    }

    return {
      getUserInfo: function () {
        return userInfo;
      },
      getUserName: function () {
        return userInfo.UserName;
      },
      setUserInfo: function (o) {
        angular.extend(userInfo, o);
      },
      updateUserInfo: function (profile, cb) {
        if (!profile || profile.BitFlag !== 190) {
          return;
        }
        if (profile.HeadImgUpdateFlag) {
          userInfo.HeadImgUrl = profile.HeadImgUrl;
        }
        if (profile.NickName && profile.NickName.Buff) {
          userInfo.NickName = profile.NickName.Buff;
        }
        if (cb) {
          cb(userInfo);
        }
      },
      getUin: function () {
        return userInfo.Uin || uin || utilFactory.getCookie('wxuin');
      },
      setUin: function (v) {
        uin = v;
      },
      getSid: function () {
        return sid || utilFactory.getCookie('wxsid');
      },
      setSid: function (v) {
        sid = v;
      },
      getSkey: function () {
        return skey;
      },
      setSkey: function (v) {
        if (v) {
          skey = v;
        }
      },
      getPassticket: function () {
        return passticket;
      },
      setPassticket: function (v) {
        passticket = v;
      },
      getDeviceID: function () {
        return 'e' + ('' + Math.random().toFixed(15)).substring(2, 17);
      },
      getBaseRequest: function () {
        // A fresh DeviceID on every call, like the real client: the server cannot bind to it.
        return {BaseRequest: {Uin: this.getUin(), Sid: this.getSid(), Skey: this.getSkey(),
          DeviceID: this.getDeviceID()}};
      },
      getSyncKey: function () {
        return syncKey || {Count: 0, List: []};
      },
      setSyncKey: function (key) {
        // Count 0 is ignored: an empty key would make every later sync fail.
        if (key && key.Count > 0) {
          syncKey = key;
        }
      },
      setSyncCheckKey: function (key) {
        if (key && key.Count > 0) {
          syncCheckKey = key;
        }
      },
      getFormateSyncCheckKey: function () {
        return formatKey(syncCheckKey || syncKey);
      },
      isHigherVer: function () {
        return false;
      },
      isNotifyOpen: function () {
        return utilFactory.getCookie('MM_WX_NOTIFY_STATE') !== '0';
      },
      openNotify: function () {
        utilFactory.setCookie('MM_WX_NOTIFY_STATE', '1', 365);
      },
      closeNotify: function () {
        utilFactory.setCookie('MM_WX_NOTIFY_STATE', '0', 365);
      },
      isSoundOpen: function () {
        return utilFactory.getCookie('MM_WX_SOUND_STATE') !== '0';
      },
      openSound: function () {
        utilFactory.setCookie('MM_WX_SOUND_STATE', '1', 365);
      },
      closeSound: function () {
        utilFactory.setCookie('MM_WX_SOUND_STATE', '0', 365);
      }
    };
  }]);

  /* mmHttp(config): without MMRetry a plain $http promise; with MMRetry {count, timeout, serial} a
   * {success, error} pair (no `then`). `count` is the number of extra attempts. A new attempt starts
   * when one times out or fails; `serial` aborts the attempt in flight first, and because an abort is
   * a failure too, a timeout fires the remaining retries almost at once. Every attempt posts the same
   * body (same ClientMsgId). Success callbacks run once; error callbacks only when all have failed. */
  services.factory('mmHttp', ['$http', '$q', '$timeout', function ($http, $q, $timeout) {
    function retrying(config) {
      var retry = angular.extend({count: 3, timeout: 15000, serial: false}, config.MMRetry);
      var max = retry.count + 1;
      var base = angular.extend({}, config);
      delete base.MMRetry;
      var state = {attempts: 0, failures: 0, done: false, current: null, result: null};
      var okCbs = [];
      var errCbs = [];

      function finish(ok, args) {
        state.done = true;
        state.result = {ok: ok, args: args};
        (ok ? okCbs : errCbs).forEach(function (cb) {
          cb.apply(null, args);
        });
      }

      function attempt() {
        if (state.done || state.attempts >= max) {
          return;
        }
        state.attempts++;
        if (retry.serial && state.current) {
          state.current.resolve();
        }
        var canceler = $q.defer();
        state.current = canceler;
        var isLast = state.attempts >= max;
        var timer = $timeout(function () {
          if (state.done) {
            return;
          }
          if (!isLast) {
            attempt();
          } else if (retry.serial) {
            canceler.resolve();
          }
        }, retry.timeout);
        $http(angular.extend({}, base, {timeout: canceler.promise}))
          .success(function (data, status, headers, cfg) {
            $timeout.cancel(timer);
            if (!state.done) {
              finish(true, [data, status, headers, cfg]);
            }
          })
          .error(function (data, status, headers, cfg) {
            $timeout.cancel(timer);
            state.failures++;
            if (state.done) {
              return;
            }
            if (state.attempts < max) {
              attempt();
            } else if (state.failures >= state.attempts) {
              finish(false, [data, status, headers, cfg]);
            }
          });
      }

      var handle = {
        success: function (cb) {
          if (state.result) {
            if (state.result.ok) {
              cb.apply(null, state.result.args);
            }
          } else {
            okCbs.push(cb);
          }
          return handle;
        },
        error: function (cb) {
          if (state.result) {
            if (!state.result.ok) {
              cb.apply(null, state.result.args);
            }
          } else {
            errCbs.push(cb);
          }
          return handle;
        }
      };
      attempt();
      return handle;
    }

    function mmHttp(config) {
      return config && config.MMRetry ? retrying(config) : $http(config);
    }

    mmHttp.get = function (url, config) {
      return mmHttp(angular.extend({}, config, {method: 'GET', url: url}));
    };
    mmHttp.post = function (url, data, config) {
      return mmHttp(angular.extend({}, config, {method: 'POST', url: url, data: data}));
    };
    mmHttp.jsonp = function (url, config) {
      return mmHttp(angular.extend({}, config, {method: 'JSONP', url: url}));
    };
    return mmHttp;
  }]);

  // pass_ticket (already %-encoded in the XML, so it ends up double-encoded) and lang on every call.
  services.factory('httpInterceptor', ['$injector', function ($injector) {
    var langMatch = /[?&]lang=([^&]*)/.exec(window.location.search);
    return {
      request: function (config) {
        if (config.url.indexOf('.html') > -1 || config.cache) {
          return config;
        }
        var account = $injector.get('accountFactory');
        var url = config.url;
        url += (url.indexOf('?') > -1 ? '&' : '?') + 'pass_ticket=' +
          encodeURIComponent(account.getPassticket());
        if (langMatch) {
          url += '&lang=' + langMatch[1];
        }
        config.url = url;
        return config;
      }
    };
  }]);
})(window.angular, window);
