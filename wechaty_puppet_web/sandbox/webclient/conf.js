/* Module `Services` and the two leaf services: confFactory (constants, API URLs) and utilFactory.
 * `Services` must be instantiable alone (`angular.injector(['ng', 'Services'])`), as on the real page.
 */
(function (angular, window) {
  'use strict';

  var services = angular.module('Services', []);

  function hostsFor(host) {
    // The order of the checks matters: "wx2.qq.com" also contains "qq.com" (protocol doc §1.2).
    if (host.indexOf('wx2.qq.com') > -1) {
      return ['login.wx2.qq.com', 'file.wx2.qq.com', 'webpush.wx2.qq.com'];
    }
    if (host.indexOf('wx8.qq.com') > -1) {
      return ['login.wx8.qq.com', 'file.wx8.qq.com', 'webpush.wx8.qq.com'];
    }
    if (host.indexOf('qq.com') > -1) {
      return ['login.wx.qq.com', 'file.wx.qq.com', 'webpush.wx.qq.com'];
    }
    if (host.indexOf('web2.wechat.com') > -1) {
      return ['login.web2.wechat.com', 'file.web2.wechat.com', 'webpush.web2.wechat.com'];
    }
    if (host.indexOf('wechat.com') > -1) {
      return ['login.web.wechat.com', 'file.web.wechat.com', 'webpush.web.wechat.com'];
    }
    return ['login.weixin.qq.com', 'file.wx.qq.com', 'webpush.weixin.qq.com'];
  }

  function navigatorLang() {
    var m = /[?&]lang=([a-zA-Z_-]+)/.exec(window.location.search);
    var lang = m ? m[1] : (window.navigator.language || 'zh_CN');
    var parts = lang.replace('-', '_').split('_');
    return parts[0].toLowerCase() + (parts[1] ? '_' + parts[1].toUpperCase() : '');
  }

  function isClientVersion() {
    return window.__target === 't' || /[?&]target=t(&|$)/.test(window.location.search);
  }

  services.factory('confFactory', [function () {
    var hosts = hostsFor(window.location.host);
    var origin = window.location.protocol + '//' + window.location.host;
    var cgi = '/cgi-bin/mmwebwx-bin/';
    var desktop = isClientVersion();
    var lang = navigatorLang();
    var resPath = '/zh_CN/htmledition/v2/';
    var conf = {
      LANG: lang,
      isClientVersion: desktop,
      RES_PATH: resPath,
      RES_IMG_PLACEHOLDER: resPath + 'images/spacer.gif',
      API_jsLogin: 'https://' + hosts[0] + '/jslogin?appid=wx782c26e4c19acffb&redirect_uri=' +
        encodeURIComponent(origin + cgi + 'webwxnewloginpage' + (desktop ? '?mod=desktop' : '')) +
        '&fun=new&lang=' + lang,
      API_login: 'https://' + hosts[0] + cgi + 'login',
      API_synccheck: 'https://' + hosts[2] + cgi + 'synccheck',
      API_webwxdownloadmedia: 'https://' + hosts[1] + cgi + 'webwxgetmedia',
      API_webwxuploadmedia: 'https://' + hosts[1] + cgi + 'webwxuploadmedia',
      API_webwxpreview: cgi + 'webwxpreview',
      API_webwxinit: cgi + 'webwxinit?r=' + ~new Date(),
      API_webwxgetcontact: cgi + 'webwxgetcontact',
      API_webwxsync: cgi + 'webwxsync',
      API_webwxbatchgetcontact: cgi + 'webwxbatchgetcontact',
      API_webwxgeticon: cgi + 'webwxgeticon',
      API_webwxgetheadimg: cgi + 'webwxgetheadimg',
      API_webwxsendmsg: cgi + 'webwxsendmsg',
      API_webwxsendmsgimg: cgi + 'webwxsendmsgimg',
      API_webwxsendmsgvedio: cgi + 'webwxsendvideomsg',
      API_webwxsendemoticon: cgi + 'webwxsendemoticon',
      API_webwxsendappmsg: cgi + 'webwxsendappmsg',
      API_webwxgetmsgimg: cgi + 'webwxgetmsgimg',
      API_webwxgetmedia: cgi + 'webwxgetmedia',
      API_webwxgetvideo: cgi + 'webwxgetvideo',
      API_webwxgetvoice: cgi + 'webwxgetvoice',
      API_webwxlogout: cgi + 'webwxlogout',
      API_webwxupdatechatroom: cgi + 'webwxupdatechatroom',
      API_webwxcreatechatroom: cgi + 'webwxcreatechatroom',
      API_webwxstatusnotify: cgi + 'webwxstatusnotify',
      API_webwxcheckurl: cgi + 'webwxcheckurl',
      API_webwxverifyuser: cgi + 'webwxverifyuser',
      API_webwxfeedback: cgi + 'webwxsendfeedback',
      API_webwxreport: cgi + 'webwxstatreport',
      API_webwxsearch: cgi + 'webwxsearchcontact',
      API_webwxoplog: cgi + 'webwxoplog',
      API_checkupload: cgi + 'webwxcheckupload',
      API_webwxrevokemsg: cgi + 'webwxrevokemsg',
      API_webwxpushloginurl: cgi + 'webwxpushloginurl',
      oplogCmdId: {TOPCONTACT: 3, MODREMARKNAME: 2},
      SP_CONTACT_FILE_HELPER: 'filehelper',
      SP_CONTACT_NEWSAPP: 'newsapp',
      SP_CONTACT_RECOMMEND_HELPER: 'fmessage',
      PROFILE_BITFLAG_CHANGE: 190,
      CHATROOM_NOTIFY_OPEN: 1,
      CHATROOM_NOTIFY_CLOSE: 0,
      EMOJI_FLAG_GIF: 2,
      MM_EMOTICON_WEB: '_web',
      TIMEOUT_SYNC_CHECK: /mmdebug=local/.test(window.location.search) ? 3000 : 0,
      EMOTICON_REG: 'img\\sclass="(qq)?emoji (qq)?emoji([\\da-f]*?)"\\s(text="[^<>(\\s]*")?\\s?src="[^<>(\\s]*"\\s*',
      RES_IMG_DEFAULT: resPath + 'images/img.jpg',
      RES_SOUND_RECEIVE_MSG: resPath + 'sound/msg.mp3',
      RES_SOUND_SEND_MSG: resPath + 'sound/text.mp3',
      PROFILE_BITFLAG_NOCHANGE: 0
    };
    var tables = {
      MSGTYPE_: {TEXT: 1, IMAGE: 3, VOICE: 34, VERIFYMSG: 37, POSSIBLEFRIEND_MSG: 40, SHARECARD: 42,
        VIDEO: 43, EMOTICON: 47, LOCATION: 48, APP: 49, VOIPMSG: 50, STATUSNOTIFY: 51,
        VOIPNOTIFY: 52, VOIPINVITE: 53, MICROVIDEO: 62, SYSNOTICE: 9999, SYS: 10000, RECALLED: 10002},
      MM_DATA_: {TEXT: 1, HTML: 2, IMG: 3, PRIVATEMSG_TEXT: 11, PRIVATEMSG_HTML: 12, PRIVATEMSG_IMG: 13,
        VOICEMSG: 34, PUSHMAIL: 35, QMSG: 36, VERIFYMSG: 37, PUSHSYSTEMMSG: 38, QQLIXIANMSG_IMG: 39,
        POSSIBLEFRIEND_MSG: 40, SHARECARD: 42, VIDEO: 43, VIDEO_IPHONE_EXPORT: 44, EMOJI: 47,
        LOCATION: 48, APPMSG: 49, VOIPMSG: 50, STATUSNOTIFY: 51, VOIPNOTIFY: 52, VOIPINVITE: 53,
        MICROVIDEO: 62, SYSNOTICE: 9999, SYS: 10000, RECALLED: 10002},
      APPMSGTYPE_: {TEXT: 1, IMG: 2, AUDIO: 3, VIDEO: 4, URL: 5, ATTACH: 6, OPEN: 7, EMOJI: 8,
        VOICE_REMIND: 9, SCAN_GOOD: 10, GOOD: 13, EMOTION: 15, CARD_TICKET: 16,
        REALTIME_SHARE_LOCATION: 17, TRANSFERS: 2000, RED_ENVELOPES: 2001, READER_TYPE: 100001},
      MSG_SEND_STATUS_: {READY: 0, SENDING: 1, SUCC: 2, FAIL: 5},
      MM_SEND_FILE_STATUS_: {QUEUED: 0, SENDING: 1, SUCCESS: 2, FAIL: 3, CANCEL: 4},
      CONTACTFLAG_: {CONTACT: 0x1, CHATCONTACT: 0x2, CHATROOMCONTACT: 0x4, BLACKLISTCONTACT: 0x8,
        DOMAINCONTACT: 0x10, HIDECONTACT: 0x20, FAVOURCONTACT: 0x40, '3RDAPPCONTACT': 0x80,
        SNSBLACKLISTCONTACT: 0x100, NOTIFYCLOSECONTACT: 0x200, TOPCONTACT: 0x800},
      MM_USERATTRVERIFYFALG_: {BIZ: 1, FAMOUS: 2, BIZ_BIG: 4, BIZ_BRAND: 8, BIZ_VERIFIED: 16},
      VERIFYUSER_OPCODE_: {ADDCONTACT: 1, SENDREQUEST: 2, VERIFYOK: 3, VERIFYREJECT: 4,
        SENDERREPLY: 5, RECVERREPLY: 6},
      ADDSCENE_PF_: {QQ: 4, EMAIL: 5, CONTACT: 6, WEIXIN: 7, GROUP: 8, UNKNOWN: 9, MOBILE: 10, WEB: 33},
      StatusNotifyCode_: {READED: 1, ENTER_SESSION: 2, INITED: 3, SYNC_CONV: 4, QUIT_SESSION: 5},
      UPLOAD_MEDIA_TYPE_: {IMAGE: 1, VIDEO: 2, AUDIO: 3, ATTACHMENT: 4},
      MM_NOTIFY_: {CLOSE: 0, OPEN: 1},
      MM_SOUND_: {CLOSE: 0, OPEN: 1},
      KEYCODE_: {BACKSPACE: 8, ENTER: 13, SHIFT: 16, ESC: 27, ARROW_LEFT: 37, ARROW_UP: 38,
        ARROW_RIGHT: 39, ARROW_DOWN: 40, DELETE: 46, NUM2: 50, NUM_ADD: 107, NUM_MINUS: 109,
        ADD: 187, MINUS: 189, AT: 64}
    };
    angular.forEach(tables, function (table, prefix) {
      angular.forEach(table, function (value, name) {
        conf[prefix + name] = value;
      });
    });
    return conf;
  }]);

  var SP_USERS = ['weibo', 'qqmail', 'fmessage', 'tmessage', 'qmessage', 'qqsync', 'floatbottle',
    'lbsapp', 'shakeapp', 'medianote', 'qqfriend', 'readerapp', 'blogapp', 'facebookapp',
    'masssendapp', 'meishiapp', 'feedsapp', 'voip', 'blogappweixin', 'weixin', 'brandsessionholder',
    'weixinreminder', 'wxid_novlwrv3lqwv11', 'gh_22b87fa7cb3c', 'officialaccounts',
    'notification_messages'];
  var SHIELD_USERS = ['newsapp', 'wxid_novlwrv3lqwv11', 'gh_22b87fa7cb3c', 'notification_messages'];

  services.factory('utilFactory', ['confFactory', function (confFactory) {
    var checkUrlParams = null;
    var ua = window.navigator.userAgent;
    var shared = {};
    var noticePlayer = null;
    var util = {
      browser: {chrome: /chrome/i.test(ua)},
      isIPad: /ipad/i.test(ua),
      isMacOS: /mac os/i.test(ua),
      isWindows: /windows/i.test(ua),
      isLog: /[?&]mmdebug/.test(window.location.search),
      log: function () {
        if (util.isLog && window.console) {
          window.console.log.apply(window.console, arguments);
        }
      },
      isUrl: function (s) {
        return /^(https?:\/\/|www\.)[^\s<>"']+$/i.test(String(s || ''));
      },
      // Declared without parameters on the real page: the name is the first argument.
      isUserName: function () {
        return /^@/.test(String(arguments[0] || ''));
      },
      clearLinkTag: function (s) {
        return String(s == null ? '' : s).replace(/<a\b[^>]*>|<\/a>/gi, '');
      },
      clearCookie: function () {
        angular.forEach(window.document.cookie.split(';'), function (c) {
          var name = c.replace(/^\s+/, '').split('=')[0];
          if (name) {
            window.document.cookie = name + '=; expires=Thu, 01 Jan 1970 00:00:00 GMT; path=/';
          }
        });
      },
      // A value written in JS literal syntax (JSON here); the text itself when it is not one.
      evalVal: function (s) {
        try {
          return JSON.parse(s);
        } catch (e) {
          return s;
        }
      },
      findIndex: function (list, match) {
        for (var i = 0; list && i < list.length; i++) {
          if (match(list[i], i)) {
            return i;
          }
        }
        return -1;
      },
      // Run fn(args) at most once per `delay` ms; a call inside the window runs at its end.
      fitRun: function (key, fn, delay, args) {
        var slot = shared['fitRun:' + key] || (shared['fitRun:' + key] = {last: 0, timer: null});
        var wait = slot.last + delay - util.now();
        if (wait <= 0) {
          slot.last = util.now();
          fn.apply(null, args || []);
        } else if (!slot.timer) {
          slot.timer = window.setTimeout(function () {
            slot.timer = null;
            slot.last = util.now();
            fn.apply(null, args || []);
          }, wait);
        }
      },
      formatNum: function (n, width) {
        var s = String(Math.floor(Number(n) || 0));
        while (s.length < width) {
          s = '0' + s;
        }
        return s;
      },
      // The server's clock from the local one (no skew is known to the page: the same).
      getServerTime: function (local) {
        return local === undefined ? util.now() : Number(local);
      },
      getShareObject: function (name) {
        return shared[name] || (shared[name] = {});
      },
      globalEval: function (code) {
        window.jQuery.globalEval(code);
      },
      initMsgNoticePlayer: function (src) {
        if (!noticePlayer && window.Audio) {
          noticePlayer = new window.Audio();
        }
        if (noticePlayer && src) {
          noticePlayer.src = src;
        }
        return noticePlayer;
      },
      reportIdkey: function (id, key, value) {
        var img = new window.Image();
        img.src = 'https://support.weixin.qq.com/cgi-bin/mmsupport-bin/reportforweb?rid=' + id +
          '&rkey=' + key + '&rvalue=' + (value || 1);
      },
      reportSendState: function (state, msg) {
        util.log('send state', state, msg && msg.MsgType);
      },
      safeDigest: function (scope) {
        if (scope && !scope.$$phase && !(scope.$root && scope.$root.$$phase)) {
          scope.$digest();
        }
      },
      // Call done() once check() is true, polling every 50 ms for up to `timeout` ms.
      wait: function (check, done, timeout) {
        var started = util.now();
        (function poll() {
          if (check()) {
            done();
          } else if (util.now() - started < (timeout || 10000)) {
            window.setTimeout(poll, 50);
          }
        })();
      },
      now: function () {
        return +new Date();
      },
      isRoomContact: function (u) {
        return !!u && (u.substr(0, 2) === '@@' || /@chatroom$/.test(u));
      },
      isSpUser: function (u) {
        return SP_USERS.indexOf(u) > -1 || /@qqim$/.test(u || '');
      },
      isShieldUser: function (u) {
        return SHIELD_USERS.indexOf(u) > -1 || /@(lbsroom|talkroom)$/.test(u || '');
      },
      htmlEncode: function (s) {
        return String(s == null ? '' : s).replace(/&/g, '&amp;').replace(/"/g, '&quot;')
          .replace(/'/g, '&#39;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
      },
      // Only these five entities are reversed, like the real client (so &nbsp; etc. stay).
      htmlDecode: function (s) {
        return String(s == null ? '' : s).replace(/&lt;/g, '<').replace(/&gt;/g, '>')
          .replace(/&#39;/g, "'").replace(/&quot;/g, '"').replace(/&amp;/g, '&');
      },
      clearHtmlStr: function (s) {
        return String(s == null ? '' : s).replace(/<[^>]*>/g, '');
      },
      removeHtmlStrTag: function (s) {
        return util.clearHtmlStr(s);
      },
      encodeEmoji: function (s) {
        return String(s || '').replace(/<span class="(emoji emoji[0-9a-f]+)"><\/span>/g,
          '###__EMOJI__$1__###');
      },
      decodeEmoji: function (s) {
        return String(s || '').replace(/###__EMOJI__(emoji emoji[0-9a-f]+)__###/g,
          '<span class="$1"></span>');
      },
      xml2json: function (str) {
        try {
          var s = String(str || '');
          return window.jQuery.xml2json(s.substr(s.indexOf('<')));
        } catch (e) {
          return {};
        }
      },
      getCookie: function (name) {
        // Substring match, like the real client: "wxuin" also matches "last_wxuin=…" (a known trap).
        var parts = window.document.cookie.split(';');
        for (var i = 0; i < parts.length; i++) {
          var c = parts[i].replace(/^\s+/, '');
          if (c.indexOf(name) > -1) {
            return decodeURIComponent(c.substr(c.indexOf('=') + 1));
          }
        }
        return '';
      },
      setCookie: function (name, value, days) {
        var exp = new Date(+new Date() + (days || 0) * 864e5);
        window.document.cookie = name + '=' + encodeURIComponent(value) + '; expires=' +
          exp.toUTCString() + '; path=/';
      },
      getLocalStorage: function () {
        try {
          return window.localStorage;
        } catch (e) {
          return {getItem: angular.noop, setItem: angular.noop};
        }
      },
      getSize: function (bytes) {
        var n = Number(bytes) || 0;
        if (n >= 1048576) {
          return (n / 1048576).toFixed(1) + 'MB';
        }
        if (n >= 1024) {
          return (n / 1024).toFixed(1) + 'KB';
        }
        return n + 'B';
      },
      queryParser: function () {
        var out = {};
        window.location.search.replace(/^\?/, '').split('&').forEach(function (kv) {
          if (kv) {
            var p = kv.split('=');
            out[decodeURIComponent(p[0])] = decodeURIComponent(p[1] || '');
          }
        });
        return out;
      },
      form: function (url, data) {
        var form = window.document.createElement('form');
        form.method = 'POST';
        form.action = url;
        form.style.display = 'none';
        angular.forEach(data, function (value, name) {
          var input = window.document.createElement('input');
          input.type = 'hidden';
          input.name = name;
          input.value = value;
          form.appendChild(input);
        });
        window.document.body.appendChild(form);
        form.submit();
      },
      genEmoticonHTML: function (cls, text) {
        return '<img class="' + cls + '" text="' + text + '" src="' + confFactory.RES_IMG_PLACEHOLDER +
          '" />';
      },
      getContactHeadImgUrl: function (o) {
        var api = util.isRoomContact(o.UserName) ? confFactory.API_webwxgetheadimg :
          confFactory.API_webwxgeticon;
        return api + '?seq=0&username=' + o.UserName + '&skey=' + (o.Skey || '') +
          (o.MsgId ? '&msgid=' + o.MsgId : '') +
          (o.EncryChatRoomId ? '&chatroomid=' + o.EncryChatRoomId : '');
      },
      setCheckUrl: function (account) {
        checkUrlParams = account;
      },
      genCheckURL: function (url) {
        var a = checkUrlParams;
        // Throws until setCheckUrl has run, like the real client (right after root:pageInit:success).
        return confFactory.API_webwxcheckurl + '?requrl=' + encodeURIComponent(url) + '&skey=' +
          encodeURIComponent(a.getSkey()) + '&deviceid=' + a.getDeviceID() + '&pass_ticket=' +
          encodeURIComponent(a.getPassticket()) + '&opcode=2&scene=1&username=' + a.getUserName();
      },
      hrefEncode: function (html) {
        if (!checkUrlParams) {
          return html;
        }
        // URLs at the start, after whitespace or after <br>; the leading space is kept in the text.
        return String(html || '').replace(
          /(^|\s|<br\s*\/?>)((?:https?:\/\/|www\.)[^\s<>"']+)/gi,
          function (all, lead, url) {
            var href = util.genCheckURL(util.htmlDecode(url));
            var space = /^\s$/.test(lead) ? lead : '';
            var keep = space ? '' : lead;
            return keep + '<a target="_blank" href="' + href + '">' + space + url + '</a>';
          });
      }
    };
    return util;
  }]);
})(window.angular, window);
