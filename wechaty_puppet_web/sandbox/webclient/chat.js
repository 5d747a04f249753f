/* chatFactory: messageProcess pipeline, addChatMessage (once per MsgId, `message:add:success`), the
 * chat list, createMessage / appendMessage / sendMessage (MMStatus 0 -> 1 -> 2 / 5), revokemsg. */
(function (angular, window) {
  'use strict';

  var SEND_RETRY = {count: 2, timeout: 15000, serial: true};

  angular.module('Services').factory('chatFactory', [
    '$rootScope', '$http', 'confFactory', 'utilFactory', 'accountFactory', 'contactFactory',
    'emojiFactory', 'mmHttp', 'messageProcessors',
    function ($rootScope, $http, conf, util, account, contactFactory, emojiFactory, mmHttp,
      processors) {
      var chatMessages = {};
      var msgMap = {};
      var addedMsgIds = {};
      var chatList = [];
      var currentUserName = '';
      window._chatContent = chatMessages;

      function peerOf(item) {
        return item.MMPeerUserName || item.UserName;
      }

      function newLocalId() {
        return String(util.now()) + String(Math.random()).substr(2, 4).concat('0000').substr(0, 4);
      }

      function inputMentions(html, ats) {
        return html.replace(/<input\b[^>]*>/gi, function (tag) {
          var un = /\bun="([^"]*)"/.exec(tag);
          var value = /\bvalue="([^"]*)"/.exec(tag);
          if (un && un[1]) {
            ats.push(un[1]);
          }
          return value ? value[1] : '';
        });
      }

      var chat = angular.extend({}, processors, {
        getCurrentUserName: function () {
          return currentUserName;
        },
        setCurrentUserName: function (u) {
          if (!contactFactory.getContact(u, '', true)) {
            throw new Error('setCurrentUserName: unknown contact ' + u);
          }
          currentUserName = u;
        },
        getChatMessage: function (userName, markRead) {
          if (!chatMessages[userName]) {
            chatMessages[userName] = [];
          }
          if (markRead) {
            chatMessages[userName].forEach(function (m) {
              m.MMUnread = false;
            });
          }
          return chatMessages[userName];
        },
        cleanChatMessage: function (userName) {
          if (chatMessages[userName]) {
            chatMessages[userName].length = 0;
          }
        },
        deleteChatMessage: function (userName) {
          chatMessages[userName] = [];
        },
        getMsg: function (msgId) {
          return msgMap[msgId];
        },
        localDelete: function (msg) {
          var list = chatMessages[msg.MMPeerUserName] || [];
          var i = list.indexOf(msg);
          if (i > -1) {
            list.splice(i, 1);
          }
        },
        messageProcess: function (msg) {
          var self = account.getUserName();
          var isSend = msg.FromUserName === self || msg.FromUserName === '';
          msg.MMPeerUserName = isSend ? msg.ToUserName : msg.FromUserName;
          switch (msg.MsgType) {
            case conf.MSGTYPE_STATUSNOTIFY:
              this._statusNotifyProcess(msg);
              return;
            case conf.MSGTYPE_SYSNOTICE:
              return;
            case conf.MSGTYPE_RECALLED:
              this._commonMsgProcess(msg);
              this._recalledMsgProcess(msg);
              return;
          }
          if (util.isShieldUser(msg.FromUserName) || util.isShieldUser(msg.ToUserName)) {
            return;
          }
          if (msg.MsgType === conf.MSGTYPE_VERIFYMSG && msg.RecommendInfo &&
              msg.RecommendInfo.UserName === self) {
            return;
          }
          this._commonMsgProcess(msg);
          this._typeProcess(msg);
          this._digestPrefix(msg);
          msg.MMActualContent = util.hrefEncode(msg.MMActualContent);
          this.addChatMessage(msg);
        },
        _typeProcess: function (msg) {
          switch (msg.MsgType) {
            case conf.MSGTYPE_TEXT: this._textMsgProcess(msg); break;
            case conf.MSGTYPE_IMAGE: this._imageMsgProcess(msg); break;
            case conf.MSGTYPE_VOICE: this._voiceMsgProcess(msg); break;
            case conf.MSGTYPE_VIDEO:
            case conf.MSGTYPE_MICROVIDEO: this._videoMsgProcess(msg); break;
            case conf.MSGTYPE_EMOTICON: this._emoticonMsgProcess(msg); break;
            case conf.MSGTYPE_APP:
              if (msg.sendByLocal) {
                msg.MMDigest = '[文件]' + (msg.FileName || '');
                break;
              }
              // A bad XML still produces an event, with partial fields.
              try {
                this._appMsgProcess(msg);
              } catch (e) {
                window.console && window.console.warn('appmsg', e);
              }
              break;
            case conf.MSGTYPE_VOIPMSG:
            case conf.MSGTYPE_VOIPNOTIFY:
            case conf.MSGTYPE_VOIPINVITE: this._voipMsgProcess(msg); break;
            case conf.MSGTYPE_VERIFYMSG: this._verifyMsgProcess(msg); break;
            case conf.MSGTYPE_POSSIBLEFRIEND_MSG: this._possibleFriendMsgProcess(msg); break;
            case conf.MSGTYPE_SHARECARD: this._cardMsgProcess(msg); break;
            case conf.MSGTYPE_SYS: this._sysMsgProcess(msg); break;
            default: this._unknownMsgProcess(msg);
          }
        },
        _statusNotifyProcess: function (msg) {
          if (msg.StatusNotifyCode === conf.StatusNotifyCode_SYNC_CONV) {
            this.initChatList(msg.StatusNotifyUserName);
          } else if (msg.StatusNotifyCode === conf.StatusNotifyCode_ENTER_SESSION) {
            this.getChatMessage(msg.StatusNotifyUserName || msg.ToUserName, true);
            this.addChatList([{UserName: msg.StatusNotifyUserName || msg.ToUserName}]);
          }
        },
        addChatMessage: function (msg) {
          if (addedMsgIds[msg.MsgId]) {
            return;
          }
          addedMsgIds[msg.MsgId] = true;
          msgMap[msg.MsgId] = msg;
          this.getChatMessage(msg.MMPeerUserName).push(msg);
          $rootScope.$broadcast('message:add:success', msg);
          this.addChatList([msg]);
        },
        initChatList: function (names) {
          var me = this;
          String(names || '').split(',').forEach(function (u) {
            if (!u || util.isShieldUser(u)) {
              return;
            }
            var c = contactFactory.getContact(u, '', true);
            if (util.isRoomContact(u) && !(c && c.MemberList && c.MemberList.length)) {
              contactFactory.addBatchgetContact({UserName: u, ChatRoomId: ''});
            } else if (!c) {
              contactFactory.addBatchgetContact({UserName: u, EncryChatRoomId: ''});
            }
            if (chatList.indexOf(u) < 0) {
              chatList.push(u);
            }
          });
          $rootScope.$broadcast('chat:add:success');
          return me;
        },
        addChatList: function (items) {
          angular.forEach(items || [], function (item) {
            var u = peerOf(item);
            if (!u) {
              return;
            }
            var i = chatList.indexOf(u);
            if (i > -1) {
              chatList.splice(i, 1);
            }
            chatList.unshift(u);
            // A room seen only in a message is fetched now, after message:add:success fired.
            contactFactory.getContact(u);
          });
          $rootScope.$broadcast('chat:add:success');
        },
        deleteChatList: function (names) {
          angular.forEach([].concat(names || []), function (u) {
            var i = chatList.indexOf(u);
            if (i > -1) {
              chatList.splice(i, 1);
            }
          });
        },
        getChatList: function () {
          var out = [];
          var top = [];
          chatList.forEach(function (u) {
            var c = contactFactory.getContact(u, '', true);
            if (!c || !c.isBrandContact || c.isBrandContact() || c.isShieldUser()) {
              return;
            }
            var msgs = chatMessages[u] || [];
            var last = msgs[msgs.length - 1];
            var copy = angular.extend({}, c, {
              MMDigest: last ? last.MMDigest : '',
              NoticeCount: msgs.filter(function (m) {
                return m.MMUnread;
              }).length,
              MMStatus: last ? last.MMStatus : undefined,
              MMTime: last ? last.MMTime : '',
              MMDigestTime: last ? last.MMDigestTime : ''
            });
            (c.isTop() ? top : out).push(copy);
          });
          return top.concat(out);
        },
        notifyMobile: function (userName, code) {
          return $http.post(conf.API_webwxstatusnotify, angular.extend(account.getBaseRequest(), {
            Code: code, FromUserName: account.getUserName(), ToUserName: userName,
            ClientMsgId: util.now()}));
        },
        markMsgsRead: function (userName) {
          this.getChatMessage(userName, true);
          this.notifyMobile(userName, conf.StatusNotifyCode_READED);
        },
        createMessage: function (m) {
          var id = newLocalId();
          m.FromUserName = m.FromUserName || account.getUserName();
          m.ToUserName = m.ToUserName || currentUserName;
          m.MsgId = m.LocalID = m.ClientMsgId = id;
          m.CreateTime = Math.round(util.now() / 1000);
          m.MMStatus = conf.MSG_SEND_STATUS_READY;
          m.sendByLocal = true;
          if (m.MsgType === conf.MSGTYPE_TEXT) {
            this._createTextMessage(m);
          } else if (m.MsgType === conf.MSGTYPE_APP && m.AppMsgType !== conf.APPMSGTYPE_URL) {
            this._createFileMessage(m);
          }
          return m;
        },
        _createTextMessage: function (m) {
          var ats = [];
          var html = inputMentions(String(m.Content || ''), ats);
          if (ats.length) {
            m.MMAtContacts = ats.join(',');
          }
          // Content is HTML: tags other than img/br are stripped, entities decoded for sending.
          m.MMSendContent = emojiFactory.textFaceToPua(emojiFactory.formatHTMLToSend(html));
          m.Content = html.replace(/<(?!\/?(img|br)\b)[^>]*>/gi, '').replace(/\n/g, '<br>');
        },
        _createFileMessage: function (m) {
          m.AppMsgType = conf.APPMSGTYPE_ATTACH;
          m.Content = "<msg><appmsg appid='wxeb7ec651dd0aefa9' sdkver=''><title>" +
            util.htmlEncode(m.FileName) + '</title><type>6</type><appattach><totallen>' +
            m.FileSize + '</totallen><attachid>#' + m.MediaId + '#</attachid><fileext>' +
            (m.MMFileExt || '') + '</fileext></appattach></appmsg></msg>';
          m.MMFileStatus = conf.MM_SEND_FILE_STATUS_SENDING;
          m.MMAppMsgFileExt = m.MMFileExt;
          m.MMAppMsgFileSize = util.getSize(m.FileSize);
          // encryfilename is not known yet for a local file message (the real client too).
          m.MMAppMsgDownloadUrl = conf.API_webwxdownloadmedia + '?sender=' + m.FromUserName +
            '&mediaid=' + m.MediaId + '&encryfilename=' + m.MMEncryFileNameUnknown + '&fromuser=' +
            account.getUin() + '&pass_ticket=' + encodeURIComponent(account.getPassticket()) +
            '&webwx_data_ticket=' + encodeURIComponent(util.getCookie('webwx_data_ticket'));
        },
        appendMessage: function (m) {
          m.MMStatus = conf.MSG_SEND_STATUS_SENDING;
          this.messageProcess(m);
        },
        sendMessage: function (m) {
          m.MMStatus = conf.MSG_SEND_STATUS_SENDING;
          var req = this._sendRequest(m);
          if (!req) {
            return;
          }
          var me = this;
          var body = angular.extend(account.getBaseRequest(), {Msg: req.msg, Scene: m.Scene || 0});
          mmHttp({method: 'POST', url: req.url, data: body, MMRetry: SEND_RETRY})
            .success(function (data) {
              if (data && data.BaseResponse && data.BaseResponse.Ret === 0) {
                me._postMessage(m, data.MsgID);
              } else {
                m.MMStatus = conf.MSG_SEND_STATUS_FAIL;
              }
            })
            .error(function () {
              m.MMStatus = conf.MSG_SEND_STATUS_FAIL;
            });
        },
        _postMessage: function (m, serverId) {
          m.MsgId = String(serverId);
          addedMsgIds[m.MsgId] = true;
          msgMap[m.MsgId] = m;
          m.MMStatus = conf.MSG_SEND_STATUS_SUCC;
          $rootScope.$broadcast('root:msgSend:success', m);
        },
        _sendRequest: function (m) {
          var msg = {FromUserName: m.FromUserName, ToUserName: m.ToUserName, LocalID: m.LocalID,
            ClientMsgId: m.ClientMsgId};
          var desktop = conf.isClientVersion ? '&mod=desktop' : '';
          switch (m.MsgType) {
            case conf.MSGTYPE_TEXT:
              if (m.SubMsgType === conf.MSGTYPE_LOCATION) {
                msg.Type = conf.MSGTYPE_LOCATION;
                msg.Content = m.OriContent;
              } else {
                msg.Type = conf.MSGTYPE_TEXT;
                msg.Content = m.MMSendContent;
              }
              if (m.MMAtContacts) {
                msg.MsgSource = '<msgsource><atusername>' + m.MMAtContacts +
                  '</atusername><atchatroomname>' + m.ToUserName + '</atchatroomname></msgsource>';
              }
              return {url: conf.API_webwxsendmsg, msg: msg};
            case conf.MSGTYPE_IMAGE:
              angular.extend(msg, {Type: 3, MediaId: m.MediaId, Content: m.Content || ''});
              return {url: conf.API_webwxsendmsgimg + '?fun=async&f=json', msg: msg};
            case conf.MSGTYPE_VIDEO:
            case conf.MSGTYPE_MICROVIDEO:
              angular.extend(msg, {Type: m.MsgType, MediaId: m.MediaId, Content: m.Content || ''});
              return {url: conf.API_webwxsendmsgvedio + '?fun=async&f=json', msg: msg};
            case conf.MSGTYPE_APP:
              angular.extend(msg, {Type: m.AppMsgType, Signature: m.Signature,
                Content: this._appMsgSendContent(m)});
              return {url: conf.API_webwxsendappmsg + '?fun=async&f=json' + desktop, msg: msg};
            case conf.MSGTYPE_EMOTICON:
              angular.extend(msg, {Type: 47, EmojiFlag: m.EmojiFlag,
                EMoticonMd5: m.EMoticonMd5 || m.md5, MediaId: m.MediaId});
              return {url: conf.API_webwxsendemoticon + '?fun=sys', msg: msg};
            default:
              return null; // e.g. 42 cards: the client has no send path
          }
        },
        _appMsgSendContent: function (m) {
          if (m.AppMsgType !== conf.APPMSGTYPE_ATTACH) {
            return m.OriContent || m.Content;
          }
          var appid = conf.isClientVersion ? '' : 'wxeb7ec651dd0aefa9';
          return "<appmsg appid='" + appid + "' sdkver=''><title>" + m.FileName +
            '</title><des></des><action></action><type>6</type><content></content><url></url>' +
            '<lowurl></lowurl><appattach><totallen>' + m.FileSize + '</totallen><attachid>' +
            m.MediaId + '</attachid><fileext>' + (m.MMFileExt || '') +
            '</fileext></appattach><extinfo></extinfo></appmsg>';
        },
        revokemsg: function (msg) {
          var body = angular.extend(account.getBaseRequest(), {SvrMsgId: msg.MsgId,
            ToUserName: msg.ToUserName, ClientMsgId: msg.ClientMsgId});
          $http.post(conf.API_webwxrevokemsg, body).success(function (data) {
            if (data && data.BaseResponse && data.BaseResponse.Ret === 0) {
              msg.MMRecall = true;
              msg.MsgType = conf.MSGTYPE_SYS;
              msg.MMActualContent = window._('你') + window._('撤回了一条消息');
              msg.MMDigest = msg.MMActualContent;
            } else {
              window.alert((data && data.BaseResponse && data.BaseResponse.ErrMsg) || '撤回失败');
            }
          }).error(function () {
            window.alert('撤回失败');
          });
        }
      });
      return chat;
    }]);
})(window.angular, window);
