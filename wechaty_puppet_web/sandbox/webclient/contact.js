/* contactFactory: the real client's contact service over contactStore: lookups and lists, the
 * kick trap, the batchget queue (200 ms, 50 names per POST), initContact, verifyUser. */
(function (angular, window) {
  'use strict';

  angular.module('Services').factory('contactFactory', [
    '$http', '$q', '$timeout', '$rootScope', 'confFactory', 'utilFactory', 'accountFactory',
    'contactStore',
    function ($http, $q, $timeout, $rootScope, conf, util, account, store) {
      var contacts = store.contacts;
      var strangers = store.strangers;
      var memberDisplayNames = store.memberDisplayNames;
      var extend = store.extend;
      var mergeInto = store.mergeInto;
      var fileInto = store.fileInto;
      var orderSymbol = store.orderSymbol;
      var friendArray = [];
      var roomArray = [];
      var batchState = {};
      var batchQueue = [];
      var batchTimer = null;
      var currentContact = null;
      var factory;
      function fileRoomMembers(room) {
        var self = account.getUserName();
        angular.forEach(room.MemberList || [], function (m) {
          if (m.DisplayName) {
            memberDisplayNames[room.UserName] = memberDisplayNames[room.UserName] || {};
            memberDisplayNames[room.UserName][m.UserName] = m.DisplayName;
          }
          if (m.UserName === self || contacts[m.UserName]) {
            return;
          }
          var member = angular.extend({}, m, {HeadImgUrl: conf.API_webwxgeticon +
            '?seq=0&username=' + m.UserName + '&skey=' + account.getSkey() + '&chatroomid=' +
            (room.EncryChatRoomId || '')});
          fileInto(strangers, extend(member));
        });
      }

      function flushBatch(deferred) {
        batchTimer = null;
        var queue = batchQueue;
        batchQueue = [];
        var chunks = [];
        for (var i = 0; i < queue.length; i += 50) {
          chunks.push(queue.slice(i, i + 50));
        }
        var all = [];
        $q.all(chunks.map(function (chunk) {
          angular.forEach(chunk, function (item) {
            batchState[item.UserName] = 'fetching';
          });
          return factory.batchGetContact(chunk).then(function (list) {
            angular.forEach(chunk, function (item) {
              delete batchState[item.UserName];
            });
            all = all.concat(list);
          }, function () {
            // Errored names are refused for a while (inferred: 5 s), then may be queued again.
            angular.forEach(chunk, function (item) {
              batchState[item.UserName] = 'error';
            });
            $timeout(function () {
              angular.forEach(chunk, function (item) {
                delete batchState[item.UserName];
              });
            }, 5000, false);
          });
        })).then(function () {
          deferred.resolve(all);
        });
      }

      factory = {
        contactChangeFlag: 0,
        getContact: function (userName, roomUserName, noBatchGet) {
          var c = contacts[userName] || strangers[userName];
          var roomEmpty = c && util.isRoomContact(userName) && !(c.MemberList && c.MemberList.length);
          if (!noBatchGet && userName && (!c || roomEmpty)) {
            this.addBatchgetContact({UserName: userName, EncryChatRoomId: roomUserName || ''});
          }
          return c;
        },
        getAllContacts: function () {
          return contacts;
        },
        getStrangerContacts: function (userName) {
          return strangers[userName];
        },
        isSelf: function (userName) {
          return userName === account.getUserName();
        },
        getContactOrderSymbol: orderSymbol,
        getAllFriendContact: function (opts) {
          opts = opts || {};
          var out = opts.isNewArray ? [] : friendArray;
          out.length = 0;
          var kw = opts.keyword;
          angular.forEach(contacts, function (c) {
            if (!c.isContact() || c.isSelf() || c.isRoomContact() || c.isShieldUser()) {
              return;
            }
            if ((opts.isWithoutBrand && c.isBrandContact()) || (opts.isWithoutStar && c.StarFriend)) {
              return;
            }
            if ((kw && !c.canSearch(kw)) || (opts.filterContacts &&
                opts.filterContacts[c.UserName])) {
              return;
            }
            out.push(c);
          });
          out.sort(function (a, b) {
            return a.MMOrderSymbol < b.MMOrderSymbol ? -1 : a.MMOrderSymbol > b.MMOrderSymbol ? 1 : 0;
          });
          return out;
        },
        getAllChatroomContact: function (opts) {
          opts = opts || {};
          var out = opts.isNewArray ? [] : roomArray;
          out.length = 0;
          angular.forEach(contacts, function (c) {
            if (c.isRoomContact() && (!opts.isSaved || c.isContact()) &&
                (!opts.keyword || c.chatroomCanSearch(opts.keyword))) {
              out.push(c);
            }
          });
          return out;
        },
        getAllBrandContact: function (opts) {
          var kw = opts && opts.keyword;
          var out = [];
          angular.forEach(contacts, function (c) {
            if (c.isBrandContact() && !c.isShieldUser() && (!kw || c.canSearch(kw))) {
              out.push(c);
            }
          });
          return out;
        },
        getAllStarContact: function (opts) {
          return this.getAllFriendContact(angular.extend({}, opts, {isNewArray: true}))
            .filter(function (c) {
              return c.StarFriend === 1;
            });
        },
        getCurrentContact: function () {
          return currentContact;
        },
        setCurrentContact: function (c) {
          currentContact = c;
        },
        // The room of an EncryChatRoomId-less member lookup: the rooms listing userName.
        getChatroomIdByUserName: function (userName) {
          var found = '';
          angular.forEach(contacts, function (c) {
            if (!found && c.isRoomContact() && (c.MemberList || []).some(function (m) {
              return m.UserName === userName;
            })) {
              found = c.UserName;
            }
          });
          return found;
        },
        addChatroomMemberDisplayName: function (roomUserName, member) {
          if (member && member.DisplayName) {
            memberDisplayNames[roomUserName] = memberDisplayNames[roomUserName] || {};
            memberDisplayNames[roomUserName][member.UserName] = member.DisplayName;
          }
        },
        // The batchget queue's states of one name (queued, in flight, refused after an error).
        inContactsToGetList: function (userName) {
          return batchState[userName] === 'queued';
        },
        inContactsGettingList: function (userName) {
          return batchState[userName] === 'fetching';
        },
        inContactsWithErrorToGetList: function (userName) {
          return batchState[userName] === 'error';
        },
        inContactsGetErrMap: function (userName) {
          return batchState[userName] === 'error';
        },
        // Special accounts get their fixed names (filehelper, weixin…) and no contact flag
        // (fmessage), whatever the server sent.
        specialContactHandler: function (c) {
          return store.special(c);
        },
        getChatRoomMembersContact: function (roomUserName, withoutMe) {
          var room = contacts[roomUserName] || strangers[roomUserName];
          var self = account.getUserName();
          return ((room && room.MemberList) || []).filter(function (m) {
            return !(withoutMe && m.UserName === self);
          }).map(function (m) {
            return contacts[m.UserName] || strangers[m.UserName] || m;
          });
        },
        addContact: function (raw) {
          if (!raw || !raw.UserName) {
            return;
          }
          var c = extend(raw);
          if (raw.MMFromBatchGet) {
            c.MMFromBatchGet = true;
          }
          if (!c.isShieldUser() && (c.isContact() || c.isRoomContact())) {
            this.addFriendContact(c);
          } else {
            // Kick trap: a room whose MemberList lost self is filed here; the stale entry (self
            // still a member) stays in _contacts and in getAllChatroomContact().
            fileInto(strangers, c);
          }
          if (c.isRoomContact() && c.MMFromBatchGet) {
            fileRoomMembers(c);
          }
        },
        addFriendContact: function (c) {
          fileInto(contacts, c);
          delete strangers[c.UserName];
          this.contactChangeFlag = +new Date();
        },
        addContacts: function (list, fromBatch) {
          var me = this;
          angular.forEach(list || [], function (raw) {
            if (fromBatch) {
              raw.MMFromBatchGet = true;
            }
            me.addContact(raw);
          });
        },
        deleteContact: function (raw) {
          var old = contacts[raw.UserName];
          if (old) {
            delete contacts[raw.UserName];
            strangers[raw.UserName] = mergeInto(old, raw);
            this.contactChangeFlag = +new Date();
          }
        },
        addStrangerContact: function (plain) {
          // Request / card subjects: plain objects, no methods (getContact(u).isContact is undefined).
          if (plain && plain.UserName && !contacts[plain.UserName]) {
            strangers[plain.UserName] = plain;
          }
        },
        // `force`: queue even a name whose last batchget failed (the 5 s refusal is skipped).
        addBatchgetContact: function (item, isBatchNow, force) {
          if (force && item && batchState[item.UserName] === 'error') {
            delete batchState[item.UserName];
          }
          if (!item || !item.UserName || batchState[item.UserName]) {
            return undefined;
          }
          batchState[item.UserName] = 'queued';
          batchQueue.push(item);
          if (batchTimer) {
            // Only the call whose timer triggers the batch gets a resolving promise (inferred).
            return $q.defer().promise;
          }
          var deferred = $q.defer();
          batchTimer = $timeout(function () {
            flushBatch(deferred);
          }, isBatchNow ? 0 : 200);
          return deferred.promise;
        },
        // Every member of a room not known yet, 50 to a POST.
        addBatchgetChatroomMembersContact: function (roomUserName) {
          var me = this;
          var room = contacts[roomUserName] || strangers[roomUserName];
          angular.forEach((room && room.MemberList) || [], function (m) {
            if (!contacts[m.UserName] && !strangers[m.UserName]) {
              me.addBatchgetContact({UserName: m.UserName, EncryChatRoomId: room.UserName});
            }
          });
        },
        addBatchgetChatroomContact: function (roomUserName) {
          var room = contacts[roomUserName] || strangers[roomUserName];
          if (!room || !room.MMBatchgetMember) {
            if (room) {
              room.MMBatchgetMember = true;
            }
            this.addBatchgetContact({UserName: roomUserName, EncryChatRoomId: ''});
          }
        },
        batchGetContact: function (list) {
          var me = this;
          var body = angular.extend(account.getBaseRequest(), {Count: list.length, List: list});
          return $http.post(conf.API_webwxbatchgetcontact + '?type=ex&r=' + util.now(), body)
            .then(function (resp) {
              var contactList = (resp.data && resp.data.ContactList) || [];
              me.addContacts(contactList, true);
              return contactList;
            });
        },
        // One webwxgetcontact page from Seq `arguments[0]` (declared without parameters, as on the
        // real page); the caller files MemberList and follows Seq while it is not 0.
        initContact: function () {
          var seq = arguments[0];
          var url = conf.API_webwxgetcontact + '?r=' + util.now() + '&seq=' + (seq || 0) + '&skey=' +
            account.getSkey();
          return $http.get(url).then(function (resp) {
            return resp.data;
          });
        },
        verifyUser: function (o) {
          var deferred = $q.defer();
          var body = angular.extend(account.getBaseRequest(), {
            Opcode: o.Opcode || conf.VERIFYUSER_OPCODE_VERIFYOK,
            VerifyUserListSize: 1,
            VerifyUserList: [{Value: o.UserName, VerifyUserTicket: o.Ticket || ''}],
            VerifyContent: o.VerifyContent || '',
            SceneListCount: 1,
            SceneList: [o.Scene || conf.ADDSCENE_PF_WEB],
            skey: account.getSkey()
          });
          $http.post(conf.API_webwxverifyuser + '?r=' + util.now(), body).success(function (data) {
            if (data && data.BaseResponse && data.BaseResponse.Ret === 0) {
              deferred.resolve(data);
            } else {
              deferred.reject(data);
            }
          }).error(function (data) {
            deferred.reject(data);
          });
          return deferred.promise;
        },
        setTopContact: function (userName, isTop) {
          var c = contacts[userName];
          if (!c) {
            return;
          }
          c.ContactFlag = isTop ? c.ContactFlag | conf.CONTACTFLAG_TOPCONTACT :
            c.ContactFlag & ~conf.CONTACTFLAG_TOPCONTACT;
          $rootScope.$broadcast('contact:settop', c);
          $http.post(conf.API_webwxoplog, angular.extend(account.getBaseRequest(), {
            UserName: userName, CmdId: conf.oplogCmdId.TOPCONTACT, OP: isTop ? 1 : 0,
            RemarkName: c.RemarkName || ''}));
        },
        remoteSearch: function (keyword) {
          return $http.post(conf.API_webwxsearch, angular.extend(account.getBaseRequest(),
            {KeyWord: keyword})).then(function (resp) {
            return resp.data;
          });
        },
        // `filter(contact)`: false leaves a contact out.
        pickContacts: function (types, opts, filter) {
          var out = [];
          if (types.indexOf('friend') > -1) {
            out = out.concat(this.getAllFriendContact(angular.extend({isNewArray: true}, opts)));
          }
          if (types.indexOf('chatroom') > -1) {
            out = out.concat(this.getAllChatroomContact(angular.extend({isNewArray: true}, opts)));
          }
          return filter ? out.filter(filter) : out;
        }
      };
      return factory;
    }]);
})(window.angular, window);
