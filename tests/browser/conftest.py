"""Fixtures shared by the browser test modules (the session-wide ones are in tests/conftest.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Browser

from wechaty_puppet_web import PuppetWeb, PuppetWebOptions
from wechaty_puppet_web.sandbox import Sandbox

from .test_puppet_support import MakePuppet, start_ready


@pytest.fixture
def wc(sandbox: Sandbox) -> Sandbox:
    """The sandbox for the web client tests, with its default login redirect (wx.qq.com ->
    wx2.qq.com); the login module overrides it to cover the same-host path."""
    return sandbox


# ---- the puppet tests: every puppet gets its own context in the shared Chromium ------------


@pytest.fixture(name="sb")
def fixture_sb(sandbox: Sandbox) -> Sandbox:
    """The fresh sandbox (default wx -> wx2 login redirect)."""
    return sandbox


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


@pytest.fixture(name="bot")
async def fixture_bot(make_puppet: MakePuppet, sb: Sandbox) -> PuppetWeb:
    """A puppet logged in to the sandbox and ready."""
    return await start_ready(make_puppet(), sb)
