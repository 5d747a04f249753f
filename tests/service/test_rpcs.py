"""The Puppet service's RPCs one by one against a logged-in PuppetWeb, asserted on the world.

The SDK tests drive the common paths through real clients; this drives the rest with a plain
gRPC client: set-or-get calls in both their current and deprecated field forms, payloads, room
actions, forwards, the FileBox streams (Upload then a UUID FileBox, Download, the deprecated
chunked ones) and what the event stream says about them: every event of the stream is seen
over the wire at least once (scan from a fresh start, login, ready, room-topic, room-leave,
room-invite, friendship, error from a junk sync item, reset after the page closed, logout, dirty).
"""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from google.protobuf.wrappers_pb2 import StringValue
from grpclib.client import Channel
from grpclib.const import Cardinality
from playwright.async_api import Browser

from wechaty_puppet_web import PuppetWeb, PuppetWebOptions
from wechaty_puppet_web.sandbox import Sandbox
from wechaty_puppet_web.sandbox.samples import jpeg
from wechaty_puppet_web.service.server import PuppetService
from wechaty_puppet_web.service.stubs import deprecated_file_box_pb2 as fbpb
from wechaty_puppet_web.service.stubs import puppet_contact_pb2 as contact
from wechaty_puppet_web.service.stubs import puppet_download_upload_pb2 as updown
from wechaty_puppet_web.service.stubs import puppet_event_pb2 as ev
from wechaty_puppet_web.service.stubs import puppet_friendship_pb2 as friendship_pb
from wechaty_puppet_web.service.stubs import puppet_message_pb2 as message
from wechaty_puppet_web.service.stubs import puppet_room_invitation_pb2 as invitation
from wechaty_puppet_web.service.stubs import puppet_room_member_pb2 as member
from wechaty_puppet_web.service.stubs import puppet_room_pb2 as room

from .conftest import TOKEN, Served, T

pytestmark = pytest.mark.browser


class Client:
    """A bare gRPC client of the service."""

    def __init__(self, served: Served) -> None:
        self.channel = Channel("127.0.0.1", served.service.port)
        self.channel._authority = TOKEN

    async def call(self, method: str, request: Any, reply: type) -> Any:
        stream: Any
        async with self.channel.request(
            f"/wechaty.Puppet/{method}", Cardinality.UNARY_UNARY, type(request), reply
        ) as stream:
            await stream.send_message(request, end=True)
            return await stream.recv_message()


class EventStream:
    """The service's event stream as a test reads it: every frame kept, awaited by type."""

    def __init__(self, stream: Any) -> None:
        self.stream = stream
        self.frames: list[tuple[int, dict[str, Any]]] = []

    async def until(self, kind: int) -> dict[str, Any]:
        """Read frames until one of type ``kind`` arrives; its payload."""
        async with asyncio.timeout(T):
            while True:
                frame = await self.stream.recv_message()
                self.frames.append((frame.type, json.loads(frame.payload)))
                if frame.type == kind:
                    return self.frames[-1][1]


@asynccontextmanager
async def event_stream(client: Client) -> AsyncIterator[EventStream]:
    """An open ``Puppet/Event`` stream, cancelled on the way out."""
    stream: Any
    async with client.channel.request(
        "/wechaty.Puppet/Event", Cardinality.UNARY_STREAM, ev.EventRequest, ev.EventResponse
    ) as stream:
        await stream.send_message(ev.EventRequest(), end=True)
        yield EventStream(stream)
        await stream.cancel()


@pytest.fixture
async def client(served: Served) -> AsyncIterator[Client]:
    c = Client(served)
    try:
        yield c
    finally:
        c.channel.close()


async def test_contacts_and_alias_in_both_field_forms(served: Served, client: Client) -> None:
    world = served.sandbox.world
    friend = world.friends[0]
    fid = world.username_of(friend)
    ids = (
        await client.call("ContactList", contact.ContactListRequest(), contact.ContactListResponse)
    ).ids
    assert fid in ids
    p = await client.call(
        "ContactPayload", contact.ContactPayloadRequest(id=fid), contact.ContactPayloadResponse
    )
    assert (p.id, p.name, p.friend) == (fid, friend.nickname, True)
    await client.call(
        "ContactAlias", contact.ContactAliasRequest(id=fid, alias="Buddy"),
        contact.ContactAliasResponse,
    )  # fmt: skip
    assert world.contact(friend.wxid).remark == "Buddy"
    old_style = contact.ContactAliasRequest(
        id=fid, alias_string_value_deprecated=StringValue(value="Pal")
    )
    await client.call("ContactAlias", old_style, contact.ContactAliasResponse)  # python-wechaty
    assert world.contact(friend.wxid).remark == "Pal"
    got = await client.call(
        "ContactAlias", contact.ContactAliasRequest(id=fid), contact.ContactAliasResponse
    )
    assert (got.alias, got.alias_string_value_deprecated.value) == ("Pal", "Pal")


async def test_rooms_topic_members_and_payloads(served: Served, client: Client) -> None:
    world = served.sandbox.world
    room_w = world.bot_rooms()[0]
    rid = world.username_of(room_w)
    ids = (await client.call("RoomList", room.RoomListRequest(), room.RoomListResponse)).ids
    assert rid in ids
    p = await client.call("RoomPayload", room.RoomPayloadRequest(id=rid), room.RoomPayloadResponse)
    assert p.topic == room_w.topic and len(p.member_ids) == len(room_w.members)
    members = await client.call(
        "RoomMemberList", member.RoomMemberListRequest(id=rid), member.RoomMemberListResponse
    )
    assert sorted(members.member_ids) == sorted(p.member_ids)
    someone = next(m for m in p.member_ids if m != served.puppet.self_id())
    mp = await client.call(
        "RoomMemberPayload", member.RoomMemberPayloadRequest(id=rid, member_id=someone),
        member.RoomMemberPayloadResponse,
    )  # fmt: skip
    assert mp.id == someone and mp.name
    await client.call(
        "RoomTopic", room.RoomTopicRequest(id=rid, topic="Renamed by RPC"), room.RoomTopicResponse
    )
    assert world.room(room_w.room_id).topic == "Renamed by RPC"
    got = await client.call("RoomTopic", room.RoomTopicRequest(id=rid), room.RoomTopicResponse)
    assert got.topic == "Renamed by RPC"


async def test_messages_payload_forward_and_file_streams(served: Served, client: Client) -> None:
    world = served.sandbox.world
    me = world.bot.wxid
    friend, other = world.friends[0], world.friends[1]
    fid, oid = world.username_of(friend), world.username_of(other)
    picture = jpeg(50, 40, "#a52")
    got = served.puppet.wait_for("message", lambda e: e.payload.talker_id == fid, timeout=T)
    world.send_image(from_=friend, to=world.bot, data=picture)
    msg_id = (await got).message_id

    p = await client.call(
        "MessagePayload", message.MessagePayloadRequest(id=msg_id), message.MessagePayloadResponse
    )
    assert (p.id, p.talker_id, p.type) == (msg_id, fid, 6)  # IMAGE: the TypeScript number
    assert p.receive_time.seconds > 0 and p.timestamp_deprecated // 1000 == p.receive_time.seconds

    box = await client.call(
        "MessageFile", message.MessageFileRequest(id=msg_id), message.MessageFileResponse
    )
    assert base64.b64decode(json.loads(box.file_box)["base64"]) == picture

    stream: Any
    async with client.channel.request(
        "/wechaty.Puppet/MessageFileStream", Cardinality.UNARY_STREAM,
        fbpb.MessageFileStreamRequest, fbpb.MessageFileStreamResponse,
    ) as stream:  # fmt: skip
        await stream.send_message(fbpb.MessageFileStreamRequest(id=msg_id), end=True)
        chunks = [frame async for frame in stream]
    assert chunks[0].file_box_chunk.HasField("name")
    assert b"".join(c.file_box_chunk.data for c in chunks[1:]) == picture

    fwd = await client.call(
        "MessageForward", message.MessageForwardRequest(message_id=msg_id, conversation_id=oid),
        message.MessageForwardResponse,
    )  # fmt: skip
    assert fwd.id and fwd.id == fwd.id_string_value_deprecated.value
    sent = await world.wait_for_message(
        lambda m: m.sender == me and m.to == other.wxid and m.msg_type == 3, timeout=T
    )
    assert sent.media == picture

    # Upload, then send the upload by its id (the TypeScript client's way), then Download it.
    upload_bytes = jpeg(30, 20, "#25a")
    async with client.channel.request(
        "/wechaty.Puppet/Upload", Cardinality.STREAM_UNARY,
        updown.UploadRequest, updown.UploadResponse,
    ) as stream:  # fmt: skip
        await stream.send_message(updown.UploadRequest(chunk=upload_bytes[:100]))
        await stream.send_message(updown.UploadRequest(chunk=upload_bytes[100:]), end=True)
        uuid = (await stream.recv_message()).id
    uuid_box = json.dumps({"type": 7, "uuid": uuid, "name": "up.jpg"})
    await client.call(
        "MessageSendFile", message.MessageSendFileRequest(conversation_id=fid, file_box=uuid_box),
        message.MessageSendFileResponse,
    )  # fmt: skip
    sent = await world.wait_for_message(
        lambda m: m.sender == me and m.to == friend.wxid and m.msg_type == 3, timeout=T
    )
    assert sent.media == upload_bytes
    async with client.channel.request(
        "/wechaty.Puppet/Download", Cardinality.UNARY_STREAM,
        updown.DownloadRequest, updown.DownloadResponse,
    ) as stream:  # fmt: skip
        await stream.send_message(updown.DownloadRequest(id=uuid), end=True)
        assert b"".join([f.chunk async for f in stream]) == upload_bytes

    # The deprecated chunked send: conversation id, a name frame, data frames.
    chunked = jpeg(20, 20, "#5a2")
    async with client.channel.request(
        "/wechaty.Puppet/MessageSendFileStream", Cardinality.STREAM_UNARY,
        fbpb.MessageSendFileStreamRequest, fbpb.MessageSendFileStreamResponse,
    ) as stream:  # fmt: skip
        await stream.send_message(fbpb.MessageSendFileStreamRequest(conversation_id=oid))
        name = fbpb.FileBoxChunk(name="chunked.jpg")
        await stream.send_message(fbpb.MessageSendFileStreamRequest(file_box_chunk=name))
        data = fbpb.FileBoxChunk(data=chunked)
        await stream.send_message(fbpb.MessageSendFileStreamRequest(file_box_chunk=data), end=True)
        assert (await stream.recv_message()).id
    sent = await world.wait_for_message(
        lambda m: m.sender == me and m.to == other.wxid and m.media == chunked, timeout=T
    )
    assert sent.msg_type == 3


async def test_the_event_stream_carries_room_friendship_and_logout_events(
    served: Served, client: Client
) -> None:
    world = served.sandbox.world
    room_w = world.room("1000001@chatroom")  # the bot owns it
    rid = world.username_of(room_w)
    member_w = next(m for m in room_w.members if m != world.bot.wxid)
    async with event_stream(client) as events:
        until, frames = events.until, events.frames
        await until(ev.EVENT_TYPE_READY)
        world.rename_room(room_w, member_w, "Topic From The World")
        topic = await until(ev.EVENT_TYPE_ROOM_TOPIC)
        assert topic["roomId"] == rid and topic["newTopic"] == "Topic From The World"
        assert topic["changerId"] == world.username_of(member_w)
        dirty = [p for t, p in frames if t == ev.EVENT_TYPE_DIRTY]
        assert {"payloadType": 3, "payloadId": rid} in dirty  # before room-topic, by `until`

        world.kick(room_w, world.bot, member_w)
        leave = await until(ev.EVENT_TYPE_ROOM_LEAVE)
        assert leave["removeeIdList"] == [world.username_of(member_w)]

        world.friend_request(from_="wxid_eve", hello="hi there")
        friendship = await until(ev.EVENT_TYPE_FRIENDSHIP)
        request = friendship_pb.FriendshipPayloadRequest(id=friendship["friendshipId"])
        fp = await client.call(
            "FriendshipPayload", request, friendship_pb.FriendshipPayloadResponse
        )
        assert (fp.hello, fp.type) == ("hi there", 2)  # RECEIVE

        served.sandbox.phone.logout()
        logout = await until(ev.EVENT_TYPE_LOGOUT)
        assert logout["contactId"] and "data" in logout


async def test_the_event_stream_carries_scan_room_invite_error_and_reset(
    browser: Browser, sandbox: Sandbox
) -> None:
    # A fresh puppet behind a fresh service: the client is connected before the start, so the
    # stream sees the login from its first QR code on.
    world = sandbox.world
    sandbox.phone.auto_scan = True
    puppet = PuppetWeb(PuppetWebOptions(browser=browser, sandbox=sandbox.url, session_file=None))
    service = PuppetService(puppet, token=TOKEN)
    await service.start("127.0.0.1", 0, None)
    client = Client(Served(service=service, puppet=puppet, sandbox=sandbox))
    try:
        async with event_stream(client) as events:
            until, frames = events.until, events.frames
            await until(ev.EVENT_TYPE_HEARTBEAT)  # the server's "stream is up" frame
            await puppet.start()
            scan = await until(ev.EVENT_TYPE_SCAN)
            assert scan["qrcode"].startswith("https://login.weixin.qq.com/l/"), scan
            assert scan["status"] in (2, 3)  # Waiting / Scanned (the phone is quick)
            await until(ev.EVENT_TYPE_READY)
            assert [t for t, _ in frames].index(ev.EVENT_TYPE_LOGIN) > frames.index(
                (ev.EVENT_TYPE_SCAN, scan)
            )

            world.group_invitation("wxid_carol", "1000003@chatroom")
            invite = await until(ev.EVENT_TYPE_ROOM_INVITE)
            got = await client.call(
                "RoomInvitationPayload",
                invitation.RoomInvitationPayloadRequest(id=invite["roomInvitationId"]),
                invitation.RoomInvitationPayloadResponse,
            )
            assert got.inviter_id == world.username_of("wxid_carol")

            sandbox.sessions.inject_sync(add_msgs=[None])  # a junk sync item costs one error
            error = await until(ev.EVENT_TYPE_ERROR)
            assert error["data"].startswith("ProtocolError: ") and "null" in error["data"], error

            await puppet.page.close()  # the page is gone: the puppet resets
            reset = await until(ev.EVENT_TYPE_RESET)
            assert "page closed" in reset["data"], reset
    finally:
        client.channel.close()
        await service.stop()
        await puppet.stop()
