/*
 * media.js: uploads, media sends, link cards, forward, recall, read mark and downloads.
 *
 * Services come from __wpw.glue (never from angular directly). Sends go through the client's own
 * chatFactory.createMessage -> appendMessage -> sendMessage so the page shows them and the
 * request bodies are the client's; the outcome is read from the message's MMStatus (2 ok,
 * 5 failed) and the server's Ret from hooks.expectReply (the XHR observer in hooks.js).
 * Uploads and downloads use fetch with credentials, like the client's WebUploader / <img>.
 * Bytes cross the bridge as base64, at most 1 MB of base64 per call, so big files stream.
 */
(function () {
  'use strict';
  var wpw = window.__wpw;
  if (!wpw || wpw.media) {
    return;
  }
  var glue = wpw.glue;
  var SEND_TIMEOUT_MS = 60000;
  var READ_LIMIT = 786432;           // raw bytes per read: 1 MB once base64-encoded
  var PREFIX = /^(@[a-zA-Z0-9]+|[a-zA-Z0-9_-]+):<br\/>/;
  var uploadIds = {};                // ClientMediaId -> WU_FILE_<n>, like WebUploader's ids
  var uploadCounter = 0;
  var downloads = {};
  var nextHandle = 1;

  function svc(name) { return glue.service(name); }

  function fail(op, ret, errMsg, kind) {
    return wpw.webwxError(op, ret, errMsg, kind);
  }

  // ---- base64 <-> bytes --------------------------------------------------------------------
  function toB64(bytes) {
    var text = '';
    for (var i = 0; i < bytes.length; i += 0x8000) {
      text += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
    }
    return btoa(text);
  }

  function fromB64(b64) {
    var bin = atob(b64 || '');
    var out = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) {
      out[i] = bin.charCodeAt(i);
    }
    return out;
  }

  function cookie(name) {
    var found = new RegExp('(?:^|;\\s*)' + name + '=([^;]*)').exec(document.cookie);
    return found ? decodeURIComponent(found[1]) : '';
  }

  function baseRequest() {
    return svc('accountFactory').getBaseRequest().BaseRequest;
  }

  function passTicket() {
    var pt = svc('accountFactory').getPassticket();
    return pt === undefined || pt === null ? 'undefined' : String(pt);
  }

  // ---- upload (protocol §6.2): one call per 524288-byte chunk ------------------------------
  function uploadForm(a) {
    var account = svc('accountFactory');
    if (!uploadIds[a.clientMediaId]) {
      uploadIds[a.clientMediaId] = 'WU_FILE_' + (uploadCounter++);
    }
    var form = new FormData();
    form.append('id', uploadIds[a.clientMediaId]);
    form.append('name', a.name);
    form.append('type', a.type);
    form.append('lastModifiedDate', new Date().toString());
    form.append('size', String(a.size));
    if (a.chunks > 1) {
      form.append('chunks', String(a.chunks));
      form.append('chunk', String(a.chunk));
    }
    form.append('mediatype', a.mediatype);
    form.append('uploadmediarequest', wpw.stringify({
      UploadType: 2, BaseRequest: baseRequest(), ClientMediaId: a.clientMediaId,
      TotalLen: a.size, StartPos: 0, DataLen: a.size, MediaType: 4,
      FromUserName: account.getUserName(), ToUserName: a.to, FileMd5: a.md5
    }));
    form.append('webwx_data_ticket', cookie('webwx_data_ticket'));
    var pt = account.getPassticket();
    form.append('pass_ticket', pt ? decodeURIComponent(String(pt)) : 'undefined');
    form.append('filename', new Blob([fromB64(a.data)], {type: 'application/octet-stream'}),
                a.name);
    return form;
  }

  function uploadChunk(a) {
    var url = svc('confFactory').API_webwxuploadmedia + '?f=json';
    var op = 'webwxuploadmedia';
    return fetch(url, {method: 'POST', body: uploadForm(a), credentials: 'include'}).then(
      function (resp) {
        if (!resp.ok) {
          throw fail(op, -resp.status, 'HTTP ' + resp.status, 'upload');
        }
        return resp.text();
      },
      function (e) { throw fail(op, -1, 'network: ' + String(e && e.message || e), 'upload'); }
    ).then(function (text) {
      var reply;
      try { reply = wpw.parse(text); } catch (e) { throw fail(op, -1, 'bad JSON', 'upload'); }
      var base = reply.BaseResponse || {};
      if (Number(base.Ret) !== 0) {
        throw fail(op, Number(base.Ret), String(base.ErrMsg || ''), 'upload');
      }
      if (a.chunk === a.chunks - 1) {
        delete uploadIds[a.clientMediaId];
      }
      return {MediaId: reply.MediaId || '', EncryFileName: reply.EncryFileName || '',
              StartPos: reply.StartPos || 0};
    });
  }

  // ---- send through the client and wait for MMStatus 2 / 5 ---------------------------------
  function waitStatus(msg) {
    return new wpw.Promise(function (resolve) {
      var done = false;
      var off = null;
      var poll = null;
      var timer = null;
      function finish(status) {
        if (done) { return; }
        done = true;
        if (off) { off(); }
        clearInterval(poll);
        clearTimeout(timer);
        resolve(status);
      }
      function check() {
        if (msg.MMStatus === 2 || msg.MMStatus === 5) { finish(msg.MMStatus); }
      }
      glue.apply(function () {
        off = glue.rootScope().$watch(function () { return msg.MMStatus; }, check);
      });
      // The $watch needs a digest; the poll is a safety net should the status change outside one.
      poll = setInterval(check, 250);
      timer = setTimeout(function () { finish(-1); }, SEND_TIMEOUT_MS);
      check();
    });
  }

  /* createMessage -> appendMessage -> sendMessage; resolve with the sent message's plain copy.
     `prepare(msg)` may adjust the created message before it is appended (forward does). */
  function sendAndWait(init, op, prepare) {
    var chat = svc('chatFactory');
    var msg = null;
    var reply = null;
    glue.apply(function () {
      msg = chat.createMessage(init);
      if (prepare) { prepare(msg); }
      var cid = String(msg.ClientMsgId);
      reply = wpw.hooks.expectReply(op, function (body) {
        return !!(body && body.Msg && String(body.Msg.ClientMsgId) === cid);
      }, SEND_TIMEOUT_MS);
      chat.appendMessage(msg);
      chat.sendMessage(msg);
    });
    return waitStatus(msg).then(function (status) {
      if (status === 2) {
        return wpw.hooks.copyMessage(msg);
      }
      if (status === -1) {
        throw fail(op, -1, 'no send result within ' + SEND_TIMEOUT_MS / 1000 + ' s');
      }
      return reply.then(function (r) {
        var error = fail(op, r.ret === 0 || isNaN(r.ret) ? -1 : r.ret, r.errMsg || 'send failed');
        // Every answer lost is not a failure yet: the server may have sent it (guard.js).
        return wpw.syncGuard.settleLostSend(msg, r, error);
      });
    });
  }

  var SEND_OPS = {3: 'webwxsendmsgimg', 43: 'webwxsendvideomsg', 47: 'webwxsendemoticon',
                  49: 'webwxsendappmsg', 1: 'webwxsendmsg', 48: 'webwxsendmsg',
                  62: 'webwxsendvideomsg'};

  function sendMedia(a) {
    var init = {ToUserName: a.to, MsgType: a.msgType, MediaId: a.mediaId, FileName: a.fileName,
                FileSize: a.fileSize, MMFileExt: a.fileExt};
    if (a.msgType === 49) {
      init.AppMsgType = 6;
      init.Signature = '';
      if (a.encryFileName) { init.EncryFileName = a.encryFileName; }
    } else if (a.msgType === 47) {
      init.EmojiFlag = 2;  // EMOJI_FLAG_GIF: an uploaded GIF sent by MediaId
    }
    return sendAndWait(init, SEND_OPS[a.msgType]);
  }

  function sendUrl(a) {
    // Content is what the page shows (escaped XML, as received ones are); OriContent is sent.
    var escaped = a.xml.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
    return sendAndWait({ToUserName: a.to, MsgType: 49, AppMsgType: 5, FileName: a.title,
                        Url: a.url, Content: escaped, OriContent: a.xml}, 'webwxsendappmsg');
  }

  // ---- forward (webclient-surface §6.3) ----------------------------------------------------
  var DROP_ON_FORWARD = ['MsgId', 'NewMsgId', 'LocalID', 'ClientMsgId', 'MMStatus', 'MMUnread',
    'MMIsSend', 'MMActualSender', 'MMPeerUserName', 'MMIsChatRoom', 'MMSendContent', 'CreateTime',
    'MMDisplayTime', 'MMTime', 'MMDigestTime', 'sendByLocal', 'StatusNotifyCode'];

  function htmlDecode(text) {
    return String(text).replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&#39;/g, "'")
      .replace(/&quot;/g, '"').replace(/&amp;/g, '&');
  }

  var EMOJI_SPAN = /<span class="emoji emoji([0-9a-fA-F]{4,10})"><\/span>?/g;

  /* Hex class suffix -> characters: 4-6 digits one code point, 8-10 digits two (5+5, 4+4...). */
  function emojiChars(hex) {
    var code = hex.toLowerCase();
    var first = code.length;
    if (code.length === 8) { first = 4; }
    if (code.length === 10) { first = 5; }
    if (code.length === 9) { first = code.charAt(0) === '1' ? 5 : 4; }
    if (code.length === 7) { return ''; }
    try {
      var out = String.fromCodePoint(parseInt(code.slice(0, first), 16));
      return first < code.length ? out + String.fromCodePoint(parseInt(code.slice(first), 16)) : out;
    } catch (e) {
      return '';
    }
  }

  function stripPrefix(m) {
    var keys = ['Content', 'MMSendContent', 'MMDigest', 'MMActualContent'];
    for (var i = 0; i < keys.length; i++) {
      if (typeof m[keys[i]] === 'string') { m[keys[i]] = m[keys[i]].replace(PREFIX, ''); }
    }
  }

  function forwardInit(src, to) {
    var m = wpw.plain(src);
    for (var i = 0; i < DROP_ON_FORWARD.length; i++) { delete m[DROP_ON_FORWARD[i]]; }
    m.ToUserName = to;
    m.FromUserName = svc('accountFactory').getUserName();
    m.isTranspond = true;
    m.MsgIdBeforeTranspond = String(src.MsgId);
    m.MMSourceMsgId = String(src.MsgId);
    m.Scene = 2;
    stripPrefix(m);
    var isText = m.MsgType === 1 && Number(m.SubMsgType) !== 48;
    if (isText) {
      // createMessage reads Content as HTML: keep it escaped; emoji spans become the characters
      // themselves (the client's <img> route would send SoftBank private-use codes instead).
      m.Content = String(m.Content || '').replace(EMOJI_SPAN, function (all, hex) {
        return emojiChars(hex) || all;
      });
    } else if (typeof m.Content === 'string') {
      m.Content = htmlDecode(m.Content);
    }
    return m;
  }

  function forward(a) {
    var src = svc('chatFactory').getMsg(a.msgId) || a.raw;
    if (!src) {
      throw fail('forward', -1, 'message ' + a.msgId + ' is not in the page', 'notfound');
    }
    if (src._noSupportMsg || src.MsgType === 10000 || src.MsgType === 10002) {
      // The client shows a placeholder for these; forwarding would send the placeholder text.
      return {refused: 'the web client cannot show (so cannot forward) this message'};
    }
    var m = forwardInit(src, a.to);
    var type = (m.MsgType === 1 && Number(m.SubMsgType) === 48) ? 48 : m.MsgType;
    return sendAndWait(m, SEND_OPS[type] || 'webwxsend', function (msg) {
      msg.sendByLocal = false;
      stripPrefix(msg);
    });
  }

  // ---- plain JSON POSTs whose Ret the caller inspects (recall, read mark) --------------------
  function postJson(api, body, op) {
    var url = svc('confFactory')[api];
    url += (url.indexOf('?') >= 0 ? '&' : '?') + 'pass_ticket=' + passTicket();
    return fetch(url, {method: 'POST', credentials: 'include', body: wpw.stringify(body),
                       headers: {'Content-Type': 'application/json;charset=UTF-8'}}).then(
      function (resp) {
        if (!resp.ok) { throw fail(op, -resp.status, 'HTTP ' + resp.status); }
        return resp.text();
      },
      function (e) { throw fail(op, -1, 'network: ' + String(e && e.message || e)); }
    ).then(function (text) {
      var reply = {};
      try { reply = wpw.parse(text); } catch (e) { throw fail(op, -1, 'bad JSON'); }
      var base = reply.BaseResponse || {};
      return {ret: Number(base.Ret), errMsg: String(base.ErrMsg || ''),
              introduction: String(reply.Introduction || '')};
    });
  }

  function recall(a) {
    var m = svc('chatFactory').getMsg(a.msgId) || a.raw;
    if (!m) {
      throw fail('webwxrevokemsg', -1, 'message ' + a.msgId + ' is not in the page', 'notfound');
    }
    // SvrMsgId is the server's MsgId (the page swapped it in on success), ClientMsgId the local one.
    return postJson('API_webwxrevokemsg', {BaseRequest: baseRequest(), SvrMsgId: String(a.msgId),
                    ToUserName: m.ToUserName, ClientMsgId: String(m.ClientMsgId || m.LocalID || '')},
                    'webwxrevokemsg');
  }

  function readMark(a) {
    var chat = svc('chatFactory');
    if (typeof chat.notifyMobile !== 'function') {
      return postJson('API_webwxstatusnotify', {BaseRequest: baseRequest(), Code: 1,
        FromUserName: svc('accountFactory').getUserName(), ToUserName: a.userName,
        ClientMsgId: Date.now()}, 'webwxstatusnotify');
    }
    var reply = wpw.hooks.expectReply('webwxstatusnotify', function (body) {
      return !!(body && body.Code === 1 && body.ToUserName === a.userName);
    }, 30000);
    glue.apply(function () {
      chat.notifyMobile(a.userName, svc('confFactory').StatusNotifyCode_READED || 1);
    });
    return reply.then(function (r) { return {ret: r.ret, errMsg: r.errMsg}; });
  }

  // ---- downloads (protocol §6.12, surface §8 "Media URLs") --------------------------------
  function avatarUrl(userName) {
    var contact = svc('contactFactory').getContact(userName, '', true);
    if (contact && contact.HeadImgUrl) { return contact.HeadImgUrl; }
    var conf = svc('confFactory');
    var api = userName.indexOf('@@') === 0 ? conf.API_webwxgetheadimg : conf.API_webwxgeticon;
    return api + '?seq=0&username=' + encodeURIComponent(userName) + '&skey=' +
      encodeURIComponent(svc('accountFactory').getSkey());
  }

  function downloadUrl(a) {
    var conf = svc('confFactory');
    var skey = svc('accountFactory').getSkey();
    var id = encodeURIComponent(a.msgId);
    switch (a.kind) {
      case 'image':
        return conf.API_webwxgetmsgimg + '?&MsgID=' + id + '&skey=' + encodeURIComponent(skey) +
          (a.imageType ? '&type=' + a.imageType : '');
      case 'video':
        return conf.API_webwxgetvideo + '?msgid=' + id + '&skey=' + encodeURIComponent(skey);
      case 'voice':
        return conf.API_webwxgetvoice + '?msgid=' + id + '&skey=' + skey;
      case 'file': {
        var msg = svc('chatFactory').getMsg(a.msgId) || a.raw || {};
        return a.url || msg.MMAppMsgDownloadUrl || (a.raw && a.raw.MMAppMsgDownloadUrl) || '';
      }
      case 'avatar':
        return avatarUrl(a.userName);
      default:
        return a.url || '';
    }
  }

  function downloadOpen(a) {
    var url = downloadUrl(a);
    if (!url) { throw fail('download', -1, 'no download URL for ' + a.kind + ' ' + a.msgId); }
    // webwxgetvideo answers only ranged requests (206), like the official client's <video>.
    var headers = a.kind === 'video' ? {Range: 'bytes=0-'} : {};
    return fetch(url, {credentials: 'include', headers: headers}).then(function (resp) {
      if (!resp.ok) { throw fail('download', -resp.status, 'HTTP ' + resp.status); }
      var handle = nextHandle++;
      downloads[handle] = {reader: resp.body.getReader(), rest: null, done: false};
      return {handle: handle, status: resp.status,
              contentType: resp.headers.get('Content-Type') || '',
              disposition: resp.headers.get('Content-Disposition') || '',
              length: Number(resp.headers.get('Content-Length') || -1)};
    }, function (e) { throw fail('download', -1, 'network: ' + String(e && e.message || e)); });
  }

  function concat(parts, total) {
    var out = new Uint8Array(total);
    var at = 0;
    for (var i = 0; i < parts.length; i++) { out.set(parts[i], at); at += parts[i].length; }
    return out;
  }

  function downloadRead(a) {
    var d = downloads[a.handle];
    if (!d) { throw fail('download', -1, 'unknown download handle ' + a.handle); }
    var parts = d.rest ? [d.rest] : [];
    var total = d.rest ? d.rest.length : 0;
    d.rest = null;
    function pump() {
      if (total >= READ_LIMIT || d.done) { return wpw.Promise.resolve(); }
      return d.reader.read().then(function (r) {
        if (r.done) { d.done = true; } else { parts.push(r.value); total += r.value.length; }
        return pump();
      });
    }
    return pump().then(function () {
      var all = concat(parts, total);
      if (all.length > READ_LIMIT) {
        d.rest = all.subarray(READ_LIMIT);
        all = all.subarray(0, READ_LIMIT);
      }
      return {data: toB64(all), done: d.done && !d.rest};
    });
  }

  function downloadClose(a) {
    var d = downloads[a.handle];
    delete downloads[a.handle];
    if (d && !d.done) {
      try { d.reader.cancel(); } catch (e) { /* already closed */ }
    }
    return true;
  }

  wpw.register('media.uploadChunk', uploadChunk);
  wpw.register('media.sendMedia', sendMedia);
  wpw.register('media.sendUrl', sendUrl);
  wpw.register('media.forward', forward);
  wpw.register('media.recall', recall);
  wpw.register('media.readMark', readMark);
  wpw.register('media.download.open', downloadOpen);
  wpw.register('media.download.read', downloadRead);
  wpw.register('media.download.close', downloadClose);
  wpw.media = {toB64: toB64, fromB64: fromB64};
})();
