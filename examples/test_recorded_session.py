"""A bot author's test on a recorded session: replayed offline, no account, no network.

Record a session once (``wechaty-web record tests/cassettes/session.jsonl``, from live web WeChat
with ``--pseudonymize`` to hide names, or ``--sandbox``), commit the cassette, and replay it in
tests with the pytest plugin's ``wpw_replay`` fixture (``pip install pytest pytest-asyncio``; in
the pytest config, ``asyncio_mode = "auto"`` and ``asyncio_default_test_loop_scope = "session"``).
This example replays the project's own recording of one message of every type.
"""

from __future__ import annotations

from pathlib import Path

from wechaty_puppet_web.payloads import MessageType
from wechaty_puppet_web.pytest_plugin import ReplayFactory, assert_replayed_events

CASSETTE = Path(__file__).resolve().parents[1] / "fixtures" / "cassettes" / "messages.jsonl"


async def test_the_recorded_session_replays(wpw_replay: ReplayFactory) -> None:
    async with wpw_replay(CASSETTE) as session:
        await session.wait_for_recorded()
        session.replayer.raise_errors()  # every request the page made had a recorded answer
        assert_replayed_events(session.events, session.replayer.cassette)

        messages = [
            event["message_id"] for name, event in session.events.items if name == "message"
        ]
        first = await session.puppet.message_payload(messages[0])
        assert (first.type, first.text) == (MessageType.TEXT, "hello <b>bot</b> 😀")
        notes = [await session.puppet.message_payload(m) for m in messages]
        assert "notes.txt" in [m.filename for m in notes if m.type is MessageType.ATTACHMENT]
