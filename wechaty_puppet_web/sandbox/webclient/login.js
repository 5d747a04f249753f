/* loginController on div.login: QR login, poll lifecycle (§2.2), association login (§2.4). */
(function (angular, window) {
  'use strict';

  angular.module('Controllers', ['Services']).controller('loginController', [
    '$scope', '$timeout', 'loginFactory', 'utilFactory',
    function ($scope, $timeout, loginFactory, util) {
      if (window.MMCgi && window.MMCgi.isLogin) {
        return; // a live session: no QR, no fields, appController runs init at once
      }
      var fallbackTimer = null;
      $scope.lang = (window.MMLang || 'zh_CN');
      $scope.isIPad = /ipad/i.test(window.navigator.userAgent);
      $scope.isMacOS = /mac os/i.test(window.navigator.userAgent);
      $scope.isWindows = /windows/i.test(window.navigator.userAgent);
      $scope.isRotateLoading = false;
      $scope.showPrivacyTips = false;
      $scope.isBrokenNetwork = false;
      $scope.isNeedRefresh = false;
      $scope.isClientVersion = window.__target === 't' || /[?&]target=t(&|$)/.test(
        window.location.search);

      function abortPoll() {
        if (window.checkLoginPromise && window.checkLoginPromise.abort) {
          window.checkLoginPromise.abort();
        }
      }

      function doQrcodeLogin() {
        $scope.isRotateLoading = true;
        loginFactory.getUUID().then(function (uuid) {
          $scope.isRotateLoading = false;
          $scope.isBrokenNetwork = false;
          $scope.isScan = false;
          $scope.uuid = uuid;
          $scope.qrcodeUrl = loginFactory.getQrcode(uuid);
          $scope.code = 0;
          checkLogin(uuid, 1);
        }, function () {
          $scope.isRotateLoading = false;
          $scope.isBrokenNetwork = true;
        });
      }

      function checkLogin(uuid, tip) {
        loginFactory.checkLogin(uuid, tip).then(function (data) {
          handleCode(uuid, data);
        }, function () {
          $scope.isBrokenNetwork = true;
        });
      }

      function reloadCounted() {
        var times = Number(util.getCookie('refreshTimes')) || 0;
        if (times < 5) {
          util.setCookie('refreshTimes', times + 1, 0.5); // never reset, like the real page
          window.location.reload();
          return 0;
        }
        $scope.isNeedRefresh = true;
        return 400;
      }

      function handleCode(uuid, data) {
        var code = data.code;
        switch (code) {
          case 200:
            loginSuccess(data.redirect_uri);
            break;
          case 201:
            $scope.isScan = true;
            checkLogin(uuid, 0);
            break;
          case 408:
            checkLogin(uuid, 0);
            break;
          case 202:
            $scope.isScan = false;
            $scope.isAssociationLogin = false;
            util.setCookie('login_frequency', 0, 2);
            abortPoll();
            doQrcodeLogin();
            break;
          default:
            if (reloadCounted() === 400) {
              code = 400;
            }
        }
        $scope.code = code;
        $scope.userAvatar = data.userAvatar;
      }

      function tag(xml, name) {
        var m = new RegExp('<' + name + '>([\\s\\S]*?)</' + name + '>').exec(xml);
        return m ? m[1] : '';
      }

      function loginSuccess(redirectUri) {
        loginFactory.newLoginPage(redirectUri).then(function (xml) {
          xml = String(xml || '');
          var redirect = tag(xml, 'redirecturl');
          if (redirect) {
            window.location.href = redirect;
            return;
          }
          var ret = tag(xml, 'ret');
          if (ret !== '0' && !/<html/i.test(xml)) {
            window.alert(tag(xml, 'message') || '登陆失败');
            window.location.reload();
            return;
          }
          if (/<html/i.test(xml) && /<head>/i.test(xml)) {
            window.location.replace(redirectUri);
            return;
          }
          $scope.$emit('newLoginPage', {Ret: ret, SKey: tag(xml, 'skey'), Sid: tag(xml, 'wxsid'),
            Uin: tag(xml, 'wxuin'), Passticket: tag(xml, 'pass_ticket'), Code: null});
        });
      }

      $scope.qrcodeLogin = function () {
        if (!$scope.isAssociationLogin) {
          return;
        }
        $timeout.cancel(fallbackTimer);
        $scope.isAssociationLogin = false;
        $scope.isWaitingAsConfirm = false;
        util.setCookie('login_frequency', 0, 2);
        abortPoll();
        doQrcodeLogin();
      };
      $scope.associationLogin = function () {
        loginFactory.associationLogin(util.getCookie('last_wxuin')).then(function (data) {
          if (data && Number(data.ret) === 0) {
            $scope.uuid = data.uuid;
            $scope.isWaitingAsConfirm = true;
            checkLogin(data.uuid, 1);
          } else {
            $scope.qrcodeLogin();
          }
        }, function () {
          $scope.qrcodeLogin();
        });
      };
      $scope.refreshQrcode = function () {
        $timeout(function () {
          $scope.isNeedRefresh = false;
          doQrcodeLogin();
        }, 1200);
      };
      $scope.reloadQrcode = function () {
        $scope.isBrokenNetwork = false;
        doQrcodeLogin();
      };

      var frequency = Number(util.getCookie('login_frequency')) || 0;
      $scope.isAssociationLogin = frequency >= 2 && !!util.getCookie('last_wxuin');
      if ($scope.isAssociationLogin) {
        $scope.userAvatar = util.getLocalStorage().getItem('userAvatar');
        fallbackTimer = $timeout(function () {
          $scope.qrcodeLogin();
        }, 5 * 60 * 1000);
      } else {
        doQrcodeLogin();
      }
    }]);
})(window.angular, window);
