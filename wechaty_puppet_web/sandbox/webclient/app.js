/* appController (pageInit, contacts paging, the synccheck/sync loop), the small chat UI, the
 * directives, `exceptionOverride`, a minimal `$state`, module `webwxApp` and the bootstrap. */
(function (angular, window) {
  'use strict';

  var controllers = angular.module('Controllers');

  controllers.controller('appController', [
    '$scope', '$rootScope', '$timeout', '$state', 'confFactory', 'accountFactory',
    'contactFactory', 'chatFactory', 'loginFactory', 'appFactory', 'utilFactory',
    'surviveCheckService', 'reportService',
    function ($scope, $rootScope, $timeout, $state, conf, account, contactFactory, chatFactory,
      loginFactory, appFactory, util, survive, reportService) {
      var loopId = 0;
      $rootScope.CONF = conf;
      $state.go('chat');
      $scope.isUnLogin = !(window.MMCgi && window.MMCgi.isLogin);
      $scope.isLoaded = false;
      $scope.isInitFailed = false;

      function loadContacts(seq, page) {
        contactFactory.initContact(seq).then(function (data) {
          contactFactory.addContacts(data.MemberList);
          if (data.Seq && Number(data.Seq) !== 0 && page < 16) {
            loadContacts(data.Seq, page + 1);
          }
        });
      }

      // Order of webclient-surface.md §3.7. A throwing message:add:success listener abandons the
      // rest of the AddMsgList batch; the SyncKey has already advanced, so those are lost.
      function syncCheckHasChange(data) {
        account.setSyncKey(data.SyncKey);
        account.setSyncCheckKey(data.SyncCheckKey);
        account.setSkey(data.SKey);
        account.updateUserInfo(data.Profile);
        angular.forEach(data.DelContactList || [], function (c) {
          chatFactory.deleteChatList(c.UserName);
          chatFactory.deleteChatMessage(c.UserName);
          contactFactory.deleteContact(c);
        });
        angular.forEach(data.ModContactList || [], function (c) {
          contactFactory.addContact(c);
        });
        try {
          angular.forEach(data.AddMsgList || [], function (msg) {
            chatFactory.messageProcess(msg);
          });
        } catch (e) {
          // the rest of the batch is dropped (already reported by $exceptionHandler)
        }
      }

      // ContinueFlag non-zero: the server holds more than one reply's worth; fetch the rest with
      // webwxsync at once, without a synccheck in between, then go back to the loop.
      function synced(id, data) {
        syncCheckHasChange(data);
        if (Number(data && data.ContinueFlag)) {
          appFactory.sync().then(function (more) {
            if (id === loopId) {
              survive.mark('success');
              synced(id, more);
            }
          });
          return;
        }
        $timeout(function () {
          syncLoop(id);
        }, conf.TIMEOUT_SYNC_CHECK);
      }

      function syncLoop(id) {
        if (id !== loopId) {
          return;
        }
        survive.mark('pending');
        appFactory.syncCheck().then(function (data) {
          if (id !== loopId) {
            return;
          }
          survive.mark('success');
          synced(id, data);
        }, function () {
          if (id !== loopId) {
            return;
          }
          survive.mark('rejected');
          $timeout(function () {
            syncLoop(id);
          }, conf.TIMEOUT_SYNC_CHECK);
        });
      }

      function startSyncLoop() {
        loopId++;
        syncLoop(loopId);
      }

      function rememberLogin() {
        var uin = String(account.getUin());
        var last = util.getCookie('last_wxuin');
        var freq = Number(util.getCookie('login_frequency')) || 0;
        util.setCookie('login_frequency', last === uin ? freq + 1 : 1, 2);
        util.setCookie('last_wxuin', uin, 2);
        var info = account.getUserInfo();
        if (info.HeadImgUrl) {
          util.getLocalStorage().setItem('userAvatar', info.HeadImgUrl);
        }
      }

      function onInit(data) {
        var ret = data && data.BaseResponse ? data.BaseResponse.Ret : -1;
        if (ret !== 0) {
          if (!loginFactory.timeoutDetect(ret)) {
            $scope.isInitFailed = true; // "程序初始化失败" dialog; OK reloads
          }
          return;
        }
        account.setUserInfo(data.User);
        account.setSkey(data.SKey);
        account.setSyncKey(data.SyncKey);
        contactFactory.addContact(data.User);
        contactFactory.addContacts(data.ContactList);
        chatFactory.initChatList(data.ChatSet);
        chatFactory.notifyMobile(account.getUserName(), conf.StatusNotifyCode_INITED);
        util.setCheckUrl(account);
        $rootScope.$broadcast('root:pageInit:success');
        $scope.$broadcast('updateUser');
        rememberLogin();
        reportService.report('[app-timing]', {appTiming: window._appTiming});
        $timeout(function () {
          loadContacts(0, 0);
        });
        survive.callback(startSyncLoop);
        survive.start(1000);
        startSyncLoop();
      }

      function pageInit() {
        $scope.isLoaded = true;
        $scope.isUnLogin = false;
        if (util.browser.chrome) {
          window.onbeforeunload = function () {
            return '关闭浏览器聊天内容将会丢失。';
          };
        }
        appFactory.init().then(onInit, function () {
          $scope.isInitFailed = true;
        });
      }

      $scope.pageInit = pageInit;
      $scope.reloadPage = function () {
        window.location.reload(true);
      };
      $scope.$on('newLoginPage', function (event, data) {
        account.setSkey(data.SKey);
        account.setSid(data.Sid);
        account.setUin(data.Uin);
        account.setPassticket(data.Passticket);
        pageInit();
      });
      if (window.MMCgi && window.MMCgi.isLogin) {
        pageInit();
      }
    }]);

  controllers.controller('navChatController', [
    '$scope', '$state', 'chatFactory', function ($scope, $state, chatFactory) {
      var scheduled = false;
      $scope.chatList = [];
      function refresh() {
        scheduled = false;
        $scope.chatList = chatFactory.getChatList();
        $scope.currentUserName = chatFactory.getCurrentUserName();
      }
      // Rebuilt once per digest, not once per message of a sync batch.
      function schedule() {
        if (!scheduled) {
          scheduled = true;
          $scope.$evalAsync(refresh);
        }
      }
      $scope.$on('chat:add:success', schedule);
      $scope.$on('root:statechange', schedule);
      $scope.itemClick = function (userName) {
        $state.go('chat', {userName: userName});
      };
    }]);

  controllers.controller('contentChatController', [
    '$scope', 'confFactory', 'accountFactory', 'chatFactory', 'contactFactory',
    function ($scope, conf, account, chatFactory, contactFactory) {
      function refresh() {
        var u = chatFactory.getCurrentUserName();
        $scope.currentUserName = u;
        $scope.currentContact = u ? contactFactory.getContact(u, '', true) : null;
        $scope.messages = u ? chatFactory.getChatMessage(u) : [];
      }
      $scope.messages = [];
      $scope.$on('root:statechange', refresh);
      $scope.getMsgImg = function (id, type, msg) {
        if (msg && msg.MMStatus !== undefined && msg.MMStatus !== conf.MSG_SEND_STATUS_SUCC) {
          return undefined;
        }
        return conf.API_webwxgetmsgimg + '?&MsgID=' + id + '&skey=' +
          encodeURIComponent(account.getSkey()) + (type ? '&type=' + type : '');
      };
      $scope.getMsgVideo = function (id) {
        return conf.API_webwxgetvideo + '?msgid=' + id + '&skey=' +
          encodeURIComponent(account.getSkey());
      };
      $scope.senderName = function (msg) {
        var c = contactFactory.getContact(msg.MMActualSender, '', true);
        return c && c.getDisplayName ? c.getDisplayName(msg.MMPeerUserName) : msg.MMActualSender;
      };
    }]);

  /* The always-live panels of the real page (emoji picker, contact list, recent chats), used
   * only on the heavy page (PageOptions weight "real", heavy.html): the contact list is rebuilt
   * whenever contacts change and the recent list on every new message, as there. */
  var EMOJI_FIRST = 0x1F300;  // the emoji code points of the heavy page's sprite sheet
  var EMOJI_END = 0x1F700;
  var CONTACT_WINDOW = 120;  // contact rows the heavy page's contact list renders
  function byPinyin(a, b) {
    var x = (a.PYQuanPin || a.NickName || '').toLowerCase();
    var y = (b.PYQuanPin || b.NickName || '').toLowerCase();
    return x < y ? -1 : (x > y ? 1 : 0);
  }
  controllers.controller('panelsController', [
    '$scope', 'emojiFactory', 'contactFactory', 'chatFactory',
    function ($scope, emojiFactory, contactFactory, chatFactory) {
      $scope.QQFaceList = emojiFactory.QQFaceList;
      // The real picker's symbol tab: one face per emoji code point of its sprite sheet.
      $scope.EmojiList = [];
      for (var code = EMOJI_FIRST; code < EMOJI_END; code += 1) {
        $scope.EmojiList.push(code.toString(16));
      }
      $scope.contacts = [];
      $scope.contactWindow = CONTACT_WINDOW;
      $scope.recent = [];
      $scope.recentFaces = {};
      $scope.faceName = function (code) {
        return '[' + code.toUpperCase() + ']';
      };
      $scope.pick = function (face) {
        $scope.lastFace = face;
        $scope.recentFaces[face] = true;
      };
      $scope.$watch(function () {
        return contactFactory.contactChangeFlag;
      }, function () {
        // As the real contact list: every friend sorted by pinyin, a window of rows rendered
        // (its virtual list draws what fits, more as the user scrolls).
        $scope.contacts = contactFactory.getAllFriendContact({isNewArray: true}).sort(byPinyin);
      });
      $scope.$on('chat:add:success', function () {
        $scope.recent = chatFactory.getChatList();
        $scope.current = chatFactory.getCurrentUserName();
      });
    }]);

  controllers.controller('chatSenderController', [
    '$scope', 'chatFactory', 'confFactory', function ($scope, chatFactory, conf) {
      $scope.sendTextMessage = function () {
        var editor = window.document.getElementById('editArea');
        var html = editor.innerHTML.replace(/<div>/gi, '\n').replace(/<\/div>/gi, '');
        var to = chatFactory.getCurrentUserName();
        if (!to || !html.replace(/<br\s*\/?>|\s/gi, '')) {
          return;
        }
        var msg = chatFactory.createMessage({MsgType: conf.MSGTYPE_TEXT, Content: html,
          ToUserName: to});
        chatFactory.appendMessage(msg);
        chatFactory.sendMessage(msg);
        editor.innerHTML = '';
      };
      $scope.editKeydown = function (event) {
        if (event.keyCode === 13 && !event.shiftKey && !event.ctrlKey) {
          event.preventDefault();
          $scope.sendTextMessage();
        }
      };
    }]);

  var directives = angular.module('Directives', []);
  // mm-src: set src once the interpolated URL is known (the real one also retries in parallel).
  directives.directive('mmSrc', [function () {
    return {
      link: function (scope, element, attrs) {
        attrs.$observe('mmSrc', function (value) {
          if (value) {
            element.attr('src', value);
          }
        });
      }
    };
  }]);
  // Messages and names are already display HTML (escaped text + our own img/a tags).
  directives.directive('mmHtml', [function () {
    return {
      link: function (scope, element, attrs) {
        scope.$watch(attrs.mmHtml, function (value) {
          element.html(value == null ? '' : String(value));
        });
      }
    };
  }]);
  directives.directive('mmScrollBottom', [function () {
    return {
      link: function (scope, element, attrs) {
        scope.$watch(attrs.mmScrollBottom, function () {
          var el = element[0];
          window.setTimeout(function () {
            el.scrollTop = el.scrollHeight;
          }, 0);
        });
      }
    };
  }]);

  /* jquery-scrollbar (module jQueryScrollbar on the real page): a custom scroll bar sized to its
   * container. It measures the container on every digest and writes the bar's size, so each
   * digest reads layout after a write: a forced layout per scrolled container per digest. Only
   * the heavy page (heavy.html) uses it; that is where much of the real page's time goes. */
  angular.module('jQueryScrollbar', []).directive('jqueryScrollbar', [function () {
    return {
      link: function (scope, element) {
        var el = element[0];
        // Outside the container (absolute), so its own size never feeds back into the measure.
        var bar = window.document.createElement('div');
        bar.className = 'scroll-bar';
        bar.style.position = 'absolute';
        bar.style.width = '6px';
        window.document.body.appendChild(bar);
        scope.$on('$destroy', function () {
          bar.parentNode.removeChild(bar);
        });
        scope.$watch(function () {
          var visible = el.clientHeight;
          var total = el.scrollHeight || 1;
          bar.style.height = Math.max(20, Math.round(visible * visible / total)) + 'px';
          bar.style.top = (el.offsetTop + Math.round(el.scrollTop * visible / total)) + 'px';
          return visible + ':' + total;
        });
      }
    };
  }]);

  angular.module('Filters', []);

  // On every host but dev.web the real page reports errors and RETHROWS them: an exception in a
  // $rootScope listener escapes $broadcast.
  angular.module('exceptionOverride', []).factory('$exceptionHandler', [function () {
    return function (exception) {
      if (window._errorHandler) {
        window._errorHandler(exception);
      }
      throw exception;
    };
  }]);

  // A minimal stand-in for ui-router's $state: only go('chat', {userName}).
  angular.module('ui.router', ['Services']).factory('$state', [
    '$rootScope', 'chatFactory', 'contactFactory', function ($rootScope, chatFactory, contactFactory) {
      var state = {current: {name: ''}, params: {}};
      state.go = function (name, params) {
        state.current = {name: name};
        state.params = params || {};
        var u = state.params.userName;
        if (name !== 'chat' || !u) {
          return;
        }
        if (!contactFactory.getContact(u)) {
          return; // batch-fetched by getContact; the UI opens it once known
        }
        chatFactory.setCurrentUserName(u);
        chatFactory.addChatList([{UserName: u}]);
        chatFactory.markMsgsRead(u);
        $rootScope.$broadcast('root:statechange');
      };
      return state;
    }]);

  var app = angular.module('webwxApp', ['ui.router', 'Services', 'Controllers', 'Directives',
    'Filters', 'ngDialog', 'jQueryScrollbar', 'exceptionOverride']);
  app.config(['$httpProvider', function ($httpProvider) {
    $httpProvider.interceptors.push('httpInterceptor');
  }]);

  window._errorHandler = window._errorHandler || function (err) {
    window._errorCount = (window._errorCount || 0) + 1;
    if (window.console) {
      window.console.error('[webwx]', err && err.message ? err.message : err);
    }
    try {
      angular.element(window.document).injector().get('reportService')
        .report('[app-runtime]', {msg: String(err && err.message ? err.message : err)});
    } catch (e) {
      // reporting must never throw
    }
  };

  angular.bootstrap(window.document, ['webwxApp']);
})(window.angular, window);
