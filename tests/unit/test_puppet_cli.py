"""``wechaty-web run``'s handler convention and ``login``/``run`` argument parsing (no browser)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from wechaty_puppet_web import PuppetWeb, PuppetWebOptions
from wechaty_puppet_web.cli import build_parser
from wechaty_puppet_web.commands.run import load_bot, register_handlers
from wechaty_puppet_web.events import DongEvent, ErrorEvent, RoomJoinEvent

BOT = """
seen = []

async def on_dong(puppet, event):
    seen.append(("dong", event.data))

def on_room_join(puppet, event):
    seen.append(("room-join", event.room_id))

async def on_error(puppet, event):
    seen.append(("error", str(event.error)))

def helper():
    return "not a handler"
"""


async def test_on_event_functions_are_registered(tmp_path: Path) -> None:
    path = tmp_path / "mybot.py"
    path.write_text(BOT)
    module = load_bot(path)
    puppet = PuppetWeb(PuppetWebOptions(session_file=None))
    assert register_handlers(puppet, module) == ["room-join", "dong", "error"]
    puppet.emit_event(RoomJoinEvent(room_id="@@r", invitee_ids=(), inviter_id=""))
    puppet.emit_event(ErrorEvent(error=ValueError("x")))
    seen: list[Any] = module.seen
    assert seen == [("room-join", "@@r")]  # the async ones run as tasks
    await puppet.wait_for_complete()
    assert seen[-1] == ("error", "x")


async def test_async_handlers_get_the_puppet_and_the_event(tmp_path: Path) -> None:
    path = tmp_path / "bot2.py"
    path.write_text(BOT)
    module = load_bot(path)
    puppet = PuppetWeb(PuppetWebOptions(session_file=None))
    register_handlers(puppet, module)
    puppet.emit_event(DongEvent(data="d"))
    await puppet.wait_for_complete()
    assert module.seen == [("dong", "d")]


def test_commands_parse_their_options() -> None:
    parser = build_parser()
    args = parser.parse_args(["run", "bot.py", "--sandbox", "--auto-scan", "--demo"])
    assert (args.bot, args.sandbox, args.auto_scan, args.demo) == (Path("bot.py"), True, True, True)
    args = parser.parse_args(["login", "--png", "qr.png", "--sandbox-url", "https://127.0.0.1:1"])
    assert (args.png, args.sandbox_url, args.session) == (
        Path("qr.png"),
        "https://127.0.0.1:1",
        None,
    )
