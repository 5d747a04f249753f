"""pytest fixtures for bot authors: test a bot against the sandbox, no account needed.

Installed as a pytest plugin (entry point ``wechaty_puppet_web``), so the fixtures are there in
any project that has wechaty-puppet-web and pytest-asyncio installed::

    async def test_bot_answers(wpw_puppet, wpw_sandbox):
        wpw_puppet.on("message", my_bot.on_message)
        world = wpw_sandbox.world
        world.send_text(from_="wxid_alice", to=world.bot, text="ding")
        reply = await world.wait_for_message(lambda m: m.text == "dong", timeout=10)

Fixtures (prefixed ``wpw_`` so they never clash with a project's own):

- ``wpw_sandbox_server`` (session): one running :class:`~wechaty_puppet_web.sandbox.Sandbox`
  whose phone scans and confirms by itself.
- ``wpw_sandbox``: the same sandbox with a fresh default world for each test.
- ``wpw_browser`` (session): one Chromium whose WeChat hosts resolve to the sandbox.
- ``wpw_puppet``: a :class:`~wechaty_puppet_web.PuppetWeb` logged in and ready (no session file).

The session-scoped fixtures run on pytest-asyncio's session event loop; tests using them should
run on that loop too (``asyncio_default_test_loop_scope = "session"`` in the pytest config).
"""

from __future__ import annotations

import importlib.util
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.async_api import Browser

    from .puppet import PuppetWeb
    from .sandbox import Sandbox

READY_TIMEOUT = 30.0

# Without pytest-asyncio there are no async fixtures (and importing this must not fail).
if importlib.util.find_spec("pytest_asyncio") is not None:
    import pytest_asyncio

    @pytest_asyncio.fixture(scope="session", loop_scope="session")
    async def wpw_sandbox_server() -> AsyncIterator[Sandbox]:
        """A sandbox for the whole test session (its phone scans and confirms by itself)."""
        from .sandbox import Sandbox

        sandbox = Sandbox(auto_scan=True, login_hold=2.0, synccheck_hold=2.0)
        await sandbox.start()
        try:
            yield sandbox
        finally:
            await sandbox.stop()

    @pytest_asyncio.fixture(loop_scope="session")
    async def wpw_sandbox(wpw_sandbox_server: Sandbox) -> Sandbox:
        """The session's sandbox with a fresh default world."""
        wpw_sandbox_server.reset()
        return wpw_sandbox_server

    @pytest_asyncio.fixture(scope="session", loop_scope="session")
    async def wpw_browser(wpw_sandbox_server: Sandbox) -> AsyncIterator[Browser]:
        """One Chromium for the session, its WeChat hosts mapped onto the sandbox."""
        from playwright.async_api import async_playwright

        from .browser.launcher import launch_chromium

        async with async_playwright() as pw:
            browser = await launch_chromium(pw, extra_args=wpw_sandbox_server.browser_args())
            try:
                yield browser
            finally:
                await browser.close()

    @pytest_asyncio.fixture(loop_scope="session")
    async def wpw_puppet(wpw_sandbox: Sandbox, wpw_browser: Browser) -> AsyncIterator[PuppetWeb]:
        """A PuppetWeb logged in to the sandbox and ready; stopped after the test."""
        from .options import PuppetWebOptions
        from .puppet import PuppetWeb

        options = PuppetWebOptions(browser=wpw_browser, sandbox=wpw_sandbox.url, session_file=None)
        puppet = PuppetWeb(options)
        ready = puppet.wait_for("ready", timeout=READY_TIMEOUT)
        await puppet.start()
        try:
            await ready
            yield puppet
        finally:
            await puppet.stop()
