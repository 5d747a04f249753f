/* contactStore: the contact maps behind window._contacts / _strangerContacts, the ~23 methods mixed
 * into every contact object, and the filing rules (extend, merge dropping falsy fields). */
(function (angular, window) {
  'use strict';

  var SPECIAL_NAMES = {weixin: '微信团队', filehelper: '文件传输助手', newsapp: '腾讯新闻',
    fmessage: '朋友推荐消息'};

  angular.module('Services').factory('contactStore', [
    'confFactory', 'utilFactory', 'accountFactory', 'emojiFactory',
    function (conf, util, account, emojiFactory) {
      var contacts = {};
      var strangers = {};
      var memberDisplayNames = {};
      window._contacts = contacts;
      window._strangerContacts = strangers;
      window._chatRoomMemberDisplayNames = memberDisplayNames;

      // Mixed into every contact as own properties (the real client does angular.extend(c, methods)).
      var methods = {
        isSelf: function () {
          return this.UserName === account.getUserName();
        },
        isContact: function () {
          return !!(this.ContactFlag & conf.CONTACTFLAG_CONTACT) || this.isSelf();
        },
        isBlackContact: function () {
          return !!(this.ContactFlag & conf.CONTACTFLAG_BLACKLISTCONTACT);
        },
        isConversationContact: function () {
          return !!(this.ContactFlag & conf.CONTACTFLAG_CHATCONTACT);
        },
        isRoomContact: function () {
          return util.isRoomContact(this.UserName);
        },
        isRoomContactDel: function () {
          return this.isRoomContact() && !(this.ContactFlag & conf.CONTACTFLAG_CHATROOMCONTACT);
        },
        isRoomOwner: function () {
          return this.isRoomContact() && !!this.IsOwner;
        },
        isBrandContact: function () {
          return this.VerifyFlag & conf.MM_USERATTRVERIFYFALG_BIZ_BRAND;
        },
        isSpContact: function () {
          return util.isSpUser(this.UserName);
        },
        isShieldUser: function () {
          return util.isShieldUser(this.UserName) || (this.isRoomContact() && !this.isInChatroom());
        },
        isFileHelper: function () {
          return this.UserName === conf.SP_CONTACT_FILE_HELPER;
        },
        isRecommendHelper: function () {
          return this.UserName === conf.SP_CONTACT_RECOMMEND_HELPER;
        },
        isNewsApp: function () {
          return this.UserName === conf.SP_CONTACT_NEWSAPP;
        },
        isMuted: function () {
          return this.isRoomContact() ? this.Statues === conf.CHATROOM_NOTIFY_CLOSE :
            !!(this.ContactFlag & conf.CONTACTFLAG_NOTIFYCLOSECONTACT);
        },
        isTop: function () {
          return !!(this.ContactFlag & conf.CONTACTFLAG_TOPCONTACT);
        },
        hasPhotoAlbum: function () {
          return !!(this.SnsFlag & 1);
        },
        isInChatroom: function () {
          if (this.MMInChatroom !== undefined) {
            return this.MMInChatroom;
          }
          var list = this.MemberList || [];
          var self = account.getUserName();
          var inRoom = list.length === 0 ? !!this.ContactFlag : list.some(function (m) {
            return m.UserName === self;
          });
          this.MMInChatroom = inRoom;
          return inRoom;
        },
        isReadOnlyContact: function () {
          return this.UserName === 'weixin' || this.isNewsApp();
        },
        getDisplayName: function (roomUserName) {
          if (this.isRoomContact()) {
            return this.RemarkName || this.NickName || roomTitle(this) || this.UserName;
          }
          return this.RemarkName || (roomUserName && this.getMemberDisplayName(roomUserName)) ||
            this.NickName || this.UserName;
        },
        getMemberDisplayName: function (roomUserName) {
          var map = memberDisplayNames[roomUserName];
          if (map && map[this.UserName]) {
            return map[this.UserName];
          }
          var room = contacts[roomUserName] || strangers[roomUserName];
          var found = room && (room.MemberList || []).filter(function (m) {
            return m.UserName === this.UserName;
          }, this)[0];
          return found ? found.DisplayName || '' : '';
        },
        canSearch: function (kw) {
          var k = String(kw || '').toLowerCase();
          return [this.RemarkName, this.NickName, this.PYQuanPin, this.RemarkPYQuanPin, this.Alias]
            .some(function (v) {
              return !!v && String(v).toLowerCase().indexOf(k) > -1;
            });
        },
        chatroomCanSearch: function (kw) {
          return this.canSearch(kw) || (this.MemberList || []).some(function (m) {
            return !!m.NickName && m.NickName.indexOf(kw) > -1;
          });
        },
        update: function (obj) {
          mergeInto(this, obj);
        }
      };

      function roomTitle(room) {
        var self = account.getUserName();
        return (room.MemberList || []).filter(function (m) {
          return m.UserName !== self;
        }).slice(0, 10).map(function (m) {
          var c = contacts[m.UserName] || strangers[m.UserName];
          return (c && (c.RemarkName || c.NickName)) || m.DisplayName || m.NickName;
        }).filter(Boolean).join(', ');
      }

      function orderSymbol(c) {
        var s = c.RemarkPYQuanPin || c.PYQuanPin || util.clearHtmlStr(c.RemarkName || c.NickName ||
          '');
        s = String(s).replace(/\W/g, '').toUpperCase();
        return /^[A-Z]/.test(s) ? s : '~';
      }

      function transformNames(c) {
        if (c.NickName) {
          c.NickName = emojiFactory.transformSpanToImg(c.NickName);
        }
        if (c.RemarkName) {
          c.RemarkName = emojiFactory.transformSpanToImg(c.RemarkName);
        }
      }

      function special(c) {
        if (SPECIAL_NAMES[c.UserName]) {
          c.NickName = SPECIAL_NAMES[c.UserName];
        }
        if (c.UserName === conf.SP_CONTACT_RECOMMEND_HELPER) {
          c.ContactFlag = 0;
        }
        return c;
      }

      function extend(raw) {
        var c = angular.extend(angular.copy(raw), methods);
        angular.forEach(['RemarkPYQuanPin', 'RemarkPYInitial', 'PYInitial', 'PYQuanPin'], function (k) {
          if (c[k] === undefined || c[k] === null) {
            c[k] = '';
          }
        });
        if (!c.HeadImgUrl) {
          c.HeadImgUrl = conf.API_webwxgeticon + '?seq=0&username=' + c.UserName + '&skey=' +
            account.getSkey();
        }
        special(c);
        if (c.EncryChatRoomId) {
          c.MMFromBatchget = true;
        }
        transformNames(c);
        c.MMOrderSymbol = orderSymbol(c);
        return c;
      }

      // Falsy fields of the update are dropped first (a cleared remark never reaches the client).
      function mergeInto(old, update) {
        var clean = {};
        angular.forEach(update, function (v, k) {
          if (v && typeof v !== 'function') {
            clean[k] = v;
          }
        });
        if (clean.MemberList) {
          delete old.MMInChatroom;
        }
        angular.extend(old, clean);
        old.MMOrderSymbol = orderSymbol(old);
        return old;
      }

      function fileInto(map, c) {
        var old = map[c.UserName];
        if (old) {
          return mergeInto(old, c);
        }
        map[c.UserName] = c;
        return c;
      }


      return {contacts: contacts, strangers: strangers, memberDisplayNames: memberDisplayNames,
        methods: methods, extend: extend, mergeInto: mergeInto, fileInto: fileInto, special: special,
        orderSymbol: orderSymbol};
    }]);
})(window.angular, window);
