"""Issue 11, items 1 and 2: the Playwright driver killed, Chromium frozen; nothing lost, no scan;
and when nothing can bring the browser back: ``error`` + ``logout``, and the supervisor goes on.

Each test streams messages from the sandbox world before, during and after the fault and checks
every one arrives exactly once, in the same session (no scan, no second login, no logout).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal

import pytest

from tests.browser.test_puppet_support import record
from wechaty_puppet_web.browser.remote import start_browser_server
from wechaty_puppet_web.errors import BrowserError, LaunchError
from wechaty_puppet_web.events import EventName, ResetEvent
from wechaty_puppet_web.puppet import page as page_module
from wechaty_puppet_web.sandbox import Sandbox

from .recover_support import (
    OwnPuppet,
    Stream,
    T,
    browser_of,
    drivers,
    fixture_own_puppet,
    start_owning,
)

__all__ = ["fixture_own_puppet"]

pytestmark = pytest.mark.browser

FREEZE_TARGET = 30.0  # issue 11: recovered and delivering within 30 s of the freeze


async def test_a_killed_playwright_driver_is_restarted_and_nothing_is_lost(
    own_puppet: OwnPuppet, sandbox: Sandbox
) -> None:
    puppet = own_puppet(heartbeat_interval=0.5)
    driver = await start_owning(puppet, sandbox)
    session = record(puppet, EventName.SCAN, EventName.LOGIN, EventName.LOGOUT)
    stream = Stream(puppet, sandbox, "drv")
    stream.send(10)
    await stream.all_delivered(T)

    reset = puppet.wait_for(EventName.RESET, timeout=T)
    os.kill(driver, signal.SIGKILL)
    stream.send(30)  # while nothing listens: the SyncKey must bring them after the restart
    event = await reset
    assert isinstance(event, ResetEvent) and "[playwright]" in event.reason
    stream.send(10)
    await stream.all_delivered(T)

    stream.assert_once()
    assert session == []  # the same session: no scan, no second login, no logout
    assert puppet.logged_in
    assert driver not in drivers()
    ding = puppet.wait_for(EventName.DONG, timeout=T)
    await puppet.ding("after")  # the new Playwright drives the page
    assert (await ding).data == "after"


async def test_a_frozen_chromium_is_killed_and_relaunched_within_30_s(
    own_puppet: OwnPuppet, sandbox: Sandbox
) -> None:
    puppet = own_puppet(heartbeat_interval=0.5)
    driver = await start_owning(puppet, sandbox)
    chromium = browser_of(driver)
    session = record(puppet, EventName.SCAN, EventName.LOGIN, EventName.LOGOUT)
    stream = Stream(puppet, sandbox, "frz")
    stream.send(5)
    await stream.all_delivered(T)

    loop = asyncio.get_running_loop()
    reset = puppet.wait_for(EventName.RESET, timeout=FREEZE_TARGET)
    try:
        os.killpg(chromium, signal.SIGSTOP)  # Playwright starts Chromium as a group leader
        frozen_at = loop.time()
        stream.send(20)
        event = await reset
        assert isinstance(event, ResetEvent) and "[browser]" in event.reason
        stream.send(5)
        await stream.all_delivered(FREEZE_TARGET - (loop.time() - frozen_at))
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(chromium, signal.SIGKILL)  # recovery did it already; never leave it
    assert loop.time() - frozen_at <= FREEZE_TARGET
    stream.assert_once()
    assert session == []
    assert not os.path.exists(f"/proc/{chromium}/stat") or _zombie(chromium)


def _zombie(pid: int) -> bool:
    with open(f"/proc/{pid}/stat") as f:
        stat = f.read()
    return stat[stat.rindex(")") + 2] == "Z"


async def test_when_no_layer_can_recover_it_says_so_and_keeps_trying(
    own_puppet: OwnPuppet, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    puppet = own_puppet(heartbeat_interval=0.5)
    driver = await start_owning(puppet, sandbox)
    stream = Stream(puppet, sandbox, "gone")

    async def no_chromium(*args: object, **kwargs: object) -> None:
        raise LaunchError("chromium vanished (test)")

    # The fault: Chromium cannot be started again, until the logout is reported.
    monkeypatch.setattr(page_module, "launch_chromium", no_chromium)
    order = record(puppet, EventName.RESET, EventName.LOGOUT, EventName.LOGIN, EventName.READY)
    failed = puppet.wait_for(EventName.ERROR, lambda e: e.data == "reset", timeout=T)
    logout = puppet.wait_for(EventName.LOGOUT, timeout=T)
    puppet.once(EventName.LOGOUT.value, lambda _e: monkeypatch.undo())
    ready = puppet.wait_for(EventName.READY, timeout=2 * T)
    os.kill(driver, signal.SIGKILL)
    stream.send(5)

    assert isinstance((await failed).error, BrowserError)
    await logout
    assert not puppet.logged_in
    await ready  # the supervisor kept going: the saved cookies log it in again, no scan
    await stream.all_delivered(T)
    stream.assert_once()
    assert [type(e).__name__ for e in order] == [
        "LogoutEvent",
        "ResetEvent",
        "LoginEvent",
        "ReadyEvent",
    ]


async def test_a_killed_driver_reconnects_to_a_browser_server(
    own_puppet: OwnPuppet, sandbox: Sandbox
) -> None:
    server = await start_browser_server(sandbox=sandbox.url)
    puppet = own_puppet(heartbeat_interval=0.5, endpoint=server.endpoint)
    try:
        driver = await start_owning(puppet, sandbox)
        session = record(puppet, EventName.SCAN, EventName.LOGIN, EventName.LOGOUT)
        stream = Stream(puppet, sandbox, "far")
        reset = puppet.wait_for(EventName.RESET, timeout=T)
        os.kill(driver, signal.SIGKILL)  # ours; the server and its Chromium live on
        stream.send(10)
        event = await reset
        assert "[playwright]" in event.reason
        await stream.all_delivered(T)
        stream.assert_once()
        assert session == []
    finally:
        await puppet.stop()  # before its browser server goes
        await server.stop()


DRIVER_FREEZE_TARGET = 30.0  # a frozen driver: found out, killed and replaced within this


@pytest.mark.parametrize("seen_by", ["proc-state", "round-trip"])
async def test_a_frozen_playwright_driver_is_killed_and_restarted(
    own_puppet: OwnPuppet, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch, seen_by: str
) -> None:
    # Every call through a stopped driver hangs, CDP probes included: a frozen driver must not
    # pass for a busy page (waited out for minutes), nor for a frozen Chromium (relaunched
    # through the same frozen driver). "round-trip": /proc is not asked (a driver hung without
    # being stopped looks like this), so the driver-only round trip must time out.
    if seen_by == "round-trip":
        monkeypatch.setattr(page_module, "driver_stopped", lambda _manager: False)
    puppet = own_puppet(heartbeat_interval=0.5)
    driver = await start_owning(puppet, sandbox)
    session = record(puppet, EventName.SCAN, EventName.LOGIN, EventName.LOGOUT)
    stream = Stream(puppet, sandbox, "stop")
    stream.send(5)
    await stream.all_delivered(T)

    loop = asyncio.get_running_loop()
    reset = puppet.wait_for(EventName.RESET, timeout=DRIVER_FREEZE_TARGET)
    try:
        os.kill(driver, signal.SIGSTOP)  # the driver only: its Chromium runs on
        frozen_at = loop.time()
        stream.send(20)
        event = await reset
        assert isinstance(event, ResetEvent) and "[playwright]" in event.reason
        stream.send(5)
        await stream.all_delivered(DRIVER_FREEZE_TARGET - (loop.time() - frozen_at))
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.kill(driver, signal.SIGKILL)  # recovery did it already; never leave it
    assert loop.time() - frozen_at <= DRIVER_FREEZE_TARGET
    stream.assert_once()
    assert session == []
    assert driver not in drivers()
    ding = puppet.wait_for(EventName.DONG, timeout=T)
    await puppet.ding("after")  # the new driver drives the page
    assert (await ding).data == "after"
