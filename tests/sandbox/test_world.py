"""The world model: default content, files, generation, lookup, waiting, the CLI."""

from __future__ import annotations

import asyncio
import contextlib
import sys
import time
from pathlib import Path

import pytest

from wechaty_puppet_web.errors import SandboxError
from wechaty_puppet_web.sandbox import Sandbox, World
from wechaty_puppet_web.sandbox.bareclient import BareClient

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"


def test_default_world_has_what_tests_need() -> None:
    w = World.default()
    assert w.bot.uin and w.bot.wxid == "wxid_bot"
    assert any(ord(ch) > 0x1F000 for c in w.friends for ch in c.nickname)  # emoji in a name
    assert (
        len(w.rooms) >= 2
        and w.officials
        and {c.wxid for c in w.specials} >= {"filehelper", "weixin"}
    )
    strangers = {m for r in w.rooms for m in r.members} - {c.wxid for c in w.friends} - {w.bot.wxid}
    assert strangers  # rooms hold non-friends


def test_lookup_by_wxid_nickname_remark() -> None:
    w = World.default()
    assert w.contact("Alice") is w.contact("wxid_alice") is w.contact("alice_w")
    assert w.contact("Bobby").wxid == "wxid_bob"
    assert w.room("周末爬山群").room_id == "1000002@chatroom"
    with pytest.raises(SandboxError):
        w.contact("nobody")
    with pytest.raises(SandboxError):
        w.room("no room")


def test_dump_and_load_round_trip(tmp_path: Path) -> None:
    w = World.default()
    w.dump(tmp_path / "w.json")
    again = World.load(tmp_path / "w.json")
    assert again.to_json() == w.to_json()
    assert World.load(FIXTURES / "worlds" / "default.json").to_json() == w.to_json()
    with pytest.raises(SandboxError):
        World.load(tmp_path / "missing.json")


def test_generate_is_fast_and_big() -> None:
    start = time.perf_counter()
    w = World.generate(contacts=5000, rooms=300, members_per_room=500)
    assert time.perf_counter() - start < 3
    assert len(w.friends) == 5000 and len(w.rooms) == 300
    assert all(len(r.members) == 500 and w.bot.wxid in r.members for r in w.rooms)


def test_sending_into_a_room_requires_membership() -> None:
    w = World.default()
    with pytest.raises(SandboxError):
        w.send_text(from_="wxid_dave", to=w.room("Wechaty Developers"), text="not a member")


def test_username_of_needs_a_session() -> None:
    with pytest.raises(SandboxError):
        World.default().username_of("wxid_alice")


async def test_wait_for_message() -> None:
    w = World.default()
    w.send_text(from_="wxid_alice", to=w.bot, text="early")
    assert (
        await w.wait_for_message(lambda m: m.text == "early", timeout=0.1)
    ).sender == "wxid_alice"
    waiter = asyncio.create_task(w.wait_for_message(lambda m: m.text == "late", timeout=2))
    # One scheduling turn (not a time wait): the waiter runs up to its await, so "late" is
    # delivered to a pending waiter rather than found in history.
    await asyncio.sleep(0)
    w.send_text(from_="wxid_bob", to=w.bot, text="late")
    assert (await waiter).sender == "wxid_bob"
    with pytest.raises(TimeoutError):
        await w.wait_for_message(lambda m: m.text == "never", timeout=0.05)


async def test_reset_keeps_the_port_and_swaps_the_world(box_server: Sandbox) -> None:
    port = box_server.port
    custom = World.generate(contacts=10, rooms=1, members_per_room=5)
    box_server.reset(custom, lang="en")
    assert box_server.world is custom and box_server.lang == "en" and box_server.port == port
    box_server.redirect_host = "wx8.qq.com"
    box_server.reset()
    assert box_server.world is not custom and box_server.lang == "zh"
    assert box_server.redirect_host == "wx2.qq.com"


async def test_browser_args_and_context_options(box_server: Sandbox) -> None:
    args = box_server.browser_args()
    port = box_server.port
    assert args == [
        f"--host-resolver-rules=MAP *.qq.com 127.0.0.1:{port},MAP qq.com 127.0.0.1:"
        f"{port},MAP *.wechat.com 127.0.0.1:{port}",
        "--ignore-certificate-errors",
    ]
    assert box_server.context_options() == {"ignore_https_errors": True}
    assert box_server.url == f"https://127.0.0.1:{port}"


async def test_cli_prints_where_it_listens() -> None:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "wechaty_puppet_web.cli",
        "sandbox",
        "--lang",
        "en",
        stdout=asyncio.subprocess.PIPE,
        cwd=str(FIXTURES.parent),
    )
    assert proc.stdout is not None
    try:
        first = await asyncio.wait_for(proc.stdout.readline(), 15)
        second = await asyncio.wait_for(proc.stdout.readline(), 5)
    finally:
        proc.terminate()
        await proc.wait()
    assert first.decode().rstrip().startswith("sandbox listening on https://127.0.0.1:")
    assert "4 friends" in second.decode()


async def test_cli_chatter_talks_to_a_logged_in_bot(box: Sandbox, bot: BareClient) -> None:
    from wechaty_puppet_web.sandbox.command import CHATTER, _chatter

    task = asyncio.create_task(_chatter(box, 0.01))
    try:
        msg = await box.world.wait_for_message(lambda m: m.text in CHATTER, timeout=5)
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    assert msg.to == "wxid_bot" and msg.sender in {c.wxid for c in box.world.friends}
