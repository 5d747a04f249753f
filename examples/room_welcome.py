"""Welcome whoever joins a room the bot is in. Run it: ``wechaty-web run examples/room_welcome.py``
(add ``--sandbox --auto-scan`` to try it against the built-in sandbox WeChat)."""

from __future__ import annotations

from wechaty_puppet_web import PuppetWeb
from wechaty_puppet_web.events import RoomJoinEvent


async def on_room_join(puppet: PuppetWeb, event: RoomJoinEvent) -> None:
    """Greet the newcomers by name (not the bot itself when it is the one invited)."""
    newcomers = [i for i in event.invitee_ids if i != puppet.self_id()]
    if not newcomers:
        return
    names = [(await puppet.contact_payload(i)).name or i for i in newcomers]
    await puppet.message_send_text(event.room_id, f"Welcome, {', '.join(names)}!")
