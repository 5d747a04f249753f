"""Table-driven tests of parse_message and the XML extractors, from fixtures/raw/messages.json."""

from __future__ import annotations

import contextlib
import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest

from wechaty_puppet_web.errors import ProtocolError
from wechaty_puppet_web.payloads import MessageType, RoomMemberPayload
from wechaty_puppet_web.protocol.parse import (
    parse_contact_card,
    parse_friendship,
    parse_location,
    parse_message,
    parse_mini_program,
    parse_recall,
    parse_room_invitation,
    parse_url_link,
)
from wechaty_puppet_web.protocol.raw import RawMessage

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "raw" / "messages.json"
DATA = json.loads(FIXTURE.read_text("utf-8"))
SELF_ID: str = DATA["self_id"]
CASES: list[dict[str, Any]] = DATA["cases"]
EXTRACTORS = {
    "url_link": parse_url_link,
    "mini_program": parse_mini_program,
    "location": parse_location,
    "room_invitation": parse_room_invitation,
}
# The message type each extractor accepts (None: only cases that carry an expectation).
ACCEPTS = {"url_link": 14, "mini_program": 9, "location": 8, "room_invitation": None}


def _members(case: dict[str, Any]) -> tuple[RoomMemberPayload, ...]:
    return tuple(RoomMemberPayload(**m) for m in case.get("members", ()))


def _as_json(payload: Any) -> dict[str, Any]:
    out = dataclasses.asdict(payload)
    return {k: list(v) if isinstance(v, tuple) else v for k, v in out.items()}


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_parse_message(case: dict[str, Any]) -> None:
    payload = parse_message(case["raw"], self_id=SELF_ID, members=_members(case))
    got = _as_json(payload)
    expected = case["expect"]
    assert {k: got[k] for k in expected} == expected
    if "id" not in expected:
        assert payload.id == case["raw"]["MsgId"]
    assert isinstance(payload.type, MessageType)
    hash(payload)  # payloads are immutable and hashable


@pytest.mark.parametrize(
    ("case", "kind"),
    [(c, k) for c in CASES for k in EXTRACTORS if k in c],
    ids=[f"{c['name']}-{k}" for c in CASES for k in EXTRACTORS if k in c],
)
def test_extractors(case: dict[str, Any], kind: str) -> None:
    assert _as_json(EXTRACTORS[kind](case["raw"])) == case[kind]


def _refused(case: dict[str, Any], kind: str) -> bool:
    return kind not in case and case["expect"]["type"] != ACCEPTS[kind] and bool(case["raw"])


@pytest.mark.parametrize(
    ("case", "kind"),
    [(c, k) for c in CASES for k in EXTRACTORS if _refused(c, k)],
    ids=[f"{c['name']}-{k}" for c in CASES for k in EXTRACTORS if _refused(c, k)],
)
def test_extractors_refuse_other_types(case: dict[str, Any], kind: str) -> None:
    with pytest.raises(ProtocolError) as info:
        EXTRACTORS[kind](case["raw"])
    assert info.value.raw is case["raw"]


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_contact_card(case: dict[str, Any]) -> None:
    if "contact_card" in case:
        assert parse_contact_card(case["raw"]) == case["contact_card"]
    else:
        with pytest.raises(ProtocolError):
            parse_contact_card(case["raw"])


@pytest.mark.parametrize("case", [c for c in CASES if "friendship" in c], ids=lambda c: c["name"])
def test_friendship(case: dict[str, Any]) -> None:
    payload = parse_friendship(case["raw"], self_id=SELF_ID)
    expected = case["friendship"]
    assert (None if payload is None else _as_json(payload)) == expected


def _request(recommend_content: str | None, xml_content: str) -> dict[str, Any]:
    xml = f'<msg fromusername="wxid_g" content="{xml_content}" ticket="v2_t@stranger" scene="14"/>'
    info: dict[str, Any] = {"UserName": "@grace", "Ticket": "v2_t@stranger", "Scene": 14}
    if recommend_content is not None:
        info["Content"] = recommend_content
    escaped = xml.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return {"MsgId": "9", "MsgType": 37, "FromUserName": "fmessage", "ToUserName": SELF_ID,
            "Content": escaped, "RecommendInfo": info, "CreateTime": 1}  # fmt: skip


@pytest.mark.parametrize(
    ("recommend", "xml_attr"),
    [("hi &lt;there&gt; &amp; <span class=\"emoji emoji1f604\"></span>", ""),  # wire text
     (None, "hi &lt;there&gt; &amp; \U0001f604")],  # only the XML attribute
)  # fmt: skip
def test_friendship_hello_keeps_markup_like_text(recommend: str | None, xml_attr: str) -> None:
    payload = parse_friendship(_request(recommend, xml_attr), self_id=SELF_ID)  # type: ignore[arg-type]
    assert payload is not None and payload.hello == "hi <there> & \U0001f604"


def test_non_friendship_messages_give_none() -> None:
    others = [c for c in CASES if "friendship" not in c]
    assert others
    assert all(parse_friendship(c["raw"], self_id=SELF_ID) is None for c in others)


def test_every_message_type_is_covered() -> None:
    seen = {c["expect"]["type"] for c in CASES}
    assert seen == {int(t) for t in MessageType}


ROOM = "@@room"
MEMBERS = (
    RoomMemberPayload(id="@al", name="Al"),
    RoomMemberPayload(id="@alice", name="Al ice"),
    RoomMemberPayload(id="@bob", name="Bob", room_alias="B"),
    RoomMemberPayload(id="@self", name="Me"),
)


def _room_text(text: str) -> RawMessage:
    return {"MsgId": "1", "MsgType": 1, "FromUserName": ROOM, "ToUserName": "@self",
            "Content": "@bob:<br/>" + text}  # fmt: skip


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("@Al ice\u2005hi", ("@alice",)),  # the longest name at a position wins
        ("@Al\u2005and @Al ice\u2005", ("@al", "@alice")),
        ("@B hi @Me", ("@bob", "@self")),
        ("mail me@Me.com", ()),  # not followed by a separator
        ("@Bob,", ()),
        ("@Me\n@Me ", ("@self",)),
        ("no mention", ()),
    ],
)
def test_mentions(text: str, expected: tuple[str, ...]) -> None:
    payload = parse_message(_room_text(text), self_id="@self", members=MEMBERS)
    assert payload.mention_ids == expected


def test_100kb_message_with_500_members_is_fast() -> None:
    import time

    members = tuple(RoomMemberPayload(id=f"@m{i}", name=f"member {i}") for i in range(500))
    text = ('@member 7\u2005 hello &lt;b&gt; <span class="emoji emoji1f604"></span>' * 1500)[
        :100_000
    ]
    start = time.perf_counter()
    payload = parse_message(_room_text(text), self_id="@self", members=members)
    assert time.perf_counter() - start < 1.0
    assert payload.mention_ids == ("@m7",)
    assert len(payload.text) > 30_000  # markup removed, text kept


def _junk_values() -> list[Any]:
    return [None, True, 0, -1, 2**70, 1.5, float("nan"), "", "x", "\ud83d", "&lt;msg&gt;",
            "@@r:<br/>", [], [1, "a"], {}, {"UserName": 5}, "<" * 50]  # fmt: skip


def test_fuzzed_raw_messages_never_raise() -> None:
    import random

    rng = random.Random(1234)
    extra = ["RawMsgType", "MMIsAppMsg", "_noSupportMsg", "MsgSource", "MMActualSender"]
    keys = [*CASES[0]["raw"], *extra]
    bases = [c["raw"] for c in CASES if c["raw"]]
    for _ in range(1000):
        raw = dict(rng.choice(bases))
        for key in rng.sample(keys, 4):
            raw[key] = rng.choice(_junk_values())
        payload = parse_message(raw, self_id=SELF_ID, members=())  # type: ignore[arg-type]
        assert isinstance(payload.text, str)
        parse_friendship(raw, self_id=SELF_ID)  # type: ignore[arg-type]
        for extract in (*EXTRACTORS.values(), parse_contact_card):
            with contextlib.suppress(ProtocolError):
                extract(raw)  # type: ignore[arg-type]


def _case(name: str) -> dict[str, Any]:
    return next(c for c in CASES if c["name"] == name)


def test_parse_recall_uses_recalled_id() -> None:
    msg = _case("recall_10002_room")["raw"]
    payload = parse_recall({"msg": msg, "recalled_id": "123"}, self_id=SELF_ID)
    assert (payload.type, payload.text, payload.id) == (MessageType.RECALLED, "123", msg["MsgId"])
    assert payload.room_id == msg["FromUserName"]
    assert payload.talker_id != msg["FromUserName"]  # the prefix names the real sender


def test_parse_recall_falls_back_to_xml_and_tolerates_junk() -> None:
    msg = _case("recall_10002_1to1_with_br_tabs")["raw"]
    assert parse_recall({"msg": msg}, self_id=SELF_ID).text == "7032570294236529159"
    with pytest.raises(ProtocolError):  # a revoke naming no message is not a recall
        parse_recall({"msg": "nope"}, self_id=SELF_ID)  # type: ignore[typeddict-item]
