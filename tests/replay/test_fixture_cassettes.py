"""Every committed fixture cassette replays offline: the puppet emits the recorded events."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.async_api import Browser

from wechaty_puppet_web.recording.testing import assert_replayed_events, replay_puppet
from wechaty_puppet_web.sandbox import Sandbox

from .support import PROBE, reached_sandbox

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[2]
CASSETTES = sorted((ROOT / "fixtures" / "cassettes").glob("*.jsonl"))
# cassettes recorded with a bot attached replay with the same bot (its requests are recorded)
BOTS = {"bot": ROOT / "tests" / "wheel" / "author" / "bot.py"}


@pytest.mark.parametrize("path", CASSETTES, ids=lambda p: p.stem)
async def test_fixture_replays(browser: Browser, sandbox_server: Sandbox, path: Path) -> None:
    async with replay_puppet(
        path, browser, bot=BOTS.get(path.stem), context_options=PROBE
    ) as session:
        await session.wait_for_recorded()
        session.replayer.raise_errors()
        assert_replayed_events(session.events, session.replayer.cassette)
    assert reached_sandbox(sandbox_server) == []
