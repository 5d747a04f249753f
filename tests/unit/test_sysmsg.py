"""The system-message table, row by row in zh and en (fixtures/raw/sysmsg.json)."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from wechaty_puppet_web.payloads import RoomMemberPayload
from wechaty_puppet_web.protocol.sysmsg import (
    YOU,
    FriendConfirmSys,
    Name,
    RoomJoinSys,
    RoomLeaveSys,
    RoomTopicSys,
    SysEvent,
    match_system_message,
    resolve_names,
)

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "raw" / "sysmsg.json"
ROWS: list[dict[str, Any]] = json.loads(FIXTURE.read_text("utf-8"))["rows"]


def _name(value: str) -> Name:
    return YOU if value == "YOU" else value


def _expected(spec: dict[str, Any] | None) -> SysEvent | None:
    if spec is None:
        return None
    kind = spec["kind"]
    if kind == "join":
        invitees = tuple(_name(n) for n in spec["invitees"])
        return RoomJoinSys(inviter=_name(spec["inviter"]), invitees=invitees, via_qr=spec["via_qr"])
    if kind == "leave":
        removees = tuple(_name(n) for n in spec["removees"])
        return RoomLeaveSys(remover=_name(spec["remover"]), removees=removees)
    if kind == "topic":
        return RoomTopicSys(changer=_name(spec["changer"]), topic=spec["topic"])
    return FriendConfirmSys(name=spec["name"])


@pytest.mark.parametrize("row", ROWS, ids=lambda r: r["name"])
def test_row(row: dict[str, Any]) -> None:
    assert match_system_message(row["text"]) == _expected(row["expect"])


def test_every_kind_in_both_languages() -> None:
    kinds = {(r["name"][:2], r["expect"]["kind"]) for r in ROWS if r["expect"]}
    assert kinds == {
        (lang, k) for lang in ("zh", "en") for k in ("join", "leave", "topic", "friend")
    }


@pytest.mark.parametrize("bad", [None, 42, b"bytes", "x" * 100_000, '"' * 50_000 + "邀请"])
def test_hostile_input_is_not_an_event(bad: Any) -> None:
    start = time.perf_counter()
    assert match_system_message(bad) is None
    assert time.perf_counter() - start < 1.0


def test_long_names_are_fast() -> None:
    text = '"' + "a" * 3000 + '" invited ' + "b" * 1000
    start = time.perf_counter()
    assert match_system_message(text) is None
    assert time.perf_counter() - start < 1.0


MEMBERS = (
    RoomMemberPayload(id="@alice", name="Alice", room_alias="Ally"),
    RoomMemberPayload(id="@bob", name="Bob"),
    RoomMemberPayload(id="@carol", name="Ally"),  # a nickname equal to Alice's room alias
    RoomMemberPayload(id="@self", name="Me"),
)


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        ((YOU,), ("@self",)),
        (("Bob", YOU), ("@bob", "@self")),
        (("Ally",), ("@alice",)),  # the in-room alias wins over another member's nickname
        (("Alice",), ("@alice",)),
        ((" Bob ",), ("@bob",)),
        (("Nobody", "Bob"), ("@bob",)),  # unresolved names are left out
        (("Bob", "Bob"), ("@bob",)),
        ((), ()),
    ],
)
def test_resolve_names(names: tuple[Name, ...], expected: tuple[str, ...]) -> None:
    assert resolve_names(names, MEMBERS, self_id="@self") == expected


def test_you_sentinel_repr() -> None:
    assert repr(YOU) == "YOU"
    assert not isinstance(YOU, str)  # never confused with a member literally named "you"


# The sandbox's wording table must stay readable by the parser: render every template.
SANDBOX_LINES: list[tuple[str, dict[str, Any], SysEvent | None]] = [
    (
        "invite_by_you",
        {"invitees": ["Bob", "Carol Z"]},
        RoomJoinSys(inviter=YOU, invitees=("Bob", "Carol Z")),
    ),
    (
        "invite_other",
        {"inviter": "Alice", "invitees": ["Bob", "Carol Z"]},
        RoomJoinSys(inviter="Alice", invitees=("Bob", "Carol Z")),
    ),
    (
        "invited_you",
        {"inviter": "Alice", "others": ["Bob", "Carol"]},
        RoomJoinSys(inviter="Alice", invitees=(YOU,)),
    ),
    (
        "invited_you_and",
        {"inviter": "Alice", "others": ["Bob", "Carol"]},
        RoomJoinSys(inviter="Alice", invitees=(YOU, "Bob", "Carol")),
    ),
    ("qr_join_yours", {"who": "Bob"}, RoomJoinSys(inviter=YOU, invitees=("Bob",), via_qr=True)),
    (
        "qr_join_other",
        {"who": "Bob", "sharer": "Alice"},
        RoomJoinSys(inviter="Alice", invitees=("Bob",), via_qr=True),
    ),
    (
        "remove_by_you",
        {"removees": ["Bob", "Carol"]},
        RoomLeaveSys(remover=YOU, removees=("Bob", "Carol")),
    ),
    ("removed_you", {"remover": "Alice"}, RoomLeaveSys(remover="Alice", removees=(YOU,))),
    (
        "rename_other",
        {"changer": "Alice", "topic": "New name"},
        RoomTopicSys(changer="Alice", topic="New name"),
    ),
    ("rename_you", {"topic": "New name"}, RoomTopicSys(changer=YOU, topic="New name")),
    ("friend_you_added", {"name": "Dave"}, FriendConfirmSys(name="Dave")),
    ("friend_they_added", {"name": "Dave"}, FriendConfirmSys(name="Dave")),
    ("recall_other", {"name": "Alice"}, None),
    ("recall_you", {}, None),
]


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize(
    ("key", "args", "expected"), SANDBOX_LINES, ids=[k for k, _, _ in SANDBOX_LINES]
)
def test_sandbox_wording_is_recognised(
    lang: str, key: str, args: dict[str, Any], expected: SysEvent | None
) -> None:
    from wechaty_puppet_web.sandbox.wording import render

    assert match_system_message(render(key, args, lang)) == expected
