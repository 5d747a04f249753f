"""Table-driven tests of parse_contact / parse_room / parse_room_member.

Cases live in fixtures/raw/contacts.json.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest

from wechaty_puppet_web.payloads import ContactGender, ContactType
from wechaty_puppet_web.protocol.parse import (
    is_room_id,
    parse_contact,
    parse_room,
    parse_room_member,
)

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "raw" / "contacts.json"
DATA = json.loads(FIXTURE.read_text("utf-8"))
SELF_ID: str = DATA["self_id"]


def _as_json(payload: Any) -> dict[str, Any]:
    out = dataclasses.asdict(payload)
    return {k: list(v) if isinstance(v, tuple) else v for k, v in out.items()}


def _check(payload: Any, expected: dict[str, Any]) -> None:
    got = _as_json(payload)
    assert {k: got[k] for k in expected} == expected
    hash(payload)


@pytest.mark.parametrize("case", DATA["contacts"], ids=lambda c: c["name"])
def test_parse_contact(case: dict[str, Any]) -> None:
    payload = parse_contact(case["raw"], self_id=SELF_ID)
    _check(payload, case["expect"])
    assert isinstance(payload.gender, ContactGender)
    assert isinstance(payload.type, ContactType)


@pytest.mark.parametrize("case", DATA["rooms"], ids=lambda c: c["name"])
def test_parse_room(case: dict[str, Any]) -> None:
    _check(parse_room(case["raw"], self_id=SELF_ID), case["expect"])


@pytest.mark.parametrize("case", DATA["members"], ids=lambda c: c["name"])
def test_parse_room_member(case: dict[str, Any]) -> None:
    payload = parse_room_member(case["raw"], room=DATA["room"], contact=case["contact"])
    _check(payload, case["expect"])


@pytest.mark.parametrize(
    ("ident", "expected"),
    [
        ("@@0d9a", True),
        ("10635087412@chatroom", True),
        ("@a11ce", False),
        ("filehelper", False),
        ("", False),
        (None, False),
        (123, False),
    ],
)
def test_is_room_id(ident: object, expected: bool) -> None:
    assert is_room_id(ident) is expected
