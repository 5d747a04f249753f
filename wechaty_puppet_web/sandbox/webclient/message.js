/* The per-type message processors of chatFactory (webclient-surface.md §5.2-5.3), kept on a provider
 * value that chatFactory mixes into itself, so every `_…Process` is called through the service
 * (`this`) and can be wrapped by an injected script. */
(function (angular, window) {
  'use strict';

  var PREFIX_RE = /^(@[a-zA-Z0-9]+|[a-zA-Z0-9_-]+):<br\/>/;

  function t(s) {
    return window._ ? window._(s) : s;
  }

  function hm(seconds) {
    var d = new Date(seconds * 1000);
    var m = d.getMinutes();
    return d.getHours() + ':' + (m < 10 ? '0' + m : m);
  }

  angular.module('Services').factory('messageProcessors', [
    'confFactory', 'utilFactory', 'accountFactory', 'contactFactory', 'emojiFactory',
    function (conf, util, account, contactFactory, emojiFactory) {
      function plainContent(msg) {
        return util.htmlDecode(String(msg.Content || '').replace(PREFIX_RE, '')
          .replace(/<br\/>/g, ''));
      }

      function displayName(userName, room) {
        var c = contactFactory.getContact(userName, '', true);
        return c && c.getDisplayName ? c.getDisplayName(room) : '';
      }

      var lastApp = {msg: null, app: null};

      // The <appmsg> of an app message (parsed once per message, shared by its processors).
      function appOf(msg) {
        if (lastApp.msg !== msg) {
          lastApp = {msg: msg, app: util.xml2json(plainContent(msg)).appmsg || {}};
        }
        return lastApp.app;
      }

      function linkMsg(msg, app, type) {
        var digests = {3: '[音乐]', 4: '[视频]', 7: '[应用消息]'};
        msg.AppMsgType = conf.APPMSGTYPE_URL;
        msg.MMAppMsgDesc = app.des || '';
        if (digests[type]) {
          msg.MMDigest = t(digests[type]) + (msg.FileName || '');
        }
        if (type === conf.APPMSGTYPE_OPEN) {
          msg.MMAlert = true;
        }
      }

      function cleanRecommendInfo(msg) {
        var info = {};
        angular.forEach(msg.RecommendInfo || {}, function (v, k) {
          if (v) {
            info[k] = v;
          }
        });
        info.HeadImgUrl = conf.API_webwxgeticon + '?seq=0&username=' + info.UserName + '&skey=' +
          account.getSkey() + '&msgid=' + msg.MsgId;
        if (info.NickName) {
          info.NickName = emojiFactory.transformSpanToImg(info.NickName);
        }
        msg.RecommendInfo = info;
        return info;
      }

      function unsupported(msg, text) {
        msg.MsgType = conf.MSGTYPE_TEXT;
        msg.MMActualContent = text;
        msg.MMDigest = text;
        msg._noSupportMsg = true;
      }

      return {
        _commonMsgProcess: function (msg) {
          var self = account.getUserName();
          var chats = window._chatContent || {};
          msg.MMIsSend = msg.FromUserName === self || msg.FromUserName === '';
          msg.MMIsChatRoom = util.isRoomContact(msg.MMPeerUserName);
          msg.MMActualSender = msg.FromUserName;
          var content = String(msg.Content == null ? '' : msg.Content);
          if (msg.MMIsChatRoom) {
            var m = PREFIX_RE.exec(content);
            if (m) {
              msg.MMActualSender = m[1];
              content = content.replace(PREFIX_RE, '');
            }
          }
          msg.MMActualContent = emojiFactory.emoticonFormat(content);
          msg.MMUnread = !msg.MMIsSend && msg.MsgType !== conf.MSGTYPE_SYS;
          msg.LocalID = msg.LocalID || msg.MsgId;
          msg.ClientMsgId = msg.ClientMsgId || msg.MsgId;
          msg.MMIsAppMsg = msg.MsgType === conf.MSGTYPE_APP;
          msg.CreateTime = msg.CreateTime || Math.floor(util.now() / 1000);
          this._calcMsgDisplayTime(msg, chats[msg.MMPeerUserName] || []);
          msg.MMDigestTime = hm(msg.CreateTime);
          msg.MMDigest = msg.MMActualContent;
        },
        // MMDisplayTime is the start of a run of messages less than 180 s apart.
        _calcMsgDisplayTime: function (msg, list) {
          var prev = list[list.length - 1];
          if (prev && msg.CreateTime - prev.CreateTime < 180) {
            msg.MMDisplayTime = prev.MMDisplayTime;
            msg.MMTime = '';
          } else {
            msg.MMDisplayTime = msg.CreateTime;
            msg.MMTime = hm(msg.CreateTime);
          }
        },
        _textMsgProcess: function (msg) {
          if (msg.SubMsgType === conf.MSGTYPE_LOCATION) {
            this._locationMsgProcess(msg);
          } else if (msg.AppMsgType === conf.APPMSGTYPE_RED_ENVELOPES) {
            msg.MsgType = conf.MSGTYPE_APP;
            msg.MMDigest = t('[微信红包]');
          } else if (msg.FromUserName === conf.SP_CONTACT_NEWSAPP) {
            this._newsMsgProcess(msg);
          }
        },
        _locationMsgProcess: function (msg) {
          // The real client splits Content *with* its room prefix (so in rooms the label is off).
          var parts = String(msg.Content || '').split(':<br/>');
          msg.MMLocationDesc = parts[0];
          msg.MMLocationUrl = msg.Url;
          msg.MMDigest = '[' + t('位置') + ']';
        },
        _newsMsgProcess: function (msg) {
          msg.MMCategory = [];
        },
        _imageMsgProcess: function (msg) {
          msg.MMDigest = t('[图片]');
        },
        _voiceMsgProcess: function (msg) {
          msg.MMVoiceUnRead = !msg.MMIsSend;
          msg.MMDigest = t('[语音]');
        },
        _videoMsgProcess: function (msg) {
          msg.MMDigest = t('[视频]');
        },
        _mircovideoMsgProcess: function (msg) {
          msg.MMDigest = t('[小视频]');
        },
        _emojiMsgProcess: function (msg) {
          if (msg.HasProductId) {
            unsupported(msg, msg.MMIsSend ? t('[发送了一个表情，请在手机上查看]') :
              t('[收到了一个表情，请在手机上查看]'));
            return;
          }
          var xml = util.xml2json(plainContent(msg));
          msg.md5 = (xml.emoji && xml.emoji.md5) || xml.md5 || '';
          msg.MMDigest = t('[动画表情]');
        },
        _appMsgProcess: function (msg) {
          var app = appOf(msg);
          var type = Number(msg.AppMsgType || app.type);
          msg.MMDigest = t('[链接]') + (msg.FileName || '');
          switch (type) {
            case conf.APPMSGTYPE_URL: this._appUrlMsgProcess(msg, app); break;
            case conf.APPMSGTYPE_AUDIO: this._appAudioMsgProcess(msg); break;
            case conf.APPMSGTYPE_VIDEO: this._appVideoMsgProcess(msg); break;
            case conf.APPMSGTYPE_OPEN: this._appOpenMsgProcess(msg); break;
            case conf.APPMSGTYPE_ATTACH: this._appAttachMsgProcess(msg); break;
            case conf.APPMSGTYPE_IMG:
              msg.MsgType = conf.MSGTYPE_IMAGE;
              msg.MMDigest = t('[图片]');
              break;
            case conf.APPMSGTYPE_EMOJI:
              msg.MsgType = conf.MSGTYPE_EMOTICON;
              msg.MMDigest = t('[动画表情]');
              break;
            case conf.APPMSGTYPE_EMOTION: this._appEmotionMsgProcess(msg); break;
            case conf.APPMSGTYPE_RED_ENVELOPES: this._appRedEnvelopesMsgProcess(msg); break;
            case conf.APPMSGTYPE_TEXT: this._appTextMsgProcess(msg); break;
            case conf.APPMSGTYPE_TRANSFERS: this._appTransfersMsgProcess(msg); break;
            case conf.APPMSGTYPE_CARD_TICKET: this._appCardTicketMsgProcess(msg); break;
            case conf.APPMSGTYPE_REALTIME_SHARE_LOCATION:
              this._appRealtimeShareLocationMsgProcess(msg);
              break;
            case conf.APPMSGTYPE_SCAN_GOOD: this._appScanGoodMsgProcess(msg); break;
            case conf.APPMSGTYPE_GOOD: this._appGoodMsgProcess(msg); break;
            default: this._appUnknowMsgProcess(msg);
          }
        },
        _appUrlMsgProcess: function (msg, app) {
          linkMsg(msg, app || appOf(msg), conf.APPMSGTYPE_URL);
          var reader = (app || appOf(msg)).mmreader;
          if (reader && reader.category) {
            this._appReaderMsgProcess(msg, reader);
          }
        },
        _appReaderMsgProcess: function (msg, reader) {
          var items = reader.category.item || [];
          items = angular.isArray(items) ? items : [items];
          msg.AppMsgType = conf.APPMSGTYPE_READER_TYPE;
          msg.MMCategory = items.map(function (it) {
            var d = new Date(Number(it.pub_time || 0) * 1000);
            return {title: it.title, url: it.url, cover: it.cover, width: it.width,
              height: it.height, digest: it.digest,
              pub_time: ('0' + (d.getMonth() + 1)).slice(-2) + '-' + ('0' + d.getDate()).slice(-2)};
          });
        },
        _appAudioMsgProcess: function (msg) {
          linkMsg(msg, appOf(msg), conf.APPMSGTYPE_AUDIO);
        },
        _appVideoMsgProcess: function (msg) {
          linkMsg(msg, appOf(msg), conf.APPMSGTYPE_VIDEO);
        },
        _appOpenMsgProcess: function (msg) {
          linkMsg(msg, appOf(msg), conf.APPMSGTYPE_OPEN);
        },
        _appRedEnvelopesMsgProcess: function (msg) {
          msg.MMDigest = t('[微信红包]');
        },
        _appTextMsgProcess: function (msg) {
          var app = appOf(msg);
          this._appAsTextMsgProcess(msg, app.title || msg.FileName || '');
        },
        // An app message the page shows as plain text.
        _appAsTextMsgProcess: function (msg, text) {
          unsupported(msg, text);
        },
        _appTransfersMsgProcess: function (msg) {
          this._appAsTextMsgProcess(msg, t('[收到一条微信转账消息，请在手机上查看]'));
        },
        _appCardTicketMsgProcess: function (msg) {
          this._appAsTextMsgProcess(msg, t('[收到一张卡券，请在手机上查看]'));
        },
        _appRealtimeShareLocationMsgProcess: function (msg) {
          this._appAsTextMsgProcess(msg, t('[发起了位置共享，请在手机上查看]'));
        },
        _appScanGoodMsgProcess: function (msg) {
          this._appAsTextMsgProcess(msg, t('[收到一条商品消息，请在手机上查看]'));
        },
        _appGoodMsgProcess: function (msg) {
          this._appAsTextMsgProcess(msg, t('[收到一条商品消息，请在手机上查看]'));
        },
        _appEmotionMsgProcess: function (msg) {
          this._appAsTextMsgProcess(msg, t('[收到一个表情，请在手机上查看]'));
        },
        _appUnknowMsgProcess: function (msg) {
          this._appAsTextMsgProcess(msg, t(conf.isClientVersion ?
            '[收到一条暂不支持的消息类型，请在手机上查看]' :
            '[收到一条网页版微信暂不支持的消息类型，请在手机上查看]'));
        },
        _appAttachMsgProcess: function (msg) {
          var app = appOf(msg);
          var attach = app.appattach || {};
          var name = msg.FileName || app.title || '';
          var ext = attach.fileext || (name.indexOf('.') > -1 ? name.split('.').pop() : '');
          msg.MMAppMsgFileExt = String(ext).toLowerCase();
          msg.MMAppMsgFileSize = util.getSize(msg.FileSize || attach.totallen);
          msg.MMAppMsgDownloadUrl = conf.API_webwxdownloadmedia + '?sender=' + msg.FromUserName +
            '&mediaid=' + msg.MediaId + '&encryfilename=' + msg.EncryFileName + '&fromuser=' +
            account.getUin() + '&pass_ticket=' + encodeURIComponent(account.getPassticket()) +
            '&webwx_data_ticket=' + encodeURIComponent(util.getCookie('webwx_data_ticket'));
          msg.MMFileStatus = conf.MM_SEND_FILE_STATUS_SUCCESS;
          msg.MMDigest = t('[文件]') + name;
        },
        _voipMsgProcess: function (msg) {
          unsupported(msg, t('[收到一条视频/语音聊天消息，请在手机上查看]'));
        },
        _verifyMsgProcess: function (msg) {
          var info = cleanRecommendInfo(msg);
          info.MMFromVerifyMsg = true;
          msg.MMFromVerifyMsg = true;
          contactFactory.addStrangerContact(info);
          msg.MMDigest = (info.NickName || '') + t('想要将你加为朋友');
        },
        _recommendMsgProcess: function (msg) {
          var info = cleanRecommendInfo(msg);
          msg.Contact = info;
          msg.Content = info.NickName || '';
          msg.MMDigest = msg.Content;
        },
        _shareCardProcess: function (msg) {
          var xml = util.xml2json(plainContent(msg));
          msg.MMUserName = xml.alias || xml.username || '';
          var info = cleanRecommendInfo(msg);
          contactFactory.addStrangerContact(info);
          msg.MMDigest = (msg.MMIsSend ? t('你推荐了') : t('向你推荐了')) + (info.NickName || '');
        },
        _systemMsgProcess: function (msg) {
          msg.MMActualContent = String(msg.MMActualContent || '')
            .replace(/&lt;a href=(&quot;|")weixin:\/\/[\s\S]*?&lt;\/a&gt;/g, '');
          msg.MMDigest = msg.MMActualContent;
        },
        // The newest message of `list` with this id ('0': the newest sent by self).
        _findMessageByMsgId: function (list, id) {
          for (var i = list.length - 1; i >= 0; i--) {
            if ((String(id) === '0' && list[i].MMIsSend) || list[i].MsgId === String(id)) {
              return list[i];
            }
          }
          return null;
        },
        // The newest friend request (37) from userName in `list`.
        _findByVerifyMsgUserName: function (list, userName) {
          for (var i = list.length - 1; i >= 0; i--) {
            var info = list[i].RecommendInfo;
            if (list[i].MsgType === conf.MSGTYPE_VERIFYMSG && info && info.UserName === userName) {
              return list[i];
            }
          }
          return null;
        },
        _recalledMsgProcess: function (msg) {
          var xml = util.xml2json(plainContent(msg));
          var revoke = xml.revokemsg || {};
          var id = String(revoke.msgid || '0');
          var list = (window._chatContent || {})[msg.MMPeerUserName] || [];
          var target = this._findMessageByMsgId(list, id);
          if (!target) {
            return;
          }
          var who = target.MMIsSend ? t('你') : displayName(target.MMActualSender,
            target.MMIsChatRoom ? target.MMPeerUserName : '');
          target.MMRecall = true;
          target.MsgType = conf.MSGTYPE_SYS;
          target.MMActualContent = who + t('撤回了一条消息');
          target.MMDigest = target.MMActualContent;
        }
      };
    }]);
})(window.angular, window);
