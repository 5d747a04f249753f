"""Pseudonymisation: names and ids replaced consistently across a whole cassette."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import quote

from wechaty_puppet_web.recording.cassette import (
    Cassette,
    EventRecord,
    HttpRecord,
    HttpRequest,
    HttpResponse,
    Record,
    load,
    save,
)
from wechaty_puppet_web.recording.pseudonym import Pseudonymizer

ALICE = "@" + "a1" * 16
ROOM = "@@" + "b2" * 32
BOT = "@" + "c3" * 16
API = "https://wx2.qq.com/cgi-bin/mmwebwx-bin"
ALICE_NICK = 'Alice &amp; Co<span class="emoji emoji1f604"></span>'
ALICE_PLAIN = "Alice & Co😄"


def _records() -> list[Record]:
    contacts = {
        "MemberList": [
            {
                "UserName": ALICE,
                "NickName": ALICE_NICK,
                "RemarkName": "小爱同学",
                "Alias": "wxid_alice01",
            },
            {
                "UserName": ROOM,
                "NickName": "周末爬山群",
                "MemberList": [
                    {"UserName": ALICE, "NickName": ALICE_NICK, "DisplayName": "爬山队长"}
                ],
            },
        ]
    }
    sync = {
        "AddMsgList": [
            {
                "MsgType": 10000,
                "FromUserName": ROOM,
                "Content": '"小爱同学"邀请"Bobby Tables"加入了群聊',
            },
            {"MsgType": 1, "FromUserName": ALICE, "Content": "see you at 9"},
        ]
    }
    return [
        HttpRecord(
            seq=0,
            t=0,
            request=HttpRequest(method="POST", url=f"{API}/webwxgetcontact"),
            response=HttpResponse(status=200, body=json.dumps(contacts).encode()),
        ),
        HttpRecord(
            seq=1,
            t=1,
            request=HttpRequest(
                method="POST",
                url=f"{API}/webwxsync",
                body=json.dumps({"Msg": {"ToUserName": ALICE}}).encode(),
            ),
            response=HttpResponse(status=200, body=json.dumps(sync, ensure_ascii=False).encode()),
        ),
        HttpRecord(
            seq=2,
            t=2,
            request=HttpRequest(
                method="GET",
                url=f"{API}/webwxgeticon?seq=1&username={quote(ALICE)}&chatroomid={ROOM}",
            ),
            response=HttpResponse(status=200, body=b"\xff\xd8" + ALICE.encode()),
        ),
        HttpRecord(
            seq=3,
            t=2,
            request=HttpRequest(
                method="POST",
                url=f"{API}/webwxbatchgetcontact",
                body=json.dumps({"List": [{"UserName": "Bobby Tables"}]}).encode(),
            ),
            response=HttpResponse(
                status=200,
                body=json.dumps(
                    {"ContactList": [{"NickName": "Bobby Tables", "UserName": "wxid_bobby99"}]}
                ).encode(),
            ),
        ),
        HttpRecord(
            seq=4,
            t=2,
            request=HttpRequest(method="GET", url="https://res.wx.qq.com/app.js"),
            response=HttpResponse(status=200, body=b"var NickName='Alice & Co';"),
        ),
        EventRecord(
            seq=5,
            t=3,
            name="message",
            payload={
                "message_id": "1",
                "payload": {
                    "talker_id": ALICE,
                    "room_id": ROOM,
                    "text": '"小爱同学"邀请"Bobby Tables"加入了群聊',
                },
            },
        ),
        EventRecord(
            seq=6,
            t=3,
            name="room-join",
            payload={
                "room_id": ROOM,
                "inviter_id": ALICE,
                "invitee_ids": ["wxid_bobby99"],
                "topic": "周末爬山群",
                "name": ALICE_PLAIN,
            },
        ),
    ]


def _written(tmp_path: Path, texts: bool = False) -> tuple[str, Cassette]:
    records = Pseudonymizer(texts=texts, salt=b"fixed").apply(_records())
    path = save(tmp_path / "p.jsonl", Cassette(records=tuple(records), pseudonymized=True))
    return path.read_text(encoding="utf-8"), load(path)


def test_names_and_ids_gone(tmp_path: Path) -> None:
    text, _ = _written(tmp_path)
    body = "\n".join(text.splitlines()[1:4] + text.splitlines()[6:])
    for secret in (
        ALICE[1:],
        ROOM[2:],
        BOT[1:],
        "Alice",
        "小爱同学",
        "周末爬山群",
        "爬山队长",
        "Bobby Tables",
        "wxid_alice01",
        "wxid_bobby99",
        "😄",
    ):
        assert secret not in body, secret
    assert "see you at 9" in text  # texts only on request


def test_consistent_and_shaped(tmp_path: Path) -> None:
    _, cassette = _written(tmp_path)
    http, events = cassette.http, cassette.events
    contacts = json.loads(http[0].response.body)["MemberList"]
    alice, room = contacts[0]["UserName"], contacts[1]["UserName"]
    assert re.fullmatch(r"@[0-9a-f]{32}", alice) and re.fullmatch(r"@@[0-9a-f]{64}", room)
    assert alice != ALICE and room != ROOM
    assert contacts[1]["MemberList"][0]["UserName"] == alice
    assert json.loads(http[1].request.body or b"")["Msg"]["ToUserName"] == alice
    assert quote(alice) in http[2].request.url and room in http[2].request.url
    assert http[2].response.body.startswith(b"\xff\xd8")  # binary left alone
    remark = contacts[0]["RemarkName"]
    sysmsg = json.loads(http[1].response.body)["AddMsgList"][0]["Content"]
    bobby = json.loads(http[3].response.body)["ContactList"][0]
    assert sysmsg == f'"{remark}"邀请"{bobby["NickName"]}"加入了群聊'
    assert events[0].payload["payload"]["text"] == sysmsg
    assert events[0].payload["payload"]["talker_id"] == alice
    join = events[1].payload
    assert join["room_id"] == room and join["inviter_id"] == alice
    assert join["invitee_ids"] == [bobby["UserName"]] and bobby["UserName"].startswith("wxid_")
    assert join["topic"] == contacts[1]["NickName"]
    # the plain-text form of a name (what payloads carry) maps to the raw name's pseudonym
    assert join["name"] == contacts[0]["NickName"]
    assert http[4].response.body == b"var NickName='Alice & Co';"  # static assets untouched


def test_texts_optional(tmp_path: Path) -> None:
    text, cassette = _written(tmp_path, texts=True)
    assert "see you at 9" not in text
    assert json.loads(cassette.http[1].response.body)["AddMsgList"][1]["Content"].startswith("Text")


def test_same_input_same_output() -> None:
    one = Pseudonymizer(salt=b"s").apply(_records())
    two = Pseudonymizer(salt=b"s").apply(_records())
    assert one == two


def test_short_names_whole_words_and_keys_safe() -> None:
    body = {
        "ContactList": [
            {"NickName": "Eve", "UserName": "@" + "d4" * 16},
            {"NickName": "Ret", "RemarkName": "sex"},
        ],
        "BaseResponse": {"Ret": 0},
        "Content": "Everything about Eve",
    }
    record = HttpRecord(
        seq=0,
        t=0,
        request=HttpRequest(method="POST", url=f"{API}/webwxgetcontact"),
        response=HttpResponse(status=200, body=json.dumps(body).encode()),
    )
    (out,) = Pseudonymizer(salt=b"k").apply([record])
    assert isinstance(out, HttpRecord)
    data = json.loads(out.response.body)
    eve = data["ContactList"][0]["NickName"]
    assert eve.startswith("Name") and data["Content"] == f"Everything about {eve}"
    assert data["BaseResponse"] == {"Ret": 0}  # a name equal to a key leaves the keys alone
    assert data["ContactList"][1]["RemarkName"] == "sex"  # lower-case protocol-like word kept
