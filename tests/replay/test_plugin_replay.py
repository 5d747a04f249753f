"""The pytest plugin's record/replay fixtures and helpers, used the way a bot author would."""

from __future__ import annotations

from pathlib import Path

import pytest

from wechaty_puppet_web.pytest_plugin import (
    RecordFactory,
    ReplayFactory,
    assert_replayed_events,
    login_with_phone,
)
from wechaty_puppet_web.recording import load
from wechaty_puppet_web.sandbox import Sandbox

pytestmark = pytest.mark.browser


async def test_record_then_replay_with_the_plugin_fixtures(
    wpw_record: RecordFactory,
    wpw_replay: ReplayFactory,
    wpw_sandbox: Sandbox,
    tmp_path: Path,
) -> None:
    path = tmp_path / "plugin.jsonl"
    w = wpw_sandbox.world
    async with wpw_record(path) as session:
        await login_with_phone(session, wpw_sandbox)
        message = session.puppet.wait_for("message", timeout=15.0)
        w.send_text(from_=w.contact("wxid_alice"), to=w.bot, text="ding")
        await message
    cassette = load(path)
    assert [e.name for e in cassette.events][-1] == "message"
    before = wpw_sandbox.requests
    async with wpw_replay(path) as replayed:
        await replayed.wait_for_recorded()
        replayed.replayer.raise_errors()
        assert_replayed_events(replayed.events, cassette)
    assert wpw_sandbox.requests == before


async def test_assert_replayed_events_names_the_first_difference() -> None:
    recorded = load(Path(__file__).resolve().parents[2] / "fixtures" / "cassettes" / "login.jsonl")
    events = [(e.name, dict(e.payload)) for e in recorded.events]
    events[-1] = ("error", {})
    with pytest.raises(AssertionError, match=f"replayed event {len(events) - 1} differs"):
        assert_replayed_events(events, recorded)
