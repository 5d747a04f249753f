"""Every bot in ``examples/`` runs against the sandbox, wired exactly as ``wechaty-web run`` does.

The bot modules are loaded and their ``on_<event>`` handlers attached by the CLI's own functions,
on the shared browser's logged-in puppet; the world plays the people. The recorded-session
example (a test file for bot authors) runs with a ``wpw_replay`` built on the shared browser.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from playwright.async_api import Browser

from wechaty_puppet_web import PuppetWeb
from wechaty_puppet_web.commands.run import load_bot, register_handlers
from wechaty_puppet_web.events import EventName
from wechaty_puppet_web.recording.testing import replay_puppet
from wechaty_puppet_web.sandbox import Sandbox, samples
from wechaty_puppet_web.sandbox.model import WorldMessage

from .test_puppet_support import T, record

pytestmark = pytest.mark.browser

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def run_example(name: str, bot: PuppetWeb) -> list[Any]:
    """Attach ``examples/<name>.py`` to ``bot``; the error events its handlers cause."""
    errors = record(bot, EventName.ERROR)
    register_handlers(bot, load_bot(EXAMPLES / f"{name}.py"))
    return errors


async def from_bot(sb: Sandbox, to: str, match: Callable[[WorldMessage], bool]) -> WorldMessage:
    bot_id = sb.world.bot.wxid
    return await sb.world.wait_for_message(
        lambda m: m.sender == bot_id and m.to == to and match(m), timeout=T
    )


def test_every_example_is_tested() -> None:
    tested = {"ding_dong", "room_welcome", "file_echo", "friend_accept", "test_recorded_session"}
    assert {p.stem for p in EXAMPLES.glob("*.py")} == tested


async def test_ding_dong(bot: PuppetWeb, sb: Sandbox) -> None:
    errors = run_example("ding_dong", bot)
    sb.world.send_text(from_="wxid_alice", to=sb.world.bot, text="ding")
    reply = await from_bot(sb, "wxid_alice", lambda m: m.msg_type == 1)
    assert reply.text == "dong"
    assert errors == []


async def test_room_welcome(bot: PuppetWeb, sb: Sandbox) -> None:
    errors = run_example("room_welcome", bot)
    sb.world.invite("1000002@chatroom", "wxid_alice", ["wxid_dave"])
    welcome = await from_bot(sb, "1000002@chatroom", lambda m: m.msg_type == 1)
    assert welcome.text == "Welcome, Dave!"
    assert errors == []


async def test_file_echo(bot: PuppetWeb, sb: Sandbox) -> None:
    errors = run_example("file_echo", bot)
    data = b"quarterly numbers\n" * 100
    sb.world.send_file(from_="wxid_bob", to=sb.world.bot, name="report.txt", data=data)
    echo = await from_bot(sb, "wxid_bob", lambda m: m.msg_type == 49)
    assert (echo.file_name, echo.media) == ("report.txt", data)
    image = samples.jpeg()
    sb.world.send_image(from_="wxid_alice", to=sb.world.bot, data=image)
    echoed = await from_bot(sb, "wxid_alice", lambda m: m.msg_type == 3)
    assert echoed.media == image
    assert errors == []


async def test_friend_accept(bot: PuppetWeb, sb: Sandbox) -> None:
    errors = run_example("friend_accept", bot)
    sb.world.friend_request(from_="wxid_eve", hello="hi, it's Eve")
    hello = await from_bot(sb, "wxid_eve", lambda m: m.msg_type == 1)
    assert hello.text == "Hello, nice to meet you!"
    assert sb.world.contact("wxid_eve").friend
    assert errors == []


def _example_test(name: str) -> ModuleType:
    return load_bot(EXAMPLES / f"{name}.py")  # any module loads this way, tests included


async def test_recorded_session_example(browser: Browser) -> None:
    module = _example_test("test_recorded_session")

    def wpw_replay(cassette: Any, **options: Any) -> Any:  # the plugin's, on the shared browser
        return replay_puppet(cassette, browser, **options)

    await module.test_the_recorded_session_replays(wpw_replay)
