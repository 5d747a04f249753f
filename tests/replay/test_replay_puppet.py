"""Record a PuppetWeb session against the sandbox, replay it offline, compare the events."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.async_api import Browser

from wechaty_puppet_web.errors import CassetteMismatchError
from wechaty_puppet_web.events import ErrorEvent
from wechaty_puppet_web.recording import load
from wechaty_puppet_web.recording.testing import (
    RecordSession,
    assert_replayed_events,
    login_with_phone,
    record_puppet,
    replay_puppet,
)
from wechaty_puppet_web.sandbox import Sandbox

from .support import PROBE, reached_sandbox

pytestmark = pytest.mark.browser
STEP = 15.0


async def _scenario(session: RecordSession, sandbox: Sandbox) -> None:
    """Login, a 1:1 text, a room text with a mention, an image, a room join, a friend request."""
    await login_with_phone(session, sandbox)
    puppet = session.puppet
    w = sandbox.world
    alice, bot = w.contact("wxid_alice"), w.bot
    room = w.room("1000001@chatroom")
    steps: list[tuple[str, Callable[[], object]]] = [
        ("message", lambda: w.send_text(from_=alice, to=bot, text="hello <b>bot</b> 😀")),
        ("message", lambda: w.send_text(from_=alice, to=room, text="hi all", mentions=[bot])),
        ("message", lambda: w.send_image(from_=alice, to=bot)),
        ("room-join", lambda: w.invite(room, bot, [w.contact("wxid_carol")])),
        ("friendship", lambda: w.friend_request(from_=w.contact("wxid_grace"), hello="hi")),
    ]
    for event, action in steps:
        future = puppet.wait_for(event, timeout=STEP)
        action()
        await future


async def _record(browser: Browser, sandbox: Sandbox, path: Path, pseudonymize: bool) -> Path:
    sandbox.reset()
    async with record_puppet(
        path, browser, context_options=sandbox.context_options(), pseudonymize=pseudonymize
    ) as session:
        await _scenario(session, sandbox)
    return path


@pytest.fixture(scope="module")
async def recorded(
    browser: Browser, sandbox_server: Sandbox, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    path = tmp_path_factory.mktemp("cassettes") / "puppet.jsonl"
    return await _record(browser, sandbox_server, path, pseudonymize=False)


async def test_replay_emits_the_recorded_events(
    browser: Browser, sandbox_server: Sandbox, recorded: Path
) -> None:
    cassette = load(recorded)
    names = [e.name for e in cassette.events]
    assert names[:1] == ["scan"] and "login" in names and "ready" in names
    assert names.count("message") >= 3 and "room-join" in names and "friendship" in names
    async with replay_puppet(recorded, browser, context_options=PROBE) as session:
        await session.wait_for_recorded()
        session.replayer.raise_errors()
        assert_replayed_events(session.events, cassette)
    assert reached_sandbox(sandbox_server) == []


async def test_unrecorded_call_is_a_mismatch_error_event(browser: Browser, recorded: Path) -> None:
    async with replay_puppet(recorded, browser) as session:
        await session.wait_for_recorded()
        errors = session.puppet.wait_for(
            "error", lambda e: isinstance(e.error, CassetteMismatchError), timeout=STEP
        )
        alice = next(
            p["payload"]["talker_id"]
            for name, p in session.events.items
            if name == "message" and not p["payload"].get("room_id")
        )
        with pytest.raises(Exception):  # noqa: B017 - the page's send fails its own way
            await session.puppet.message_send_text(alice, "never recorded")
        event: ErrorEvent = await errors
    assert "webwxsendmsg" in str(event.error)
    assert "nearest recorded request" in str(event.error)
    assert session.replayer.errors


async def test_pseudonymised_session_replays(
    browser: Browser, sandbox_server: Sandbox, tmp_path: Path
) -> None:
    path = await _record(browser, sandbox_server, tmp_path / "pseudo.jsonl", pseudonymize=True)
    cassette = load(path)
    text = path.read_text(encoding="utf-8")
    for personal in ("Alice", "wxid_alice", "卡罗尔", "Wechaty Developers"):
        assert personal not in text
    async with replay_puppet(path, browser) as session:
        await session.wait_for_recorded()
        session.replayer.raise_errors()
        assert_replayed_events(session.events, cassette)
