"""PuppetWeb events as Wechaty's event payloads: the JSON the Puppet Service event stream carries.

Wechaty's TypeScript puppet names the fields in camelCase (``contactId``, ``inviteeIdList``
...); ``heartbeat``, ``dong``, ``error``, ``ready`` and ``reset`` carry one string ``data``
(python-wechaty builds its dataclasses with ``**payload`` and accepts no other key).
Timestamps stay in seconds, as the web protocol gives them; Wechaty turns either unit into a date.
"""

from __future__ import annotations

import json
from typing import Any

from ..events import (
    DongEvent,
    ErrorEvent,
    Event,
    FriendshipEvent,
    HeartbeatEvent,
    LoginEvent,
    LogoutEvent,
    MessageEvent,
    ReadyEvent,
    ResetEvent,
    RoomInviteEvent,
    RoomJoinEvent,
    RoomLeaveEvent,
    RoomTopicEvent,
    ScanEvent,
)

__all__ = ["DIRTY", "dirty_payload", "event_payload"]

DIRTY = "dirty"


def _text(data: Any) -> str:
    """``data`` as one string: strings as they are, anything else as JSON."""
    if data is None:
        return ""
    if isinstance(data, str):
        return data
    return json.dumps(data, ensure_ascii=False, default=str)


def event_payload(event: Event) -> dict[str, Any]:
    """The Wechaty (TypeScript) payload of one of our events."""
    match event:
        case ScanEvent():
            return {"status": int(event.status), "qrcode": event.qrcode, "data": event.data}
        case LoginEvent():
            return {"contactId": event.contact_id}
        case LogoutEvent():
            return {"contactId": event.contact_id, "data": event.reason}
        case ReadyEvent():
            return {"data": event.data or "ready"}
        case MessageEvent():
            return {"messageId": event.message_id}
        case FriendshipEvent():
            return {"friendshipId": event.friendship_id}
        case RoomJoinEvent():
            return {
                "roomId": event.room_id,
                "inviteeIdList": list(event.invitee_ids),
                "inviterId": event.inviter_id,
                "timestamp": event.timestamp,
            }
        case RoomLeaveEvent():
            return {
                "roomId": event.room_id,
                "removeeIdList": list(event.removee_ids),
                "removerId": event.remover_id,
                "timestamp": event.timestamp,
            }
        case RoomTopicEvent():
            return {
                "roomId": event.room_id,
                "newTopic": event.new_topic,
                "oldTopic": event.old_topic,
                "changerId": event.changer_id,
                "timestamp": event.timestamp,
            }
        case RoomInviteEvent():
            return {"roomInvitationId": event.room_invitation_id}
        case HeartbeatEvent() | DongEvent():
            return {"data": _text(event.data)}
        case ErrorEvent():
            return {"data": f"{type(event.error).__name__}: {event.error}"}
        case ResetEvent():
            return {"data": event.reason}
    raise TypeError(f"not an event: {event!r}")  # pragma: no cover


def dirty_payload(payload_type: int, payload_id: str) -> dict[str, Any]:
    """A ``dirty`` event: the cached payload ``payload_id`` of ``payload_type`` is stale.

    ``payload_type`` is Wechaty's ``DirtyType`` / the gRPC ``PayloadType`` (same numbers:
    MESSAGE 1, CONTACT 2, ROOM 3, ROOM_MEMBER 4, FRIENDSHIP 5).
    """
    return {"payloadType": payload_type, "payloadId": payload_id}
