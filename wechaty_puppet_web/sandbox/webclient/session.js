/* chatroomFactory, loginFactory, appFactory (init / syncCheck / sync) and surviveCheckService. */
(function (angular, window) {
  'use strict';

  var services = angular.module('Services');
  // From this many members on, adding means inviting (webwxinit's InviteStartCount is 40).
  var INVITE_START_COUNT = 40;

  // jQuery callbacks run outside Angular: enter a digest unless one is running.
  function inDigest($rootScope, fn) {
    if ($rootScope.$$phase) {
      fn();
    } else {
      $rootScope.$apply(fn);
    }
  }

  services.factory('chatroomFactory', [
    '$http', '$q', 'confFactory', 'utilFactory', 'accountFactory', 'contactFactory',
    function ($http, $q, conf, util, account, contactFactory) {
      var currentContact = null;
      var filterContacts = {};
      return {
        // The room dialogs' state: the room being edited and the names already picked.
        getCurrentContact: function () {
          return currentContact;
        },
        setCurrentContact: function (c) {
          currentContact = c;
        },
        getFilterContacts: function () {
          return filterContacts;
        },
        setFilterContacts: function (map) {
          filterContacts = map || {};
        },
        // POST webwxupdatechatroom?fun=<fun> for `room`; cb gets the reply.
        _update: function (fun, room, fields, cb) {
          var body = angular.extend(account.getBaseRequest(), fields, {ChatRoomName: room});
          return $http.post(conf.API_webwxupdatechatroom + '?fun=' + fun, body)
            .success(function (data) {
              if (cb) {
                cb(data);
              }
            });
        },
        create: function (memberList) {
          var deferred = $q.defer();
          var body = angular.extend(account.getBaseRequest(), {MemberCount: memberList.length,
            MemberList: memberList, Topic: ''});
          $http.post(conf.API_webwxcreatechatroom + '?r=' + util.now(), body).success(function (d) {
            if (d && d.BaseResponse && d.BaseResponse.Ret === 0) {
              deferred.resolve(d);
            } else {
              deferred.reject(d);
            }
          }).error(function (d) {
            deferred.reject(d);
          });
          return deferred.promise;
        },
        addMember: function (room, userNames, cb) {
          // Throws for a room unknown locally, like the real client.
          var members = contactFactory.getContact(room).MemberList || [];
          var total = members.length + String(userNames).split(',').length;
          var invite = total >= INVITE_START_COUNT;
          var fields = {};
          fields[invite ? 'InviteMemberList' : 'AddMemberList'] = userNames;
          this._update(invite ? 'invitemember' : 'addmember', room, fields, cb);
        },
        delMember: function (room, userName) {
          this._update('delmember', room, {DelMemberList: userName}, function () {
            var c = contactFactory.getContact(room, '', true);
            if (c && c.MemberList) {
              for (var i = 0; i < c.MemberList.length; i++) {
                if (c.MemberList[i].UserName === userName) {
                  c.MemberList.splice(i, 1);
                  break;
                }
              }
              c.MemberCount = c.MemberList.length;
            }
          });
        },
        modTopic: function (room, topic) {
          this._update('modtopic', room, {NewTopic: topic});
        },
        quit: function (room) {
          this._update('quitchatroom', room, {});
        }
      };
    }]);

  services.factory('loginFactory', [
    '$rootScope', '$q', '$http', 'confFactory', 'utilFactory', 'accountFactory', 'mmHttp',
    function ($rootScope, $q, $http, conf, util, account, mmHttp) {
      return {
        // The QR image's URL: always on login.weixin.qq.com, whatever the page's host.
        getQrcode: function (uuid) {
          return 'https://login.weixin.qq.com/qrcode/' + uuid;
        },
        getUUID: function () {
          var deferred = $q.defer();
          window.jQuery.ajax({url: conf.API_jsLogin, dataType: 'script', cache: false, timeout: 30000})
            .done(function () {
              inDigest($rootScope, function () {
                var q = window.QRLogin || {};
                if (q.code === 200) {
                  deferred.resolve(q.uuid);
                } else {
                  deferred.reject(q.code);
                }
              });
            }).fail(function () {
              inDigest($rootScope, function () {
                deferred.reject();
              });
            });
          return deferred.promise;
        },
        checkLogin: function (uuid, tip) {
          var deferred = $q.defer();
          window.code = 0;
          window.redirect_uri = undefined;
          var url = conf.API_login + '?loginicon=true&uuid=' + uuid + '&tip=' + (tip || 0) + '&r=' +
            ~new Date();
          window.checkLoginPromise = window.jQuery.ajax({url: url, dataType: 'script', cache: false,
            timeout: 35000});
          window.checkLoginPromise.done(function () {
            var redirect = window.redirect_uri;
            if (window.code === 200 && redirect &&
                redirect.indexOf('/' + window.location.host + '/') < 0) {
              // Host switch (wx -> wx2 …): the real page simply navigates to the redirect.
              window.location.href = redirect;
              return;
            }
            inDigest($rootScope, function () {
              deferred.resolve({code: window.code, redirect_uri: redirect,
                userAvatar: window.userAvatar});
            });
          }).fail(function (xhr, status) {
            if (status === 'abort') {
              return;
            }
            inDigest($rootScope, function () {
              deferred.reject(status);
            });
          });
          return deferred.promise;
        },
        associationLogin: function (uin) {
          var url = conf.API_webwxpushloginurl + '?uin=' + uin +
            (conf.isClientVersion ? '&mod=desktop' : '');
          return $http.get(url).then(function (resp) {
            return resp.data;
          });
        },
        newLoginPage: function (redirectUri) {
          var deferred = $q.defer();
          var url = redirectUri + '&fun=new&version=v2' + (conf.isClientVersion ? '&mod=desktop' : '');
          mmHttp({method: 'GET', url: url, MMRetry: {count: 3, timeout: 10000, serial: true},
            transformResponse: function (d) {
              return d;
            }})
            .success(function (data) {
              deferred.resolve(data);
            }).error(function (data) {
              deferred.reject(data);
            });
          return deferred.promise;
        },
        loginout: function (type) {
          window.onbeforeunload = null;
          util.form(conf.API_webwxlogout + '?redirect=1&type=' + (type || 0) + '&skey=' +
            encodeURIComponent(account.getSkey()), {sid: account.getSid(), uin: account.getUin()});
        },
        timeoutDetect: function (ret) {
          ret = Number(ret);
          if (ret === 1100 || ret === 1101 || ret === 1102) {
            this.loginout(0);
            return true;
          }
          if (ret === 1205) {
            this.loginout(1);
          }
          return undefined;
        }
      };
    }]);

  services.factory('appFactory', [
    '$rootScope', '$q', 'confFactory', 'utilFactory', 'accountFactory', 'loginFactory', 'mmHttp',
    function ($rootScope, $q, conf, util, account, loginFactory, mmHttp) {
      window.synccheck = window.synccheck || {retcode: '0', selector: '0'};

      function onSyncCheck(app, sc, deferred) {
        var retcode = String(sc.retcode);
        if (retcode === '0') {
          if (String(sc.selector) !== '0') {
            app.sync().then(function (data) {
              deferred.resolve(data);
            });
          } else {
            deferred.reject(sc);
          }
        } else if (retcode === '1100') {
          loginFactory.loginout(0);
        } else if (retcode === '1101' || retcode === '1102') {
          loginFactory.loginout(1);
        } else {
          deferred.reject(sc);
        }
      }

      return {
        // State shared by the page's controllers (appController fills it after webwxinit).
        globalData: {chatList: [], isInited: false},
        // POST webwxstatreport?fun=new with one item of the app's own telemetry.
        report: function (data) {
          if (!account.getUin()) {
            return;
          }
          mmHttp.post(conf.API_webwxreport + '?fun=new', {
            BaseRequest: {Uin: account.getUin(), Sid: account.getSid(),
              DeviceID: account.getDeviceID()},
            Count: 1, List: [{Type: 1, Text: JSON.stringify(data)}]});
        },
        init: function () {
          var deferred = $q.defer();
          // MMRetry {count:1, timeout:1}: a second POST goes out after 1 ms (webwxinit is doubled).
          mmHttp({method: 'POST', url: conf.API_webwxinit, data: account.getBaseRequest(),
            MMRetry: {count: 1, timeout: 1}})
            .success(function (data) {
              deferred.resolve(data);
            }).error(function (data) {
              deferred.reject(data);
            });
          return deferred.promise;
        },
        syncCheck: function () {
          var deferred = $q.defer();
          var me = this;
          window.synccheck.selector = 0;
          var url = conf.API_synccheck + '?r=' + util.now() + '&skey=' +
            encodeURIComponent(account.getSkey()) + '&sid=' + encodeURIComponent(account.getSid()) +
            '&uin=' + encodeURIComponent(account.getUin()) + '&deviceid=' + account.getDeviceID() +
            '&synckey=' + encodeURIComponent(account.getFormateSyncCheckKey());
          window.jQuery.ajax({url: url, dataType: 'script', cache: true, timeout: 35000})
            .done(function () {
              inDigest($rootScope, function () {
                onSyncCheck(me, window.synccheck || {}, deferred);
              });
            });
          // A network failure leaves the promise pending: surviveCheckService restarts the loop.
          return deferred.promise;
        },
        sync: function () {
          var deferred = $q.defer();
          var url = conf.API_webwxsync + '?sid=' + encodeURIComponent(account.getSid()) + '&skey=' +
            encodeURIComponent(account.getSkey());
          var body = angular.extend(account.getBaseRequest(), {SyncKey: account.getSyncKey(),
            rr: ~new Date()});
          mmHttp({method: 'POST', url: url, data: body, MMRetry: {count: 2, timeout: 15000,
            serial: true}})
            .success(function (data) {
              if (data && data.BaseResponse && data.BaseResponse.Ret === 0) {
                deferred.resolve(data);
              }
            });
          return deferred.promise;
        }
      };
    }]);

  /* reportService: the telemetry the real page posts (network noise a puppet must tolerate). */
  services.factory('reportService', ['$http', 'confFactory', 'accountFactory',
    function ($http, conf, account) {
      return {
        ReportType: {timing: '[app-timing]', runtime: '[app-runtime]', netError: '[net-error]',
          cgiData: '[cgi-data]', userAction: '[user-action]'},
        // `now`: the real page batches reports; this twin always posts at once.
        report: function (type, data, now) {
          if (!account.getUin()) {
            return;
          }
          void now;
          $http.post(conf.API_webwxreport + '?fun=new', {
            BaseRequest: {Uin: account.getUin(), Sid: account.getSid(),
              DeviceID: account.getDeviceID()},
            Count: 1,
            List: [{Type: 1, Text: JSON.stringify({type: type, data: data})}]
          });
        }
      };
    }]);

  /* Restarts a stalled synccheck loop: 40 s while a check is pending, 5 s after a success that was
   * not followed by a new check, 2 s after a rejection. */
  services.factory('surviveCheckService', ['utilFactory', function (util) {
    var timer = null;
    var cb = null;
    var state = {phase: 'idle', since: 0};
    var limits = {pending: 40000, success: 5000, rejected: 2000};
    return {
      callback: function (fn) {
        cb = fn;
      },
      mark: function (phase) {
        state.phase = phase;
        state.since = util.now();
      },
      start: function (interval) {
        this.stop();
        timer = window.setInterval(function () {
          var limit = limits[state.phase];
          if (limit && util.now() - state.since > limit && cb) {
            state.phase = 'idle';
            cb();
          }
        }, interval || 1000);
      },
      stop: function () {
        if (timer) {
          window.clearInterval(timer);
          timer = null;
        }
      }
    };
  }]);
})(window.angular, window);
