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
      var sendFileUserName = '';
      window._chatContent = chatMessages;

      function peerOf(item) {
        return item.MMPeerUserName || item.UserName;
      }

      // Each type's processor is called through the service, so a hook can wrap it.
      function typeProcess(chat, msg) {
        switch (msg.MsgType) {
          case conf.MSGTYPE_TEXT: chat._textMsgProcess(msg); break;
          case conf.MSGTYPE_IMAGE: chat._imageMsgProcess(msg); break;
          case conf.MSGTYPE_VOICE: chat._voiceMsgProcess(msg); break;
          case conf.MSGTYPE_VIDEO: chat._videoMsgProcess(msg); break;
          case conf.MSGTYPE_MICROVIDEO: chat._mircovideoMsgProcess(msg); break;
          case conf.MSGTYPE_EMOTICON: chat._emojiMsgProcess(msg); break;
          case conf.MSGTYPE_APP:
            if (msg.sendByLocal) {
              msg.MMDigest = '[文件]' + (msg.FileName || '');
              break;
            }
            // A bad XML still produces an event, with partial fields.
            try {
              chat._appMsgProcess(msg);
            } catch (e) {
              window.console && window.console.warn('appmsg', e);
            }
            break;
          case conf.MSGTYPE_VOIPMSG:
          case conf.MSGTYPE_VOIPNOTIFY:
          case conf.MSGTYPE_VOIPINVITE: chat._voipMsgProcess(msg); break;
          case conf.MSGTYPE_VERIFYMSG: chat._verifyMsgProcess(msg); break;
          case conf.MSGTYPE_POSSIBLEFRIEND_MSG: chat._recommendMsgProcess(msg); break;
          case conf.MSGTYPE_SHARECARD: chat._shareCardProcess(msg); break;
          case conf.MSGTYPE_SYS: chat._systemMsgProcess(msg); break;
          default: msg.MMDigest = window._('该消息网页版微信暂时不支持');
        }
      }

      // In a room, the digest of someone else's message starts with their name.
      function digestPrefix(msg) {
        if (msg.MMIsChatRoom && !msg.MMIsSend && msg.MsgType !== conf.MSGTYPE_SYS) {
          var c = contactFactory.getContact(msg.MMActualSender, '', true);
          var name = c && c.getDisplayName ? c.getDisplayName(msg.MMPeerUserName) : '';
          if (name) {
            msg.MMDigest = name + ':' + msg.MMDigest;
          }
        }
      }

      function createTextMessage(m) {
        var ats = [];
        var html = inputMentions(String(m.Content || ''), ats);
        if (ats.length) {
          m.MMAtContacts = ats.join(',');
      }
        // Content is HTML: tags other than img/br are stripped, entities decoded for sending.
        m.MMSendContent = emojiFactory.formatHTMLToSend(html);
        m.Content = html.replace(/<(?!\/?(img|br)\b)[^>]*>/gi, '').replace(/\n/g, '<br>');
      }

      function createFileMessage(m) {
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
      }

      function appMsgSendContent(m) {
        if (m.AppMsgType !== conf.APPMSGTYPE_ATTACH) {
          return m.OriContent || m.Content;
        }
        var appid = conf.isClientVersion ? '' : 'wxeb7ec651dd0aefa9';
        return "<appmsg appid='" + appid + "' sdkver=''><title>" + m.FileName +
          '</title><des></des><action></action><type>6</type><content></content><url></url>' +
          '<lowurl></lowurl><appattach><totallen>' + m.FileSize + '</totallen><attachid>' +
          m.MediaId + '</attachid><fileext>' + (m.MMFileExt || '') +
          '</fileext></appattach><extinfo></extinfo></appmsg>';
      }

      function baseMsg(m) {
        return {FromUserName: m.FromUserName, ToUserName: m.ToUserName, LocalID: m.LocalID,
          ClientMsgId: m.ClientMsgId};
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
        _getMessagePeerUserName: function (msg) {
          var self = account.getUserName();
          var isSend = msg.FromUserName === self || msg.FromUserName === '';
          return isSend ? msg.ToUserName : msg.FromUserName;
        },
        messageProcess: function (msg) {
          var self = account.getUserName();
          msg.MMPeerUserName = this._getMessagePeerUserName(msg);
          switch (msg.MsgType) {
            case conf.MSGTYPE_STATUSNOTIFY:
              this._statusNotifyProcessor(msg);
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
          typeProcess(this, msg);
          digestPrefix(msg);
          msg.MMActualContent = util.hrefEncode(msg.MMActualContent);
          this.addChatMessage(msg);
          this._notify(msg);
        },
        // A desktop notification, only while the window is not focused and notices are on.
        _notify: function (msg) {
          if (msg.MMIsSend || window.isFocus || !account.isNotifyOpen() || !window.Notification ||
              window.Notification.permission !== 'granted') {
            return;
          }
          var c = contactFactory.getContact(msg.MMPeerUserName, '', true);
          try {
            new window.Notification(c && c.getDisplayName ? util.clearHtmlStr(c.getDisplayName()) :
              '', {body: util.clearHtmlStr(msg.MMDigest || '')});
          } catch (e) {
            // notifications are best effort
          }
        },
        _statusNotifyProcessor: function (msg) {
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
            createTextMessage(m);
          } else if (m.MsgType === conf.MSGTYPE_APP && m.AppMsgType !== conf.APPMSGTYPE_URL) {
            createFileMessage(m);
          }
          return m;
        },
        appendMessage: function (m) {
          m.MMStatus = conf.MSG_SEND_STATUS_SENDING;
          this.messageProcess(m);
        },
        // One POST per kind of message, as on the real page; cards (42) have no send path.
        sendMessage: function (m) {
          m.MMStatus = conf.MSG_SEND_STATUS_SENDING;
          switch (m.MsgType) {
            case conf.MSGTYPE_TEXT: return this.postTextMessage(m);
            case conf.MSGTYPE_IMAGE: return this.postImgMessage(m);
            case conf.MSGTYPE_VIDEO: return this.postVideoMessage(m);
            case conf.MSGTYPE_MICROVIDEO: return this.postMicroVideoMessage(m);
            case conf.MSGTYPE_APP: return this.postAppMessage(m);
            case conf.MSGTYPE_EMOTICON: return this.postEmoticonMessage(m);
            default: return undefined;
          }
        },
        postTextMessage: function (m) {
          var msg = baseMsg(m);
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
          this._postMessage(conf.API_webwxsendmsg, {Msg: msg, Scene: m.Scene || 0}, m);
        },
        postImgMessage: function (m) {
          var msg = angular.extend(baseMsg(m), {Type: 3, MediaId: m.MediaId,
            Content: m.Content || ''});
          this._postMessage(conf.API_webwxsendmsgimg + '?fun=async&f=json',
            {Msg: msg, Scene: m.Scene || 0}, m);
        },
        postVideoMessage: function (m) {
          var msg = angular.extend(baseMsg(m), {Type: m.MsgType, MediaId: m.MediaId,
            Content: m.Content || ''});
          this._postMessage(conf.API_webwxsendmsgvedio + '?fun=async&f=json',
            {Msg: msg, Scene: m.Scene || 0}, m);
        },
        postMicroVideoMessage: function (m) {
          this.postVideoMessage(m);
        },
        postAppMessage: function (m) {
          var desktop = conf.isClientVersion ? '&mod=desktop' : '';
          var msg = angular.extend(baseMsg(m), {Type: m.AppMsgType, Signature: m.Signature,
            Content: appMsgSendContent(m)});
          this._postMessage(conf.API_webwxsendappmsg + '?fun=async&f=json' + desktop,
            {Msg: msg, Scene: m.Scene || 0}, m);
        },
        postEmoticonMessage: function (m) {
          var msg = angular.extend(baseMsg(m), {Type: 47, EmojiFlag: m.EmojiFlag,
            EMoticonMd5: m.EMoticonMd5 || m.md5, MediaId: m.MediaId});
          this._postMessage(conf.API_webwxsendemoticon + '?fun=sys',
            {Msg: msg, Scene: m.Scene || 0}, m);
        },
        // POST one send (retried with the same body and ClientMsgId); on Ret 0 the local message
        // takes the server's MsgID and `root:msgSend:success` is broadcast.
        _postMessage: function (url, fields, m) {
          var body = angular.extend(account.getBaseRequest(), fields);
          mmHttp({method: 'POST', url: url, data: body, MMRetry: SEND_RETRY})
            .success(function (data) {
              if (!(data && data.BaseResponse && data.BaseResponse.Ret === 0)) {
                m.MMStatus = conf.MSG_SEND_STATUS_FAIL;
                return;
              }
              m.MsgId = String(data.MsgID);
              addedMsgIds[m.MsgId] = true;
              msgMap[m.MsgId] = m;
              m.MMStatus = conf.MSG_SEND_STATUS_SUCC;
              $rootScope.$broadcast('root:msgSend:success', m);
            })
            .error(function () {
              m.MMStatus = conf.MSG_SEND_STATUS_FAIL;
            });
        },
        // The UI's send path checks that the title and the chat list agree on the open chat.
        _sendCheck: function (msg) {
          var doc = window.document;
          var title = doc.querySelector('#chatArea .title_name');
          var nav = doc.getElementById('J_NavChatScrollBody');
          var u = title && title.getAttribute('data-username');
          return !!u && !!nav && u === nav.getAttribute('data-username') &&
            (!msg || !msg.ToUserName || msg.ToUserName === u);
        },
        getSendFileUsername: function () {
          return sendFileUserName;
        },
        setSendFileUsername: function (u) {
          sendFileUserName = u;
        },
        resetSendFileUsername: function () {
          sendFileUserName = '';
        },
        getChatMessageBySlice: function (userName, start, end) {
          return this.getChatMessage(userName).slice(start, end);
        },
        _getLastMessage: function (userName) {
          var list = chatMessages[userName] || [];
          return list[list.length - 1];
        },
        getUnreadMsgsCount: function (userName) {
          return (chatMessages[userName] || []).filter(function (m) {
            return m.MMUnread;
          }).length;
        },
        // Keep only the newest `count` messages of userName unread.
        setCurrentUnread: function (userName, count) {
          var list = chatMessages[userName] || [];
          var keep = Math.max(0, Number(count) || 0);
          list.forEach(function (m, i) {
            if (i < list.length - keep) {
              m.MMUnread = false;
            }
          });
        },
        // Open userName's chat at msgId (the search result's "show in chat").
        showMessage: function (userName, msgId, markRead) {
          var msg = this._findMessageByMsgId(this.getChatMessage(userName, markRead), msgId);
          if (contactFactory.getContact(userName, '', true)) {
            this.setCurrentUserName(userName);
            $rootScope.$broadcast('root:statechange');
          }
          return msg;
        },
        // A message already filed takes the fields of a newer copy (same MsgId).
        updateChatMessage: function (msg) {
          var old = msgMap[msg.MsgId];
          if (old && old !== msg) {
            angular.extend(old, msg);
          }
          return old || msg;
        },
        updateMessage: function (userName, msgId, fields) {
          var msg = this._findMessageByMsgId(this.getChatMessage(userName), msgId);
          if (msg) {
            angular.extend(msg, fields);
          }
          return msg;
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
