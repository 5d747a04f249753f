"""The sandbox unreachable (``sb.outage``): refused connections, cut long polls, back on the
same port with the session and its pending messages intact."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest

from wechaty_puppet_web.sandbox import Sandbox
from wechaty_puppet_web.sandbox.bareclient import BareClient

from .util import drain, next_sync


async def test_an_outage_refuses_cuts_and_ends(box: Sandbox, bot: BareClient) -> None:
    held = asyncio.ensure_future(bot.synccheck())  # a long poll in flight when it starts
    session = box.sessions.current
    assert session is not None
    await asyncio.wait_for(session.polling.wait(), 3)  # the poll is held
    try:
        await box.outage.begin()
        with pytest.raises(aiohttp.ClientError):
            await held
        with pytest.raises(aiohttp.ClientError):
            await bot.synccheck()
        box.world.send_text(from_="wxid_alice", to=box.world.bot, text="during")
    finally:
        await box.outage.end()
    data = await next_sync(bot)  # same session, same SyncKey: the message waited
    texts = [m["Content"] for m in data["AddMsgList"]] + [m["Content"] for m in await drain(bot)]
    assert any("during" in t for t in texts)
