"""Injected faults: HTTP errors, delays, dropped connections, retcodes, Ret codes, rates."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest

from wechaty_puppet_web.errors import WebWxError
from wechaty_puppet_web.sandbox import Faults, Sandbox
from wechaty_puppet_web.sandbox.bareclient import BareClient

from .util import drain, next_sync


async def test_http_status_fault(box: Sandbox, bot: BareClient) -> None:
    box.faults.add("webwxsync", status=500, count=1)
    with pytest.raises(aiohttp.ClientResponseError) as info:
        await bot.sync()
    assert info.value.status == 500
    assert (await bot.sync())["BaseResponse"]["Ret"] == 0  # count=1: only once


async def test_delay_fault(box: Sandbox, bot: BareClient) -> None:
    box.faults.add("webwxsendmsg", delay=0.3, count=1)
    loop = asyncio.get_running_loop()
    start = loop.time()
    await bot.send_text("filehelper", "slow")
    assert loop.time() - start >= 0.3


async def test_dropped_connection(box: Sandbox, bot: BareClient) -> None:
    box.faults.add("webwxsync", drop=True, count=1)
    with pytest.raises(aiohttp.ClientError):
        await bot.sync()
    assert (await bot.sync())["BaseResponse"]["Ret"] == 0  # the server survived


@pytest.mark.parametrize("retcode", [1100, 1101, 1102, 1205])
async def test_synccheck_retcode_fault(box: Sandbox, bot: BareClient, retcode: int) -> None:
    box.faults.add("synccheck", retcode=retcode, count=1)
    assert await bot.synccheck() == (retcode, 0)
    assert await bot.synccheck() == (0, 0)


async def test_ret_1205_on_send(box: Sandbox, bot: BareClient) -> None:
    box.faults.add("webwxsendmsg", ret=1205, count=2)
    for _ in range(2):
        with pytest.raises(WebWxError) as info:
            await bot.send_text("filehelper", "too fast")
        assert info.value.ret == 1205
    await bot.send_text("filehelper", "ok now")
    assert [m.text for m in box.world.messages if m.to == "filehelper"] == ["ok now"]


async def test_ret_1101_on_init(box: Sandbox, client: BareClient) -> None:
    box.faults.add("webwxinit", ret=1101)
    await client.login(box)
    with pytest.raises(WebWxError) as info:
        await client.init()
    assert info.value.ret == 1101


async def test_slow_upload(box: Sandbox, bot: BareClient) -> None:
    box.faults.add("webwxuploadmedia", delay=0.2)
    loop = asyncio.get_running_loop()
    start = loop.time()
    up = await bot.upload(b"z" * 600_000, "z.bin", "filehelper")  # 2 chunks, both delayed
    assert up["MediaId"] and loop.time() - start >= 0.4


def test_rate_is_seeded_and_reproducible() -> None:
    def fired(seed: int) -> list[bool]:
        f = Faults(seed)
        f.add("webwxsync", status=500, rate=0.1)
        return [f.pick("webwxsync") is not None for _ in range(1000)]

    a, b = fired(1), fired(1)
    assert a == b and 50 < sum(a) < 150
    assert fired(2) != a


def test_rules_match_by_endpoint_and_wildcard() -> None:
    f = Faults()
    rule = f.add("*", delay=0.1, count=2)
    assert f.pick("webwxinit") is rule and f.pick("synccheck") is rule
    assert f.pick("webwxinit") is None and rule.spent
    f.add("webwxsync", status=502)
    assert f.pick("webwxinit") is None and f.pick("webwxsync") is not None
    f.clear()
    assert f.rules == [] and f.pick("webwxsync") is None


async def test_no_message_lost_under_faults(box: Sandbox, bot: BareClient) -> None:
    box.faults.seed(3)
    box.faults.add("webwxsync", status=500, rate=0.3)
    box.faults.add("synccheck", drop=True, rate=0.2)
    for i in range(30):
        box.world.send_text(from_="wxid_alice", to=box.world.bot, text=f"n{i}")
    got: list[str] = []
    for _ in range(200):
        try:
            data = await next_sync(bot)
        except (aiohttp.ClientError, AssertionError):
            continue
        got += [m["Content"] for m in data["AddMsgList"]]
        if len(got) >= 30:
            break
    box.faults.clear()
    got += [m["Content"] for m in await drain(bot)]
    assert got == [f"n{i}" for i in range(30)]
