"""Issue 11 items 3-5: junk items in a sync answer, error codes from synccheck / webwxsync /
uploads (1205 above all), and a send whose every answer is lost."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from wechaty_puppet_web import PuppetWeb
from wechaty_puppet_web.errors import ProtocolError, SyncBackoffError
from wechaty_puppet_web.events import ErrorEvent, EventName
from wechaty_puppet_web.filebox import FileBox
from wechaty_puppet_web.sandbox import Sandbox

from .guard_support import *  # noqa: F403  (fixtures)
from .guard_support import T, record

pytestmark = pytest.mark.browser


def _errors(events: list[Any], kind: type[BaseException]) -> list[BaseException]:
    return [e.error for e in events if isinstance(e, ErrorEvent) and isinstance(e.error, kind)]


async def test_junk_items_in_a_sync_batch_cost_only_themselves(bot: PuppetWeb, sb: Sandbox) -> None:
    errors = record(bot, EventName.ERROR)
    w = sb.world
    me = w.username_of(w.bot)
    last = bot.wait_for(EventName.MESSAGE, lambda e: e.payload.text == "good 3", timeout=T)
    got = record(bot, EventName.MESSAGE)
    numeric_from = {"MsgId": "9001", "MsgType": 1, "FromUserName": 12345, "ToUserName": me,
                    "Content": "numeric sender", "CreateTime": 1}  # fmt: skip
    # One webwxsync answer: nothing here awaits, so the page fetches all of it at once.
    w.send_text(from_="wxid_alice", to=w.bot, text="good 1")
    sb.sessions.inject_sync(
        add_msgs=[None, 42, "junk", numeric_from], mod_contacts=[None, 7, {"UserName": 5}]
    )
    w.send_text(from_="wxid_alice", to=w.bot, text="good 2")
    w.send_text(from_="wxid_bob", to=w.bot, text="good 3")
    await last
    assert [e.payload.text for e in got] == ["good 1", "good 2", "good 3"]
    bad = _errors(errors, ProtocolError)
    assert len(bad) == 7, bad  # one error per junk item, saying what was wrong
    text = " | ".join(str(e) for e in bad)
    assert "FromUserName is number" in text and "the item is null" in text
    assert "ModContactList" in text and "UserName is number" in text


async def test_synccheck_1205_backs_off_reports_once_and_resumes(
    bot: PuppetWeb, sb: Sandbox
) -> None:
    errors = record(bot, EventName.ERROR)
    loop = asyncio.get_running_loop()
    rule = sb.faults.add("synccheck", retcode=1205)
    started = loop.time()
    await rule.wait_fired(4, timeout=T)
    elapsed = loop.time() - started
    sb.faults.remove(rule)
    # Without a back-off the client re-polls at once (~176 polls/s); with it 1 s, 2 s, 4 s
    # (halved at worst by the jitter) lie between the first four answers.
    assert elapsed > 1.5, f"4 polls in {elapsed:.2f} s"
    arrived = bot.wait_for(EventName.MESSAGE, lambda e: e.payload.text == "after", timeout=T)
    sb.world.send_text(from_="wxid_alice", to=sb.world.bot, text="after")
    await arrived
    backoffs = _errors(errors, SyncBackoffError)
    assert len(backoffs) == 1, backoffs  # once per episode
    assert isinstance(backoffs[0], SyncBackoffError) and backoffs[0].ret == 1205


async def test_webwxsync_1205_is_retried_after_a_back_off_not_a_stall(
    bot: PuppetWeb, sb: Sandbox
) -> None:
    errors = record(bot, EventName.ERROR)
    sb.faults.add("webwxsync", ret=1205, count=3)
    arrived = bot.wait_for(EventName.MESSAGE, lambda e: e.payload.text == "through", timeout=T)
    # The report and the message may come by different lanes, and under load the message can
    # be handed on first (ordering waits 50 ms for a gap at most): await the report itself.
    reported = bot.wait_for(
        EventName.ERROR, lambda e: isinstance(e.error, SyncBackoffError), timeout=T
    )
    sb.world.send_text(from_="wxid_alice", to=sb.world.bot, text="through")
    await arrived  # the client alone waits for its 40 s survive timer
    await reported
    backoffs = _errors(errors, SyncBackoffError)
    assert [(e.op, e.ret) for e in backoffs] == [("webwxsync", 1205)]  # type: ignore[attr-defined]


async def test_an_upload_answered_1205_backs_off_like_a_send(bot: PuppetWeb, sb: Sandbox) -> None:
    rule = sb.faults.add("webwxuploadmedia", ret=1205, count=1)
    alice = sb.world.username_of("wxid_alice")
    file = FileBox.from_bytes(b"some notes\n" * 10, name="notes.txt")
    msg_id = await bot.message_send_file(alice, file)
    assert rule.fired == 1 and msg_id
    assert sb.world.find_message(msg_id) is not None


async def test_a_send_whose_answers_are_all_lost_is_confirmed_through_sync(
    bot: PuppetWeb, sb: Sandbox
) -> None:
    rule = sb.faults.add("webwxsendmsg", drop_reply=True)
    alice = sb.world.username_of("wxid_alice")
    msg_id = await bot.message_send_text(alice, "did it arrive?")
    sb.faults.remove(rule)
    assert rule.fired >= 1
    sent = [m for m in sb.world.messages if m.text == "did it arrive?"]
    assert len(sent) == 1, "the client's retries (same ClientMsgId) made no second message"
    assert msg_id == str(sent[0].msg_id)
    assert (await bot.message_payload(msg_id)).text == "did it arrive?"
