"""A puppet's own Chromium runs as one process (PuppetWebOptions.lean_browser, the default):
messages flow, and a relaunch while that browser still answers gives it a new browser (a
single-process Chromium can hold only its first context) with nothing lost and no scan."""

from __future__ import annotations

import pytest

from tests.browser.test_puppet_support import record
from wechaty_puppet_web.events import EventName
from wechaty_puppet_web.sandbox import Sandbox

from .recover_support import (
    OwnPuppet,
    Stream,
    T,
    browser_of,
    children,
    cmdline,
    fixture_own_puppet,
    start_owning,
)

__all__ = ["fixture_own_puppet"]

pytestmark = pytest.mark.browser


def chromium_processes(browser: int) -> list[int]:
    """The browser process and every Chromium process below it."""
    found, todo = [browser], [browser]
    while todo:
        kids = [p for p in children(todo.pop()) if "chromium" in " ".join(cmdline(p)[:1])]
        found += kids
        todo += kids
    return found


async def test_the_own_browser_is_one_process_and_survives_a_relaunch(
    own_puppet: OwnPuppet, sandbox: Sandbox
) -> None:
    puppet = own_puppet()
    driver = await start_owning(puppet, sandbox)
    browser = browser_of(driver)
    assert "--single-process" in cmdline(browser)
    assert chromium_processes(browser) == [browser]  # no renderer, no utility process
    session = record(puppet, EventName.SCAN, EventName.LOGIN, EventName.LOGOUT)
    stream = Stream(puppet, sandbox, "lean")
    stream.send(5)
    await stream.all_delivered(T)

    await puppet._page.relaunch()  # a new context: on a lean browser, a new browser too
    stream.send(5)
    await stream.all_delivered(T)
    stream.assert_once()
    assert session == []  # the saved cookies carried the session over
    assert browser_of(driver) != browser


async def test_lean_browser_off_keeps_chromiums_processes(
    own_puppet: OwnPuppet, sandbox: Sandbox
) -> None:
    puppet = own_puppet(lean_browser=False)
    driver = await start_owning(puppet, sandbox)
    browser = browser_of(driver)
    assert "--single-process" not in cmdline(browser)
    assert len(chromium_processes(browser)) > 1
