"""The puppet's hot paths without a browser: room messages skip the members round trip unless
they may @mention someone, members are cached per room until the page says the room changed,
and the raw-message store stays bounded."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from wechaty_puppet_web.events import EventName, MessageEvent
from wechaty_puppet_web.options import PuppetWebOptions
from wechaty_puppet_web.puppet import PuppetWeb
from wechaty_puppet_web.puppet import core as puppet_core

from .test_puppet import FakeBridge, env

SELF = "@self0001"
ALICE = "@alice0001"
ROOM = "@@room0001"


def members_reply(args: Any) -> dict[str, Any]:
    member = {"UserName": ALICE, "NickName": "Alice", "DisplayName": ""}
    return {"room": {"UserName": ROOM, "MemberList": [member]}, "contacts": {}, "past": []}


@pytest.fixture
async def puppet(tmp_path: Path) -> PuppetWeb:
    p = PuppetWeb(PuppetWebOptions(session_file=tmp_path / "s.json"))
    bridge = FakeBridge()
    bridge.handlers["room.members"] = members_reply
    p._bridge = bridge
    await p._handle_envelope(env("login", {"UserName": SELF}))
    return p


def room_text(msg_id: str, text: str, msg_type: int = 1) -> dict[str, Any]:
    content = f"{ALICE}:<br/>{text}"
    return {"MsgId": msg_id, "MsgType": msg_type, "FromUserName": ROOM, "ToUserName": SELF,
            "Content": content, "MMPeerUserName": ROOM, "MMActualSender": ALICE,
            "CreateTime": 1700000000}  # fmt: skip


def member_calls(p: PuppetWeb) -> int:
    calls: list[tuple[str, Any]] = p._bridge.calls  # type: ignore[attr-defined]
    return sum(1 for name, _ in calls if name == "room.members")


async def receive(p: PuppetWeb, raw: dict[str, Any]) -> MessageEvent:
    got: list[MessageEvent] = []
    p.once(EventName.MESSAGE.value, got.append)
    await p._handle_envelope(env("message", raw))
    assert len(got) == 1
    return got[0]


async def test_a_room_text_without_a_mention_needs_no_members(puppet: PuppetWeb) -> None:
    # The sender prefix "@alice0001:<br/>" has an "@" of its own: it must not count.
    event = await receive(puppet, room_text("1", "plain words"))
    assert event.payload.text == "plain words" and event.payload.room_id == ROOM
    assert member_calls(puppet) == 0


async def test_a_room_system_line_does_not_fetch_members_for_mentions(puppet: PuppetWeb) -> None:
    await receive(puppet, {**room_text("1", ""), "Content": "a@b changed nothing",
                           "MsgType": 10000})  # fmt: skip
    assert member_calls(puppet) == 0


async def test_a_mention_fetches_members_once_per_room(puppet: PuppetWeb) -> None:
    first = await receive(puppet, room_text("1", "@Alice\u2005hi"))
    second = await receive(puppet, room_text("2", "@Alice\u2005again"))
    assert first.payload.mention_ids == (ALICE,) and second.payload.mention_ids == (ALICE,)
    assert member_calls(puppet) == 1


async def test_room_changed_and_a_new_document_drop_the_cached_members(
    puppet: PuppetWeb,
) -> None:
    await receive(puppet, room_text("1", "@Alice\u2005hi"))
    await puppet._handle_envelope(env("room-changed", {"id": ROOM}))
    await receive(puppet, room_text("2", "@Alice\u2005hi"))
    assert member_calls(puppet) == 2
    await puppet._handle_envelope(env("room-changed", {"id": "@@other"}))
    await receive(puppet, room_text("3", "@Alice\u2005hi"))
    assert member_calls(puppet) == 2
    await puppet._handle_envelope(env("boot", {"isLogin": True}))
    await receive(puppet, room_text("4", "@Alice\u2005hi"))
    assert member_calls(puppet) == 3


async def test_the_raw_message_store_is_bounded_and_older_ids_come_from_the_page(
    puppet: PuppetWeb, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(puppet_core, "MESSAGE_CACHE_SIZE", 3)
    for i in range(5):
        await receive(puppet, {**room_text(str(i), f"text {i}"), "FromUserName": ALICE,
                               "MMPeerUserName": ALICE, "Content": f"text {i}"})  # fmt: skip
    assert list(puppet._messages) == ["2", "3", "4"]
    assert (await puppet.message_payload("4")).text == "text 4"
    bridge: FakeBridge = puppet._bridge  # type: ignore[assignment]
    bridge.handlers["message.get"] = lambda args: {
        "MsgId": args["id"], "MsgType": 1, "FromUserName": ALICE, "ToUserName": SELF,
        "Content": "from the page", "CreateTime": 1}  # fmt: skip
    assert (await puppet.message_payload("0")).text == "from the page"
    # A re-delivered old message is still recognised as already emitted.
    got: list[MessageEvent] = []
    puppet.on(EventName.MESSAGE.value, got.append)
    await puppet._handle_envelope(env("message", room_text("1", "again")))
    assert got == []


async def test_an_unknown_room_is_not_cached(puppet: PuppetWeb) -> None:
    bridge: FakeBridge = puppet._bridge  # type: ignore[assignment]
    bridge.handlers["room.members"] = lambda args: None  # the page does not know the room yet
    await receive(puppet, room_text("1", "@Alice\u2005hi"))
    bridge.handlers["room.members"] = members_reply
    event = await receive(puppet, room_text("2", "@Alice\u2005hi"))
    assert event.payload.mention_ids == (ALICE,) and member_calls(puppet) == 2
