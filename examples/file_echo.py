"""Send every received file or image back to whoever sent it (in a room: to the room).
Run it: ``wechaty-web run examples/file_echo.py [--sandbox --auto-scan]``."""

from __future__ import annotations

from wechaty_puppet_web import PuppetWeb
from wechaty_puppet_web.events import MessageEvent
from wechaty_puppet_web.payloads import MessageType


async def on_message(puppet: PuppetWeb, event: MessageEvent) -> None:
    """Download the attachment or image and upload the same bytes back, same name."""
    msg = event.payload
    if msg.talker_id == puppet.self_id():
        return  # never echo our own echoes
    if msg.type is MessageType.IMAGE:
        file = await puppet.message_image(event.message_id)
    elif msg.type is MessageType.ATTACHMENT:
        file = await puppet.message_file(event.message_id)
    else:
        return
    await puppet.message_send_file(msg.room_id or msg.talker_id, file)
