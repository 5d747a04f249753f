"""Reply "dong" to "ding". Run it: ``wechaty-web run examples/ding_dong.py`` (add ``--sandbox
--auto-scan`` to try it against the built-in sandbox WeChat, no account needed)."""

from __future__ import annotations

from wechaty_puppet_web import PuppetWeb
from wechaty_puppet_web.events import MessageEvent


async def on_message(puppet: PuppetWeb, event: MessageEvent) -> None:
    """Answer "ding" with "dong" in the same conversation (room or 1:1)."""
    msg = event.payload
    if msg.text == "ding" and msg.talker_id != puppet.self_id():
        await puppet.message_send_text(msg.room_id or msg.talker_id, "dong")
