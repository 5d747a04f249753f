"""``WechatyPuppetWeb``: python-wechaty's ``Puppet`` interface answered by a PuppetWeb.

Every translation between the two worlds happens here, each in one place:

* message types: our TypeScript numbers to the gRPC enum python-wechaty uses
  (:mod:`~wechaty_puppet_web.interop.enums`; TEXT 7 is 6 there, and so on);
* events: ``heartbeat`` is ``heart-beat`` there, and the payload fields have other names
  (``invited_ids``/``removed_ids`` for our ``invitee_ids``/``removee_ids``, ``data`` for a
  logout's ``reason``): :data:`_EVENTS`;
* arguments: ``message_send_contact(contact_id, conversation_id)`` takes them the other way round,
  ``message_send_url`` a JSON string, ``room_add``/``room_delete`` one contact;
* FileBoxes: python-wechaty's and ours meet in Wechaty's FileBox JSON
  (:mod:`~wechaty_puppet_web.interop.filebox_json`);
* timestamps: milliseconds, as the Puppet Service gives them to python-wechaty.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from pyee.asyncio import AsyncIOEventEmitter
from wechaty_grpc.wechaty.puppet import FriendshipSceneType
from wechaty_puppet import FileBox as WechatyFileBox
from wechaty_puppet import Puppet, PuppetOptions
from wechaty_puppet.schemas import event as wev
from wechaty_puppet.schemas.mini_program import MiniProgramPayload as WechatyMiniProgram
from wechaty_puppet.schemas.types import (
    ContactGender,
    ContactPayload,
    ContactType,
    FriendshipPayload,
    FriendshipType,
    MessagePayload,
    MessageType,
    RoomInvitationPayload,
    RoomMemberPayload,
    RoomPayload,
)
from wechaty_puppet.schemas.url_link import UrlLinkPayload as WechatyUrlLink

from ..errors import NotSupportedError
from ..events import Event, EventName
from ..filebox import FileBox
from ..interop.enums import grpc_message_type
from ..interop.filebox_json import fetch_url, filebox_from_json, filebox_to_json
from ..options import PuppetWebOptions
from ..payloads import ImageType, UrlLinkPayload
from ..puppet import PuppetWeb

__all__ = ["WechatyPuppetWeb"]


def _text(data: Any) -> str:
    if data is None:
        return ""
    return data if isinstance(data, str) else json.dumps(data, ensure_ascii=False, default=str)


# Our event -> (python-wechaty's event name, its payload).
_EVENTS: dict[EventName, tuple[str, Callable[[Any], Any]]] = {
    EventName.SCAN: (
        "scan",
        lambda e: wev.EventScanPayload(
            status=wev.ScanStatus(int(e.status)), qrcode=e.qrcode, data=e.data
        ),
    ),
    EventName.LOGIN: ("login", lambda e: wev.EventLoginPayload(contact_id=e.contact_id)),
    EventName.LOGOUT: (
        "logout",
        lambda e: wev.EventLogoutPayload(contact_id=e.contact_id, data=e.reason),
    ),
    EventName.READY: ("ready", lambda e: wev.EventReadyPayload(data=e.data or "ready")),
    EventName.MESSAGE: ("message", lambda e: wev.EventMessagePayload(message_id=e.message_id)),
    EventName.FRIENDSHIP: (
        "friendship",
        lambda e: wev.EventFriendshipPayload(friendship_id=e.friendship_id),
    ),
    EventName.ROOM_JOIN: (
        "room-join",
        lambda e: wev.EventRoomJoinPayload(
            invited_ids=list(e.invitee_ids),
            inviter_id=e.inviter_id,
            room_id=e.room_id,
            timestamp=e.timestamp,
        ),
    ),
    EventName.ROOM_LEAVE: (
        "room-leave",
        lambda e: wev.EventRoomLeavePayload(
            removed_ids=list(e.removee_ids),
            remover_id=e.remover_id,
            room_id=e.room_id,
            timestamp=e.timestamp,
        ),
    ),
    EventName.ROOM_TOPIC: (
        "room-topic",
        lambda e: wev.EventRoomTopicPayload(
            changer_id=e.changer_id,
            new_topic=e.new_topic,
            old_topic=e.old_topic,
            room_id=e.room_id,
            timestamp=e.timestamp,
        ),
    ),
    EventName.ROOM_INVITE: (
        "room-invite",
        lambda e: wev.EventRoomInvitePayload(room_invitation_id=e.room_invitation_id),
    ),
    EventName.HEARTBEAT: ("heart-beat", lambda e: wev.EventHeartbeatPayload(data=_text(e.data))),
    EventName.DONG: ("dong", lambda e: wev.EventDongPayload(data=_text(e.data))),
    EventName.ERROR: (
        "error",
        lambda e: wev.EventErrorPayload(data=f"{type(e.error).__name__}: {e.error}"),
    ),
    EventName.RESET: ("reset", lambda e: wev.EventResetPayload(data=e.reason)),
}


async def _to_wechaty_box(box: FileBox) -> Any:
    return WechatyFileBox.from_json(await filebox_to_json(box))


async def _from_wechaty_box(box: Any) -> FileBox:
    return await filebox_from_json(box.to_json_str(), fetch_url=fetch_url)


def _millis(seconds: float) -> int:
    return int(seconds * 1000)


class WechatyPuppetWeb(Puppet):  # type: ignore[misc]
    """python-wechaty's ``Puppet`` over a PuppetWeb (made from ``options``, or the one given).

    A PuppetWeb given to it is started and stopped with it; its events become python-wechaty's.
    """

    def __init__(
        self,
        options: PuppetWebOptions | None = None,
        *,
        puppet: PuppetWeb | None = None,
        name: str = "wechaty-puppet-web",
    ) -> None:
        super().__init__(PuppetOptions(), name)
        self.web = puppet or PuppetWeb(options)
        self._emitter = AsyncIOEventEmitter()
        for event_name in _EVENTS:
            self.web.on(event_name.value, self._forward)

    def _forward(self, event: Event) -> None:
        name, build = _EVENTS[event.event_name]
        self._emitter.emit(name, build(event))

    # ---- lifecycle and events -----------------------------------------------------------

    def on(self, event_name: str, caller: Callable[..., Any]) -> None:
        self._emitter.on(event_name, caller)

    def listener_count(self, event_name: str) -> int:
        return len(self._emitter.listeners(event_name))

    async def start(self) -> None:
        await self.web.start()

    async def stop(self) -> None:
        await self.web.stop()

    async def logout(self) -> None:
        await self.web.logout()

    async def login(self, user_id: str) -> None:
        raise NotSupportedError("login", "PuppetWeb logs in by a QR scan or its saved session")

    async def ding(self, data: str | None = None) -> None:
        await self.web.ding(data or "")

    def self_id(self) -> str:
        return self.web.self_id()

    async def dirty_payload(self, payload_type: Any, payload_id: str) -> None:
        await self.web.dirty_payload(int(payload_type), payload_id)

    async def contact_payload_dirty(self, contact_id: str) -> None:
        await self.web.contact_payload_dirty(contact_id)

    # ---- contacts ------------------------------------------------------------------------

    async def contact_list(self) -> list[str]:
        return await self.web.contact_list()

    async def contact_payload(self, contact_id: str) -> Any:
        p = await self.web.contact_payload(contact_id)
        return ContactPayload(
            id=p.id,
            gender=ContactGender(int(p.gender)),
            type=ContactType(int(p.type)),
            name=p.name,
            avatar=p.avatar,
            alias=p.alias,
            city=p.city,
            friend=bool(p.friend),
            province=p.province,
            signature=p.signature,
            star=p.star,
            weixin=p.weixin,
        )

    async def contact_alias(self, contact_id: str, alias: str | None = None) -> str:
        return await self.web.contact_alias(contact_id, alias)

    async def contact_avatar(self, contact_id: str, file_box: Any = None) -> Any:
        given = None if file_box is None else await _from_wechaty_box(file_box)
        return await _to_wechaty_box(await self.web.contact_avatar(contact_id, given))

    async def contact_tag_ids(self, contact_id: str) -> list[str]:
        return await self.web.contact_tag_ids(contact_id)

    async def contact_self_qr_code(self) -> str:
        return await self.web.contact_self_qr_code()

    async def contact_self_name(self, name: str) -> None:
        await self.web.contact_self_name(name)

    async def contact_signature(self, signature: str) -> None:
        await self.web.contact_signature(signature)

    # ---- tags ----------------------------------------------------------------------------

    async def tag_contact_add(self, tag_id: str, contact_id: str) -> None:
        await self.web.tag_contact_add(tag_id, contact_id)

    async def tag_contact_remove(self, tag_id: str, contact_id: str) -> None:
        await self.web.tag_contact_remove(tag_id, contact_id)

    async def tag_contact_delete(self, tag_id: str) -> None:
        await self.web.tag_contact_delete(tag_id)

    async def tag_contact_list(self, contact_id: str | None = None) -> list[str]:
        return await self.web.tag_contact_list(contact_id)

    async def tag_favorite_add(self, tag_id: str, contact_id: str) -> None:
        await self.web.tag_favorite_add(tag_id, contact_id)

    async def tag_favorite_delete(self, tag_id: str) -> None:
        await self.web.tag_favorite_delete(tag_id)

    # ---- messages ------------------------------------------------------------------------

    async def message_payload(self, message_id: str) -> Any:
        p = await self.web.message_payload(message_id)
        return MessagePayload(
            id=p.id,
            filename=p.filename,
            text=p.text,
            timestamp=_millis(p.timestamp),
            type=MessageType(grpc_message_type(p.type)),  # 7 (ours) is TEXT 6 there
            from_id=p.talker_id,
            room_id=p.room_id,
            to_id=p.listener_id,
            mention_ids=list(p.mention_ids),
        )

    async def message_send_text(
        self, conversation_id: str, message: str, mention_ids: list[str] | None = None
    ) -> str:
        return await self.web.message_send_text(conversation_id, message, mention_ids)

    async def message_send_contact(self, contact_id: str, conversation_id: str) -> str:
        # python-wechaty's order; PuppetWeb's (and Wechaty TypeScript's) is the other one.
        return await self.web.message_send_contact(conversation_id, contact_id)

    async def message_send_file(self, conversation_id: str, file: Any) -> str:
        return await self.web.message_send_file(conversation_id, await _from_wechaty_box(file))

    async def message_send_url(self, conversation_id: str, url: str) -> str:
        obj = json.loads(url)
        link = UrlLinkPayload(
            title=str(obj.get("title") or ""),
            url=str(obj["url"]),
            description=str(obj.get("description") or ""),
            thumbnail_url=str(obj.get("thumbnailUrl") or obj.get("thumbnail_url") or ""),
        )
        return await self.web.message_send_url(conversation_id, link)

    async def message_send_mini_program(self, conversation_id: str, mini_program: Any) -> str:
        return await self.web.message_send_mini_program(conversation_id, mini_program)

    async def message_search(self, query: Any = None) -> list[str]:
        ids = await self.web.message_list()
        if query is None:
            return ids
        found = []
        for message_id in ids:
            p = await self.message_payload(message_id)
            if all(
                want is None or getattr(p, field) == want
                for field, want in (
                    ("id", query.id),
                    ("from_id", query.from_id),
                    ("to_id", query.to_id),
                    ("room_id", query.room_id),
                    ("text", query.text),
                    ("type", query.type),
                )
            ):
                found.append(message_id)
        return found

    async def message_recall(self, message_id: str) -> bool:
        return await self.web.message_recall(message_id)

    async def message_forward(self, to_id: str, message_id: str) -> str:
        return await self.web.message_forward(to_id, message_id)

    async def message_file(self, message_id: str) -> Any:
        return await _to_wechaty_box(await self.web.message_file(message_id))

    async def message_image(self, message_id: str, image_type: Any = 3) -> Any:
        box = await self.web.message_image(message_id, ImageType(int(image_type)))
        return await _to_wechaty_box(box)

    async def message_contact(self, message_id: str) -> str:
        return await self.web.message_contact(message_id)

    async def message_url(self, message_id: str) -> Any:
        p = await self.web.message_url(message_id)
        return WechatyUrlLink(
            url=p.url, title=p.title, thumbnailUrl=p.thumbnail_url, description=p.description
        )

    async def message_mini_program(self, message_id: str) -> Any:
        p = await self.web.message_mini_program(message_id)
        return WechatyMiniProgram(
            appid=p.appid,
            description=p.description,
            pagePath=p.page_path,
            iconUrl=p.icon_url,
            thumbUrl=p.thumbnail_url,
            title=p.title,
            username=p.username,
        )

    # ---- friendship ----------------------------------------------------------------------

    async def friendship_search(
        self, weixin: str | None = None, phone: str | None = None
    ) -> str | None:
        return await self.web.friendship_search(phone=phone, weixin=weixin)

    async def friendship_add(self, contact_id: str, hello: str) -> None:
        await self.web.friendship_add(contact_id, hello)

    async def friendship_payload(self, friendship_id: str, payload: Any = None) -> Any:
        p = await self.web.friendship_payload(friendship_id)
        try:
            scene = FriendshipSceneType(p.scene)
        except ValueError:  # a scene number the gRPC enum does not name
            scene = FriendshipSceneType(0)
        return FriendshipPayload(
            id=p.id,
            contact_id=p.contact_id,
            hello=p.hello,
            type=FriendshipType(int(p.type)),
            stranger=p.stranger,
            ticket=p.ticket,
            scene=scene,
        )

    async def friendship_accept(self, friendship_id: str) -> None:
        await self.web.friendship_accept(friendship_id)

    # ---- rooms ---------------------------------------------------------------------------

    async def room_list(self) -> list[str]:
        return await self.web.room_list()

    async def room_create(self, contact_ids: list[str], topic: str | None = None) -> str:
        return await self.web.room_create(contact_ids, topic or "")

    async def room_search(self, query: Any = None) -> list[str]:
        if query is None:
            return await self.web.room_list()
        if query.id:
            return [query.id] if query.id in await self.web.room_list() else []
        return await self.web.room_search(query.topic or "")

    async def room_payload(self, room_id: str) -> Any:
        p = await self.web.room_payload(room_id)
        return RoomPayload(
            id=p.id,
            topic=p.topic,
            avatar=p.avatar,
            owner_id=p.owner_id,
            admin_ids=list(p.admin_ids),
            member_ids=list(p.member_ids),
        )

    async def room_members(self, room_id: str) -> list[str]:
        return await self.web.room_members(room_id)

    async def room_member_payload(self, room_id: str, contact_id: str) -> Any:
        p = await self.web.room_member_payload(room_id, contact_id)
        return RoomMemberPayload(
            id=p.id, room_alias=p.room_alias, inviter_id=p.inviter_id, avatar=p.avatar, name=p.name
        )

    async def room_add(self, room_id: str, contact_id: str) -> None:
        await self.web.room_add(room_id, [contact_id])

    async def room_delete(self, room_id: str, contact_id: str) -> None:
        await self.web.room_delete(room_id, [contact_id])

    async def room_quit(self, room_id: str) -> None:
        await self.web.room_quit(room_id)

    async def room_topic(self, room_id: str, new_topic: str | None = None) -> str:
        return await self.web.room_topic(room_id, new_topic)

    async def room_announce(self, room_id: str, announcement: str | None = None) -> str:
        return await self.web.room_announce(room_id, announcement)

    async def room_qr_code(self, room_id: str) -> str:
        return await self.web.room_qr_code(room_id)

    async def room_avatar(self, room_id: str) -> Any:
        return await _to_wechaty_box(await self.web.room_avatar(room_id))

    async def room_invitation_payload(self, room_invitation_id: str, payload: Any = None) -> Any:
        p = await self.web.room_invitation_payload(room_invitation_id)
        return RoomInvitationPayload(
            id=p.id,
            inviter_id=p.inviter_id,
            topic=p.topic,
            member_count=p.member_count,
            member_ids=list(p.member_ids),
            timestamp=_millis(p.timestamp),
            avatar=p.avatar,
            invitation=p.invitation,
            receiver_id=p.receiver_id,
        )

    async def room_invitation_accept(self, room_invitation_id: str) -> None:
        await self.web.room_invitation_accept(room_invitation_id)
