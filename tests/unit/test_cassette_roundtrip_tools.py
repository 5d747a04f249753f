"""Recorder (events, modes) and Replayer (routing decisions) without a browser: small fakes."""

from __future__ import annotations

import asyncio
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from pyee.asyncio import AsyncIOEventEmitter

from wechaty_puppet_web.errors import CassetteError, CassetteMismatchError
from wechaty_puppet_web.events import ErrorEvent, LoginEvent, ScanEvent
from wechaty_puppet_web.payloads import ScanStatus
from wechaty_puppet_web.recording import Recorder, RecordMode, Replayer, load
from wechaty_puppet_web.recording.cassette import (
    Cassette,
    EventRecord,
    HttpRecord,
    HttpRequest,
    HttpResponse,
)
from wechaty_puppet_web.recording.testing import EventLog, assert_replayed_events

PUSH = "https://webpush.wx2.qq.com/cgi-bin/mmwebwx-bin/synccheck"
API = "https://wx2.qq.com/cgi-bin/mmwebwx-bin"


class FakeRequest:
    def __init__(self, method: str, url: str, body: bytes | None = None) -> None:
        self.method, self.url, self.post_data_buffer = method, url, body
        self.headers = {"content-type": "application/json"}
        self.resource_type = "document" if url.endswith("/") else "xhr"


class FakeRoute:
    def __init__(self) -> None:
        self.fulfilled: dict[str, Any] | None = None
        self.aborted: str | None = None

    async def fulfill(self, **kwargs: Any) -> None:
        self.fulfilled = kwargs

    async def abort(self, error_code: str = "aborted") -> None:
        self.aborted = error_code


def _http(seq: int, method: str, url: str, body: str, status: int = 200) -> HttpRecord:
    return HttpRecord(
        seq=seq,
        t=seq / 100,
        request=HttpRequest(method=method, url=url, body=b"{}" if method == "POST" else None),
        response=HttpResponse(
            status=status,
            headers={"content-type": "text/javascript", "access-control-allow-origin": "*"},
            body=body.encode(),
        ),
    )


CASSETTE = Cassette(
    records=(
        _http(0, "GET", f"{PUSH}?r=1&skey=x", 'window.synccheck={retcode:"0",selector:"2"}'),
        _http(1, "POST", f"{API}/webwxsync?skey=x", '{"AddMsgCount":1}'),
        _http(2, "GET", f"{API}/webwxgeticon?username=@a&skey=x", "icon"),
        _http(3, "POST", f"{API}/webwxsendmsg?lang=zh_CN", '{"MsgID":"1"}'),
    )
)


async def _serve(replayer: Replayer, method: str, url: str) -> FakeRoute:
    route = FakeRoute()
    await replayer._handle(route, FakeRequest(method, url, b"{}" if method == "POST" else None))  # type: ignore[arg-type]
    return route


async def test_replayer_serves_in_order_then_holds_long_polls() -> None:
    replayer = Replayer(CASSETTE, hold=0.05)
    first = await _serve(replayer, "GET", f"{PUSH}?r=9&skey=y")
    assert first.fulfilled is not None and b'selector:"2"' in first.fulfilled["body"]
    assert first.fulfilled["headers"]["access-control-allow-origin"] == "*"
    beyond = await _serve(replayer, "GET", f"{PUSH}?r=10&skey=y")
    assert beyond.fulfilled is not None
    assert beyond.fulfilled["body"] == b'window.synccheck={retcode:"0",selector:"0"}'
    assert replayer.errors == []


async def test_replayer_reuses_gets_and_refuses_posts_beyond_recording() -> None:
    replayer = Replayer(CASSETTE)
    puppet = AsyncIOEventEmitter()
    seen: list[ErrorEvent] = []
    puppet.on("error", seen.append)
    replayer.attach(puppet)
    for _ in range(2):
        icon = await _serve(replayer, "GET", f"{API}/webwxgeticon?username=@a&skey=z")
        assert icon.fulfilled is not None and icon.fulfilled["body"] == b"icon"
    assert (await _serve(replayer, "POST", f"{API}/webwxsync?skey=z")).fulfilled is not None
    sync = await _serve(replayer, "POST", f"{API}/webwxsync?skey=z")
    assert sync.fulfilled is not None  # beyond the recording: "nothing new"
    assert json.loads(sync.fulfilled["body"]) == {
        "AddMsgCount": 0,
        "AddMsgList": [],
        "ContinueFlag": 0,
    }
    assert (await _serve(replayer, "POST", f"{API}/webwxsendmsg?lang=zh_CN")).fulfilled
    again = await _serve(replayer, "POST", f"{API}/webwxsendmsg?lang=zh_CN")
    assert again.aborted == "failed"
    assert "already served" in str(await replayer.wait_for_error(timeout=1))
    assert isinstance(seen[0].error, CassetteMismatchError)
    with pytest.raises(CassetteMismatchError):
        replayer.raise_errors()


async def test_replayer_mismatch_aborts_and_names_nearest() -> None:
    replayer = Replayer(CASSETTE)
    route = await _serve(replayer, "POST", f"{API}/webwxsendmsg")
    assert route.aborted == "failed"
    assert "nearest recorded request" in str(replayer.errors[0])


async def test_replayer_close_releases_held_polls() -> None:
    replayer = Replayer(Cassette(records=CASSETTE.records[:1]), hold=60)
    await _serve(replayer, "GET", f"{PUSH}?r=1")
    held = asyncio.ensure_future(_serve(replayer, "GET", f"{PUSH}?r=2"))
    await replayer.close()
    route = await asyncio.wait_for(held, 2)
    assert route.aborted is not None and route.fulfilled is None


async def test_recorder_records_events_and_writes(tmp_path: Path) -> None:
    puppet = AsyncIOEventEmitter()
    path = tmp_path / "events.jsonl"
    async with Recorder(path, meta={"k": "v"}) as recorder:
        recorder.attach(puppet)
        puppet.emit("scan", ScanEvent(status=ScanStatus.WAITING, qrcode="https://x/l/u", data=""))
        puppet.emit("heartbeat", object())
        puppet.emit("login", LoginEvent(contact_id="@me"))
    cassette = load(path)
    assert [(e.name, e.payload) for e in cassette.events] == [
        ("scan", {"status": 2, "qrcode": "https://x/l/u", "data": ""}),
        ("login", {"contact_id": "@me"}),
    ]
    assert cassette.meta == {"k": "v"}


async def test_recorder_writes_nothing_when_the_session_fails(tmp_path: Path) -> None:
    path = tmp_path / "failed.jsonl"
    with pytest.raises(RuntimeError):
        async with Recorder(path) as recorder:
            recorder.attach(AsyncIOEventEmitter())
            raise RuntimeError("scenario broke")
    assert not path.exists()


def test_recorder_modes(tmp_path: Path) -> None:
    existing = tmp_path / "c.jsonl"
    existing.write_text("x", encoding="utf-8")
    with pytest.raises(CassetteError, match="once"):
        Recorder(existing, mode=RecordMode.ONCE)
    with pytest.raises(CassetteError, match="never records"):
        Recorder(tmp_path / "new.jsonl", mode="none")
    with pytest.raises(CassetteError, match="unknown record mode"):
        Recorder(tmp_path / "new.jsonl", mode="everything")
    Recorder(tmp_path / "new.jsonl", mode="once")
    Recorder(existing, mode="all")


def test_assert_replayed_events_names_first_difference() -> None:
    cassette = Cassette(records=())
    log = EventLog()
    log.items.append(("login", {"contact_id": "@me"}))
    with pytest.raises(AssertionError, match="recorded 0 events, replay emitted 1"):
        assert_replayed_events(log, cassette)
    recorded = Cassette(
        records=(EventRecord(seq=0, t=0, name="login", payload={"contact_id": "@you"}),)
    )
    with pytest.raises(AssertionError, match="replayed event 0 differs") as info:
        assert_replayed_events([("login", {"contact_id": "@me"})], recorded)
    assert "@you" in str(info.value) and "@me" in str(info.value)
    assert_replayed_events([("login", json.loads('{"contact_id": "@you"}'))], recorded)


def _batch(seq: int, names: list[str]) -> HttpRecord:
    request = {"BaseRequest": {}, "Count": len(names), "List": [{"UserName": n} for n in names]}
    response = {
        "BaseResponse": {"Ret": 0},
        "Count": len(names),
        "ContactList": [{"UserName": n, "NickName": n.upper()} for n in names],
    }
    return HttpRecord(
        seq=seq,
        t=0,
        request=HttpRequest(
            method="POST",
            url=f"{API}/webwxbatchgetcontact?type=ex",
            headers={"content-type": "application/json"},
            body=json.dumps(request).encode(),
        ),
        response=HttpResponse(
            status=200, headers={"content-type": "text/plain"}, body=json.dumps(response).encode()
        ),
    )


async def test_differently_batched_lookup_answered_from_the_directory() -> None:
    replayer = Replayer(Cassette(records=(_batch(0, ["@@room"]), _batch(1, ["fmessage"]))))
    body = {
        "BaseRequest": {},
        "Count": 2,
        "List": [{"UserName": "@@room"}, {"UserName": "fmessage"}],
    }
    route = FakeRoute()
    request = FakeRequest("POST", f"{API}/webwxbatchgetcontact?type=ex", json.dumps(body).encode())
    await replayer._handle(route, request)  # type: ignore[arg-type]
    assert route.fulfilled is not None and replayer.errors == []
    answer = json.loads(route.fulfilled["body"])
    assert [c["NickName"] for c in answer["ContactList"]] == ["@@ROOM", "FMESSAGE"]
    assert answer["Count"] == 2
    unknown = {"BaseRequest": {}, "Count": 1, "List": [{"UserName": "@@other"}]}
    route = FakeRoute()
    request = FakeRequest(
        "POST", f"{API}/webwxbatchgetcontact?type=ex", json.dumps(unknown).encode()
    )
    await replayer._handle(route, request)  # type: ignore[arg-type]
    assert route.aborted == "failed" and replayer.errors


async def test_page_redirect_becomes_a_routed_navigation() -> None:
    redirect = HttpRecord(
        seq=0,
        t=0,
        request=HttpRequest(method="GET", url=f"{API}/webwxnewloginpage?ticket=t&x=/"),
        response=HttpResponse(
            status=302,
            headers={"location": "https://wx2.qq.com/?&lang=zh_CN", "set-cookie": "wxsid=s"},
        ),
    )
    replayer = Replayer(Cassette(records=(redirect,)))
    route = FakeRoute()
    request = FakeRequest("GET", f"{API}/webwxnewloginpage?ticket=other&x=/")
    await replayer._handle(route, request)  # type: ignore[arg-type]
    assert route.fulfilled is not None and route.fulfilled["status"] == 200
    assert route.fulfilled["headers"]["set-cookie"] == "wxsid=s"  # the cookies still land
    assert b'url=https://wx2.qq.com/?&amp;lang=zh_CN"' in route.fulfilled["body"]


class FakeResponse:
    def __init__(self, request: FakeRecordedRequest) -> None:
        self.request, self.status = request, 200

    async def all_headers(self) -> dict[str, str]:
        return {"content-type": "application/json"}

    async def body(self) -> bytes:
        return b'{"BaseResponse":{"Ret":0}}'


class FakeRecordedRequest(FakeRequest):
    def __init__(self, url: str) -> None:
        super().__init__("GET", url)
        self.answer = FakeResponse(self)
        self.redirected_to = None

    async def response(self) -> FakeResponse:
        return self.answer

    async def all_headers(self) -> dict[str, str]:
        return dict(self.headers)


async def test_events_before_counts_the_events_before_the_request_was_sent(
    tmp_path: Path,
) -> None:
    """An event emitted while the request is in flight may need its answer: a soft bound."""
    puppet = AsyncIOEventEmitter()
    path = tmp_path / "order.jsonl"
    request = FakeRecordedRequest(f"{API}/webwxgetcontact?seq=0")
    async with Recorder(path) as recorder:
        recorder.attach(puppet)
        puppet.emit("scan", ScanEvent(status=ScanStatus.WAITING, qrcode="https://x/l/u", data=""))
        recorder._on_request(request)  # type: ignore[arg-type]
        # Playwright delivers `response` after an event the response itself caused
        puppet.emit("login", LoginEvent(contact_id="@me"))
        recorder._on_response(request.answer)  # type: ignore[arg-type]
        recorder._on_finished(request)  # type: ignore[arg-type]
    (record,) = load(path).http
    assert (record.events_sent, record.events_before) == (1, 2)


def _ordered(events_sent: int, events_before: int) -> Cassette:
    record = _http(0, "POST", f"{API}/webwxsync?skey=x", '{"AddMsgCount":1}')
    return Cassette(
        records=(replace(record, events_sent=events_sent, events_before=events_before),)
    )


async def test_replayer_waits_for_events_before_the_response_while_they_come() -> None:
    replayer = Replayer(_ordered(0, 1), settle=30.0)
    puppet = AsyncIOEventEmitter()
    replayer.attach(puppet)
    served = asyncio.ensure_future(_serve(replayer, "POST", f"{API}/webwxsync?skey=y"))
    done, _ = await asyncio.wait({served}, timeout=0.2)  # proves an absence: nothing to await
    assert not done
    puppet.emit("login", LoginEvent(contact_id="@me"))
    route = await asyncio.wait_for(served, 2)
    assert route.fulfilled is not None


async def test_replayer_serves_once_the_puppet_is_idle_when_the_event_needs_the_answer() -> None:
    replayer = Replayer(_ordered(0, 1), settle=0.05, order_timeout=30.0)
    replayer.attach(AsyncIOEventEmitter())
    route = await asyncio.wait_for(_serve(replayer, "POST", f"{API}/webwxsync?skey=y"), 2)
    assert route.fulfilled is not None  # not held for order_timeout: the puppet went idle
