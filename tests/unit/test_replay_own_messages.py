"""A replay of a bot that sends passes: its own messages' clock-made values are not compared."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from wechaty_puppet_web import PuppetWeb, PuppetWebOptions
from wechaty_puppet_web.errors import BotModuleError
from wechaty_puppet_web.pytest_plugin import assert_replayed_events, attach_bot
from wechaty_puppet_web.recording import load

ROOT = Path(__file__).resolve().parents[2]
CASSETTE = load(ROOT / "fixtures" / "cassettes" / "bot.jsonl")
BOT = ROOT / "tests" / "wheel" / "author" / "bot.py"


def _events() -> list[tuple[str, dict[str, Any]]]:
    return [(e.name, copy.deepcopy(dict(e.payload))) for e in CASSETTE.events]


def _messages(events: list[tuple[str, dict[str, Any]]], own: bool) -> list[dict[str, Any]]:
    (self_id,) = [p["contact_id"] for n, p in events if n == "login"]
    return [
        p["payload"]
        for n, p in events
        if n == "message" and (p["payload"]["talker_id"] == self_id) is own
    ]


def test_the_fixture_holds_what_the_bot_sent() -> None:
    sent = [m["text"] for m in _messages(_events(), own=True)]
    assert sent == ["dong", "Welcome, Dave!"]


def test_own_message_times_and_ids_are_ignored_unless_strict() -> None:
    events = _events()
    for message in _messages(events, own=True):
        message["timestamp"] += 20.0
        message["id"] = "17965796950888812"  # a ClientMsgId-like local id
    for name, payload in events:
        if name == "message" and payload["payload"]["text"] == "dong":
            payload["message_id"] = "17965796950888812"
    assert_replayed_events(events, CASSETTE)
    with pytest.raises(AssertionError, match="differs"):
        assert_replayed_events(events, CASSETTE, strict=True)


def test_what_the_bot_said_and_others_messages_are_still_compared() -> None:
    events = _events()
    _messages(events, own=True)[0]["text"] = "pong"
    with pytest.raises(AssertionError, match="pong"):
        assert_replayed_events(events, CASSETTE)
    events = _events()
    _messages(events, own=False)[0]["timestamp"] += 20.0
    with pytest.raises(AssertionError, match="differs"):
        assert_replayed_events(events, CASSETTE)


def test_attach_bot_wires_a_module_by_path_and_refuses_one_without_handlers(
    tmp_path: Path,
) -> None:
    puppet = PuppetWeb(PuppetWebOptions(session_file=None))
    assert attach_bot(puppet, BOT) == ["message", "room-join"]
    empty = tmp_path / "nothing.py"
    empty.write_text("def helper():\n    return 1\n")
    with pytest.raises(BotModuleError, match="no on_<event> handler"):
        attach_bot(puppet, empty)
