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
    var clientVer = 0;
    var loginTime = 0;
    // Messages and conversations received (R) and sent (S) this session: the page reports them.
    var counts = {RConv: 0, RMsg: 0, SConv: 0, SMsg: 0};

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
      // webwxinit's ClientVersion against the page's own (a newer client asks for a reload).
      isHigherVer: function () {
        return clientVer > 0x27000000;
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
      },
      setClientVer: function (v) {
        clientVer = Number(v) || 0;
      },
      getLoginTime: function () {
        return loginTime;
      },
      setLoginTime: function (t) {
        loginTime = t;
      },
      getRConvCount: function () {
        return counts.RConv;
      },
      setRConvCount: function (n) {
        counts.RConv = n;
      },
      getRMsgCount: function () {
        return counts.RMsg;
      },
      setRMsgCount: function (n) {
        counts.RMsg = n;
      },
      getSConvCount: function () {
        return counts.SConv;
      },
      setSConvCount: function (n) {
        counts.SConv = n;
      },
      getSMsgCount: function () {
        return counts.SMsg;
      },
      setSMsgCount: function (n) {
        counts.SMsg = n;
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

    // The shortcuts declare one parameter, as on the real page; later ones are read from
    // `arguments` ($http's own order: url, [data,] config).
    mmHttp.get = function (url) {
      return mmHttp(angular.extend({}, arguments[1], {method: 'GET', url: url}));
    };
    mmHttp.post = function (url) {
      return mmHttp(angular.extend({}, arguments[2], {method: 'POST', url: url,
        data: arguments[1]}));
    };
    mmHttp.jsonp = function (url) {
      return mmHttp(angular.extend({}, arguments[1], {method: 'JSONP', url: url}));
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
