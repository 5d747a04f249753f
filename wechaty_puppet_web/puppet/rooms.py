"""Rooms of :class:`~wechaty_puppet_web.PuppetWeb` (``chatroomFactory`` in the page).

The room calls that report nothing in the page (delMember, modTopic, quit) are confirmed by the
server's own answer, which the injected script reads off the client's request.
"""

from __future__ import annotations

from typing import Any, cast

from ..errors import NotFoundError, NotSupportedError
from ..payloads import RoomMemberPayload, RoomPayload
from ..protocol import parse
from ..protocol.raw import RawContact, RawMember
from .contacts import FETCH_WAIT_MS, ContactMixin


class RoomMixin(ContactMixin):
    """room_* methods."""

    async def _raw_room(self, room_id: str) -> RawContact:
        self._require_login()
        if not parse.is_room_id(room_id):
            raise NotFoundError("room", room_id)
        found = await self._bridge.call("room.get", {"ids": [room_id], "wait": FETCH_WAIT_MS})
        if not isinstance(found, list) or not found or not isinstance(found[0], dict):
            raise NotFoundError("room", room_id)
        return cast(RawContact, found[0])

    async def room_list(self) -> list[str]:
        """Ids of the rooms the bot is in.

        Raises:
            NotLoggedInError: before login.
        """
        self._require_login()
        ids = await self._bridge.call("room.list")
        return [str(i) for i in ids] if isinstance(ids, list) else []

    async def room_payload(self, room_id: str) -> RoomPayload:
        """The room's payload (topic, members, owner when known).

        Raises:
            NotLoggedInError / NotFoundError: before login / unknown id.
        """
        raw = await self._raw_room(room_id)
        payload = parse.parse_room(raw, self_id=self._require_login())
        self._room_topics[room_id] = payload.topic
        return payload

    async def room_search(self, query: str = "") -> list[str]:
        """Ids of rooms whose topic contains ``query`` (case-insensitive); all for ``""``."""
        ids = await self.room_list()
        if not query:
            return ids
        needle = query.casefold()
        found = []
        for room_id in ids:
            if needle in (await self.room_payload(room_id)).topic.casefold():
                found.append(room_id)
        return found

    async def room_members(self, room_id: str) -> list[str]:
        """Ids of the room's members.

        Raises:
            NotFoundError: unknown room.
        """
        return list((await self.room_payload(room_id)).member_ids)

    async def room_member_payload(self, room_id: str, member_id: str) -> RoomMemberPayload:
        """One member's payload (name, room alias, avatar).

        Raises:
            NotFoundError: unknown room or not a member.
        """
        raw = await self._raw_room(room_id)
        for member in cast(list[RawMember], raw.get("MemberList") or []):
            if member.get("UserName") == member_id:
                contacts = await self._raw_contacts([member_id], wait=0)
                contact = contacts[0] if contacts and isinstance(contacts[0], dict) else None
                return parse.parse_room_member(
                    member, room=raw, contact=cast(RawContact | None, contact)
                )
        raise NotFoundError("room member", member_id)

    async def room_create(self, contact_ids: list[str], topic: str = "") -> str:
        """Create a room with ``contact_ids`` (and the bot); set ``topic`` if given.

        Raises:
            WebWxError / RateLimitedError: the server refused.
        """
        self._require_login()
        args = {"ids": list(contact_ids)}
        reply = await self._room_call("webwxcreatechatroom", "room.create", args)
        room_id = str(reply.get("ChatRoomName", "")) if isinstance(reply, dict) else ""
        if not room_id:
            raise NotFoundError("room", "(created room had no ChatRoomName)")
        if topic:
            await self.room_topic(room_id, topic)
        return room_id

    async def room_add(self, room_id: str, contact_ids: list[str] | str) -> None:
        """Add (or invite, from 40 members on) contacts to a room.

        Raises:
            NotFoundError: unknown room. WebWxError / RateLimitedError: the server refused.
        """
        await self._raw_room(room_id)
        ids = [contact_ids] if isinstance(contact_ids, str) else list(contact_ids)
        await self._room_call("webwxupdatechatroom", "room.add", {"room": room_id, "ids": ids})

    async def room_delete(self, room_id: str, contact_ids: list[str] | str) -> None:
        """Remove members, one ``delMember`` per id (the client splices one name per call).

        Raises:
            NotFoundError: unknown room. WebWxError / RateLimitedError: the server refused.
        """
        await self._raw_room(room_id)
        ids = [contact_ids] if isinstance(contact_ids, str) else list(contact_ids)
        for contact_id in ids:
            args = {"room": room_id, "id": contact_id}
            await self._room_call("webwxupdatechatroom", "room.del", args)

    async def room_topic(self, room_id: str, topic: str | None = None) -> str:
        """Get the room's topic, or set it when ``topic`` is given.

        Raises:
            NotFoundError: unknown room. WebWxError / RateLimitedError: the server refused.
        """
        payload = await self.room_payload(room_id)
        if topic is None:
            return payload.topic
        await self._room_call(
            "webwxupdatechatroom", "room.topic", {"room": room_id, "topic": topic}
        )
        return topic

    async def room_quit(self, room_id: str) -> None:
        """Leave the room.

        Raises:
            NotFoundError: unknown room. WebWxError: the server refused.
        """
        await self._raw_room(room_id)
        await self._room_call("webwxupdatechatroom", "room.quit", {"room": room_id})

    async def _room_call(self, op: str, name: str, args: dict[str, Any]) -> Any:
        async def attempt() -> Any:
            return await self._bridge.call(name, args, timeout=max(self._wire.call_timeout, 35))

        return await self._retry_rate_limited(op, attempt)

    async def room_announce(self, room_id: str, text: str | None = None) -> str:
        """Reading or setting a room announcement is not possible on web WeChat.

        Raises:
            NotSupportedError: always.
        """
        raise NotSupportedError(
            "room_announce", "the web client cannot read or set a room announcement"
        )

    async def room_qr_code(self, room_id: str) -> str:
        """Not possible on web WeChat.

        Raises:
            NotSupportedError: always.
        """
        raise NotSupportedError("room_qr_code", "the web client cannot show a room's QR code")

    async def room_invitation_accept(self, room_invitation_id: str) -> None:
        """Not possible on web WeChat (invitation cards open on the phone only).

        Raises:
            NotSupportedError: always.
        """
        raise NotSupportedError("room_invitation_accept", "invitation cards open on the phone only")
