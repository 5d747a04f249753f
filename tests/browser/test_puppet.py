"""PuppetWeb in real Chromium against the sandbox: login, session, logout, events, safety."""

from __future__ import annotations

import asyncio
import json
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from wechaty_puppet_web import PuppetWeb
from wechaty_puppet_web.browser.session import SessionStore
from wechaty_puppet_web.events import (
    DongEvent,
    ErrorEvent,
    EventName,
    LoginEvent,
    MessageEvent,
    ScanEvent,
)
from wechaty_puppet_web.payloads import ScanStatus
from wechaty_puppet_web.sandbox import Contact, Sandbox

from .test_puppet_support import (
    MakePuppet,
    T,
    record,
    start_ready,
)

pytestmark = pytest.mark.browser


def scan_is(status: ScanStatus) -> Callable[[Any], bool]:
    return lambda e: isinstance(e, ScanEvent) and e.status is status


async def test_scan_states_in_order_then_login(make_puppet: MakePuppet, sb: Sandbox) -> None:
    puppet = make_puppet()
    scans = record(puppet, EventName.SCAN)
    waiting = puppet.wait_for(EventName.SCAN, scan_is(ScanStatus.WAITING), timeout=T)
    login = puppet.wait_for(EventName.LOGIN, timeout=T)
    await puppet.start()
    uuid = await sb.phone.wait_for_qr(timeout=T)
    assert (await waiting).qrcode == f"https://login.weixin.qq.com/l/{uuid}"
    scanned = puppet.wait_for(EventName.SCAN, scan_is(ScanStatus.SCANNED), timeout=T)
    sb.phone.scan()
    await scanned
    sb.phone.confirm()
    event = await login
    assert isinstance(event, LoginEvent)
    assert event.contact_id == sb.world.username_of(sb.world.bot) == puppet.self_id()
    assert [e.status for e in scans] == [ScanStatus.WAITING, ScanStatus.SCANNED,
                                         ScanStatus.CONFIRMED]  # fmt: skip


async def test_cancel_gives_a_new_qr_and_expiry_times_out(
    make_puppet: MakePuppet, sb: Sandbox
) -> None:
    puppet = make_puppet(session=False)
    first = puppet.wait_for(EventName.SCAN, scan_is(ScanStatus.WAITING), timeout=T)
    await puppet.start()
    old = (await first).qrcode
    scanned = puppet.wait_for(EventName.SCAN, scan_is(ScanStatus.SCANNED), timeout=T)
    sb.phone.scan()
    await scanned
    cancel = puppet.wait_for(EventName.SCAN, scan_is(ScanStatus.CANCEL), timeout=T)
    fresh = puppet.wait_for(
        EventName.SCAN, lambda e: e.status is ScanStatus.WAITING and e.qrcode != old, timeout=T
    )
    sb.phone.cancel()
    await cancel
    await fresh
    timeout = puppet.wait_for(EventName.SCAN, scan_is(ScanStatus.TIMEOUT), timeout=T)
    sb.phone.expire_qr()
    await timeout


async def test_a_qr_code_lapsing_on_the_servers_timer_gives_a_new_scan(
    make_puppet: MakePuppet, sb: Sandbox
) -> None:
    # Nobody touches the phone: the uuid expires by the server's clock (poll answers 400), the
    # puppet reports the timeout and shows a new QR code, which the phone can then use.
    sb.qr_ttl = 3.0
    puppet = make_puppet(session=False)
    first = puppet.wait_for(EventName.SCAN, scan_is(ScanStatus.WAITING), timeout=T)
    await puppet.start()
    old = (await first).qrcode
    timeout = puppet.wait_for(EventName.SCAN, scan_is(ScanStatus.TIMEOUT), timeout=T)
    fresh = puppet.wait_for(
        EventName.SCAN, lambda e: e.status is ScanStatus.WAITING and e.qrcode != old, timeout=T
    )
    await timeout
    await fresh
    login = puppet.wait_for(EventName.LOGIN, timeout=T)
    sb.phone.scan()  # the new code is scannable (confirmed at once, well before it lapses)
    sb.phone.confirm()
    await login


async def test_restart_with_the_session_file_skips_the_scan(
    make_puppet: MakePuppet, sb: Sandbox, session_path: Path
) -> None:
    first = await start_ready(make_puppet(), sb)
    self_id = first.self_id()
    await first.stop()
    assert stat.S_IMODE(session_path.stat().st_mode) == 0o600
    assert "wxsid" in session_path.read_text()
    saved = SessionStore(session_path).info()
    assert saved is not None and saved.host == "wx2.qq.com"  # the login switched hosts

    sb.phone.auto_scan = False  # a scan would hang: the restart must not need one
    second = make_puppet()
    scans = record(second, EventName.SCAN)
    login = second.wait_for(EventName.LOGIN, timeout=T)
    await second.start()
    assert (await login).contact_id == self_id
    assert scans == []
    assert second.page.url.startswith("https://wx2.qq.com/")  # reopened where the session lives


async def test_an_expired_session_falls_back_to_a_scan(
    make_puppet: MakePuppet, sb: Sandbox, session_path: Path
) -> None:
    first = await start_ready(make_puppet(), sb)
    await first.stop()
    before = session_path.read_text()
    sb.reset()  # the server forgets every session: the saved cookies are dead
    second = make_puppet()
    waiting = second.wait_for(EventName.SCAN, scan_is(ScanStatus.WAITING), timeout=T)
    await start_ready(second, sb)
    await waiting
    assert session_path.read_text() != before  # replaced by the new session


async def test_logout_from_the_phone(bot: PuppetWeb, sb: Sandbox, session_path: Path) -> None:
    self_id = bot.self_id()
    logout = bot.wait_for(EventName.LOGOUT, timeout=T)
    qr_again = bot.wait_for(EventName.SCAN, scan_is(ScanStatus.WAITING), timeout=T)
    sb.phone.auto_scan = False
    sb.phone.logout()
    assert (await logout).contact_id == self_id
    assert not session_path.exists()
    assert not bot.logged_in
    await qr_again  # back at the QR: a new login can follow


async def test_logout_by_api(bot: PuppetWeb, session_path: Path) -> None:
    events = record(bot, EventName.LOGOUT)
    await bot.logout()
    assert len(events) == 1 and not session_path.exists()


async def test_ding_dong_and_heartbeat(make_puppet: MakePuppet, sb: Sandbox) -> None:
    puppet = await start_ready(make_puppet(heartbeat_interval=0.2), sb)
    dong = puppet.wait_for(EventName.DONG, timeout=T)
    heartbeat = puppet.wait_for(EventName.HEARTBEAT, timeout=T)
    await puppet.ding("ping-1")
    event = await dong
    assert isinstance(event, DongEvent) and event.data == "ping-1"
    assert (await heartbeat).data["userName"] == puppet.self_id()
    assert puppet._wire.last_doc  # the page names its document in every envelope (ordering.py)


async def test_a_raising_handler_is_an_error_event_and_messages_go_on(
    bot: PuppetWeb, sb: Sandbox
) -> None:
    async def explode(event: MessageEvent) -> None:
        raise RuntimeError("user bug")

    bot.on("message", explode)
    error = bot.wait_for(EventName.ERROR, timeout=T)
    second = bot.wait_for(EventName.MESSAGE, lambda e: e.payload.text == "two", timeout=T)
    world = sb.world
    world.send_text(from_="wxid_alice", to=world.bot, text="one")
    failure = await error
    assert isinstance(failure, ErrorEvent) and str(failure.error) == "user bug"
    world.send_text(from_="wxid_alice", to=world.bot, text="two")
    await second


async def test_frames_other_than_the_main_frame_are_ignored(bot: PuppetWeb, sb: Sandbox) -> None:
    messages = record(bot, EventName.MESSAGE)
    payload = {"MsgId": "666", "MsgType": 1, "FromUserName": "@x", "Content": "forged"}
    forged = {"v": 1, "seq": 1, "t": 0, "kind": "event", "name": "message", "payload": payload}
    await bot.page.evaluate(
        """(text) => new Promise((resolve) => {
            const frame = document.createElement('iframe');
            frame.srcdoc = '<p>ad</p>';
            frame.onload = () => { frame.contentWindow.__wpw_emit(text); resolve(true); };
            document.body.appendChild(frame);
        })""",
        json.dumps(forged),
    )
    real = bot.wait_for(EventName.MESSAGE, lambda e: e.payload.text == "real", timeout=T)
    sb.world.send_text(from_="wxid_alice", to=sb.world.bot, text="real")
    await real
    assert [e.payload.text for e in messages] == ["real"]


HOSTILE = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>'


async def test_hostile_names_and_texts_come_out_clean(make_puppet: MakePuppet, sb: Sandbox) -> None:
    sb.world.add_contact(Contact(wxid="wxid_evil", nickname=HOSTILE + "Evil"))
    puppet = await start_ready(make_puppet(), sb)
    evil = sb.world.username_of("wxid_evil")
    assert (await puppet.contact_payload(evil)).name == HOSTILE + "Evil"
    big = "x" * 100_000
    texts = [HOSTILE, '<span class="emoji emoji1f604"></span> &amp; <b>', big]
    for text in texts:
        got = puppet.wait_for(EventName.MESSAGE, lambda e: e.payload.talker_id == evil, timeout=T)
        sb.world.send_text(from_="wxid_evil", to=sb.world.bot, text=text)
        assert (await got).payload.text == text
    assert await puppet.page.evaluate("() => window.__pwned") is None


async def test_every_event_exactly_once(make_puppet: MakePuppet, sb: Sandbox) -> None:
    puppet = make_puppet()
    events = record(puppet)
    await start_ready(puppet, sb)
    last = puppet.wait_for(EventName.MESSAGE, lambda e: e.payload.text == "m4", timeout=T)
    for i in range(5):
        sb.world.send_text(from_="wxid_bob", to=sb.world.bot, text=f"m{i}")
    sent = await puppet.message_send_text(sb.world.username_of("wxid_bob"), "reply")
    await last
    names = [e.event_name for e in events if e.event_name is not EventName.HEARTBEAT]
    assert names.count(EventName.LOGIN) == 1 and names.count(EventName.READY) == 1
    ids = [e.message_id for e in events if isinstance(e, MessageEvent)]
    assert len(ids) == len(set(ids))
    texts = [e.payload.text for e in events if isinstance(e, MessageEvent)]
    assert [t for t in texts if t.startswith("m")] == [f"m{i}" for i in range(5)]
    await asyncio.wait_for(_until_seen(puppet, events, sent), T)


async def _until_seen(puppet: PuppetWeb, events: list[object], message_id: str) -> None:
    # The send returns when the server answered; its `message` event may trail by a hop.
    if any(isinstance(e, MessageEvent) and e.message_id == message_id for e in events):
        return
    await puppet.wait_for(EventName.MESSAGE, lambda e: e.message_id == message_id, timeout=T)


async def test_no_login_within_login_timeout_is_an_error(
    make_puppet: MakePuppet, sb: Sandbox
) -> None:
    puppet = make_puppet(session=False, login_timeout=0.5)
    error = puppet.wait_for(EventName.ERROR, timeout=T)
    await puppet.start()
    assert "no login within" in str((await error).error)


async def test_the_expired_qr_mask_is_refreshed_into_a_new_scan(
    make_puppet: MakePuppet, sb: Sandbox
) -> None:
    # After five counted reloads (cookie refreshTimes, never reset) the page stops reloading on an
    # expired uuid and shows the "expired" mask; the puppet clicks it and a new QR code follows.
    puppet = make_puppet(session=False)
    first = puppet.wait_for(EventName.SCAN, scan_is(ScanStatus.WAITING), timeout=T)
    await puppet.start()
    old = (await first).qrcode
    await puppet.page.context.add_cookies(
        [{"name": "refreshTimes", "value": "5", "url": "https://wx.qq.com/"}]
    )
    timeout = puppet.wait_for(EventName.SCAN, scan_is(ScanStatus.TIMEOUT), timeout=T)
    fresh = puppet.wait_for(
        EventName.SCAN, lambda e: e.status is ScanStatus.WAITING and e.qrcode != old, timeout=T
    )
    sb.phone.expire_qr()
    await timeout
    await fresh
    assert (
        await puppet.page.evaluate(
            "() => angular.element('[ng-controller=loginController]').scope().isNeedRefresh"
        )
        is False
    )
