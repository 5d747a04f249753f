/*
 * hooks.js: watch the web client and emit what happens (scan, login, contacts, messages, recalls,
 * logout). Services come from __wpw.glue; no angular here.
 *
 * Every listener catches its own errors: the client's $exceptionHandler rethrows, and a throwing
 * message:add:success listener would make the client drop the rest of that sync batch for good.
 */
(function () {
  'use strict';
  var wpw = window.__wpw;
  if (!wpw || wpw.hooks) {
    return;
  }
  var glue = wpw.glue;
  var state = {
    rawTypes: {},        // MsgId -> MsgType as it arrived, before the client's rewrites
    everMembers: {},     // room UserName -> {member UserName -> plain member}; survives removals
    oldTopics: {},       // room UserName -> topic before the last change seen
    loginSent: false,
    installed: false,    // the boot envelope is out: later envelopes belong to this document
    contactPagesDone: false,  // the client has filed its last webwxgetcontact page
    contactsLoaded: false
  };

  // ---- XHR observer: BaseResponse of the client's own requests (send, room ops). -------------
  var waiters = [];
  var OrigXHR = window.XMLHttpRequest;
  if (OrigXHR && OrigXHR.prototype) {
    var origOpen = OrigXHR.prototype.open;
    var origSend = OrigXHR.prototype.send;
    OrigXHR.prototype.open = function (method, url) {
      this.__wpwUrl = String(url);
      return origOpen.apply(this, arguments);
    };
    OrigXHR.prototype.send = function (body) {
      var xhr = this;
      if (xhr.__wpwUrl.indexOf('/webwxsync?') >= 0) {
        xhr.addEventListener('loadend', function () { syncEnded(xhr); });
      } else if (xhr.__wpwUrl.indexOf('/webwxnewloginpage') >= 0) {
        xhr.addEventListener('loadend', function () { loginReplied(xhr); });
      } else if (xhr.__wpwUrl.indexOf('/webwxgetcontact') >= 0) {
        xhr.addEventListener('loadend', function () { contactPageEnded(xhr); });
      }
      if (waiters.length && typeof body === 'string') {
        xhr.__wpwBody = body;
        xhr.addEventListener('loadend', function () { settle(xhr); });
      }
      return origSend.apply(this, arguments);
    };
  }

  function settle(xhr) {
    var body = null;
    var reply = null;
    try { body = wpw.parse(xhr.__wpwBody); } catch (e) { return; }
    try { reply = wpw.parse(xhr.responseText); } catch (e) { reply = null; }
    var base = (reply && reply.BaseResponse) || {};
    var result = {status: xhr.status, ret: reply ? Number(base.Ret) : -1,
                  errMsg: String(base.ErrMsg || ''), reply: reply};
    for (var i = waiters.length - 1; i >= 0; i--) {
      var w = waiters[i];
      if (xhr.__wpwUrl.indexOf(w.op) >= 0 && w.match(body)) {
        waiters.splice(i, 1);
        clearTimeout(w.timer);
        w.resolve(result);
      }
    }
  }

  /* The client never logs out on a failed webwxsync: its loop just stalls until the survive
     timer (up to 40 s) runs a synccheck that answers 1101. A dead session is certain here, so
     log out at once through the client's own path (same event, same page flow). */
  function syncEnded(xhr) {
    var reply = null;
    try { reply = wpw.parse(xhr.responseText); } catch (e) { return; }
    var ret = Number(((reply || {}).BaseResponse || {}).Ret);
    if (ret === 1100 || ret === 1101 || ret === 1102) {
      setTimeout(wpw.guard('sync-logout', function () {
        glue.service('loginFactory').loginout(ret === 1100 ? 0 : 1);
      }), 0);
    }
  }

  /* A refused login (<ret>1203</ret>) makes the client alert and reload forever; report it
     (Python turns it into a LoginError and parks the page). */
  function loginReplied(xhr) {
    var text = String(xhr.responseText || '');
    var ret = /<ret>\s*(-?\d+)\s*<\/ret>/.exec(text);
    if (ret && Number(ret[1]) !== 0) {
      var message = /<message>([\s\S]*?)<\/message>/.exec(text);
      wpw.emit('login-refused', {ret: Number(ret[1]), message: message ? message[1] : ''});
    }
  }

  /* Contacts are loaded once the client has filed a webwxgetcontact page with Seq 0 (the last
     one). Watched at the XHR, which this script sees from the document's start whatever the
     page's speed: by `loadend` the client's $http callbacks (addContacts) have run. So a hook
     installed after the paging ended still knows it ended, and `ready` cannot be missed. */
  function contactPageEnded(xhr) {
    var reply = null;
    try { reply = wpw.parse(xhr.responseText); } catch (e) { return; }
    if (!reply || Number((reply.BaseResponse || {}).Ret) !== 0) {
      return;
    }
    if (Number(reply.Seq || 0) === 0) {
      markContactsDone();
    }
  }

  function markContactsDone() {
    state.contactPagesDone = true;
    maybeContactsLoaded();
  }

  function maybeContactsLoaded() {
    if (state.installed && state.contactPagesDone && !state.contactsLoaded) {
      state.contactsLoaded = true;
      wpw.emit('contacts-loaded', {count: countContacts()});
    }
  }

  /* Promise of {ret, errMsg, reply} for the next POST to `op` whose JSON body satisfies match. */
  function expectReply(op, match, timeoutMs) {
    return new wpw.Promise(function (resolve) {
      var w = {op: op, match: match, resolve: resolve, timer: null};
      w.timer = setTimeout(function () {
        var at = waiters.indexOf(w);
        if (at >= 0) { waiters.splice(at, 1); }
        resolve({status: 0, ret: -1, errMsg: 'no answer', reply: null});
      }, timeoutMs || 30000);
      waiters.push(w);
    });
  }

  // ---- copies into the RawContact / RawMessage contract -------------------------------------
  var CONTACT_FIELDS = ['Uin', 'UserName', 'NickName', 'RemarkName', 'HeadImgUrl', 'ContactFlag',
    'VerifyFlag', 'Sex', 'Signature', 'Province', 'City', 'Alias', 'StarFriend', 'SnsFlag',
    'KeyWord', 'MemberCount', 'OwnerUin', 'IsOwner', 'Statues', 'EncryChatRoomId', 'DisplayName',
    'AttrStatus', 'ChatRoomOwner'];
  var MEMBER_FIELDS = ['Uin', 'UserName', 'NickName', 'DisplayName', 'AttrStatus', 'MemberStatus',
    'KeyWord', 'HeadImgUrl'];
  var MESSAGE_FIELDS = ['MsgId', 'NewMsgId', 'FromUserName', 'ToUserName', 'MsgType', 'Content',
    'Status', 'ImgStatus', 'CreateTime', 'VoiceLength', 'PlayLength', 'FileName', 'FileSize',
    'MediaId', 'Url', 'AppMsgType', 'StatusNotifyCode', 'StatusNotifyUserName', 'RecommendInfo',
    'ForwardFlag', 'AppInfo', 'HasProductId', 'Ticket', 'ImgHeight', 'ImgWidth', 'SubMsgType',
    'OriContent', 'EncryFileName', 'MsgSource', 'MMPeerUserName', 'MMIsSend', 'MMIsChatRoom',
    'MMActualSender', 'MMActualContent', 'MMIsAppMsg', '_noSupportMsg', 'MMRecall',
    'MMLocationDesc', 'MMLocationUrl', 'MMAppMsgDesc', 'MMAppMsgFileExt', 'MMAppMsgFileSize',
    'MMAppMsgDownloadUrl', 'MMUserName', 'MMStatus', 'LocalID', 'ClientMsgId', 'md5',
    'MMCategory'];
  var CONTACT_FLAGS = ['isContact', 'isSelf', 'isRoomContact', 'isBrandContact', 'isInChatroom'];

  function pick(obj, fields) {
    var out = {};
    for (var i = 0; i < fields.length; i++) {
      var v = obj[fields[i]];
      if (v !== undefined && typeof v !== 'function') {
        out[fields[i]] = wpw.plain(v);
      }
    }
    return out;
  }

  function copyMember(m) {
    return pick(m || {}, MEMBER_FIELDS);
  }

  function copyContact(c) {
    if (!c) {
      return null;
    }
    var out = pick(c, CONTACT_FIELDS);
    var list = c.MemberList;
    if (list && list.length !== undefined) {
      out.MemberList = [];
      for (var i = 0; i < list.length; i++) {
        out.MemberList.push(copyMember(list[i]));
      }
    }
    for (var j = 0; j < CONTACT_FLAGS.length; j++) {
      var fn = c[CONTACT_FLAGS[j]];
      if (typeof fn === 'function') {
        try { out[CONTACT_FLAGS[j]] = !!fn.call(c); } catch (e) { /* leave it out */ }
      }
    }
    return out;
  }

  function copyMessage(m) {
    var out = pick(m, MESSAGE_FIELDS);
    out.MsgId = String(m.MsgId);
    if (m.NewMsgId !== undefined) { out.NewMsgId = String(m.NewMsgId); }
    var raw = state.rawTypes[out.MsgId];
    if (raw !== undefined) { out.RawMsgType = raw; }
    return out;
  }

  // ---- scan --------------------------------------------------------------------------------
  function scanState(scope) {
    return {code: scope.code, uuid: scope.uuid, qrcodeUrl: scope.qrcodeUrl, isScan: !!scope.isScan,
            userAvatar: scope.userAvatar || null, isNeedRefresh: !!scope.isNeedRefresh,
            isAssociationLogin: !!scope.isAssociationLogin, isBrokenNetwork: !!scope.isBrokenNetwork};
  }

  function watchLogin() {
    var scope = glue.loginScope();
    if (!scope) {
      return;
    }
    scope.$watch(function () {
      return [scope.code, scope.uuid, !!scope.isScan, !!scope.isNeedRefresh,
              !!scope.isAssociationLogin].join('|');
    }, wpw.guard('scan-watch', function () {
      if (scope.isAssociationLogin && !scope.isWaitingAsConfirm) {
        // One-click panel: we can't press the phone's button, so fall back to a QR at once.
        setTimeout(wpw.guard('qrcodeLogin', function () {
          glue.apply(function () { scope.qrcodeLogin(); });
        }), 0);
        return;
      }
      if (scope.code === undefined && !scope.uuid) {
        return;
      }
      wpw.emit('scan', scanState(scope));
      if (scope.isNeedRefresh && typeof scope.refreshQrcode === 'function') {
        // The expired-QR mask (after the page's 5 counted reloads): click it, as a user would;
        // a new uuid follows (a new `scan`).
        setTimeout(wpw.guard('refreshQrcode', function () {
          glue.apply(function () { scope.refreshQrcode(); });
        }), 0);
      }
    }));
    // A watch first runs on the next digest; a page idling on the one-click panel has none.
    glue.rootScope().$evalAsync(function () {});
  }

  // ---- login, contacts, logout -------------------------------------------------------------
  function selfInfo() {
    var account = glue.service('accountFactory');
    var userName = account.getUserName();
    if (!userName) {
      return null;
    }
    var contact = glue.service('contactFactory').getContact(userName, '', true);
    return {UserName: userName, User: wpw.plain(account.getUserInfo()),
            Contact: copyContact(contact)};
  }

  function emitLogin() {
    var info = selfInfo();
    if (info && !state.loginSent) {
      state.loginSent = true;
      wpw.emit('login', info);
    }
  }

  function wrapInitContact(contacts) {
    var orig = contacts.initContact;
    contacts.initContact = function () {
      var promise = orig.apply(this, arguments);
      if (promise && typeof promise.then === 'function') {
        promise.then(wpw.guard('initContact', function (reply) {
          var seq = reply && (reply.Seq !== undefined ? reply.Seq : (reply.data || {}).Seq);
          if (!Number(seq || 0)) {
            // The caller files this page in its own `then`, after ours: count after it.
            setTimeout(wpw.guard('initContact', markContactsDone), 0);
          }
        }));
      }
      return promise;
    };
  }

  function countContacts() {
    var all = glue.service('contactFactory').getAllContacts() || {};
    var n = 0;
    for (var k in all) { if (Object.prototype.hasOwnProperty.call(all, k)) { n++; } }
    return n;
  }

  /* Remember every member a room ever had and its previous topic: the 10000 system message that
     announces a removal or a rename arrives AFTER the room object has already been updated. */
  function rememberRoom(c) {
    if (!c || !c.UserName || c.UserName.indexOf('@@') !== 0) {
      return;
    }
    var known = glue.service('contactFactory').getContact(c.UserName, '', true);
    if (known && known.NickName && c.NickName && known.NickName !== c.NickName) {
      state.oldTopics[c.UserName] = known.NickName;
    }
    var list = (c.MemberList && c.MemberList.length) ? c.MemberList : (known && known.MemberList);
    var ever = state.everMembers[c.UserName] || (state.everMembers[c.UserName] = {});
    for (var i = 0; list && i < list.length; i++) {
      if (list[i] && list[i].UserName) { ever[list[i].UserName] = copyMember(list[i]); }
    }
  }

  function wrapAddContact(contacts) {
    var orig = contacts.addContact;
    contacts.addContact = function (c) {
      var had = false;
      try {
        had = hadMembers(c);
        rememberRoom(c);
      } catch (e) { /* never break the client's own filing */ }
      var result = orig.apply(this, arguments);
      if (had) {
        // Python caches a room's members to match @mentions; a room filed again (members,
        // names, topic) makes that stale. A room first filled now (a batchget) was never cached.
        wpw.emit('room-changed', {id: c.UserName});
      }
      return result;
    };
  }

  function hadMembers(c) {
    if (!state.contactsLoaded || !c || typeof c.UserName !== 'string' ||
        c.UserName.indexOf('@@') !== 0) {
      return false;
    }
    var known = glue.service('contactFactory').getContact(c.UserName, '', true);
    return !!(known && known.MemberList && known.MemberList.length);
  }

  function wrapLoginout() {
    var login = glue.service('loginFactory');
    var orig = login.loginout;
    login.loginout = function (type) {
      wpw.emit('logout', {type: type === undefined ? null : type, reason: 'loginout'});
      return orig.apply(this, arguments);
    };
  }

  // ---- messages ----------------------------------------------------------------------------
  function wrapMessageProcess(chat) {
    var orig = chat.messageProcess;
    chat.messageProcess = function (msg) {
      try {
        if (msg && msg.MsgId !== undefined && msg.MsgType !== undefined) {
          state.rawTypes[String(msg.MsgId)] = msg.MsgType;
        }
      } catch (e) { /* ignore */ }
      return orig.apply(this, arguments);
    };
  }

  function wrapRecall(chat) {
    var orig = chat._recalledMsgProcess;
    if (typeof orig !== 'function') {
      return;
    }
    chat._recalledMsgProcess = function (msg) {
      try {
        var text = String(msg.Content || '');
        var found = /(?:<|&lt;)msgid(?:>|&gt;)(\d+)(?:<|&lt;)\/msgid/.exec(text);
        wpw.emit('recall', {msg: copyMessage(msg), recalled_id: found ? found[1] : ''});
      } catch (e) { /* ignore */ }
      return orig.apply(this, arguments);
    };
  }

  function onMessage(event, msg) {
    try {
      if (!msg || msg.MsgId === undefined) {
        return;
      }
      // A message this page sends is reported once, with the server id, on root:msgSend:success.
      if (msg.MMStatus === 0 || msg.MMStatus === 1) {
        return;
      }
      var copy = copyMessage(msg);
      delete state.rawTypes[copy.MsgId];
      wpw.emit('message', copy);
    } catch (e) {
      try { wpw.emit('js-error', {where: 'message', message: String(e && e.message || e)}); }
      catch (e2) { /* swallow: a throw here would lose the rest of the sync batch */ }
    }
  }

  function onSent(event, msg) {
    try {
      if (msg && msg.MsgId !== undefined) {
        wpw.emit('message', copyMessage(msg));
      }
    } catch (e) { /* see onMessage */ }
  }

  /* Phase "boot": the services exist; on the early path no controller has run yet, so every
     wrapper is in place before the client's first call. */
  function install() {
    var root = glue.rootScope();
    var contacts = glue.service('contactFactory');
    var chat = glue.service('chatFactory');
    wrapInitContact(contacts);
    wrapAddContact(contacts);
    wrapMessageProcess(chat);
    wrapRecall(chat);
    wrapLoginout();
    root.$on('message:add:success', onMessage);
    root.$on('root:msgSend:success', onSent);
    root.$on('root:pageInit:success', wpw.guard('pageInit', emitLogin));
    var mmcgi = window.MMCgi || {};
    wpw.emit('boot', {url: String(location.href), isLogin: !!mmcgi.isLogin, path: glue.path()});
    state.installed = true;
  }

  /* Phase "compiled": the scopes exist. On the late path the login and the contact paging may
     be over already: both are read from state. */
  function installScopes() {
    watchLogin();
    emitLogin();
    maybeContactsLoaded();
  }

  wpw.hooks = {
    state: state,
    expectReply: expectReply,
    copyContact: copyContact,
    copyMember: copyMember,
    copyMessage: copyMessage,
    selfInfo: selfInfo
  };
  /* After a host switch the browser itself navigates to webwxnewloginpage (surface: the page
     follows a redirect_uri on another host), so a refusal is this document's own text, not an
     XHR answer; there is no angular app here to boot. */
  function documentRefused() {
    if (window.top !== window || location.pathname.indexOf('/webwxnewloginpage') < 0) {
      return;
    }
    loginReplied({responseText: document.body ? document.body.textContent : ''});
  }

  wpw.onReady(function () {
    if (document.readyState === 'loading') {
      document.addEventListener('DOMContentLoaded', wpw.guard('refused', documentRefused));
    } else {
      wpw.guard('refused', documentRefused)();
    }
  });
  // Waiters are only armed by actions; settle() is cheap when none are pending.
  glue.onBoot(install);
  glue.onCompiled(installScopes);
})();
