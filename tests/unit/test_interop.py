"""The tables the Puppet Service and the python-wechaty adapter share, and the proto rewrite."""

from __future__ import annotations

import base64
import json

import pytest

from wechaty_puppet_web import FileBox
from wechaty_puppet_web.errors import FileBoxError
from wechaty_puppet_web.events import (
    HeartbeatEvent,
    LoginEvent,
    RoomJoinEvent,
    RoomLeaveEvent,
    RoomTopicEvent,
)
from wechaty_puppet_web.interop.enums import TO_GRPC, grpc_message_type, message_type_from_grpc
from wechaty_puppet_web.interop.filebox_json import filebox_from_json, filebox_to_json
from wechaty_puppet_web.interop.wire_events import event_payload
from wechaty_puppet_web.payloads import MessageType
from wechaty_puppet_web.service.protogen import flat_name, rewrite, strip_custom_options
from wechaty_puppet_web.service.stubs import puppet_message_pb2 as grpc_message


def test_message_types_map_onto_the_grpc_enum_by_name() -> None:
    grpc_names = {v.name: v.number for v in grpc_message.MessageType.DESCRIPTOR.values}
    for kind in MessageType:
        expected = grpc_names.get(f"MESSAGE_TYPE_{kind.name}", 0)
        assert grpc_message_type(kind) == expected, kind
    # the traps the issue names
    assert (TO_GRPC[MessageType.TEXT], TO_GRPC[MessageType.IMAGE]) == (6, 5)
    assert (TO_GRPC[MessageType.VIDEO], TO_GRPC[MessageType.CHAT_HISTORY]) == (7, 8)
    assert TO_GRPC[MessageType.GROUP_NOTE] == 0
    for number in grpc_names.values():
        assert grpc_message_type(message_type_from_grpc(number)) == number
    assert message_type_from_grpc(0) is MessageType.UNKNOWN


def test_events_become_wechaty_payloads() -> None:
    assert event_payload(LoginEvent(contact_id="me")) == {"contactId": "me"}
    join = RoomJoinEvent(room_id="r@chatroom", invitee_ids=("a", "b"), inviter_id="c", timestamp=5)
    assert event_payload(join) == {
        "roomId": "r@chatroom", "inviteeIdList": ["a", "b"], "inviterId": "c", "timestamp": 5
    }  # fmt: skip
    leave = RoomLeaveEvent(room_id="r", removee_ids=("a",), remover_id="c")
    assert event_payload(leave)["removeeIdList"] == ["a"]
    topic = RoomTopicEvent(room_id="r", new_topic="n", old_topic="o", changer_id="c")
    assert event_payload(topic)["newTopic"] == "n"
    assert event_payload(HeartbeatEvent(data={"ok": 1})) == {"data": '{"ok": 1}'}


async def test_filebox_json_round_trips_and_reads_both_dialects() -> None:
    box = FileBox.from_bytes(b"\x89PNG\r\n\x1a\n" + b"x" * 20, "a.png")
    text = await filebox_to_json(box)
    obj = json.loads(text)
    assert obj["type"] == obj["boxType"] == 1  # TypeScript and python-wechaty keys
    back = await filebox_from_json(text)
    assert (back.name, await back.read()) == ("a.png", await box.read())
    py_style = json.dumps({"boxType": 1, "base64": base64.b64encode(b"hi").decode(), "name": "t"})
    assert await (await filebox_from_json(py_style)).read() == b"hi"

    async def resolve(uuid: str) -> bytes:
        assert uuid == "u-1"
        return b"uploaded"

    uuid_box = json.dumps({"type": 7, "uuid": "u-1", "name": "f.bin"})
    assert await (await filebox_from_json(uuid_box, resolve_uuid=resolve)).read() == b"uploaded"
    qr = await filebox_from_json(json.dumps({"type": 3, "qrCode": "hello"}))
    assert qr.mimetype == "image/png" and (await qr.read()).startswith(b"\x89PNG")
    for bad in ("nope", "[]", '{"type": 99}', '{"type": 1, "base64": 5}', '{"type": 7}'):
        with pytest.raises(FileBoxError):
            await filebox_from_json(bad)


def test_protogen_strips_custom_options_and_flattens_imports() -> None:
    src = (
        'syntax = "proto3";\nimport "google/api/annotations.proto";\n'
        'import "wechaty/puppet/base.proto";\nimport "google/protobuf/wrappers.proto";\n'
        "service P {\n  rpc A (R) returns (S) {\n    option (google.api.http) = {\n"
        '      get: "/a/{id}" // a {comment}\n    };\n  }\n}\n'
    )
    out = rewrite(src)
    assert "option" not in out and "google/api" not in out
    assert 'import "wechaty_puppet_web/service/stubs/puppet_base.proto";' in out
    assert 'import "google/protobuf/wrappers.proto";' in out
    assert "rpc A (R) returns (S) {" in out
    assert strip_custom_options('option java_package = "x";') == 'option java_package = "x";'
    assert flat_name("wechaty/puppet/room-member.proto") == "puppet_room-member.proto"


def test_the_event_stream_carries_wechaty_events_only() -> None:
    from wechaty_puppet_web import PuppetWeb, PuppetWebOptions
    from wechaty_puppet_web.events import EventName
    from wechaty_puppet_web.service.events import EVENT_TYPES, EventHub

    puppet = PuppetWeb(PuppetWebOptions(session_file=None))
    EventHub(puppet)
    wechaty = {"scan", "login", "logout", "ready", "message", "friendship", "room-join",
               "room-leave", "room-topic", "room-invite", "heartbeat", "dong", "error",
               "reset"}  # fmt: skip
    assert wechaty <= set(EVENT_TYPES)
    for name in EventName:
        assert bool(puppet.listeners(name.value)) == (name.value in EVENT_TYPES), name


async def test_a_url_filebox_is_fetched() -> None:
    from aiohttp import web

    from wechaty_puppet_web.interop.filebox_json import fetch_url

    body = b"GIF89a" + b"\x00" * 30

    async def handler(request: web.Request) -> web.Response:
        if request.path == "/missing":
            return web.Response(status=404)
        return web.Response(body=body, content_type="image/gif")

    app = web.Application()
    app.router.add_get("/{name}", handler)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        for key in ("url", "remoteUrl"):  # TypeScript, python-wechaty
            text = json.dumps({"type": 2, key: f"http://127.0.0.1:{port}/a.gif", "name": "a.gif"})
            box = await filebox_from_json(text, fetch_url=fetch_url)
            assert (box.name, box.mimetype, await box.read()) == ("a.gif", "image/gif", body)
        missing = json.dumps({"type": 2, "url": f"http://127.0.0.1:{port}/missing"})
        with pytest.raises(FileBoxError):
            await filebox_from_json(missing, fetch_url=fetch_url)
        with pytest.raises(FileBoxError):  # no fetcher given: never a silent download
            await filebox_from_json(json.dumps({"type": 2, "url": "http://x/y"}))
    finally:
        await runner.cleanup()


@pytest.mark.parametrize(
    ("versions", "complaint"),
    [
        ({}, "python-wechaty is not installed"),
        ({"wechaty": "0.9.1"}, "made for 0.10.x"),
        ({"wechaty": "0.10.7", "pyee": "12.0.0"}, "pyee 12.0.0"),
        ({"wechaty": "0.10.7", "pyee": "11.1.1", "urllib3": "2.2.0"}, "urllib3 2.2.0"),
        ({"wechaty": "0.10.7", "pyee": "11.1.1", "urllib3": "1.26.20"}, None),
    ],
)
def test_the_python_wechaty_environment_check(
    monkeypatch: pytest.MonkeyPatch, versions: dict[str, str], complaint: str | None
) -> None:
    from importlib import metadata

    from wechaty_puppet_web.errors import WechatyEnvironmentError
    from wechaty_puppet_web.interop import wechaty_env

    def version(dist: str) -> str:
        if dist not in versions:
            raise metadata.PackageNotFoundError(dist)
        return versions[dist]

    monkeypatch.setattr(metadata, "version", version)  # the module reads metadata.version
    if complaint is None:
        wechaty_env.check_environment()
        return
    with pytest.raises(WechatyEnvironmentError, match=complaint.replace(".", r"\.")):
        wechaty_env.check_environment()
