"""``stop()`` settles the event handlers in flight: no "page closed" error after a good run.

``make demo`` used to print ``error: BridgeError(... page closed)`` now and then: the bot's reply
had reached the server, the demo stopped the puppet, and the page closed under the handler still
awaiting its ``message_send_text``. A slowed-down send makes that race certain here.
"""

from __future__ import annotations

import asyncio
import time

import pytest

from wechaty_puppet_web import PuppetWeb
from wechaty_puppet_web.events import EventName, MessageEvent
from wechaty_puppet_web.sandbox import Sandbox

from .test_puppet_support import MakePuppet, T, record, start_ready

pytestmark = pytest.mark.browser

SLOW_SEND = 1.5  # seconds the sandbox holds the bot's reply


async def test_stop_lets_a_reply_in_flight_finish(make_puppet: MakePuppet, sb: Sandbox) -> None:
    bot = await start_ready(make_puppet(session=False), sb)
    errors = record(bot, EventName.ERROR)
    started, sent = asyncio.Event(), asyncio.Event()

    async def on_message(event: MessageEvent) -> None:
        if event.payload.text != "ding":
            return
        started.set()
        await bot.message_send_text(event.payload.talker_id, "dong")
        sent.set()

    bot.on("message", on_message)
    sb.faults.add("webwxsendmsg", delay=SLOW_SEND, count=1)
    friend = sb.world.friends[0]
    sb.world.send_text(from_=friend, to=sb.world.bot, text="ding")
    await asyncio.wait_for(started.wait(), T)
    await bot.stop()  # while the reply is held by the server
    assert [(e.data, repr(e.error)) for e in errors] == []
    assert sent.is_set()
    reply = await sb.world.wait_for_message(lambda m: m.text == "dong", timeout=T)
    assert reply.to == friend.wxid


async def test_stop_cancels_a_handler_that_outlives_the_grace(
    make_puppet: MakePuppet, sb: Sandbox
) -> None:
    bot = await start_ready(make_puppet(session=False, stop_grace=0.3), sb)
    errors = record(bot, EventName.ERROR)
    started, cancelled = asyncio.Event(), asyncio.Event()

    async def on_message(event: MessageEvent) -> None:
        started.set()
        try:
            await asyncio.Event().wait()  # a handler that never ends on its own
        except asyncio.CancelledError:
            cancelled.set()
            raise

    bot.on("message", on_message)
    sb.world.send_text(from_=sb.world.friends[0], to=sb.world.bot, text="hello")
    await asyncio.wait_for(started.wait(), T)
    began = time.monotonic()
    await bot.stop()
    assert cancelled.is_set()
    assert time.monotonic() - began < T
    assert errors == []


async def test_a_handler_may_stop_the_puppet_itself(make_puppet: MakePuppet, sb: Sandbox) -> None:
    bot = await start_ready(make_puppet(session=False), sb)
    stopped = asyncio.Event()

    async def on_message(event: MessageEvent) -> None:
        await bot.stop()  # not waited for by the stop it runs (no self-deadlock)
        stopped.set()

    bot.on("message", on_message)
    sb.world.send_text(from_=sb.world.friends[0], to=sb.world.bot, text="bye")
    await asyncio.wait_for(stopped.wait(), T)
    assert bot.page is None


def test_errors_of_our_own_stop_are_not_reported() -> None:
    from wechaty_puppet_web.errors import BridgeError

    puppet = PuppetWeb()
    got = record(puppet, EventName.ERROR)
    puppet._stopping = True
    puppet._handler_failed("message", BridgeError("page closed"))
    assert got == []
    puppet._stopping = False
    puppet._handler_failed("message", BridgeError("page closed"))
    assert [e.data for e in got] == ["handler:message"]
