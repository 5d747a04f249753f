"""PuppetWeb under faults: page crash, login refusal, rate limits, recalls, UOS headers."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import pytest
from playwright.async_api import Browser, BrowserContext, Request, Route

from wechaty_puppet_web import LoginError, PuppetWeb, PuppetWebOptions, RateLimitedError
from wechaty_puppet_web.events import EventName, ResetEvent
from wechaty_puppet_web.payloads import MessageType, ScanStatus
from wechaty_puppet_web.sandbox import Sandbox

from .test_puppet_support import (
    MakePuppet,
    T,
    record,
    start_ready,
)

# A stand-in for the captured desktop blob: the puppet must pass through whatever it is given.
EXTSPAM = "Zm9yLXRlc3RzLW9ubHktbm90LWEtcmVhbC1ibG9i"

pytestmark = pytest.mark.browser

# True once the (new) page has finished init; false, not an error, while it is still loading.
LOGGED_IN_JS = """() => {
  try { return !!angular.element(document).injector().get('accountFactory').getUserName(); }
  catch (e) { return false; }
}"""


async def test_a_crashed_page_is_reset_and_the_session_goes_on(bot: PuppetWeb, sb: Sandbox) -> None:
    events = record(bot, EventName.LOGIN, EventName.READY, EventName.LOGOUT)
    reset = bot.wait_for(EventName.RESET, timeout=T)
    old_page = bot.page
    with contextlib.suppress(Exception):  # the navigation dies with the renderer
        await old_page.goto("chrome://crash", timeout=2000)
    assert isinstance(await reset, ResetEvent)
    after = bot.wait_for(EventName.MESSAGE, lambda e: e.payload.text == "still there?", T)
    await bot.page.wait_for_function(
        LOGGED_IN_JS,
        timeout=T * 1000,
    )
    sb.world.send_text(from_="wxid_alice", to=sb.world.bot, text="still there?")
    await after
    assert bot.page is not old_page
    assert events == []  # same session: no second login / ready, no logout


async def test_a_refused_login_is_an_error_not_a_reload_loop(
    make_puppet: MakePuppet, sb: Sandbox
) -> None:
    sb.faults.add("webwxnewloginpage", ret=1203)
    puppet = make_puppet(session=False)
    refused = puppet.wait_for(EventName.ERROR, lambda e: isinstance(e.error, LoginError), timeout=T)
    await start_ready_or_refused(puppet, sb)
    error = (await refused).error
    assert isinstance(error, LoginError) and error.ret == 1203
    assert puppet.page.url == "about:blank"
    assert not puppet.logged_in


async def start_ready_or_refused(puppet: PuppetWeb, sb: Sandbox) -> None:
    sb.phone.auto_scan = True
    await puppet.start()


async def test_rate_limited_sends_are_retried(make_puppet: MakePuppet, sb: Sandbox) -> None:
    puppet = await start_ready(make_puppet(rate_limit_backoff=0.05), sb)
    alice = sb.world.username_of("wxid_alice")
    sb.faults.add("webwxsendmsg", ret=1205, count=2)
    msg_id = await puppet.message_send_text(alice, "eventually")
    seen = await sb.world.wait_for_message(lambda m: m.text == "eventually", timeout=T)
    assert seen.to == "wxid_alice"
    assert (await puppet.message_payload(msg_id)).text == "eventually"

    sb.faults.add("webwxsendmsg", ret=1205)
    with pytest.raises(RateLimitedError):
        await puppet.message_send_text(alice, "never")
    assert not [m for m in sb.world.messages if m.text == "never"]


async def test_a_recall_is_a_recalled_message(bot: PuppetWeb, sb: Sandbox) -> None:
    world = sb.world
    first = bot.wait_for(EventName.MESSAGE, lambda e: e.payload.text == "oops", T)
    original = world.send_text(from_="wxid_alice", to=world.bot, text="oops")
    msg_id = (await first).message_id
    recalled = bot.wait_for(
        EventName.MESSAGE, lambda e: e.payload.type is MessageType.RECALLED, timeout=T
    )
    world.recall(original)
    event = await recalled
    assert event.payload.text == msg_id
    assert event.payload.talker_id == world.username_of("wxid_alice")


@pytest.fixture
async def recording_context(browser: Browser) -> AsyncIterator[BrowserContext]:
    ctx = await browser.new_context(ignore_https_errors=True)
    try:
        yield ctx
    finally:
        await ctx.close()


async def test_uos_headers_reach_a_callers_context_routes(
    recording_context: BrowserContext, sb: Sandbox
) -> None:
    seen: list[dict[str, str]] = []

    async def spy(route: Route, request: Request) -> None:
        # Like a recorder: sees every request after the puppet's page routes fell back (with
        # the original headers: Playwright applies fallback overrides when it sends).
        if "webwxnewloginpage" in request.url:
            seen.append(await request.all_headers())
        await route.fallback()

    await recording_context.route("**/*", spy)
    sent: list[dict[str, str]] = []

    async def on_finished(request: Request) -> None:
        if "webwxnewloginpage" in request.url:
            sent.append(await request.all_headers())

    recording_context.on("requestfinished", on_finished)
    options = PuppetWebOptions(
        context=recording_context, sandbox=sb.url, session_file=None, extspam=EXTSPAM
    )
    puppet = PuppetWeb(options)
    try:
        await start_ready(puppet, sb)
    finally:
        await puppet.stop()
    assert seen  # the caller's context routes still see the request (a recorder would)
    uos = [h for h in sent if h.get("client-version") == "2.0.0"]
    assert uos and uos[0]["extspam"] == EXTSPAM
    assert not recording_context.pages  # the caller's context is left open, our page closed


async def test_the_login_route_lives_only_while_the_page_may_log_in(bot: PuppetWeb) -> None:
    # Any page route makes Chromium pause every request for Playwright (~4 ms per API call):
    # the UOS route is there for webwxnewloginpage only, so not while logged in.
    assert bot._page._login_routed is False
    await bot.logout()  # resolves after the logout event
    assert bot._page._login_routed is True  # back at the QR: the next login needs it


async def test_the_one_click_panel_falls_back_to_a_qr(
    recording_context: BrowserContext, sb: Sandbox
) -> None:
    # Two earlier logins of the same account: the page offers "one-click" login, no QR.
    cookies = [
        {"name": "login_frequency", "value": "2", "domain": "wx.qq.com", "path": "/"},
        {"name": "last_wxuin", "value": str(sb.world.bot.uin), "domain": "wx.qq.com", "path": "/"},
    ]
    await recording_context.add_cookies(cookies)  # type: ignore[arg-type]
    options = PuppetWebOptions(
        context=recording_context, sandbox=sb.url, session_file=None, extspam=EXTSPAM
    )
    puppet = PuppetWeb(options)
    waiting = puppet.wait_for(
        EventName.SCAN, lambda e: e.status is ScanStatus.WAITING and bool(e.qrcode), timeout=T
    )
    try:
        await puppet.start()
        assert (await waiting).qrcode.startswith("https://login.weixin.qq.com/l/")
    finally:
        await puppet.stop()


async def test_a_dead_browser_is_relaunched_and_the_session_resumes(sb: Sandbox) -> None:
    # The puppet's own Chromium (not the shared one), so the test can take it down.
    puppet = PuppetWeb(PuppetWebOptions(sandbox=sb.url, session_file=None))
    try:
        await start_ready(puppet, sb)
        logins = record(puppet, EventName.LOGIN, EventName.LOGOUT)
        reset = puppet.wait_for(EventName.RESET, timeout=T * 2)
        sb.phone.auto_scan = False  # resuming must not need a scan
        await puppet._page._browser.close()  # type: ignore[union-attr]  # as if it were killed
        assert "disconnected" in (await reset).reason or "closed" in (await reset).reason
        after = puppet.wait_for(EventName.MESSAGE, lambda e: e.payload.text == "back?", T)
        await puppet.page.wait_for_function(
            LOGGED_IN_JS,
            timeout=T * 1000,
        )
        sb.world.send_text(from_="wxid_alice", to=sb.world.bot, text="back?")
        await after
        assert logins == []
    finally:
        await puppet.stop()


async def test_a_closed_web_login_admits_the_uos_disguise(
    make_puppet: MakePuppet, sb: Sandbox
) -> None:
    # UOS mode is the default; with the desktop headers the server lets the account in.
    sb.world.bot.web_login_closed = True
    puppet = await start_ready(make_puppet(session=False, extspam=EXTSPAM), sb)
    assert puppet.logged_in


async def test_a_closed_web_login_refuses_plain_mode(make_puppet: MakePuppet, sb: Sandbox) -> None:
    sb.world.bot.web_login_closed = True
    puppet = make_puppet(session=False, uos=False)
    refused = puppet.wait_for(EventName.ERROR, lambda e: isinstance(e.error, LoginError), timeout=T)
    await start_ready_or_refused(puppet, sb)
    error = (await refused).error
    assert isinstance(error, LoginError) and error.ret == 1203
    assert "此微信号已不允许登录网页微信" in str(error)
    assert not puppet.logged_in
