"""A Wechaty 1.x bot on wechaty-puppet-wechat4u 1.14.14 (npm, unmodified) against the sandbox.

The puppet exchanges the ticket without ``fun`` by XHR and needs the 301 with the XML body (a 302
made it loop on ``scan``): it logs in after one QR, answers ding with dong to a friend and in a
room, and sees the phone log it out.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from .conftest import Driver, SandboxProcess

CLIENTS = Path(__file__).parent / "clients" / "node_modules"
BOT = Path(__file__).parent / "drivers" / "wechaty_wechat4u_bot.js"


@pytest.fixture
async def wechaty_bot(sandbox_process: SandboxProcess, tmp_path: Path) -> Any:
    assert (CLIENTS / "wechaty-puppet-wechat4u").is_dir(), "run `make clients` (make test does)"
    node = shutil.which("node")
    assert node is not None
    env = sandbox_process.client_env(tmp_path) | {"NODE_PATH": str(CLIENTS), "WECHATY_LOG": "warn"}
    driver = await Driver.start([node, str(BOT)], env, tmp_path)
    try:
        yield driver
    finally:
        await driver.close()


async def test_wechaty_wechat4u_logs_in_and_answers_ding(
    wechaty_bot: Driver, sandbox_process: SandboxProcess
) -> None:
    sb = sandbox_process
    await sb.scan_and_confirm()
    login = await wechaty_bot.event(lambda e: e["event"] in ("login", "error"))
    assert login["event"] == "login", login
    world = await sb.get("/v1/world")
    assert login["name"] == world["bot"]["nickname"]
    # one QR, waiting then scanned: no loop of new QR codes
    scans = [e["status"] for e in wechaty_bot.events if e["event"] == "scan"]
    assert 1 <= len(scans) <= 3 and scans[0] == 2, scans

    ding = await sb.post("/v1/messages", {"from": "wxid_alice", "to": "bot", "text": "ding"})
    [dong] = await sb.bot_sent(after=ding["msg_id"], to="wxid_alice")
    assert (dong["type"], dong["text"]) == ("text", "dong")

    room = "1000001@chatroom"
    ding = await sb.post("/v1/messages", {"from": "wxid_bob", "to": room, "text": "ding"})
    [dong] = await sb.bot_sent(after=ding["msg_id"], to=room)
    assert dong["text"] == "dong"
    got = await wechaty_bot.event(lambda e: e["event"] == "message" and e["room"] is not None)
    assert got["room"] == "Wechaty Developers" and not got["self"]

    # the phone logs the web session out: synccheck's retcode 1101 reaches the bot as `logout`
    # (the puppet's own logout() never tells the server, so the phone is the way to test it)
    await sb.post("/v1/phone/logout")
    await wechaty_bot.event(lambda e: e["event"] == "logout")
    assert not (await sb.get("/v1/status"))["logged_in"]
