"""Fixtures and helpers for the PuppetWeb browser tests (no tests here).

Every puppet gets its own context in the session's shared Chromium. The sandbox answers the
login on the page's own host (no wx -> wx2 switch: the sandbox's host-switch navigation does not
land on a logged-in page yet, see the report).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Browser

from wechaty_puppet_web import PuppetWeb, PuppetWebOptions
from wechaty_puppet_web.events import EventName
from wechaty_puppet_web.sandbox import Sandbox

T = 15.0  # seconds any single awaited event may take

MakePuppet = Callable[..., PuppetWeb]


@pytest.fixture(name="sb")
async def fixture_sb(sandbox: Sandbox) -> AsyncIterator[Sandbox]:
    """The fresh sandbox, login redirect on the page's own host."""
    saved = sandbox.redirect_host
    sandbox.redirect_host = "wx.qq.com"
    try:
        yield sandbox
    finally:
        sandbox.redirect_host = saved


@pytest.fixture(name="session_path")
def fixture_session_path(tmp_path: Path) -> Path:
    return tmp_path / "session.json"


@pytest.fixture(name="make_puppet")
async def fixture_make_puppet(
    browser: Browser, sb: Sandbox, session_path: Path
) -> AsyncIterator[MakePuppet]:
    """Build puppets on the shared browser; all are stopped after the test."""
    made: list[PuppetWeb] = []

    def make(*, session: bool = True, **overrides: Any) -> PuppetWeb:
        options = PuppetWebOptions(
            browser=browser,
            sandbox=sb.url,
            session_file=session_path if session else None,
            **overrides,
        )
        puppet = PuppetWeb(options)
        made.append(puppet)
        return puppet

    try:
        yield make
    finally:
        for puppet in made:
            await puppet.stop()


async def start_ready(puppet: PuppetWeb, sandbox: Sandbox) -> PuppetWeb:
    """Start ``puppet`` with the phone scanning by itself; return once ``ready``."""
    sandbox.phone.auto_scan = True
    ready = puppet.wait_for(EventName.READY, timeout=T)
    await puppet.start()
    await ready
    return puppet


@pytest.fixture(name="bot")
async def fixture_bot(make_puppet: MakePuppet, sb: Sandbox) -> PuppetWeb:
    """A puppet logged in to the sandbox and ready."""
    return await start_ready(make_puppet(), sb)


def record(puppet: PuppetWeb, *names: EventName) -> list[Any]:
    """Collect the events of ``names`` (every event when none given) in order."""
    got: list[Any] = []
    for name in names or tuple(EventName):
        puppet.on(name.value, got.append)
    return got
