"""PuppetWeb without a browser: envelopes in, events out, through a fake bridge."""

from __future__ import annotations

import asyncio
import json
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from wechaty_puppet_web.browser.bridge import Envelope
from wechaty_puppet_web.browser.session import SessionStore
from wechaty_puppet_web.errors import (
    NotFoundError,
    NotLoggedInError,
    NotSupportedError,
    RateLimitedError,
)
from wechaty_puppet_web.events import ErrorEvent, EventName, MessageEvent, ScanEvent
from wechaty_puppet_web.options import PuppetWebOptions
from wechaty_puppet_web.payloads import MessageType, ScanStatus
from wechaty_puppet_web.puppet import PuppetWeb
from wechaty_puppet_web.puppet.envelopes import scan_status

SELF = "@self0001"
ALICE = "@alice0001"


class FakeBridge:
    """Answers page calls from a table of functions and records them."""

    def __init__(self) -> None:
        self.handlers: dict[str, Callable[[Any], Any]] = {}
        self.calls: list[tuple[str, Any]] = []

    async def call(self, name: str, args: Any = None, *, timeout: float | None = None) -> Any:
        self.calls.append((name, args))
        return self.handlers[name](args)


def env(name: str, payload: Any, seq: int = 1) -> Envelope:
    return Envelope(v=1, seq=seq, t=0.0, kind="event", name=name, payload=payload)


def text_message(msg_id: str, text: str, sender: str = ALICE) -> dict[str, Any]:
    return {"MsgId": msg_id, "MsgType": 1, "FromUserName": sender, "ToUserName": SELF,
            "Content": text, "MMActualContent": text, "MMPeerUserName": sender,
            "MMActualSender": sender, "CreateTime": 1700000000}  # fmt: skip


@pytest.fixture
def puppet(tmp_path: Path) -> PuppetWeb:
    options = PuppetWebOptions(session_file=tmp_path / "s.json", rate_limit_backoff=0.0)
    p = PuppetWeb(options)
    p._bridge = FakeBridge()
    return p


async def login(p: PuppetWeb) -> None:
    await p._handle_envelope(env("login", {"UserName": SELF}))


def collect(p: PuppetWeb, *names: EventName) -> list[Any]:
    got: list[Any] = []
    for name in names:
        p.on(name.value, got.append)
    return got


@pytest.mark.parametrize(
    ("state", "status"),
    [
        ({"code": 0, "uuid": "u"}, ScanStatus.WAITING),
        ({"code": 408, "uuid": "u"}, ScanStatus.WAITING),
        ({"code": 201, "isScan": True}, ScanStatus.SCANNED),
        ({"code": 408, "isScan": True}, ScanStatus.SCANNED),
        ({"code": 200, "isScan": True}, ScanStatus.CONFIRMED),
        ({"code": 202}, ScanStatus.CANCEL),
        ({"code": 400}, ScanStatus.TIMEOUT),
        ({"code": 408, "isNeedRefresh": True}, ScanStatus.TIMEOUT),
        ({}, ScanStatus.UNKNOWN),
    ],
)
def test_scan_status_from_the_login_scope(state: dict[str, Any], status: ScanStatus) -> None:
    assert scan_status(state) is status


async def test_scan_events_carry_the_qr_text_and_are_not_repeated(puppet: PuppetWeb) -> None:
    got = collect(puppet, EventName.SCAN)
    for state in ({"code": 0, "uuid": "abc"}, {"code": 408, "uuid": "abc"},
                  {"code": 201, "uuid": "abc", "isScan": True}):  # fmt: skip
        await puppet._handle_envelope(env("scan", state))
    assert [e.status for e in got] == [ScanStatus.WAITING, ScanStatus.SCANNED]
    assert isinstance(got[0], ScanEvent)
    assert got[0].qrcode == "https://login.weixin.qq.com/l/abc"


async def test_a_login_after_a_scan_confirms_it_first(puppet: PuppetWeb) -> None:
    # On a host switch the page navigates away before its login scope shows code 200.
    got = collect(puppet, EventName.SCAN, EventName.LOGIN)
    await puppet._handle_envelope(env("scan", {"code": 201, "uuid": "abc", "isScan": True}))
    await login(puppet)
    assert [type(e).__name__ for e in got] == ["ScanEvent", "ScanEvent", "LoginEvent"]
    assert got[1].status is ScanStatus.CONFIRMED
    assert got[1].qrcode == "https://login.weixin.qq.com/l/abc"


async def test_a_confirmed_scan_or_a_restored_login_adds_no_scan(tmp_path: Path) -> None:
    for states in ([{"code": 200, "uuid": "u", "isScan": True}], []):
        p = PuppetWeb(PuppetWebOptions(session_file=tmp_path / "s.json"))
        got = collect(p, EventName.SCAN)
        for state in states:
            await p._handle_envelope(env("scan", state))
        await login(p)
        assert [e.status for e in got] == [ScanStatus.CONFIRMED] * len(states)


async def test_login_then_contacts_give_ready_once(puppet: PuppetWeb) -> None:
    got = collect(puppet, EventName.LOGIN, EventName.READY)
    await puppet._handle_envelope(env("contacts-loaded", {}))
    await login(puppet)
    await login(puppet)  # the same session again after a reset: no second login
    await puppet._handle_envelope(env("contacts-loaded", {}))
    assert [type(e).__name__ for e in got] == ["LoginEvent", "ReadyEvent"]
    assert puppet.self_id() == SELF


async def test_calls_before_login_raise(puppet: PuppetWeb) -> None:
    with pytest.raises(NotLoggedInError):
        puppet.self_id()
    with pytest.raises(NotLoggedInError):
        await puppet.contact_list()
    with pytest.raises(NotLoggedInError):
        await puppet.message_send_text(ALICE, "hi")


async def test_a_message_is_emitted_once_and_kept_for_payload(puppet: PuppetWeb) -> None:
    await login(puppet)
    got = collect(puppet, EventName.MESSAGE)
    raw = text_message("1001", "hello &lt;b&gt;")
    await puppet._handle_envelope(env("message", raw))
    await puppet._handle_envelope(env("message", raw))
    assert len(got) == 1
    event = got[0]
    assert isinstance(event, MessageEvent)
    assert event.payload.type is MessageType.TEXT
    assert event.payload.text == "hello <b>"
    assert event.payload.talker_id == ALICE
    assert (await puppet.message_payload("1001")).text == "hello <b>"


async def test_unknown_message_id_is_not_found(puppet: PuppetWeb) -> None:
    await login(puppet)
    puppet._bridge.handlers["message.get"] = lambda args: None  # type: ignore[attr-defined]
    with pytest.raises(NotFoundError):
        await puppet.message_payload("nope")


async def test_raising_handlers_become_error_events(puppet: PuppetWeb) -> None:
    await login(puppet)
    errors = collect(puppet, EventName.ERROR)
    seen: list[str] = []

    def bad_sync(event: MessageEvent) -> None:
        raise ValueError("sync boom")

    async def bad_async(event: MessageEvent) -> None:
        seen.append(event.message_id)
        raise KeyError("async boom")

    puppet.on("message", bad_sync)
    puppet.on("message", bad_async)
    second = puppet.wait_for(EventName.MESSAGE, lambda e: e.message_id == "2", timeout=2)
    await puppet._handle_envelope(env("message", text_message("1", "a")))
    await puppet._handle_envelope(env("message", text_message("2", "b")))
    assert (await second).message_id == "2"
    await puppet.wait_for_complete()
    assert seen == ["1", "2"]
    assert all(isinstance(e, ErrorEvent) for e in errors)
    assert sorted(type(e.error).__name__ for e in errors) == sorted(["ValueError", "KeyError"] * 2)
    assert {e.data for e in errors} == {"handler:message"}


async def test_a_raising_error_handler_does_not_loop(puppet: PuppetWeb) -> None:
    await login(puppet)
    calls: list[int] = []

    def bad_error_handler(event: ErrorEvent) -> None:
        calls.append(1)
        raise RuntimeError("again")

    puppet.on("error", bad_error_handler)
    puppet.on("message", lambda e: 1 / 0)
    await puppet._handle_envelope(env("message", text_message("3", "c")))
    assert calls == [1]


async def test_wait_for_times_out(puppet: PuppetWeb) -> None:
    with pytest.raises(TimeoutError):
        await puppet.wait_for(EventName.LOGIN, timeout=0.01)
    assert puppet.listeners("login") == []


async def test_logout_clears_the_session_file(puppet: PuppetWeb, tmp_path: Path) -> None:
    SessionStore(tmp_path / "s.json").save([{"name": "wxsid", "value": "secret"}])
    await login(puppet)
    got = collect(puppet, EventName.LOGOUT)
    await puppet._handle_envelope(env("logout", {"type": 1}))
    await puppet._handle_envelope(env("logout", {"type": 1}))
    assert [e.contact_id for e in got] == [SELF]
    assert not (tmp_path / "s.json").exists()
    with pytest.raises(NotLoggedInError):
        puppet.self_id()


async def test_boot_without_session_while_logged_in_is_a_logout(puppet: PuppetWeb) -> None:
    await login(puppet)
    got = collect(puppet, EventName.LOGOUT)
    await puppet._handle_envelope(env("boot", {"isLogin": True}))
    assert got == []
    await puppet._handle_envelope(env("boot", {"isLogin": False}))
    assert len(got) == 1


async def test_send_text_escapes_html_and_retries_rate_limits(puppet: PuppetWeb) -> None:
    await login(puppet)
    attempts: list[Any] = []

    def send(args: dict[str, Any]) -> dict[str, Any]:
        attempts.append(args)
        if len(attempts) < 3:
            raise RateLimitedError("webwxsendmsg", 1205)
        return text_message("9001", args["content"], sender=SELF)

    puppet._bridge.handlers["message.sendText"] = send  # type: ignore[attr-defined]
    msg_id = await puppet.message_send_text(ALICE, "<script>x</script> & y")
    assert msg_id == "9001"
    assert attempts[0]["content"] == "&lt;script&gt;x&lt;/script&gt; &amp; y"
    assert len(attempts) == 3
    assert puppet._raw_message("9001")["MsgId"] == "9001"


async def test_rate_limit_gives_up_after_the_retries(puppet: PuppetWeb) -> None:
    await login(puppet)

    def send(args: dict[str, Any]) -> None:
        raise RateLimitedError("webwxsendmsg", 1205)

    puppet._bridge.handlers["message.sendText"] = send  # type: ignore[attr-defined]
    with pytest.raises(RateLimitedError):
        await puppet.message_send_text(ALICE, "x")
    assert len(puppet._bridge.calls) == puppet.options.rate_limit_retries + 1  # type: ignore[attr-defined]


async def test_mentions_become_input_elements(puppet: PuppetWeb) -> None:
    await login(puppet)
    room = "@@room0001"
    member = {"UserName": ALICE, "NickName": "Al&lt;i&gt;ce", "DisplayName": ""}
    fb = puppet._bridge
    fb.handlers["room.members"] = lambda args: {  # type: ignore[attr-defined]
        "room": {"UserName": room, "MemberList": [member]},
        "contacts": {},
        "past": [],
    }
    fb.handlers["message.sendText"] = lambda args: text_message("77", args["content"], SELF)  # type: ignore[attr-defined]
    await puppet.message_send_text(room, "hi", [ALICE])
    content = fb.calls[-1][1]["content"]  # type: ignore[attr-defined]
    assert content == '<input un="@alice0001" value="@Al&lt;i&gt;ce">\u2005hi'


async def test_not_supported_names_the_method(puppet: PuppetWeb) -> None:
    with pytest.raises(NotSupportedError, match="room_announce"):
        await puppet.room_announce("@@r", "x")


async def test_room_events_from_system_messages(puppet: PuppetWeb) -> None:
    await login(puppet)
    room = "@@room0001"
    members = [{"UserName": SELF, "NickName": "Bot"}, {"UserName": ALICE, "NickName": "Alice"},
               {"UserName": "@bob", "NickName": "Bob"}]  # fmt: skip
    puppet._bridge.handlers["room.members"] = lambda args: {  # type: ignore[attr-defined]
        "room": {"UserName": room, "NickName": "New", "MemberList": members},
        "contacts": {},
        "past": [],
        "oldTopic": "Old",
    }
    got = collect(puppet, EventName.ROOM_JOIN, EventName.ROOM_TOPIC)
    sys_base = {"MsgType": 10000, "FromUserName": room, "ToUserName": SELF,
                "MMPeerUserName": room, "CreateTime": 1}  # fmt: skip
    join = {**sys_base, "MsgId": "s1", "Content": '"Alice"邀请"Bob"加入了群聊'}
    topic = {**sys_base, "MsgId": "s2", "Content": '"Alice"修改群名为“New”'}
    await puppet._handle_envelope(env("message", join))
    await puppet._handle_envelope(env("message", topic))
    assert [type(e).__name__ for e in got] == ["RoomJoinEvent", "RoomTopicEvent"]
    assert got[0].inviter_id == ALICE and got[0].invitee_ids == ("@bob",)
    assert (got[1].old_topic, got[1].new_topic, got[1].changer_id) == ("Old", "New", ALICE)


def test_sandbox_option_maps_hosts(tmp_path: Path) -> None:
    args = PuppetWebOptions(sandbox="https://127.0.0.1:8443").sandbox_args()
    assert "--host-resolver-rules=MAP *.qq.com 127.0.0.1:8443" in args[0]
    assert "--ignore-certificate-errors" in args
    assert PuppetWebOptions().sandbox_args() == []
    assert PuppetWebOptions(uos=True).start_url().endswith("target=t")


def test_session_file_is_private_and_round_trips(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "session.json"
    cookies = [{"name": "wxuin", "value": "1", "domain": "wx.qq.com", "path": "/"}]
    SessionStore(path).save(cookies, host="wx2.qq.com")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    saved = SessionStore(path).info()
    assert saved is not None and saved.cookies[0]["value"] == "1" and saved.host == "wx2.qq.com"
    path.write_text(json.dumps({"format": "other"}))
    assert SessionStore(path).info() is None
    path.write_text("{broken")
    assert SessionStore(path).info() is None


async def test_queue_consumer_keeps_page_order(puppet: PuppetWeb) -> None:
    await login(puppet)
    got = collect(puppet, EventName.MESSAGE)
    consumer = asyncio.create_task(puppet._consume())
    last = puppet.wait_for(EventName.MESSAGE, lambda e: e.message_id == "m9", timeout=2)
    for i in range(10):
        puppet._on_envelope(env("message", text_message(f"m{i}", str(i)), seq=i))
    await last
    consumer.cancel()
    assert [e.message_id for e in got] == [f"m{i}" for i in range(10)]
