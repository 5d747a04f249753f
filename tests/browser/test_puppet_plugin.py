"""The pytest plugin's fixtures, used the way a bot author would (ding -> dong)."""

from __future__ import annotations

import pytest

from wechaty_puppet_web import PuppetWeb
from wechaty_puppet_web.events import MessageEvent
from wechaty_puppet_web.pytest_plugin import (  # noqa: F401 - the plugin's fixtures
    wpw_browser,
    wpw_puppet,
    wpw_sandbox,
    wpw_sandbox_server,
)
from wechaty_puppet_web.sandbox import Sandbox

pytestmark = pytest.mark.browser


async def test_a_bot_against_the_plugin_fixtures(
    wpw_puppet: PuppetWeb,  # noqa: F811
    wpw_sandbox: Sandbox,  # noqa: F811
) -> None:
    async def on_message(event: MessageEvent) -> None:
        if event.payload.text == "ding":
            await wpw_puppet.message_send_text(event.payload.talker_id, "dong")

    wpw_puppet.on("message", on_message)
    world = wpw_sandbox.world
    world.send_text(from_="wxid_alice", to=world.bot, text="ding")
    reply = await world.wait_for_message(lambda m: m.text == "dong", timeout=15)
    assert (reply.sender, reply.to) == (world.bot.wxid, "wxid_alice")
