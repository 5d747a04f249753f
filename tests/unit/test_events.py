"""Event names and the to_json / event_from_json round trip (the cassette format)."""

from __future__ import annotations

import json

import pytest

from wechaty_puppet_web.errors import NotFoundError, PuppetWebError, RateLimitedError
from wechaty_puppet_web.events import (
    ConnectionLostEvent,
    ConnectionRestoredEvent,
    DongEvent,
    ErrorEvent,
    Event,
    EventName,
    FriendshipEvent,
    HeartbeatEvent,
    LoginEvent,
    LogoutEvent,
    MessageEvent,
    PageBusyEvent,
    ReadyEvent,
    ResetEvent,
    RoomInviteEvent,
    RoomJoinEvent,
    RoomLeaveEvent,
    RoomTopicEvent,
    ScanEvent,
    event_from_json,
)
from wechaty_puppet_web.payloads import (
    FriendshipPayload,
    FriendshipType,
    MessagePayload,
    MessageType,
    RoomInvitationPayload,
    ScanStatus,
)

MESSAGE = MessagePayload(
    id="1",
    type=MessageType.TEXT,
    talker_id="@a",
    room_id="@@r",
    mention_ids=("@b", "@c"),
    timestamp=1.0,
    raw_type=1,
)
EVENTS: list[Event] = [
    ScanEvent(status=ScanStatus.WAITING, qrcode="https://login.weixin.qq.com/l/abc==", data=""),
    LoginEvent(contact_id="@self"),
    LogoutEvent(contact_id="@self", reason="phone"),
    ReadyEvent(data="ready"),
    MessageEvent(message_id="1", payload=MESSAGE),
    FriendshipEvent(
        friendship_id="7",
        payload=FriendshipPayload(
            id="7",
            contact_id="@d",
            type=FriendshipType.RECEIVE,
            hello="hi",
            ticket="v2_x",
            scene=14,
        ),
    ),
    RoomJoinEvent(room_id="@@r", invitee_ids=("@a", "@b"), inviter_id="@self", timestamp=2.0),
    RoomLeaveEvent(room_id="@@r", removee_ids=("@a",), remover_id="@self", timestamp=3.0),
    RoomTopicEvent(room_id="@@r", new_topic="new", old_topic="old", changer_id="@a", timestamp=4.0),
    RoomInviteEvent(
        room_invitation_id="9",
        payload=RoomInvitationPayload(id="9", inviter_id="@a", topic="T", member_ids=("@a",)),
    ),
    HeartbeatEvent(data={"seq": 3, "ok": True}),
    DongEvent(data="ding-1"),
    ResetEvent(reason="page crashed"),
    ConnectionLostEvent(reason="synccheck failed"),
    ConnectionRestoredEvent(down_for=30.5),
    PageBusyEvent(busy_for=21.0),
]


@pytest.mark.parametrize("event", EVENTS, ids=lambda e: type(e).__name__)
def test_round_trip(event: Event) -> None:
    data = event.to_json()
    assert json.loads(json.dumps(data)) == data  # plain JSON only
    assert event_from_json(event.event_name, data) == event
    assert event_from_json(event.event_name.value, json.loads(json.dumps(data))) == event


def test_every_event_name_has_a_class() -> None:
    names = {e.event_name for e in EVENTS} | {ErrorEvent.event_name}
    assert names == set(EventName)


def test_event_name_values() -> None:
    assert EventName.ROOM_JOIN.value == "room-join"
    assert isinstance(EventName.ROOM_JOIN, str)
    assert EventName("room-invite") is EventName.ROOM_INVITE
    assert [e.value for e in EventName] == [
        "scan",
        "login",
        "logout",
        "ready",
        "message",
        "friendship",
        "room-join",
        "room-leave",
        "room-topic",
        "room-invite",
        "heartbeat",
        "dong",
        "error",
        "reset",
        "connection-lost",
        "connection-restored",
        "page-busy",
    ]


@pytest.mark.parametrize(
    "error",
    [
        NotFoundError("contact", "@x"),
        RateLimitedError("webwxsendmsg", 1205),
        ValueError("bad"),
        PuppetWebError("plain"),
    ],
    ids=lambda e: type(e).__name__,
)
def test_error_event_round_trip(error: BaseException) -> None:
    event = ErrorEvent(error=error, data={"where": "bridge"})
    data = event.to_json()
    assert data["error"] == {"type": type(error).__name__, "message": str(error)}
    back = event_from_json("error", json.loads(json.dumps(data)))
    assert isinstance(back, ErrorEvent)
    assert type(back.error) is type(error)
    assert str(back.error) == str(error)
    assert back.data == {"where": "bridge"}


def test_unknown_error_class_becomes_puppet_web_error() -> None:
    back = event_from_json(
        "error", {"error": {"type": "SomethingElse", "message": "m"}, "data": None}
    )
    assert isinstance(back, ErrorEvent)
    assert type(back.error) is PuppetWebError
    assert str(back.error) == "SomethingElse: m"


def test_unknown_event_name_raises() -> None:
    with pytest.raises(ValueError):
        event_from_json("nope", {})


def test_scan_status_from_json_degrades() -> None:
    back = event_from_json("scan", {"status": 42, "qrcode": "", "data": ""})
    assert isinstance(back, ScanEvent)
    assert back.status is ScanStatus.UNKNOWN
