"""Message-type numbers: Wechaty's TypeScript enum against the gRPC (``wechaty-grpc``) enum.

This project's :class:`~wechaty_puppet_web.payloads.MessageType` carries the TypeScript values
(``wechaty-puppet``: TEXT 7, IMAGE 6, VIDEO 15 ...). The ``.proto`` of ``wechaty-grpc`` numbers the
same kinds differently (TEXT 6, IMAGE 5, VIDEO 7 ...) and python-wechaty works with those.

Which one travels where:

* **Puppet Service wire**: the TypeScript value. The reference server puts the TypeScript number
  into ``MessagePayloadResponse.type`` unchanged and both reference clients read it as such
  (python-wechaty's service puppet converts it to the gRPC enum itself), so ``serve`` sends
  :class:`MessageType` values as they are.
* **python-wechaty in process** (the adapter): the gRPC value, through :data:`TO_GRPC`. Forwarding
  the number instead would turn a text into a video.

GROUP_NOTE has no gRPC value and becomes UNSPECIFIED (0), as python-wechaty's own table does.
"""

from __future__ import annotations

from ..payloads import MessageType

__all__ = ["FROM_GRPC", "TO_GRPC", "grpc_message_type", "message_type_from_grpc"]

# Our (TypeScript) MessageType -> wechaty-grpc MessageType number.
TO_GRPC: dict[MessageType, int] = {
    MessageType.UNKNOWN: 0,
    MessageType.ATTACHMENT: 1,
    MessageType.AUDIO: 2,
    MessageType.CONTACT: 3,
    MessageType.EMOTICON: 4,
    MessageType.IMAGE: 5,
    MessageType.TEXT: 6,
    MessageType.VIDEO: 7,
    MessageType.CHAT_HISTORY: 8,
    MessageType.LOCATION: 9,
    MessageType.MINI_PROGRAM: 10,
    MessageType.TRANSFER: 11,
    MessageType.RED_ENVELOPE: 12,
    MessageType.RECALLED: 13,
    MessageType.URL: 14,
    MessageType.GROUP_NOTE: 0,  # no gRPC value
}

# The reverse, for every gRPC value (0 comes back as UNKNOWN, never as GROUP_NOTE).
FROM_GRPC: dict[int, MessageType] = {
    number: kind for kind, number in TO_GRPC.items() if kind is not MessageType.GROUP_NOTE
}


def grpc_message_type(kind: MessageType) -> int:
    """The wechaty-grpc number of one of our message types."""
    return TO_GRPC.get(kind, 0)


def message_type_from_grpc(number: int) -> MessageType:
    """Our message type for a wechaty-grpc number (unknown numbers: UNKNOWN)."""
    return FROM_GRPC.get(number, MessageType.UNKNOWN)
