"""The ``Event`` stream: PuppetWeb events fanned out to every connected client.

Each ``Event`` call gets its own bounded queue. On connect it first receives a ``heartbeat`` (the
TypeScript client waits up to 5 s for a first frame to decide the stream is up), then ``login`` and
``ready`` when the puppet is already there, as the reference server does. A client that stops
reading loses the oldest events rather than growing the server's memory.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

from ..events import Event, EventName, ReadyEvent
from ..interop.wire_events import DIRTY, dirty_payload, event_payload
from ..puppet import PuppetWeb
from .stubs import puppet_event_pb2 as ev

_log = logging.getLogger(__name__)

QUEUE_SIZE = 10_000
CONNECTED = "Wechaty Puppet gRPC stream connect successfully"

# Wechaty event name -> gRPC EventType.
EVENT_TYPES: dict[str, int] = {
    EventName.HEARTBEAT.value: ev.EVENT_TYPE_HEARTBEAT,
    EventName.MESSAGE.value: ev.EVENT_TYPE_MESSAGE,
    EventName.DONG.value: ev.EVENT_TYPE_DONG,
    EventName.ERROR.value: ev.EVENT_TYPE_ERROR,
    EventName.FRIENDSHIP.value: ev.EVENT_TYPE_FRIENDSHIP,
    EventName.ROOM_INVITE.value: ev.EVENT_TYPE_ROOM_INVITE,
    EventName.ROOM_JOIN.value: ev.EVENT_TYPE_ROOM_JOIN,
    EventName.ROOM_LEAVE.value: ev.EVENT_TYPE_ROOM_LEAVE,
    EventName.ROOM_TOPIC.value: ev.EVENT_TYPE_ROOM_TOPIC,
    EventName.SCAN.value: ev.EVENT_TYPE_SCAN,
    EventName.READY.value: ev.EVENT_TYPE_READY,
    EventName.RESET.value: ev.EVENT_TYPE_RESET,
    EventName.LOGIN.value: ev.EVENT_TYPE_LOGIN,
    EventName.LOGOUT.value: ev.EVENT_TYPE_LOGOUT,
    DIRTY: ev.EVENT_TYPE_DIRTY,
}

# Payload types of the ``dirty`` event (gRPC PayloadType = Wechaty DirtyType).
DIRTY_CONTACT, DIRTY_ROOM, DIRTY_ROOM_MEMBER = 2, 3, 4


def response(name: str, payload: dict[str, Any]) -> ev.EventResponse:
    """One frame of the stream."""
    kind: Any = EVENT_TYPES[name]
    return ev.EventResponse(type=kind, payload=json.dumps(payload, ensure_ascii=False))


class EventHub:
    """Listens to one PuppetWeb and hands its events to every open stream."""

    def __init__(self, puppet: PuppetWeb) -> None:
        self._puppet = puppet
        self._queues: set[asyncio.Queue[ev.EventResponse]] = set()
        self.ready = False
        # Only Wechaty's events: PuppetWeb's own extras (connection-lost, page-busy ...) have no
        # place in the Puppet Service protocol.
        for name in EventName:
            if name.value in EVENT_TYPES:
                puppet.on(name.value, self._on_event)

    def _on_event(self, event: Event) -> None:
        if event.event_name is EventName.READY:
            self.ready = True
        elif event.event_name is EventName.LOGOUT:
            self.ready = False
        # Stale caches first: a client handling room-join must not read the old member list.
        for payload_type, payload_id in _dirtied_by(event):
            self.dirty(payload_type, payload_id)
        self.publish(event.event_name.value, event_payload(event))

    def dirty(self, payload_type: int, payload_id: str) -> None:
        """Tell clients to drop their cached payload (they cache contacts, rooms, members)."""
        self.publish(DIRTY, dirty_payload(payload_type, payload_id))

    def publish(self, name: str, payload: dict[str, Any]) -> None:
        """Queue one event for every open stream."""
        frame = response(name, payload)
        for queue in list(self._queues):
            if queue.full():  # a client that stopped reading: drop its oldest event
                queue.get_nowait()
                _log.warning("event stream client is slow; dropped an event")
            queue.put_nowait(frame)

    def subscribe(self) -> asyncio.Queue[ev.EventResponse]:
        """A new stream's queue, primed with heartbeat (+ login, ready when already there)."""
        queue: asyncio.Queue[ev.EventResponse] = asyncio.Queue(QUEUE_SIZE)
        queue.put_nowait(response(EventName.HEARTBEAT.value, {"data": CONNECTED}))
        if self._puppet.logged_in:
            login = {"contactId": self._puppet.self_id()}
            queue.put_nowait(response(EventName.LOGIN.value, login))
            if self.ready:
                queue.put_nowait(response(EventName.READY.value, event_payload(ReadyEvent())))
        self._queues.add(queue)
        return queue

    def unsubscribe(self, queue: asyncio.Queue[ev.EventResponse]) -> None:
        """Forget a closed stream's queue."""
        self._queues.discard(queue)


def _dirtied_by(event: Event) -> list[tuple[int, str]]:
    """Cached payloads an event makes stale: a room's, after joins, leaves and renames."""
    name = event.event_name
    if name in (EventName.ROOM_JOIN, EventName.ROOM_LEAVE, EventName.ROOM_TOPIC):
        room_id: str = getattr(event, "room_id", "")
        return [(DIRTY_ROOM, room_id), (DIRTY_ROOM_MEMBER, room_id)]
    return []
