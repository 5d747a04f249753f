"""Many accounts: PuppetWeb instances sharing one BrowserPool against a multi-account sandbox."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from wechaty_puppet_web import BrowserPool, PuppetWeb, PuppetWebOptions
from wechaty_puppet_web.events import EventName
from wechaty_puppet_web.sandbox import Sandbox

from .test_puppet_reliability import LOGGED_IN_JS
from .test_puppet_support import T, record

pytestmark = pytest.mark.browser


async def _ready(puppets: list[PuppetWeb]) -> None:
    readies = [p.wait_for(EventName.READY, timeout=T * 2) for p in puppets]
    await asyncio.gather(*(p.start() for p in puppets))
    await asyncio.gather(*readies)


async def _says(sandbox: Sandbox, puppet: PuppetWeb, text: str) -> None:
    """A friend of ``sandbox``'s bot says ``text``; ``puppet`` gets it."""
    got = puppet.wait_for(EventName.MESSAGE, lambda e: e.payload.text == text, T)
    friend = sandbox.world.friends[0]
    sandbox.world.send_text(from_=friend, to=sandbox.world.bot, text=text)
    await got


async def test_accounts_share_a_browser_and_never_disturb_each_other(
    sb: Sandbox, tmp_path: Path
) -> None:
    second = sb.add_account()
    sb.accounts.auto_scan = True
    async with BrowserPool(sandbox=sb.url) as pool:
        a, b = (
            PuppetWeb(PuppetWebOptions(pool=pool, session_file=tmp_path / f"{n}.json"))
            for n in "ab"
        )
        try:
            await _ready([a, b])
            assert pool.launches == 1
            acc_a, acc_b = sb.accounts.find(a.self_id()), sb.accounts.find(b.self_id())
            assert {acc_a, acc_b} == {sb, second}
            sb.accounts.auto_scan = False  # from here on nothing may need a scan
            a_events = record(a, EventName.SCAN, EventName.LOGIN, EventName.LOGOUT)
            b_events = record(b, EventName.SCAN, EventName.LOGOUT, EventName.RESET)
            a_only = a.wait_for(EventName.MESSAGE, lambda e: e.payload.text == "for b", 1.0)
            await _says(acc_b, b, "for b")
            with pytest.raises(TimeoutError):
                await a_only  # each account sees its own world only

            # One account's page dies: it comes back; the other never notices.
            reset = a.wait_for(EventName.RESET, timeout=T)
            await a.page.close()
            await reset
            await a.page.wait_for_function(LOGGED_IN_JS, timeout=T * 1000)
            await asyncio.gather(_says(acc_a, a, "a is back"), _says(acc_b, b, "b never left"))
            assert b_events == []

            # The shared browser dies: both come back from their own sessions, no scan.
            resets = [p.wait_for(EventName.RESET, timeout=T * 2) for p in (a, b)]
            cdp = await (await pool.browser()).new_browser_cdp_session()
            await asyncio.gather(cdp.send("Browser.crash"), return_exceptions=True)
            await asyncio.gather(*resets)
            assert pool.launches == 2
            for p in (a, b):
                await p.page.wait_for_function(LOGGED_IN_JS, timeout=T * 1000)
            await asyncio.gather(_says(acc_a, a, "a again"), _says(acc_b, b, "b again"))

            # A phone logs one account out: it reports it, the other keeps delivering.
            logout = b.wait_for(EventName.LOGOUT, timeout=T * 2)
            acc_b.phone.logout()
            await logout
            await _says(acc_a, a, "a still here")
            assert a_events == []
            assert not b.logged_in and a.logged_in
        finally:
            await asyncio.gather(a.stop(), b.stop())
