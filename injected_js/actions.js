/*
 * actions.js: the handlers Python calls through __wpw.call(name, args).
 *
 * Each returns plain JSON or a Promise of it; a server failure rejects with
 * __wpw.webwxError(op, ret, errMsg) so Python can raise WebWxError / RateLimitedError.
 * Services come from __wpw.glue; no angular here.
 */
(function () {
  'use strict';
  var wpw = window.__wpw;
  if (!wpw || wpw.actions) {
    return;
  }
  var glue = wpw.glue;
  var hooks = wpw.hooks;
  var svc = glue.service;

  function isRoom(u) {
    return typeof u === 'string' && (u.indexOf('@@') === 0 || /@chatroom$/.test(u));
  }

  function lookup(u) {
    var contacts = svc('contactFactory');
    return contacts.getContact(u, '', true) || contacts.getStrangerContacts(u) || null;
  }

  /* Resolve when check() returns something truthy, polling every 50 ms up to ms. */
  function waitFor(check, ms) {
    return new wpw.Promise(function (resolve) {
      var first = check();
      if (first || !ms) {
        resolve(first || null);
        return;
      }
      var started = Date.now();
      var timer = setInterval(function () {
        var value = check();
        if (value || Date.now() - started > ms) {
          clearInterval(timer);
          resolve(value || null);
        }
      }, 50);
    });
  }

  function fetchContact(u, waitMs, needMembers) {
    var ready = function () {
      var c = lookup(u);
      if (!c || (needMembers && isRoom(u) && !(c.MemberList && c.MemberList.length))) {
        return null;
      }
      return c;
    };
    if (!ready()) {
      try {
        // A miss (or a room without members) queues a batchget; the answer files the contact.
        svc('contactFactory').addBatchgetContact({UserName: u, EncryChatRoomId: ''}, true);
      } catch (e) { /* already queued */ }
    }
    return waitFor(ready, waitMs).then(function (c) {
      return c || lookup(u);
    });
  }

  function keys(map, filter) {
    var out = [];
    for (var k in map) {
      if (Object.prototype.hasOwnProperty.call(map, k) && filter(k, map[k])) {
        out.push(k);
      }
    }
    return out;
  }

  function selfName() {
    return svc('accountFactory').getUserName();
  }

  function inRoom(room) {
    var me = selfName();
    var list = room.MemberList || [];
    if (!list.length) {
      return !!room.ContactFlag;
    }
    for (var i = 0; i < list.length; i++) {
      if (list[i].UserName === me) { return true; }
    }
    return false;
  }

  function check(op, reply) {
    var base = (reply && reply.BaseResponse) || {};
    var ret = Number(base.Ret);
    if (ret !== 0) {
      throw wpw.webwxError(op, isNaN(ret) ? -1 : ret, String(base.ErrMsg || ''));
    }
    return reply;
  }

  function expectRoomOp(fun, room) {
    return hooks.expectReply('webwxupdatechatroom?fun=' + fun, function (body) {
      return body && body.ChatRoomName === room;
    }, 30000);
  }

  function roomOpResult(op, result) {
    if (result.ret !== 0) {
      throw wpw.webwxError(op, result.ret, result.errMsg);
    }
    return {ok: true};
  }

  var handlers = {
    heartbeat: function () {
      var booted = !!glue.injector();
      return {t: Date.now(), booted: booted, userName: booted ? selfName() || null : null,
              synccheck: wpw.plain(window.synccheck || null)};
    },
    state: function () {
      var booted = !!glue.injector();
      return {booted: booted, url: String(location.href), isLogin: !!(window.MMCgi || {}).isLogin,
              self: booted ? hooks.selfInfo() : null,
              contactsLoaded: hooks.state.contactsLoaded};
    },
    self: function () { return hooks.selfInfo(); },
    logout: function () {
      svc('loginFactory').loginout(0);
      return true;
    },

    'contact.list': function () {
      var contacts = svc('contactFactory');
      var notRoom = function (k) { return !isRoom(k); };
      var ids = keys(contacts.getAllContacts() || {}, notRoom);
      return ids.concat(keys(window._strangerContacts || {}, function (k) {
        return notRoom(k) && !(contacts.getAllContacts() || {})[k];
      }));
    },
    'contact.get': function (args) {
      var ids = args.ids || [];
      var jobs = [];
      for (var i = 0; i < ids.length; i++) {
        jobs.push(fetchContact(ids[i], args.wait || 0, false).then(hooks.copyContact));
      }
      return wpw.Promise.all(jobs);
    },
    'contact.alias': function (args) {
      var contact = lookup(args.id);
      var account = svc('accountFactory');
      var data = {UserName: args.id, CmdId: svc('confFactory').oplogCmdId.MODREMARKNAME,
                  RemarkName: args.alias, BaseRequest: account.getBaseRequest().BaseRequest};
      return new wpw.Promise(function (resolve, reject) {
        svc('mmHttp')({method: 'POST', url: svc('confFactory').API_webwxoplog, data: data,
                       MMRetry: {count: 3, timeout: 10000, serial: true}})
          .success(function (reply) {
            try {
              check('webwxoplog', reply);
              if (contact) { contact.RemarkName = args.alias; }
              resolve(true);
            } catch (e) { reject(e); }
          })
          .error(function () { reject(wpw.webwxError('webwxoplog', -1, 'request failed')); });
      });
    },

    'room.list': function () {
      var rooms = svc('contactFactory').getAllChatroomContact({isNewArray: true}) || [];
      var out = [];
      for (var i = 0; i < rooms.length; i++) {
        // The kick trap: a room we left stays in _contacts with a stale member list.
        var current = (window._contacts || {})[rooms[i].UserName];
        if (current && inRoom(current) && !(window._strangerContacts || {})[rooms[i].UserName]) {
          out.push(rooms[i].UserName);
        }
      }
      return out;
    },
    'room.get': function (args) {
      var ids = args.ids || [];
      var jobs = [];
      for (var i = 0; i < ids.length; i++) {
        jobs.push(fetchContact(ids[i], args.wait || 0, true).then(hooks.copyContact));
      }
      return wpw.Promise.all(jobs);
    },
    'room.members': function (args) {
      return fetchContact(args.id, args.wait || 0, true).then(function (room) {
        if (!room) { return null; }
        var members = {};
        var list = room.MemberList || [];
        for (var i = 0; i < list.length; i++) {
          // Full contacts only when asked: a 500-member room costs 500 copies per call.
          members[list[i].UserName] = args.contacts === false ? null
            : hooks.copyContact(lookup(list[i].UserName));
        }
        var ever = hooks.state.everMembers[args.id] || {};
        var past = [];
        for (var k in ever) {
          if (Object.prototype.hasOwnProperty.call(ever, k) && !members.hasOwnProperty(k)) {
            past.push(ever[k]);
          }
        }
        return {room: hooks.copyContact(room), contacts: members, past: past,
                oldTopic: hooks.state.oldTopics[args.id] || null};
      });
    },
    'room.create': function (args) {
      var list = [];
      for (var i = 0; i < args.ids.length; i++) { list.push({UserName: args.ids[i]}); }
      return svc('chatroomFactory').create(list).then(function (reply) {
        var ret = Number(((reply || {}).BaseResponse || {}).Ret);
        if (ret !== 0 && ret !== -2013) { check('webwxcreatechatroom', reply); }
        return {ChatRoomName: reply.ChatRoomName};
      }, function (reply) {
        var base = (reply && reply.BaseResponse) || {};
        throw wpw.webwxError('webwxcreatechatroom', Number(base.Ret || -1), base.ErrMsg);
      });
    },
    'room.add': function (args) {
      return new wpw.Promise(function (resolve, reject) {
        svc('chatroomFactory').addMember(args.room, args.ids.join(','), function (reply) {
          var ret = Number(((reply || {}).BaseResponse || {}).Ret);
          if (ret === 0 || ret === -2013) {
            resolve(true);
          } else {
            reject(wpw.webwxError('webwxupdatechatroom', isNaN(ret) ? -1 : ret,
                                  ((reply || {}).BaseResponse || {}).ErrMsg));
          }
        });
      });
    },
    'room.del': function (args) {
      var done = expectRoomOp('delmember', args.room);
      svc('chatroomFactory').delMember(args.room, args.id);
      return done.then(function (r) { return roomOpResult('webwxupdatechatroom', r); });
    },
    'room.topic': function (args) {
      var done = expectRoomOp('modtopic', args.room);
      svc('chatroomFactory').modTopic(args.room, args.topic);
      return done.then(function (r) { return roomOpResult('webwxupdatechatroom', r); });
    },
    'room.quit': function (args) {
      var done = expectRoomOp('quitchatroom', args.room);
      svc('chatroomFactory').quit(args.room);
      return done.then(function (r) { return roomOpResult('webwxupdatechatroom', r); });
    },

    'friendship.verify': function (args) {
      var req = {UserName: args.userName, Opcode: args.opcode, Scene: 33,
                 Ticket: args.ticket || '', VerifyContent: args.hello || ''};
      return svc('contactFactory').verifyUser(req).then(function () { return true; },
        function (reply) {
          var base = (reply && reply.BaseResponse) || {};
          throw wpw.webwxError('webwxverifyuser', Number(base.Ret || -1), base.ErrMsg);
        });
    },

    'message.get': function (args) {
      var msg = svc('chatFactory').getMsg(args.id);
      return msg ? hooks.copyMessage(msg) : null;
    },
    'message.sendText': function (args) {
      return sendAndWait({ToUserName: args.to, MsgType: 1, Content: args.content}, 'webwxsendmsg');
    }
  };

  /* createMessage -> appendMessage -> sendMessage, resolved once MMStatus is 2 (server id set). */
  function sendAndWait(init, op) {
    var chat = svc('chatFactory');
    var root = glue.rootScope();
    var msg = chat.createMessage(init);
    var reply = hooks.expectReply(op, function (body) {
      return body && body.Msg && String(body.Msg.ClientMsgId) === String(msg.ClientMsgId);
    }, 60000);
    return new wpw.Promise(function (resolve, reject) {
      var stop = root.$watch(function () { return msg.MMStatus; }, function (status) {
        if (status === 2) {
          stop();
          resolve(hooks.copyMessage(msg));
        } else if (status === 5) {
          stop();
          reply.then(function (r) {
            var error = wpw.webwxError(op, r.ret === 0 ? -1 : r.ret, r.errMsg);
            // Every answer lost is not a failure yet: the server may have sent it (guard.js).
            wpw.syncGuard.settleLostSend(msg, r, error).then(resolve, reject);
          });
        }
      });
      glue.apply(function () {
        chat.appendMessage(msg);
        chat.sendMessage(msg);
      });
    });
  }

  wpw.actions = {sendAndWait: sendAndWait, fetchContact: fetchContact, lookup: lookup};
  for (var name in handlers) {
    if (Object.prototype.hasOwnProperty.call(handlers, name)) {
      wpw.register(name, handlers[name]);
    }
  }
})();
