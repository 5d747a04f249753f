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
- ``wpw_record``: ``async with wpw_record(path) as session`` records a puppet against
  ``wpw_sandbox`` into a cassette (the phone waits for :func:`login_with_phone` in that test).
- ``wpw_replay``: ``async with wpw_replay(path) as session`` runs a puppet on a cassette only.

:func:`attach_bot` wires a bot module (its ``on_<event>(puppet, event)`` handlers, as
``wechaty-web run`` uses them) into a puppet; ``wpw_record(path, bot=bot)`` and
``wpw_replay(path, bot=bot)`` attach it before the puppet starts, so what the bot sends is
recorded and, on replay, matched against the recording. ``pip install
'wechaty-puppet-web[testing]'`` brings pytest and pytest-asyncio.

The record/replay helpers are importable from here too: :func:`replay_puppet`,
:func:`record_puppet`, :func:`assert_replayed_events`, :func:`login_with_phone`::

    async def test_login_replays(wpw_replay):
        async with wpw_replay("tests/cassettes/login.jsonl") as session:
            await session.wait_for_recorded()
            assert_replayed_events(session.events, session.replayer.cassette)

The session-scoped fixtures run on pytest-asyncio's session event loop; tests using them should
run on that loop too (``asyncio_default_test_loop_scope = "session"`` in the pytest config).
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from typing import TYPE_CHECKING, Any

from .recording.cassette import Cassette
from .recording.testing import (
    Bot,
    EventLog,
    RecordSession,
    ReplaySession,
    assert_replayed_events,
    attach_bot,
    login_with_phone,
    record_puppet,
    replay_puppet,
)

if TYPE_CHECKING:
    from playwright.async_api import Browser

    from .puppet import PuppetWeb
    from .sandbox import Sandbox

__all__ = [
    "Bot",
    "EventLog",
    "RecordFactory",
    "RecordSession",
    "ReplayFactory",
    "ReplaySession",
    "assert_replayed_events",
    "attach_bot",
    "login_with_phone",
    "record_puppet",
    "replay_puppet",
]

READY_TIMEOUT = 30.0

CassetteSource = str | os.PathLike[str] | Cassette
RecordFactoryResult = AbstractAsyncContextManager[RecordSession]
ReplayFactoryResult = AbstractAsyncContextManager[ReplaySession]
# wpw_record(path, **record_puppet_options) / wpw_replay(cassette, **replay_puppet_options)
RecordFactory = Callable[..., RecordFactoryResult]
ReplayFactory = Callable[..., ReplayFactoryResult]

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

    @pytest_asyncio.fixture(loop_scope="session")
    async def wpw_record(wpw_sandbox: Sandbox, wpw_browser: Browser) -> RecordFactory:
        """Record a puppet against the sandbox: ``async with wpw_record(path) as session``.

        The phone stops confirming by itself for this test: :func:`login_with_phone` walks each
        login step, so the cassette holds every scan state a replay will emit.
        """
        wpw_sandbox.auto_scan = False  # wpw_sandbox's reset() restores it for the next test

        def record(path: str | os.PathLike[str], **options: Any) -> RecordFactoryResult:
            return record_puppet(
                path, wpw_browser, context_options=wpw_sandbox.context_options(), **options
            )

        return record

    @pytest_asyncio.fixture(loop_scope="session")
    async def wpw_replay(wpw_browser: Browser) -> ReplayFactory:
        """Run a puppet on a cassette: ``async with wpw_replay(path) as session``.

        Every request is answered from the cassette; the browser is the sandbox's, so a request
        that escaped the routes would reach the sandbox, never the internet.
        """

        def replay(cassette: CassetteSource, **options: Any) -> ReplayFactoryResult:
            return replay_puppet(cassette, wpw_browser, **options)

        return replay
