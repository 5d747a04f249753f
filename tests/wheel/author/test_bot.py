"""Tests of bot.py with the wechaty-puppet-web pytest plugin: the sandbox, then a cassette."""

from pathlib import Path

import bot

from wechaty_puppet_web import PuppetWeb
from wechaty_puppet_web.pytest_plugin import (
    RecordFactory,
    ReplayFactory,
    assert_replayed_events,
    attach_bot,
    login_with_phone,
)
from wechaty_puppet_web.recording import load
from wechaty_puppet_web.sandbox import Sandbox

CASSETTE = Path(__file__).parent / "cassettes" / "bot.jsonl"


async def test_answers_ding(wpw_puppet: PuppetWeb, wpw_sandbox: Sandbox) -> None:
    attach_bot(wpw_puppet, bot)
    world = wpw_sandbox.world
    alice = world.contact("wxid_alice")
    world.send_text(from_=alice, to=world.bot, text="ding")
    reply = await world.wait_for_message(lambda m: m.sender == world.bot.wxid, timeout=30)
    assert (reply.to, reply.text) == (alice.wxid, "dong")


async def test_welcomes_room_joiners(wpw_puppet: PuppetWeb, wpw_sandbox: Sandbox) -> None:
    attach_bot(wpw_puppet, bot)
    world = wpw_sandbox.world
    room = world.room("1000002@chatroom")
    world.invite(room, world.contact("wxid_alice"), [world.contact("wxid_dave")])
    welcome = await world.wait_for_message(lambda m: m.sender == world.bot.wxid, timeout=30)
    assert welcome.text == "Welcome, Dave!"


async def test_replays_a_recorded_session(wpw_replay: ReplayFactory) -> None:
    async with wpw_replay(CASSETTE, bot=bot) as session:
        await session.wait_for_recorded(timeout=60)
        session.replayer.raise_errors()  # the bot's requests matched the recorded ones
        assert_replayed_events(session.events, session.replayer.cassette)
        sent = [r for r in session.replayer.unserved() if "webwxsendmsg" in r.request.url]
        assert not sent, "the bot did not send what it sent while recording"


async def test_records_a_session(
    wpw_record: RecordFactory, wpw_sandbox: Sandbox, tmp_path: Path
) -> None:
    # how cassettes/bot.jsonl was made: record the bot against the sandbox once, commit the file
    world = wpw_sandbox.world
    async with wpw_record(tmp_path / "bot.jsonl", bot=bot) as session:
        await login_with_phone(session, wpw_sandbox)
        echoed = session.puppet.wait_for("message", lambda e: e.payload.text == "dong", timeout=30)
        world.send_text(from_=world.contact("wxid_alice"), to=world.bot, text="ding")
        await echoed
    texts = [
        e.payload["payload"]["text"]
        for e in load(tmp_path / "bot.jsonl").events
        if e.name == "message"
    ]
    assert texts == ["ding", "dong"]
