"""Replay matching: volatile parameters ignored, repeats in recorded order, nearest-match errors."""

from __future__ import annotations

import json

import pytest

from wechaty_puppet_web.errors import CassetteMismatchError
from wechaty_puppet_web.recording.cassette import HttpRecord, HttpRequest, HttpResponse
from wechaty_puppet_web.recording.matching import Matcher, request_key

API = "https://wx2.qq.com/cgi-bin/mmwebwx-bin"
PUSH = "https://webpush.wx2.qq.com/cgi-bin/mmwebwx-bin"


def _send(text: str, local_id: str, device: str) -> bytes:
    return json.dumps(
        {
            "BaseRequest": {"Uin": 1, "Sid": "s", "Skey": "k", "DeviceID": device},
            "Msg": {
                "Type": 1,
                "Content": text,
                "ToUserName": "@bob",
                "LocalID": local_id,
                "ClientMsgId": local_id,
            },
            "Scene": 0,
        }
    ).encode()


def _rec(seq: int, method: str, url: str, body: bytes | None, resp: str) -> HttpRecord:
    return HttpRecord(
        seq=seq,
        t=float(seq),
        request=HttpRequest(
            method=method, url=url, headers={"content-type": "application/json"}, body=body
        ),
        response=HttpResponse(status=200, body=resp.encode()),
    )


RECORDS = [
    _rec(
        0,
        "GET",
        f"{PUSH}/synccheck?r=1&skey=A&sid=B&uin=1&deviceid=e1&synckey=1_1&_=5",
        None,
        "sc0",
    ),
    _rec(
        1,
        "POST",
        f"{API}/webwxsync?sid=B&skey=A&lang=zh_CN&pass_ticket=P",
        json.dumps({"BaseRequest": {}, "SyncKey": {"Count": 1}, "rr": -5}).encode(),
        "sync0",
    ),
    _rec(
        2,
        "GET",
        f"{PUSH}/synccheck?r=2&skey=A&sid=B&uin=1&deviceid=e2&synckey=1_2&_=6",
        None,
        "sc1",
    ),
    _rec(
        3,
        "POST",
        f"{API}/webwxsync?sid=B&skey=A&lang=zh_CN&pass_ticket=P",
        json.dumps({"BaseRequest": {}, "SyncKey": {"Count": 2}, "rr": -9}).encode(),
        "sync1",
    ),
    _rec(
        4, "POST", f"{API}/webwxsendmsg?lang=zh_CN&pass_ticket=P", _send("hi", "1511", "e9"), "sent"
    ),
]


def _req(method: str, url: str, body: bytes | None = None) -> HttpRequest:
    return HttpRequest(
        method=method, url=url, headers={"content-type": "application/json"}, body=body
    )


def test_volatile_params_ignored() -> None:
    a = request_key(
        _req("POST", f"{API}/webwxsendmsg?lang=zh_CN&pass_ticket=P&r=1", _send("hi", "1", "e1"))
    )
    b = request_key(
        _req("POST", f"{API}/webwxsendmsg?pass_ticket=Q&lang=zh_CN&r=2", _send("hi", "2", "e2"))
    )
    assert a == b
    c = request_key(_req("POST", f"{API}/webwxsendmsg?lang=en_US", _send("hi", "1", "e1")))
    assert c != a


def test_repeats_served_in_recorded_order() -> None:
    matcher = Matcher(RECORDS)
    got = []
    for n in range(2):
        sc = matcher.match(
            _req("GET", f"{PUSH}/synccheck?r={n}9&skey=X&sid=Y&uin=2&deviceid=e7&synckey=9_9&_={n}")
        )
        sync = matcher.match(
            _req(
                "POST",
                f"{API}/webwxsync?sid=Y&skey=X&lang=zh_CN&pass_ticket=Z",
                json.dumps({"BaseRequest": {}, "rr": n}).encode(),
            )
        )
        assert sc.record is not None and sync.record is not None
        got += [sc.record.response.body, sync.record.response.body]
    assert got == [b"sc0", b"sync0", b"sc1", b"sync1"]
    beyond = matcher.match(_req("GET", f"{PUSH}/synccheck?r=0&skey=X"))
    assert beyond.record is None and beyond.served == 2 and beyond.recorded == 2
    assert beyond.key.is_long_poll
    assert "already served" in str(matcher.exhausted(beyond))


def test_nearest_match_error_names_request_and_difference() -> None:
    matcher = Matcher(RECORDS)
    with pytest.raises(CassetteMismatchError) as info:
        matcher.match(
            _req("POST", f"{API}/webwxsendmsg?lang=zh_CN&pass_ticket=P", _send("hello", "7", "e3"))
        )
    message = str(info.value)
    assert (
        "no recorded response for POST https://wx2.qq.com/cgi-bin/mmwebwx-bin/webwxsendmsg"
        in message
    )
    assert (
        "nearest recorded request: POST https://wx2.qq.com/cgi-bin/mmwebwx-bin/webwxsendmsg"
        in message
    )
    assert "(seq 4)" in message
    assert 'body Msg.Content: recorded "hi", got "hello"' in message
    assert "LocalID" not in message  # volatile fields are not differences


def test_nearest_prefers_same_path() -> None:
    matcher = Matcher(RECORDS)
    error = matcher.mismatch(request_key(_req("POST", f"{API}/webwxsync?lang=en_US", b"{}")))
    assert "nearest recorded request: POST https://wx2.qq.com/cgi-bin/mmwebwx-bin/webwxsync" in str(
        error
    )
    assert "query lang: recorded zh_CN, got en_US" in str(error)


def test_multipart_ignores_boundary_and_counter() -> None:
    def body(boundary: str, counter: str, data: bytes) -> bytes:
        return (
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="id"\r\n\r\n{counter}\r\n'
                f'--{boundary}\r\nContent-Disposition: form-data; name="uploadmediarequest"\r\n\r\n'
                '{"ClientMediaId": 123, "TotalLen": 4, "BaseRequest": {}}'
                f'\r\n--{boundary}\r\nContent-Disposition: form-data; name="filename"; '
                f'filename="a.bin"\r\n\r\n'
            ).encode()
            + data
            + f"\r\n--{boundary}--\r\n".encode()
        )

    def key(boundary: str, counter: str, data: bytes) -> object:
        return request_key(
            HttpRequest(
                method="POST",
                url="https://file.wx2.qq.com/cgi-bin/mmwebwx-bin/webwxuploadmedia?f=json",
                headers={"content-type": f"multipart/form-data; boundary={boundary}"},
                body=body(boundary, counter, data),
            )
        )

    assert key("AAA", "WU_FILE_0", b"\x00\xff") == key("BBB", "WU_FILE_3", b"\x00\xff")
    assert key("AAA", "WU_FILE_0", b"\x00\xff") != key("AAA", "WU_FILE_0", b"\x00\xfe")


def test_form_body_volatile_ignored() -> None:
    a = request_key(_req("POST", f"{API}/webwxlogout?redirect=1&type=0&skey=x", b"sid=1&uin=2"))
    b = request_key(_req("POST", f"{API}/webwxlogout?redirect=1&type=0&skey=y", b"sid=3&uin=4"))
    assert a == b and a.query == (("redirect", "1"), ("type", "0"))


def test_empty_room_ids_mean_absent() -> None:
    def key(entry: dict[str, str]) -> object:
        body = json.dumps({"BaseRequest": {}, "Count": 1, "List": [entry]}).encode()
        return request_key(_req("POST", f"{API}/webwxbatchgetcontact?type=ex&r=1", body))

    assert key({"UserName": "@@r", "ChatRoomId": ""}) == key(
        {"UserName": "@@r", "EncryChatRoomId": ""}
    )
    assert key({"UserName": "@@r", "EncryChatRoomId": "x"}) != key({"UserName": "@@r"})
