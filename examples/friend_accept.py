"""Accept every friend request, then say hello. Run it:
``wechaty-web run examples/friend_accept.py [--sandbox --auto-scan]``."""

from __future__ import annotations

from wechaty_puppet_web import PuppetWeb
from wechaty_puppet_web.events import FriendshipEvent
from wechaty_puppet_web.payloads import FriendshipType


async def on_friendship(puppet: PuppetWeb, event: FriendshipEvent) -> None:
    """Accept a received request; greet the new friend once the friendship is confirmed."""
    if event.payload.type is FriendshipType.RECEIVE:
        await puppet.friendship_accept(event.friendship_id)
    elif event.payload.type is FriendshipType.CONFIRM:
        await puppet.message_send_text(event.payload.contact_id, "Hello, nice to meet you!")
