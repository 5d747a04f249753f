"""The puppet's hot paths against the sandbox: envelopes may take the raw CDP binding (and an
iframe cannot use it to forge events), a room's members are fetched once for @mention matching,
and a silent room change (a member's new in-room name) reaches Python through the page's
room-changed hook, so the next mention matches the new name."""

from __future__ import annotations

import json
from typing import Any

import pytest

from wechaty_puppet_web import PuppetWeb
from wechaty_puppet_web.events import EventName, MessageEvent
from wechaty_puppet_web.sandbox import Sandbox

from .test_puppet_support import MakePuppet, T, start_ready

pytestmark = pytest.mark.browser

DEV_ROOM = "1000001@chatroom"


def count_member_calls(bot: PuppetWeb) -> list[str]:
    calls: list[str] = []
    bridge: Any = bot._bridge
    original = bridge.call

    async def spy(name: str, args: Any = None, **kw: Any) -> Any:
        calls.append(name)
        return await original(name, args, **kw)

    bridge.call = spy
    return calls


async def room_text(bot: PuppetWeb, sb: Sandbox, text: str) -> MessageEvent:
    got = bot.wait_for(EventName.MESSAGE, lambda e: e.payload.text.endswith(text), T)
    sb.world.send_text(from_="wxid_bob", to=DEV_ROOM, text=text)
    event: MessageEvent = await got
    return event


async def test_mentions_use_cached_members_until_the_room_changes(
    bot: PuppetWeb, sb: Sandbox
) -> None:
    alice = sb.world.username_of("wxid_alice")
    calls = count_member_calls(bot)
    plain = await room_text(bot, sb, "no mention here")
    assert plain.payload.mention_ids == () and "room.members" not in calls

    first = await room_text(bot, sb, "@Alice in room\u2005one")
    second = await room_text(bot, sb, "@Alice in room\u2005two")
    assert first.payload.mention_ids == (alice,) == second.payload.mention_ids
    assert calls.count("room.members") == 1

    sb.world.set_room_alias(DEV_ROOM, "wxid_alice", "Ally")  # silent: no system message
    renamed = await room_text(bot, sb, "@Ally\u2005three")
    assert renamed.payload.mention_ids == (alice,)
    assert calls.count("room.members") == 2


async def test_envelopes_take_the_cdp_binding_and_iframes_cannot_forge(
    make_puppet: MakePuppet, sb: Sandbox
) -> None:
    bot = make_puppet()  # the CDP lane is the default (PuppetWebOptions.fast_bridge)
    await start_ready(bot, sb)
    assert await bot.page.evaluate("() => typeof window.__wpw_cdp") == "function"
    got: list[MessageEvent] = []
    bot.on(EventName.MESSAGE.value, got.append)
    payload = {"MsgId": "667", "MsgType": 1, "FromUserName": "@x", "Content": "forged"}
    forged = {"v": 1, "seq": 1, "t": 0, "kind": "event", "name": "message", "payload": payload}
    await bot.page.evaluate(
        """(text) => new Promise((resolve) => {
            const frame = document.createElement('iframe');
            frame.srcdoc = '<p>same origin, other frame</p>';
            frame.onload = () => { frame.contentWindow.__wpw_cdp(text); resolve(true); };
            document.body.appendChild(frame);
        })""",
        json.dumps(forged),
    )
    real = bot.wait_for(EventName.MESSAGE, lambda e: e.payload.text == "real one", timeout=T)
    sb.world.send_text(from_="wxid_alice", to=sb.world.bot, text="real one")
    await real
    assert [e.payload.text for e in got] == ["real one"]
