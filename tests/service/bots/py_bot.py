"""A python-wechaty 0.10.7 bot through the Puppet Service: ding-dong, room welcome, images.

Run in the python-wechaty venv (``make sdks``) with ``WECHATY_PUPPET_SERVICE_TOKEN`` and
``WECHATY_PUPPET_SERVICE_ENDPOINT`` set, and ``REPLY_IMAGE`` naming a picture to send back. It
prints one line per thing it did, which the test reads; the test also checks the world.
"""

import asyncio
import base64
import hashlib
import os
from pathlib import Path

# python-wechaty 0.10.7 cannot be imported on Python 3.11 as it is: its WechatyOptions dataclass
# has a PuppetOptions() default, which 3.11 refuses unless the class is hashable.
import wechaty_puppet.schemas.puppet as _puppet_schemas

_puppet_schemas.PuppetOptions.__hash__ = object.__hash__

from wechaty import Contact, FileBox, Message, Room, Wechaty  # noqa: E402
from wechaty_puppet import MessageType  # noqa: E402


def say(line: str) -> None:
    print(line, flush=True)


class Bot(Wechaty):
    async def on_login(self, contact: Contact) -> None:
        say(f"LOGIN {contact.contact_id}")

    async def on_ready(self, payload: object) -> None:
        say("READY")

    async def on_message(self, msg: Message) -> None:
        if msg.is_self():
            return
        kind = msg.type()
        if kind == MessageType.MESSAGE_TYPE_TEXT and msg.text() == "ding":
            await msg.say("dong")
            say(f"DONG to {msg.talker().contact_id}")
        elif kind == MessageType.MESSAGE_TYPE_IMAGE:
            box = await msg.to_file_box()
            data = base64.b64decode(box.base64)
            digest = hashlib.sha256(data).hexdigest()
            await msg.say(f"image {digest}")
            reply = Path(os.environ["REPLY_IMAGE"]).read_bytes()
            await msg.say(FileBox.from_base64(base64.b64encode(reply), name="reply.png"))
            say(f"IMAGE {digest}")

    async def on_room_join(
        self, room: Room, invitees: list, inviter: Contact, date: object
    ) -> None:
        for contact in invitees:
            await contact.ready()
        names = ", ".join(contact.name for contact in invitees)
        topic = await room.topic()
        await room.say(f"welcome {names} to {topic}")
        say(f"WELCOME {names}")


asyncio.run(Bot().start())
