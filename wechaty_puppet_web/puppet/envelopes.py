"""Envelopes from the page -> Wechaty events (a table of handlers, one per envelope name).

Runs on one consumer task, so events come out in page order. Raw data is turned into payloads
only by :mod:`.protocol.parse` / :mod:`.protocol.sysmsg`; this module decides *which* events a
piece of page data means (scan states, login/ready/logout, messages, friendships, room events).
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, cast

from ..browser.bridge import Envelope
from ..errors import BrowserError, InjectionError, ProtocolError, SyncBackoffError
from ..events import (
    FriendshipEvent,
    LoginEvent,
    LogoutEvent,
    MessageEvent,
    ReadyEvent,
    RoomInviteEvent,
    RoomJoinEvent,
    RoomLeaveEvent,
    RoomTopicEvent,
    ScanEvent,
)
from ..payloads import (
    FriendshipPayload,
    MessagePayload,
    MessageType,
    RoomMemberPayload,
    ScanStatus,
)
from ..protocol import parse
from ..protocol.raw import RawContact, RawMember, RawMessage, RawRecall
from ..protocol.sysmsg import RoomJoinSys, RoomLeaveSys, RoomTopicSys, match_system_message
from ..protocol.sysmsg import resolve_names as resolve
from .core import PuppetCore

_log = logging.getLogger("wechaty_puppet_web.puppet")

QR_TEXT_PREFIX = "https://login.weixin.qq.com/l/"
MEMBER_WAIT_MS = 3000  # how long the page may wait for a batchget to fill a room's members
MEMBER_CACHE_ROOMS = 32  # rooms whose members are kept for @mention matching (newest used win)


def scan_status(state: dict[str, Any]) -> ScanStatus:
    """The Wechaty scan status the login scope's fields mean (surface §2.1-2.2)."""
    code = state.get("code")
    if state.get("isNeedRefresh") or code == 400:
        return ScanStatus.TIMEOUT
    if code == 200:
        return ScanStatus.CONFIRMED
    if code == 202:
        return ScanStatus.CANCEL
    if code == 201 or state.get("isScan"):
        return ScanStatus.SCANNED
    if code in (0, 408):
        return ScanStatus.WAITING
    return ScanStatus.UNKNOWN


class EventsMixin(PuppetCore):
    """Turns page envelopes into events; the consumer loop lives in PuppetWeb."""

    def _init_events(self) -> None:
        self._last_scan: tuple[ScanStatus, str] | None = None
        self._uin = ""
        self._contacts_loaded = False
        self._friendships: dict[str, FriendshipPayload] = {}
        self._room_topics: dict[str, str] = {}
        # room id -> its members, for @mentions; dropped on the page's "room-changed" hook.
        self._member_cache: OrderedDict[str, tuple[RoomMemberPayload, ...]] = OrderedDict()
        self._handlers: dict[str, Callable[[Any], Awaitable[None]]] = {
            "boot": self._ev_boot,
            "scan": self._ev_scan,
            "login": self._ev_login,
            "contacts-loaded": self._ev_contacts_loaded,
            "logout": self._ev_logout,
            "message": self._ev_message,
            "recall": self._ev_recall,
            "room-changed": self._ev_room_changed,
            "js-error": self._ev_js_error,
            "bad-item": self._ev_bad_item,
            "sync-backoff": self._ev_sync_backoff,
            "sync-recovered": self._ev_sync_recovered,
            "send-confirmed": self._ev_send_confirmed,
            "boot-timeout": self._ev_boot_timeout,
        }

    async def _handle_envelope(self, env: Envelope) -> None:
        self.envelope_time = env.t / 1000.0
        handler = self._handlers.get(env.name)
        _log.debug("envelope %s seq=%d", env.name, env.seq)
        if handler is None:
            _log.debug("ignoring unknown envelope %r", env.name)
            return
        try:
            await handler(env.payload if isinstance(env.payload, dict) else {})
        except Exception as exc:  # one bad page payload must not stop the loop
            _log.debug("envelope %s failed: %r", env.name, exc)
            self._emit_error(exc, f"envelope:{env.name}")

    # hooks the facade implements (session file)
    async def _session_saved(self) -> None:  # pragma: no cover - overridden
        return None

    def _session_cleared(self) -> None:  # pragma: no cover - overridden
        return None

    async def _page_logged_in(self, logged_in: bool) -> None:  # pragma: no cover - overridden
        return None

    # ---- login lifecycle ----------------------------------------------------------------

    async def _ev_boot(self, data: dict[str, Any]) -> None:
        self._contacts_loaded = False
        if not data.get("isLogin"):
            await self._page_logged_in(False)
        self._member_cache.clear()  # a new document: its rooms may change unseen until it hooks
        if self._self_id is not None and not data.get("isLogin"):
            # A new document without a session while we thought we were in: logged out.
            await self._ev_logout({"reason": "session ended (page shows the login screen)"})

    async def _ev_scan(self, data: dict[str, Any]) -> None:
        status = scan_status(data)
        uuid = str(data.get("uuid") or "")
        if status is ScanStatus.UNKNOWN or self._last_scan == (status, uuid):
            return
        self._last_scan = (status, uuid)
        qrcode = QR_TEXT_PREFIX + uuid if uuid else ""
        self.emit_event(
            ScanEvent(status=status, qrcode=qrcode, data=str(data.get("qrcodeUrl") or ""))
        )

    async def _ev_login(self, data: dict[str, Any]) -> None:
        user_name = str(data.get("UserName") or "")
        if not user_name:
            return
        await self._page_logged_in(True)
        self._confirm_scan()
        self._last_scan = None
        if self._self_id == user_name:
            return  # the same session after a reset: not a new login
        self._self_id = user_name
        user = data.get("User")
        self._uin = str(user.get("Uin") or "") if isinstance(user, dict) else ""
        self._ready = False
        await self._session_saved()  # first, so a `login` handler may stop the puppet at once
        self.emit_event(LoginEvent(contact_id=user_name))
        self._maybe_ready()

    def _confirm_scan(self) -> None:
        # On a host switch (wx -> wx2) the client navigates straight to the redirect: its login
        # scope never shows code 200, so a QR login reaches us as scan(s) then login. The login
        # proves the phone confirmed: say so first, as on the same-host path.
        last = self._last_scan
        if last is None or last[0] is ScanStatus.CONFIRMED:
            return
        uuid = last[1]
        self.emit_event(
            ScanEvent(status=ScanStatus.CONFIRMED, qrcode=QR_TEXT_PREFIX + uuid if uuid else "")
        )

    async def _ev_contacts_loaded(self, data: dict[str, Any]) -> None:
        self._contacts_loaded = True
        self._maybe_ready()

    def _maybe_ready(self) -> None:
        if self._self_id is not None and self._contacts_loaded and not self._ready:
            self._ready = True
            self.emit_event(ReadyEvent(data=""))

    async def _ev_logout(self, data: dict[str, Any]) -> None:
        if self._self_id is None:
            return
        contact_id, self._self_id = self._self_id, None
        await self._page_logged_in(False)
        self._ready = False
        self._contacts_loaded = False
        self._session_cleared()
        reason = str(data.get("reason") or "logout")
        self.emit_event(LogoutEvent(contact_id=contact_id, reason=reason))

    async def _ev_js_error(self, data: dict[str, Any]) -> None:
        where, message = data.get("where", "?"), data.get("message", "")
        self._emit_error(InjectionError(f"injected script failed in {where}: {message}"), "page")

    # ---- guard.js: junk in sync answers, back-off, sends confirmed through sync -------------

    async def _ev_bad_item(self, data: dict[str, Any]) -> None:
        where, why = str(data.get("list") or "?"), str(data.get("why") or "")
        error = ProtocolError(f"a malformed {where} item was skipped: {why}", data.get("item"))
        self._emit_error(error, "sync")

    async def _ev_sync_backoff(self, data: dict[str, Any]) -> None:
        code = str(data.get("code") or "")
        delay = data.get("delayMs")
        seconds = float(delay) / 1000 if isinstance(delay, int | float) else 0.0
        ret = int(code) if code.lstrip("-").isdigit() else -1
        self._emit_error(
            SyncBackoffError(str(data.get("endpoint") or "sync"), ret, seconds), "sync"
        )

    async def _ev_sync_recovered(self, data: dict[str, Any]) -> None:
        _log.info("sync answers are fine again after %s failures", data.get("failures"))

    async def _ev_send_confirmed(self, data: dict[str, Any]) -> None:
        _log.info("send %s had no answer but came back in sync as %s",
                  data.get("ClientMsgId"), data.get("MsgId"))  # fmt: skip

    async def _ev_boot_timeout(self, data: dict[str, Any]) -> None:
        self._emit_error(BrowserError("the web client did not start (no angular app)"), "page")

    # ---- messages -----------------------------------------------------------------------

    async def _ev_message(self, data: dict[str, Any]) -> None:
        raw = cast(RawMessage, data)
        msg_id = str(raw.get("MsgId") or "")
        if not msg_id or self._self_id is None or not self._first_emission(msg_id):
            return
        self._store_message(raw)
        members = await self._members_for(raw)
        payload = parse.parse_message(raw, self_id=self._self_id, members=members)
        self.emit_event(MessageEvent(message_id=msg_id, payload=payload))
        await self._after_message(raw, payload)

    async def _ev_recall(self, data: dict[str, Any]) -> None:
        recall = cast(RawRecall, data)
        msg = recall.get("msg")
        if not isinstance(msg, dict) or self._self_id is None:
            return
        msg_id = str(msg.get("MsgId") or "")
        if not msg_id or not self._first_emission(msg_id):
            return
        self._store_message(msg)
        payload = parse.parse_recall(recall, self_id=self._self_id)
        self.emit_event(MessageEvent(message_id=msg_id, payload=payload))

    async def _members_for(self, raw: RawMessage) -> Sequence[RoomMemberPayload]:
        """The room's members when ``raw`` may @mention someone by name, else ``()``.

        Only a room text with "@" after the sender prefix (``@hex:<br/>``, which every room
        message starts with) needs them: ``parse_message`` matches names for text only.
        """
        peer = str(raw.get("MMPeerUserName") or "")
        if not parse.is_room_id(peer) or parse.message_kind(raw)[0] is not MessageType.TEXT:
            return ()
        body = str(raw.get("Content") or "")
        if parse.is_room_id(raw.get("FromUserName")):
            _, body = parse.split_room_prefix(body)
        if "@" not in body:
            return ()
        cached = self._member_cache.get(peer)
        if cached is not None:
            self._member_cache.move_to_end(peer)
            return cached
        members, _ = await self._room_members_all(peer, contacts=False)
        if members:  # an unknown room (null) is asked again next time
            self._member_cache[peer] = tuple(members)
            while len(self._member_cache) > MEMBER_CACHE_ROOMS:
                self._member_cache.popitem(last=False)
        return members

    async def _ev_room_changed(self, data: dict[str, Any]) -> None:
        # The client filed new data for a room (members, names, topic): match against fresh ones.
        self._member_cache.pop(str(data.get("id") or ""), None)

    async def _room_members_all(
        self, room_id: str, *, remarks: bool = False, contacts: bool = True
    ) -> tuple[list[RoomMemberPayload], str | None]:
        """Current and past members of a room (past ones resolve names of removed people).

        With ``remarks``, each member the bot gave a remark to is listed once more under that
        remark: system lines name friends by the bot's remark for them. Without ``contacts``
        the page skips the members' full contacts (enough to match @mentions, and cheaper).
        """
        args = {"id": room_id, "wait": MEMBER_WAIT_MS, "contacts": contacts or remarks}
        info = await self._bridge.call("room.members", args)
        if not isinstance(info, dict):
            return [], None
        room = cast(RawContact, info.get("room") or {})
        known = cast(dict[str, RawContact | None], info.get("contacts") or {})
        raw_members = [*cast(list[RawMember], room.get("MemberList") or [])]
        raw_members += cast(list[RawMember], info.get("past") or [])
        members = [
            parse.parse_room_member(m, room=room, contact=known.get(str(m.get("UserName"))))
            for m in raw_members
        ]
        if remarks:
            self_id = self._require_login()
            for member_id, contact in known.items():
                alias = parse.parse_contact(contact, self_id=self_id).alias if contact else ""
                if alias:
                    members.append(RoomMemberPayload(id=member_id, name=alias))
        old = info.get("oldTopic")
        return members, str(old) if old else None

    async def _after_message(self, raw: RawMessage, payload: MessagePayload) -> None:
        self_id = self._require_login()
        friendship = parse.parse_friendship(raw, self_id=self_id)
        if friendship is not None:
            self._friendships[friendship.id] = friendship
            self.emit_event(FriendshipEvent(friendship_id=friendship.id, payload=friendship))
        if parse.is_room_invitation(raw):
            invitation = parse.parse_room_invitation(raw)
            self.emit_event(RoomInviteEvent(room_invitation_id=invitation.id, payload=invitation))
        if payload.room_id and payload.raw_type == 10000:
            await self._room_system(payload)

    async def _room_system(self, payload: MessagePayload) -> None:
        sys_event = match_system_message(payload.text)
        if not isinstance(sys_event, RoomJoinSys | RoomLeaveSys | RoomTopicSys):
            return
        room_id, self_id = payload.room_id, self._require_login()
        self._member_cache.pop(room_id, None)  # a join/leave/rename: the cached list is stale
        members, old_topic = await self._room_members_all(room_id, remarks=True)
        if isinstance(sys_event, RoomTopicSys):
            changer = resolve((sys_event.changer,), members, self_id=self_id)
            old = old_topic or self._room_topics.get(room_id, "")
            self._room_topics[room_id] = sys_event.topic
            self.emit_event(
                RoomTopicEvent(room_id=room_id, new_topic=sys_event.topic, old_topic=old,
                               changer_id=changer[0] if changer else "",
                               timestamp=payload.timestamp)
            )  # fmt: skip
            return
        if isinstance(sys_event, RoomJoinSys):
            actor, targets = sys_event.inviter, sys_event.invitees
        else:
            actor, targets = sys_event.remover, sys_event.removees
        ids = resolve(targets, members, self_id=self_id)
        if len(ids) < len(targets):
            # The room update may trail the system line: ask the page once more.
            await asyncio.sleep(0.3)
            members, _ = await self._room_members_all(room_id, remarks=True)
            ids = resolve(targets, members, self_id=self_id)
        actor_ids = resolve((actor,), members, self_id=self_id)
        actor_id = actor_ids[0] if actor_ids else ""
        if isinstance(sys_event, RoomJoinSys):
            self.emit_event(RoomJoinEvent(room_id=room_id, invitee_ids=ids, inviter_id=actor_id,
                                          timestamp=payload.timestamp))  # fmt: skip
        else:
            self.emit_event(RoomLeaveEvent(room_id=room_id, removee_ids=ids, remover_id=actor_id,
                                           timestamp=payload.timestamp))  # fmt: skip
