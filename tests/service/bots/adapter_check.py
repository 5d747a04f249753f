"""python-wechaty's own Message / Room / Contact API in one process over PuppetWeb (the adapter).

Run in the python-wechaty venv (``make sdks``, our package installed there too): it starts a
sandbox and a Chromium of its own, drives the world, asserts, and prints ``ADAPTER OK``.
"""

import asyncio
import hashlib

# The adapter comes before `wechaty` (see its docstring: Python 3.11 and WechatyOptions).
from wechaty_puppet_web.adapter import WechatyPuppetWeb

# isort: split
from wechaty import Message, Wechaty, WechatyOptions
from wechaty_puppet import MessageType

from wechaty_puppet_web import PuppetWebOptions
from wechaty_puppet_web.sandbox import Sandbox
from wechaty_puppet_web.sandbox.samples import jpeg

T = 60.0


async def main() -> None:
    async with Sandbox(auto_scan=True) as sandbox:
        world = sandbox.world
        me = world.bot.wxid
        puppet = WechatyPuppetWeb(PuppetWebOptions(sandbox=sandbox.url, session_file=None))
        bot = Wechaty(WechatyOptions(puppet=puppet))
        inbox: asyncio.Queue = asyncio.Queue()
        ready = asyncio.Event()

        async def on_message(msg: Message) -> None:
            if not msg.is_self():
                await inbox.put(msg)

        bot.on("message", on_message)
        bot.on("ready", lambda payload: ready.set())
        await bot.start()
        try:
            await asyncio.wait_for(ready.wait(), T)
            assert bot.user_self().contact_id == world.username_of(world.bot)

            # a 1:1 text: the type is python-wechaty's TEXT (6), not ours (7, its VIDEO)
            friend = world.friends[0]
            world.send_text(from_=friend, to=world.bot, text="ding")
            msg = await asyncio.wait_for(inbox.get(), T)
            assert msg.type() == MessageType.MESSAGE_TYPE_TEXT, msg.type()
            assert msg.text() == "ding"
            talker = msg.talker()
            await talker.ready()
            assert talker.name == friend.nickname, talker.name
            assert msg.room() is None
            await msg.say("dong")
            said = await world.wait_for_message(
                lambda m: m.sender == me and m.to == friend.wxid and m.text == "dong", timeout=T
            )
            assert said.msg_type == 1

            # a room: topic, a member's message, the bot's answer in the room
            room_w = world.bot_rooms()[0]
            member = next(w for w in room_w.members if w != me)
            world.send_text(from_=member, to=room_w.room_id, text="hello room")
            msg = await asyncio.wait_for(inbox.get(), T)
            room = msg.room()
            assert room is not None and room.room_id == world.username_of(room_w)
            assert await room.topic() == room_w.topic
            assert msg.talker().contact_id == world.username_of(member)
            await room.say("welcome all")
            await world.wait_for_message(
                lambda m: m.sender == me and m.to == room_w.room_id and m.text == "welcome all",
                timeout=T,
            )

            # an image in, through python-wechaty's FileBox
            picture = jpeg(70, 50, "#36c")
            world.send_image(from_=friend, to=world.bot, data=picture)
            msg = await asyncio.wait_for(inbox.get(), T)
            assert msg.type() == MessageType.MESSAGE_TYPE_IMAGE, msg.type()
            box = await msg.to_file_box()
            import base64

            data = base64.b64decode(box.base64)
            assert hashlib.sha256(data).digest() == hashlib.sha256(picture).digest()
            print("ADAPTER OK", flush=True)
        finally:
            await bot.stop()


asyncio.run(main())
