"""python-wechaty's own Message / Room / Contact API in one process over PuppetWeb (the adapter).

Run in the python-wechaty venv (``make sdks``, our package installed there too): it starts a
sandbox and a Chromium of its own, drives the world, asserts, and prints ``ADAPTER OK``.
"""

import asyncio
import functools
import hashlib
import inspect
import json

# The adapter comes before `wechaty` (see its docstring: Python 3.11 and WechatyOptions).
from wechaty_puppet_web.adapter import WechatyPuppetWeb

# isort: split
from wechaty import Message, Wechaty, WechatyOptions
from wechaty_puppet import MessageType

from wechaty_puppet_web import PuppetWebOptions
from wechaty_puppet_web.errors import NotSupportedError
from wechaty_puppet_web.sandbox import Sandbox
from wechaty_puppet_web.sandbox.samples import jpeg

T = 60.0


async def main() -> None:
    async with Sandbox(auto_scan=True) as sandbox:
        world = sandbox.world
        me = world.bot.wxid
        # a short heartbeat, so python-wechaty's `heartbeat` event comes soon
        options = PuppetWebOptions(sandbox=sandbox.url, session_file=None, heartbeat_interval=1.0)
        puppet = WechatyPuppetWeb(options)
        bot = Wechaty(WechatyOptions(puppet=puppet))
        inbox: asyncio.Queue = asyncio.Queue()
        beats: asyncio.Queue = asyncio.Queue()
        ready = asyncio.Event()
        # python-wechaty listens to the puppet's `heart-beat` (not `heartbeat`) and re-emits it
        bot.on("heartbeat", beats.put_nowait)
        card_calls: list[dict] = []
        _spy_on_send_contact(puppet, card_calls)

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

            # the heartbeat: PuppetWeb's `heartbeat` is python-wechaty's `heart-beat`, JSON text
            beat = await asyncio.wait_for(beats.get(), T)
            assert isinstance(beat, str) and beat, beat
            json.loads(beat)

            # a contact card: python-wechaty calls message_send_contact(contact_id,
            # conversation_id), PuppetWeb takes (conversation_id, contact_id); web WeChat cannot
            # send cards, so PuppetWeb refuses, but only after the arguments crossed in its order
            other = world.friends[1]
            card = bot.Contact.load(world.username_of(other))
            try:
                await talker.say(card)
            except NotSupportedError:
                pass
            else:
                raise AssertionError("a contact card was sent: web WeChat cannot send one")
            assert card_calls == [
                {"conversation_id": talker.contact_id, "contact_id": card.contact_id}
            ], card_calls
            print("ADAPTER OK", flush=True)
        finally:
            await bot.stop()


def _spy_on_send_contact(puppet: WechatyPuppetWeb, calls: list[dict]) -> None:
    """Record the arguments PuppetWeb's own message_send_contact gets (by its parameter names),
    then run it: the real method still answers."""
    real = puppet.web.message_send_contact
    signature = inspect.signature(real)

    @functools.wraps(real)
    async def spy(*args: object, **kwargs: object) -> str:
        calls.append(dict(signature.bind(*args, **kwargs).arguments))
        return await real(*args, **kwargs)

    puppet.web.message_send_contact = spy


asyncio.run(main())
