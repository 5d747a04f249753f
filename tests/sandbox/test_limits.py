"""Time and limits as on the real server: QR codes expire, the realistic profile throttles sends,
ContinueFlag answers leave nothing behind for a client that only follows synccheck."""

from __future__ import annotations

import pytest

from wechaty_puppet_web.sandbox import Sandbox
from wechaty_puppet_web.sandbox.bareclient import BareClient
from wechaty_puppet_web.sandbox.limits import SendLimit, limit_for
from wechaty_puppet_web.sandbox.login import QR_TTL

from .util import drain, next_sync


async def test_a_qr_code_expires_on_its_own(box: Sandbox, client: BareClient) -> None:
    box.qr_ttl = 0.5
    uuid = await client.jslogin()
    codes: list[int] = []
    while not codes or codes[-1] == 408:  # each poll is held 0.2 s, then 408
        codes.append((await client.poll(uuid))[0])
    assert codes[-1] == 400 and len(codes) >= 2
    with pytest.raises(Exception, match="no QR code"):
        box.phone.scan()  # nothing left to scan
    # a new uuid is scannable again
    fresh = await client.jslogin()
    assert await box.phone.wait_for_qr(timeout=1) == fresh
    box.phone.scan()
    assert (await client.poll(fresh))[0] == 201


async def test_a_scanned_and_confirmed_qr_does_not_lapse(box: Sandbox, client: BareClient) -> None:
    box.qr_ttl = 0.3
    uuid = await client.jslogin()
    box.phone.scan()
    box.phone.confirm()
    assert (await client.poll(uuid))[0] == 200
    ticket = box.logins.get(uuid)
    assert ticket is not None
    await client.poll(uuid)  # 0.2 s hold
    await client.poll(uuid)
    assert ticket.state.value == 200  # used tickets keep their state


def test_the_default_ttl_is_realistic_and_reset_restores_it() -> None:
    assert 120 <= QR_TTL <= 600
    assert Sandbox().qr_ttl == QR_TTL


async def test_realistic_profile_answers_1205_above_the_threshold(
    box: Sandbox, bot: BareClient
) -> None:
    box.send_limit = SendLimit(max_sends=3, window=60)
    alice = box.world.username_of("wxid_alice")
    first = await bot.send_text(alice, "one")
    await bot.send_text(alice, "two")
    await bot.send_text(alice, "three")
    msg = {
        "Type": 1,
        "Content": "four",
        "FromUserName": bot.user["UserName"],
        "ToUserName": alice,
        "LocalID": "4",
        "ClientMsgId": "4",
    }
    answer = await bot.post_json(bot.url("webwxsendmsg"), bot_body(bot, msg))
    assert answer["BaseResponse"]["Ret"] == 1205 and answer["MsgID"] == ""
    assert not [m for m in box.world.messages if m.text == "four"]
    assert first["MsgID"]


def bot_body(bot: BareClient, msg: dict[str, object]) -> dict[str, object]:
    return {"BaseRequest": bot.base_request(), "Msg": msg, "Scene": 0}


def test_the_window_slides() -> None:
    limit = SendLimit(max_sends=2, window=10)
    assert limit.allow(0) and limit.allow(1) and not limit.allow(5)
    assert limit.allow(10.5)  # the first one left the window


def test_profiles() -> None:
    assert limit_for("unthrottled") is None
    realistic = limit_for("realistic")
    assert realistic is not None and 30 <= realistic.max_sends <= 40
    with pytest.raises(ValueError, match="unknown sandbox profile"):
        limit_for("turbo")
    assert Sandbox(profile="realistic").send_limit is not None
    assert Sandbox().send_limit is None


async def test_continue_flag_leaves_a_selector_for_the_next_synccheck(
    box: Sandbox, bot: BareClient
) -> None:
    # A client that ignores ContinueFlag (the current page) still gets everything: the next
    # synccheck reports the rest.
    for i in range(150):
        box.world.send_text(from_="wxid_alice", to=box.world.bot, text=f"m{i}")
    first = await next_sync(bot)
    assert first["ContinueFlag"] == 1
    second = await next_sync(bot)
    assert second["ContinueFlag"] == 0
    texts = [m["Content"] for m in first["AddMsgList"] + second["AddMsgList"]]
    assert texts == [f"m{i}" for i in range(150)]
    assert await drain(bot) == []
