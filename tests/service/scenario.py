"""The scenario both SDK bots go through (tests/service/bots/): ding-dong, an image each way, a
room welcome. The world acts; the asserts are on what the world received from the bot."""

from __future__ import annotations

import hashlib
import io

from PIL import Image, ImageDraw

from wechaty_puppet_web.sandbox import Sandbox
from wechaty_puppet_web.sandbox.samples import jpeg

from .conftest import BotProcess, T


def reply_png() -> bytes:
    """The picture the bots send back: a PNG unlike anything the world sends."""
    img = Image.new("RGB", (40, 30), "#c33")
    ImageDraw.Draw(img).ellipse((5, 5, 35, 25), fill="#fff")
    out = io.BytesIO()
    img.save(out, "PNG")
    return out.getvalue()


async def run_scenario(bot: BotProcess, sandbox: Sandbox, reply: bytes) -> None:
    world = sandbox.world
    me = world.bot.wxid
    friend = world.friends[0]

    world.send_text(from_=friend, to=world.bot, text="ding")
    dong = await world.wait_for_message(
        lambda m: m.sender == me and m.to == friend.wxid and m.msg_type == 1, timeout=T
    )
    assert dong.text == "dong"
    await bot.expect("DONG")

    picture = jpeg(80, 60, "#2a6")
    world.send_image(from_=friend, to=world.bot, data=picture)
    digest = hashlib.sha256(picture).hexdigest()
    said = await world.wait_for_message(
        lambda m: m.sender == me and m.to == friend.wxid and m.text.startswith("image "),
        timeout=T,
    )
    assert said.text == f"image {digest}"  # the bot received the very bytes the world sent
    back = await world.wait_for_message(
        lambda m: m.sender == me and m.to == friend.wxid and m.msg_type == 3, timeout=T
    )
    assert back.media == reply  # the world received the very bytes the bot sent
    await bot.expect("IMAGE")

    room = world.bot_rooms()[0]
    newcomer = next(c for c in world.friends if c.wxid not in room.members)
    inviter = next(w for w in room.members if w != me)
    world.invite(room, inviter, [newcomer])
    welcome = await world.wait_for_message(
        lambda m: m.sender == me and m.to == room.room_id and m.text.startswith("welcome"),
        timeout=T,
    )
    assert welcome.text == f"welcome {newcomer.nickname} to {room.topic}"
    await bot.expect("WELCOME")
