"""The RPCs of the Puppet service, each one call of PuppetWeb's public API.

A unary RPC is ``async def Name(self, request) -> response``; a streaming one takes the grpclib
stream (``STREAMING``). An RPC without a method here, and every call the puppet answers with
:class:`~wechaty_puppet_web.errors.NotSupportedError`, ends with ``UNIMPLEMENTED`` and the reason
(see :mod:`.server`). docs/puppet-interface.md lists all of them.

Compatibility notes, from the reference client and server:

* Responses fill both the current field and its deprecated twin (``id`` and
  ``id_string_value_deprecated`` ...): python-wechaty 0.10.7 still reads the old ones.
* ``MessagePayloadResponse.type`` carries Wechaty's TypeScript number (see
  :mod:`~wechaty_puppet_web.interop.enums`); timestamps are milliseconds.
* ``Stop`` does not stop the served puppet: it is shared by every client of the service and lives
  as long as ``serve`` does (python-wechaty calls ``Stop`` before each ``Start``).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from importlib import metadata
from typing import Any

from google.protobuf.timestamp_pb2 import Timestamp
from google.protobuf.wrappers_pb2 import StringValue
from grpclib.server import Stream

from ..errors import FileBoxError
from ..filebox import FileBox
from ..interop.filebox_json import filebox_to_json
from ..payloads import ImageType, UrlLinkPayload
from ..puppet import PuppetWeb
from .events import EventHub
from .files import CHUNK, MAX_UPLOAD, UploadStore, read_filebox
from .stubs import deprecated_file_box_pb2 as fbpb
from .stubs import puppet_base_pb2 as base
from .stubs import puppet_contact_pb2 as contact
from .stubs import puppet_download_upload_pb2 as updown
from .stubs import puppet_friendship_pb2 as friendship
from .stubs import puppet_location_pb2 as location
from .stubs import puppet_message_pb2 as message
from .stubs import puppet_mini_program_pb2 as mini
from .stubs import puppet_room_invitation_pb2 as invitation
from .stubs import puppet_room_member_pb2 as member
from .stubs import puppet_room_pb2 as room
from .stubs import puppet_tag_pb2 as tag
from .stubs import puppet_url_link_pb2 as url_link

STREAMING = frozenset(
    {"Event", "Download", "Upload", "MessageFileStream", "MessageImageStream",
     "MessageSendFileStream"}
)  # fmt: skip


def _sv(value: str) -> StringValue:
    return StringValue(value=value)


def _optional(request: Any, field: str, deprecated: str) -> str | None:
    """A set-or-get argument: the new optional field, else its deprecated wrapper, else None."""
    for name in (field, deprecated):
        value = getattr(request, name)
        given = (
            request.HasField(name)
            if request.DESCRIPTOR.fields_by_name[name].has_presence
            else bool(value)  # a plain proto3 string: "" means "not given"
        )
        if given:
            return str(value.value if name == deprecated else value)
    return None


class PuppetHandlers:
    """One PuppetWeb behind the Puppet service."""

    def __init__(self, puppet: PuppetWeb, hub: EventHub) -> None:
        self.puppet = puppet
        self.hub = hub
        self.uploads = UploadStore()

    async def _box(self, text: str) -> FileBox:
        return await read_filebox(text, self.uploads)

    # ---- base ----------------------------------------------------------------------------

    async def Start(self, request: base.StartRequest) -> base.StartResponse:
        await self.puppet.start()  # idempotent: the served puppet normally runs already
        return base.StartResponse()

    async def Stop(self, request: base.StopRequest) -> base.StopResponse:
        return base.StopResponse()  # see the module docstring

    async def Logout(self, request: base.LogoutRequest) -> base.LogoutResponse:
        await self.puppet.logout()
        return base.LogoutResponse()

    async def Ding(self, request: base.DingRequest) -> base.DingResponse:
        await self.puppet.ding(request.data)  # the dong goes out on the event stream
        return base.DingResponse()

    async def Version(self, request: base.VersionRequest) -> base.VersionResponse:
        return base.VersionResponse(version=metadata.version("wechaty-puppet-web"))

    async def DirtyPayload(self, request: base.DirtyPayloadRequest) -> base.DirtyPayloadResponse:
        self.hub.dirty(int(request.type), request.id)
        return base.DirtyPayloadResponse()

    # ---- contact -------------------------------------------------------------------------

    async def ContactSelfQRCode(
        self, request: contact.ContactSelfQRCodeRequest
    ) -> contact.ContactSelfQRCodeResponse:
        return contact.ContactSelfQRCodeResponse(qrcode=await self.puppet.contact_self_qr_code())

    async def ContactSelfName(
        self, request: contact.ContactSelfNameRequest
    ) -> contact.ContactSelfNameResponse:
        await self.puppet.contact_self_name(request.name)
        return contact.ContactSelfNameResponse()

    async def ContactSelfSignature(
        self, request: contact.ContactSelfSignatureRequest
    ) -> contact.ContactSelfSignatureResponse:
        await self.puppet.contact_signature(request.signature)
        return contact.ContactSelfSignatureResponse()

    async def ContactPayload(
        self, request: contact.ContactPayloadRequest
    ) -> contact.ContactPayloadResponse:
        p = await self.puppet.contact_payload(request.id)
        return contact.ContactPayloadResponse(
            id=p.id,
            gender=int(p.gender),  # type: ignore[arg-type]
            type=int(p.type),  # type: ignore[arg-type]
            name=p.name,
            avatar=p.avatar,
            alias=p.alias,
            city=p.city,
            friend=bool(p.friend),
            province=p.province,
            signature=p.signature,
            star=p.star,
            weixin=p.weixin,
            phones=list(p.phone),
        )

    async def ContactAlias(
        self, request: contact.ContactAliasRequest
    ) -> contact.ContactAliasResponse:
        alias = _optional(request, "alias", "alias_string_value_deprecated")
        result = await self.puppet.contact_alias(request.id, alias)
        if alias is not None:
            self.hub.dirty(2, request.id)
        return contact.ContactAliasResponse(alias=result, alias_string_value_deprecated=_sv(result))

    async def ContactAvatar(
        self, request: contact.ContactAvatarRequest
    ) -> contact.ContactAvatarResponse:
        given = _optional(request, "file_box", "filebox_string_value_deprecated")
        if given:
            await self.puppet.contact_avatar(request.id, await self._box(given))
            return contact.ContactAvatarResponse()
        text = await filebox_to_json(await self.puppet.contact_avatar(request.id))
        return contact.ContactAvatarResponse(
            file_box=text, filebox_string_value_deprecated=_sv(text)
        )

    async def ContactPhone(
        self, request: contact.ContactPhoneRequest
    ) -> contact.ContactPhoneResponse:
        await self.puppet.contact_phone(request.contact_id, list(request.phones))
        return contact.ContactPhoneResponse()

    async def ContactCorporationRemark(
        self, request: contact.ContactCorporationRemarkRequest
    ) -> contact.ContactCorporationRemarkResponse:
        remark = _optional(
            request, "corporation_remark", "corporation_remark_string_value_deprecated"
        )
        await self.puppet.contact_corporation_remark(request.contact_id, remark)
        return contact.ContactCorporationRemarkResponse()

    async def ContactDescription(
        self, request: contact.ContactDescriptionRequest
    ) -> contact.ContactDescriptionResponse:
        text = _optional(request, "description", "description_string_value_deprecated")
        await self.puppet.contact_description(request.contact_id, text)
        return contact.ContactDescriptionResponse()

    async def ContactList(self, request: contact.ContactListRequest) -> contact.ContactListResponse:
        return contact.ContactListResponse(ids=await self.puppet.contact_list())

    # ---- friendship ----------------------------------------------------------------------

    async def FriendshipPayload(
        self, request: friendship.FriendshipPayloadRequest
    ) -> friendship.FriendshipPayloadResponse:
        p = await self.puppet.friendship_payload(request.id)
        return friendship.FriendshipPayloadResponse(
            id=p.id,
            contact_id=p.contact_id,
            hello=p.hello,
            type=int(p.type),  # type: ignore[arg-type]
            stranger=p.stranger,
            ticket=p.ticket,
            scene=p.scene,  # type: ignore[arg-type]
        )

    async def FriendshipSearchPhone(
        self, request: friendship.FriendshipSearchPhoneRequest
    ) -> friendship.FriendshipSearchPhoneResponse:
        found = await self.puppet.friendship_search_phone(request.phone) or ""
        return friendship.FriendshipSearchPhoneResponse(
            contact_id=found, contact_id_string_value_deprecated=_sv(found)
        )

    async def FriendshipSearchHandle(
        self, request: friendship.FriendshipSearchHandleRequest
    ) -> friendship.FriendshipSearchHandleResponse:
        found = await self.puppet.friendship_search_weixin(request.weixin) or ""
        return friendship.FriendshipSearchHandleResponse(
            contact_id=found, contact_id_string_value_deprecated=_sv(found)
        )

    FriendshipSearchWeixin = FriendshipSearchHandle

    async def FriendshipAdd(
        self, request: friendship.FriendshipAddRequest
    ) -> friendship.FriendshipAddResponse:
        await self.puppet.friendship_add(request.contact_id, request.hello)
        return friendship.FriendshipAddResponse()

    async def FriendshipAccept(
        self, request: friendship.FriendshipAcceptRequest
    ) -> friendship.FriendshipAcceptResponse:
        await self.puppet.friendship_accept(request.id)
        return friendship.FriendshipAcceptResponse()

    # ---- message -------------------------------------------------------------------------

    async def MessageFile(self, request: message.MessageFileRequest) -> message.MessageFileResponse:
        box = await self.puppet.message_file(request.id)
        return message.MessageFileResponse(file_box=await filebox_to_json(box))

    async def MessageImage(
        self, request: message.MessageImageRequest
    ) -> message.MessageImageResponse:
        box = await self.puppet.message_image(request.id, ImageType(int(request.type)))
        return message.MessageImageResponse(file_box=await filebox_to_json(box))

    async def MessageSendFile(
        self, request: message.MessageSendFileRequest
    ) -> message.MessageSendFileResponse:
        box = await self._box(request.file_box)
        msg_id = await self.puppet.message_send_file(request.conversation_id, box)
        return message.MessageSendFileResponse(id=msg_id, id_string_value_deprecated=_sv(msg_id))

    async def MessagePayload(
        self, request: message.MessagePayloadRequest
    ) -> message.MessagePayloadResponse:
        p = await self.puppet.message_payload(request.id)
        millis = int(p.timestamp * 1000)
        return message.MessagePayloadResponse(
            id=p.id,
            filename=p.filename,
            text=p.text,
            timestamp_deprecated=millis,
            type=int(p.type),  # type: ignore[arg-type]  # the TypeScript number: see interop.enums
            talker_id=p.talker_id,
            room_id=p.room_id,
            listener_id=p.listener_id,
            mention_ids=list(p.mention_ids),
            receive_time=Timestamp(seconds=millis // 1000, nanos=(millis % 1000) * 1_000_000),
        )

    async def MessageContact(
        self, request: message.MessageContactRequest
    ) -> message.MessageContactResponse:
        return message.MessageContactResponse(id=await self.puppet.message_contact(request.id))

    async def MessageMiniProgram(
        self, request: message.MessageMiniProgramRequest
    ) -> message.MessageMiniProgramResponse:
        p = await self.puppet.message_mini_program(request.id)
        pb = mini.MiniProgramPayload(
            appid=p.appid,
            description=p.description,
            page_path=p.page_path,
            icon_url=p.icon_url or "",
            thumb_url=p.thumbnail_url,
            title=p.title,
            username=p.username,
        )
        legacy = {
            "appid": p.appid,
            "description": p.description,
            "pagePath": p.page_path,
            "iconUrl": p.icon_url or "",
            "thumbUrl": p.thumbnail_url,
            "title": p.title,
            "username": p.username,
        }
        return message.MessageMiniProgramResponse(
            mini_program=pb, mini_program_deprecated=json.dumps(legacy, ensure_ascii=False)
        )

    async def MessageUrl(self, request: message.MessageUrlRequest) -> message.MessageUrlResponse:
        p = await self.puppet.message_url(request.id)
        pb = url_link.UrlLinkPayload(
            description=p.description, thumbnail_url=p.thumbnail_url, title=p.title, url=p.url
        )
        legacy = {
            "description": p.description,
            "thumbnailUrl": p.thumbnail_url,
            "title": p.title,
            "url": p.url,
        }
        return message.MessageUrlResponse(
            url_link=pb, url_link_deprecated=json.dumps(legacy, ensure_ascii=False)
        )

    async def MessageRecall(
        self, request: message.MessageRecallRequest
    ) -> message.MessageRecallResponse:
        return message.MessageRecallResponse(success=await self.puppet.message_recall(request.id))

    async def MessageForward(
        self, request: message.MessageForwardRequest
    ) -> message.MessageForwardResponse:
        msg_id = await self.puppet.message_forward(request.conversation_id, request.message_id)
        return message.MessageForwardResponse(id=msg_id, id_string_value_deprecated=_sv(msg_id))

    async def MessageLocation(
        self, request: message.MessageLocationRequest
    ) -> message.MessageLocationResponse:
        p = await self.puppet.message_location(request.id)
        pb = location.LocationPayload(
            accuracy=p.accuracy,
            address=p.address,
            latitude=p.latitude,
            longitude=p.longitude,
            name=p.name,
        )
        return message.MessageLocationResponse(location=pb)

    async def MessageSendContact(
        self, request: message.MessageSendContactRequest
    ) -> message.MessageSendContactResponse:
        msg_id = await self.puppet.message_send_contact(request.conversation_id, request.contact_id)
        return message.MessageSendContactResponse(id=msg_id, id_string_value_deprecated=_sv(msg_id))

    async def MessageSendText(
        self, request: message.MessageSendTextRequest
    ) -> message.MessageSendTextResponse:
        msg_id = await self.puppet.message_send_text(
            request.conversation_id, request.text, list(request.mentional_ids)
        )
        return message.MessageSendTextResponse(id=msg_id, id_string_value_deprecated=_sv(msg_id))

    async def MessageSendMiniProgram(
        self, request: message.MessageSendMiniProgramRequest
    ) -> message.MessageSendMiniProgramResponse:
        await self.puppet.message_send_mini_program(request.conversation_id, None)
        return message.MessageSendMiniProgramResponse()

    async def MessageSendUrl(
        self, request: message.MessageSendUrlRequest
    ) -> message.MessageSendUrlResponse:
        if request.HasField("url_link"):
            pb = request.url_link
            link = UrlLinkPayload(
                title=pb.title,
                url=pb.url,
                description=pb.description,
                thumbnail_url=pb.thumbnail_url,
            )
        else:  # python-wechaty 0.10.7: a JSON string in the deprecated field
            link = _url_link_from_json(request.url_link_deprecated)
        msg_id = await self.puppet.message_send_url(request.conversation_id, link)
        return message.MessageSendUrlResponse(id=msg_id, id_string_value_deprecated=_sv(msg_id))

    async def MessageSendLocation(
        self, request: message.MessageSendLocationRequest
    ) -> message.MessageSendLocationResponse:
        await self.puppet.message_send_location(request.conversation_id, None)
        return message.MessageSendLocationResponse()

    # ---- room ----------------------------------------------------------------------------

    async def RoomPayload(self, request: room.RoomPayloadRequest) -> room.RoomPayloadResponse:
        p = await self.puppet.room_payload(request.id)
        return room.RoomPayloadResponse(
            id=p.id,
            topic=p.topic,
            avatar=p.avatar,
            owner_id=p.owner_id,
            admin_ids=list(p.admin_ids),
            member_ids=list(p.member_ids),
        )

    async def RoomList(self, request: room.RoomListRequest) -> room.RoomListResponse:
        return room.RoomListResponse(ids=await self.puppet.room_list())

    async def RoomAdd(self, request: room.RoomAddRequest) -> room.RoomAddResponse:
        # invite_only: web WeChat decides itself (an invitation from 40 members on).
        await self.puppet.room_add(request.id, [request.contact_id])
        return room.RoomAddResponse()

    async def RoomAvatar(self, request: room.RoomAvatarRequest) -> room.RoomAvatarResponse:
        box = await self.puppet.room_avatar(request.id)
        return room.RoomAvatarResponse(file_box=await filebox_to_json(box))

    async def RoomCreate(self, request: room.RoomCreateRequest) -> room.RoomCreateResponse:
        room_id = await self.puppet.room_create(list(request.contact_ids), request.topic)
        return room.RoomCreateResponse(id=room_id)

    async def RoomDel(self, request: room.RoomDelRequest) -> room.RoomDelResponse:
        await self.puppet.room_delete(request.id, [request.contact_id])
        return room.RoomDelResponse()

    async def RoomQuit(self, request: room.RoomQuitRequest) -> room.RoomQuitResponse:
        await self.puppet.room_quit(request.id)
        return room.RoomQuitResponse()

    async def RoomTopic(self, request: room.RoomTopicRequest) -> room.RoomTopicResponse:
        topic = _optional(request, "topic", "topic_string_value_deprecated")
        result = await self.puppet.room_topic(request.id, topic)
        if topic is not None:
            self.hub.dirty(3, request.id)
        return room.RoomTopicResponse(topic=result, topic_string_value_deprecated=_sv(result))

    async def RoomQRCode(self, request: room.RoomQRCodeRequest) -> room.RoomQRCodeResponse:
        return room.RoomQRCodeResponse(qrcode=await self.puppet.room_qr_code(request.id))

    async def RoomAnnounce(self, request: room.RoomAnnounceRequest) -> room.RoomAnnounceResponse:
        text = _optional(request, "text", "text_string_value_deprecated")
        result = await self.puppet.room_announce(request.id, text)
        return room.RoomAnnounceResponse(text=result, text_string_value_deprecated=_sv(result))

    async def RoomMemberPayload(
        self, request: member.RoomMemberPayloadRequest
    ) -> member.RoomMemberPayloadResponse:
        p = await self.puppet.room_member_payload(request.id, request.member_id)
        return member.RoomMemberPayloadResponse(
            id=p.id, room_alias=p.room_alias, inviter_id=p.inviter_id, avatar=p.avatar, name=p.name
        )

    async def RoomMemberList(
        self, request: member.RoomMemberListRequest
    ) -> member.RoomMemberListResponse:
        return member.RoomMemberListResponse(member_ids=await self.puppet.room_members(request.id))

    async def RoomInvitationPayload(
        self, request: invitation.RoomInvitationPayloadRequest
    ) -> invitation.RoomInvitationPayloadResponse:
        p = await self.puppet.room_invitation_payload(request.id)
        millis = int(p.timestamp * 1000)
        return invitation.RoomInvitationPayloadResponse(
            id=p.id,
            inviter_id=p.inviter_id,
            topic=p.topic,
            member_count=p.member_count,
            member_ids=list(p.member_ids),
            timestamp_uint64_deprecated=millis,
            avatar=p.avatar,
            invitation=p.invitation,
            receiver_id=p.receiver_id,
            receive_time=Timestamp(seconds=millis // 1000, nanos=(millis % 1000) * 1_000_000),
        )

    async def RoomInvitationAccept(
        self, request: invitation.RoomInvitationAcceptRequest
    ) -> invitation.RoomInvitationAcceptResponse:
        await self.puppet.room_invitation_accept(request.id)
        return invitation.RoomInvitationAcceptResponse()

    # ---- tag -----------------------------------------------------------------------------

    async def TagContactAdd(self, request: tag.TagContactAddRequest) -> tag.TagContactAddResponse:
        await self.puppet.tag_contact_add(request.id, request.contact_id)
        return tag.TagContactAddResponse()

    async def TagContactRemove(
        self, request: tag.TagContactRemoveRequest
    ) -> tag.TagContactRemoveResponse:
        await self.puppet.tag_contact_remove(request.id, request.contact_id)
        return tag.TagContactRemoveResponse()

    async def TagContactDelete(
        self, request: tag.TagContactDeleteRequest
    ) -> tag.TagContactDeleteResponse:
        await self.puppet.tag_contact_delete(request.id)
        return tag.TagContactDeleteResponse()

    async def TagContactList(
        self, request: tag.TagContactListRequest
    ) -> tag.TagContactListResponse:
        contact_id = _optional(request, "contact_id", "contact_id_string_value_deprecated")
        return tag.TagContactListResponse(ids=await self.puppet.tag_contact_list(contact_id))

    # ---- streams -------------------------------------------------------------------------

    async def Event(self, stream: Stream[Any, Any]) -> None:
        await stream.recv_message()
        queue = self.hub.subscribe()
        try:
            while True:
                await stream.send_message(await queue.get())
        finally:
            self.hub.unsubscribe(queue)

    async def Upload(self, stream: Stream[Any, Any]) -> None:
        data = bytearray()
        async for request in stream:
            data += request.chunk
            if len(data) > MAX_UPLOAD:
                raise FileBoxError("an upload larger than 25 MB (web WeChat's limit)")
        await stream.send_message(updown.UploadResponse(id=self.uploads.put(bytes(data))))

    async def Download(self, stream: Stream[Any, Any]) -> None:
        request = await stream.recv_message()
        assert request is not None
        data = await self.uploads.get(request.id)
        for start in range(0, len(data), CHUNK):
            await stream.send_message(updown.DownloadResponse(chunk=data[start : start + CHUNK]))

    async def MessageFileStream(self, stream: Stream[Any, Any]) -> None:
        request = await stream.recv_message()
        assert request is not None
        box = await self.puppet.message_file(request.id)
        await _send_chunks(stream, box, fbpb.MessageFileStreamResponse)

    async def MessageImageStream(self, stream: Stream[Any, Any]) -> None:
        request = await stream.recv_message()
        assert request is not None
        box = await self.puppet.message_image(request.id, ImageType(int(request.type)))
        await _send_chunks(stream, box, fbpb.MessageImageStreamResponse)

    async def MessageSendFileStream(self, stream: Stream[Any, Any]) -> None:
        conversation_id, name, data = "", "file", bytearray()
        async for request in stream:
            if request.HasField("conversation_id"):
                conversation_id = request.conversation_id
            chunk = request.file_box_chunk
            if chunk.HasField("name"):
                name = chunk.name
            if chunk.HasField("data"):
                data += chunk.data
                if len(data) > MAX_UPLOAD:
                    raise FileBoxError("a file larger than 25 MB (web WeChat's limit)")
        box = FileBox.from_bytes(bytes(data), name)
        msg_id = await self.puppet.message_send_file(conversation_id, box)
        await stream.send_message(
            fbpb.MessageSendFileStreamResponse(id=msg_id, id_string_value_deprecated=_sv(msg_id))
        )


async def _send_chunks(stream: Stream[Any, Any], box: FileBox, response: Any) -> None:
    """The deprecated chunked form: a name frame, then data frames."""
    await stream.send_message(response(file_box_chunk=fbpb.FileBoxChunk(name=box.name)))
    async for block in _blocks(box):
        await stream.send_message(response(file_box_chunk=fbpb.FileBoxChunk(data=block)))


async def _blocks(box: FileBox) -> AsyncIterator[bytes]:
    async for block in box.iter_chunks(CHUNK):
        yield block


def _url_link_from_json(text: str) -> UrlLinkPayload:
    try:
        obj = json.loads(text)
    except ValueError:
        obj = None
    if not isinstance(obj, dict) or not obj.get("url"):
        raise ValueError("a URL link needs a JSON object with a url")
    return UrlLinkPayload(
        title=str(obj.get("title") or ""),
        url=str(obj["url"]),
        description=str(obj.get("description") or ""),
        thumbnail_url=str(obj.get("thumbnailUrl") or obj.get("thumbnail_url") or ""),
    )
