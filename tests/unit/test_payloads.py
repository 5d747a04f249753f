"""Enums degrade to UNKNOWN; payloads are frozen, hashable and JSON round-trippable."""

from __future__ import annotations

import dataclasses
from enum import IntEnum

import pytest

from wechaty_puppet_web.payloads import (
    ContactGender,
    ContactPayload,
    ContactType,
    FriendshipPayload,
    FriendshipType,
    ImageType,
    LocationPayload,
    MessagePayload,
    MessageType,
    MiniProgramPayload,
    RoomInvitationPayload,
    RoomMemberPayload,
    RoomPayload,
    ScanStatus,
    UrlLinkPayload,
    payload_from_json,
    payload_to_json,
)

WECHATY_VALUES: dict[type[IntEnum], dict[str, int]] = {
    ScanStatus: {
        "UNKNOWN": 0,
        "CANCEL": 1,
        "WAITING": 2,
        "SCANNED": 3,
        "CONFIRMED": 4,
        "TIMEOUT": 5,
    },
    ContactType: {"UNKNOWN": 0, "INDIVIDUAL": 1, "OFFICIAL": 2, "CORPORATION": 3},
    ContactGender: {"UNKNOWN": 0, "MALE": 1, "FEMALE": 2},
    MessageType: {
        "UNKNOWN": 0,
        "ATTACHMENT": 1,
        "AUDIO": 2,
        "CONTACT": 3,
        "CHAT_HISTORY": 4,
        "EMOTICON": 5,
        "IMAGE": 6,
        "TEXT": 7,
        "LOCATION": 8,
        "MINI_PROGRAM": 9,
        "GROUP_NOTE": 10,
        "TRANSFER": 11,
        "RED_ENVELOPE": 12,
        "RECALLED": 13,
        "URL": 14,
        "VIDEO": 15,
    },
    FriendshipType: {"UNKNOWN": 0, "CONFIRM": 1, "RECEIVE": 2, "VERIFY": 3},
    ImageType: {"UNKNOWN": 0, "THUMBNAIL": 1, "HD": 2, "ARTWORK": 3},
}


@pytest.mark.parametrize("enum", list(WECHATY_VALUES), ids=lambda e: e.__name__)
def test_enum_values_are_wechatys(enum: type[IntEnum]) -> None:
    assert {m.name: m.value for m in enum} == WECHATY_VALUES[enum]


@pytest.mark.parametrize("enum", list(WECHATY_VALUES), ids=lambda e: e.__name__)
@pytest.mark.parametrize("value", [-1, 99, 10000, 2**40])
def test_enum_missing_is_unknown(enum: type[IntEnum], value: int) -> None:
    assert enum(value) is enum["UNKNOWN"]


SAMPLES = [
    ContactPayload(
        id="@a",
        name="A",
        gender=ContactGender.FEMALE,
        type=ContactType.INDIVIDUAL,
        friend=True,
        phone=("123",),
    ),
    RoomPayload(id="@@r", topic="T", member_ids=("@a", "@b"), owner_id="@a"),
    RoomMemberPayload(id="@a", name="A", room_alias="Ally"),
    MessagePayload(
        id="1",
        type=MessageType.TEXT,
        talker_id="@a",
        room_id="@@r",
        text="hi",
        mention_ids=("@b",),
        timestamp=1700000000.0,
        raw_type=1,
    ),
    FriendshipPayload(id="7", contact_id="@d", type=FriendshipType.RECEIVE, hello="hi", scene=14),
    UrlLinkPayload(title="t", url="http://x"),
    MiniProgramPayload(appid="wx1", title="m", icon_url=None),
    LocationPayload(name="n", latitude=22.5, longitude=114.0, accuracy=16.0),
    RoomInvitationPayload(id="9", inviter_id="@a", topic="T", member_ids=("@a",)),
]


@pytest.mark.parametrize("payload", SAMPLES, ids=lambda p: type(p).__name__)
def test_payload_is_frozen_and_hashable(payload: object) -> None:
    hash(payload)
    field = dataclasses.fields(payload)[0].name  # type: ignore[arg-type]
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(payload, field, "x")
    assert not hasattr(payload, "__dict__")  # slotted


@pytest.mark.parametrize("payload", SAMPLES, ids=lambda p: type(p).__name__)
def test_payload_json_round_trip(payload: object) -> None:
    data = payload_to_json(payload)
    assert all(not isinstance(v, (tuple, IntEnum)) for v in data.values())
    assert payload_from_json(type(payload), data) == payload


def test_payloads_are_keyword_only() -> None:
    with pytest.raises(TypeError):
        UrlLinkPayload("t", "u")  # type: ignore[call-arg]
