"""Event names (Wechaty's strings) and one frozen dataclass per event.

Every event has ``to_json()`` (plain JSON, used by cassettes); :func:`event_from_json` turns it
back. An ``ErrorEvent``'s exception travels as ``{"type": <class name>, "message": <str>}`` and
comes back as an instance of the same class when it is one of the project's errors or a builtin
exception (its constructor is bypassed, so only ``str(error)`` survives), else as a
:class:`~wechaty_puppet_web.errors.PuppetWebError`.
"""

from __future__ import annotations

import builtins
import dataclasses
from dataclasses import dataclass
from enum import IntEnum, StrEnum
from typing import Any, ClassVar, get_type_hints

from . import errors
from .payloads import (
    FriendshipPayload,
    MessagePayload,
    RoomInvitationPayload,
    ScanStatus,
    payload_from_json,
    payload_to_json,
)

__all__ = [
    "ConnectionLostEvent",
    "ConnectionRestoredEvent",
    "DongEvent",
    "ErrorEvent",
    "Event",
    "EventName",
    "FriendshipEvent",
    "HeartbeatEvent",
    "LoginEvent",
    "LogoutEvent",
    "MessageEvent",
    "PageBusyEvent",
    "ReadyEvent",
    "ResetEvent",
    "RoomInviteEvent",
    "RoomJoinEvent",
    "RoomLeaveEvent",
    "RoomTopicEvent",
    "ScanEvent",
    "event_from_json",
]


class EventName(StrEnum):
    """Wechaty's event names; the value is what ``puppet.on(...)`` takes."""

    SCAN = "scan"
    LOGIN = "login"
    LOGOUT = "logout"
    READY = "ready"
    MESSAGE = "message"
    FRIENDSHIP = "friendship"
    ROOM_JOIN = "room-join"
    ROOM_LEAVE = "room-leave"
    ROOM_TOPIC = "room-topic"
    ROOM_INVITE = "room-invite"
    HEARTBEAT = "heartbeat"
    DONG = "dong"
    ERROR = "error"
    RESET = "reset"
    # Not in Wechaty: the web client's link to the server, and a page too busy to answer.
    CONNECTION_LOST = "connection-lost"
    CONNECTION_RESTORED = "connection-restored"
    PAGE_BUSY = "page-busy"


class _EventBase:
    """Shared JSON conversion for the event dataclasses."""

    __slots__ = ()
    event_name: ClassVar[EventName]

    def to_json(self) -> dict[str, Any]:
        """Return the event as a dict of plain JSON values."""
        return {f.name: _value_to_json(getattr(self, f.name)) for f in dataclasses.fields(self)}  # type: ignore[arg-type]


def _value_to_json(value: Any) -> Any:
    if isinstance(value, BaseException):
        return {"type": type(value).__name__, "message": str(value)}
    if isinstance(value, IntEnum):
        return int(value)
    if isinstance(value, tuple):
        return list(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return payload_to_json(value)
    return value


@dataclass(frozen=True, slots=True, kw_only=True)
class ScanEvent(_EventBase):
    """QR login progress; ``qrcode`` is the text to encode (``https://login.weixin.qq.com/l/<uuid>``)."""

    event_name: ClassVar[EventName] = EventName.SCAN
    status: ScanStatus
    qrcode: str = ""
    data: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class LoginEvent(_EventBase):
    """The bot is logged in as ``contact_id``."""

    event_name: ClassVar[EventName] = EventName.LOGIN
    contact_id: str


@dataclass(frozen=True, slots=True, kw_only=True)
class LogoutEvent(_EventBase):
    """The session ended (phone logout, API logout, expiry)."""

    event_name: ClassVar[EventName] = EventName.LOGOUT
    contact_id: str
    reason: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class ReadyEvent(_EventBase):
    """Contacts and rooms are loaded."""

    event_name: ClassVar[EventName] = EventName.READY
    data: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class MessageEvent(_EventBase):
    """A new message, incoming or self-sent, exactly once."""

    event_name: ClassVar[EventName] = EventName.MESSAGE
    message_id: str
    payload: MessagePayload


@dataclass(frozen=True, slots=True, kw_only=True)
class FriendshipEvent(_EventBase):
    """A friend request was received or a friendship confirmed."""

    event_name: ClassVar[EventName] = EventName.FRIENDSHIP
    friendship_id: str
    payload: FriendshipPayload


@dataclass(frozen=True, slots=True, kw_only=True)
class RoomJoinEvent(_EventBase):
    """Someone (or the bot) joined a room."""

    event_name: ClassVar[EventName] = EventName.ROOM_JOIN
    room_id: str
    invitee_ids: tuple[str, ...]
    inviter_id: str
    timestamp: float = 0.0


@dataclass(frozen=True, slots=True, kw_only=True)
class RoomLeaveEvent(_EventBase):
    """Someone (or the bot) was removed from a room."""

    event_name: ClassVar[EventName] = EventName.ROOM_LEAVE
    room_id: str
    removee_ids: tuple[str, ...]
    remover_id: str
    timestamp: float = 0.0


@dataclass(frozen=True, slots=True, kw_only=True)
class RoomTopicEvent(_EventBase):
    """A room was renamed."""

    event_name: ClassVar[EventName] = EventName.ROOM_TOPIC
    room_id: str
    new_topic: str
    old_topic: str
    changer_id: str
    timestamp: float = 0.0


@dataclass(frozen=True, slots=True, kw_only=True)
class RoomInviteEvent(_EventBase):
    """An invitation card to a room arrived."""

    event_name: ClassVar[EventName] = EventName.ROOM_INVITE
    room_invitation_id: str
    payload: RoomInvitationPayload


@dataclass(frozen=True, slots=True, kw_only=True)
class HeartbeatEvent(_EventBase):
    """The page and the bridge are alive; ``data`` is JSON."""

    event_name: ClassVar[EventName] = EventName.HEARTBEAT
    data: Any = None


@dataclass(frozen=True, slots=True, kw_only=True)
class DongEvent(_EventBase):
    """The answer to ``ding(data)``."""

    event_name: ClassVar[EventName] = EventName.DONG
    data: Any = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ErrorEvent(_EventBase):
    """Something the puppet could not handle; the loop goes on."""

    event_name: ClassVar[EventName] = EventName.ERROR
    error: BaseException
    data: Any = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ResetEvent(_EventBase):
    """The puppet restarted its browser or page."""

    event_name: ClassVar[EventName] = EventName.RESET
    reason: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class ConnectionLostEvent(_EventBase):
    """The web client cannot reach the server (its long poll fails); it keeps retrying."""

    event_name: ClassVar[EventName] = EventName.CONNECTION_LOST
    reason: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class ConnectionRestoredEvent(_EventBase):
    """The server answers again after a ``connection-lost``; ``down_for`` is in seconds."""

    event_name: ClassVar[EventName] = EventName.CONNECTION_RESTORED
    down_for: float = 0.0


@dataclass(frozen=True, slots=True, kw_only=True)
class PageBusyEvent(_EventBase):
    """The page's main thread has not answered for ``busy_for`` seconds while the browser still
    does: the puppet waits (no reset) until ``busy_timeout``."""

    event_name: ClassVar[EventName] = EventName.PAGE_BUSY
    busy_for: float = 0.0


Event = (
    ScanEvent
    | LoginEvent
    | LogoutEvent
    | ReadyEvent
    | MessageEvent
    | FriendshipEvent
    | RoomJoinEvent
    | RoomLeaveEvent
    | RoomTopicEvent
    | RoomInviteEvent
    | HeartbeatEvent
    | DongEvent
    | ErrorEvent
    | ResetEvent
    | ConnectionLostEvent
    | ConnectionRestoredEvent
    | PageBusyEvent
)

_EVENT_CLASSES: dict[EventName, type[_EventBase]] = {
    cls.event_name: cls
    for cls in (
        ScanEvent,
        LoginEvent,
        LogoutEvent,
        ReadyEvent,
        MessageEvent,
        FriendshipEvent,
        RoomJoinEvent,
        RoomLeaveEvent,
        RoomTopicEvent,
        RoomInviteEvent,
        HeartbeatEvent,
        DongEvent,
        ErrorEvent,
        ResetEvent,
        ConnectionLostEvent,
        ConnectionRestoredEvent,
        PageBusyEvent,
    )
}


def _error_from_json(data: Any) -> BaseException:
    if not isinstance(data, dict):
        return errors.PuppetWebError(str(data))
    name = str(data.get("type", ""))
    message = str(data.get("message", ""))
    cls = getattr(errors, name, None) or getattr(builtins, name, None)
    if not (isinstance(cls, type) and issubclass(cls, BaseException)):
        return errors.PuppetWebError(f"{name}: {message}" if name else message)
    # The project's errors have custom constructors (NotFoundError(kind, ident)...); a recorded
    # error only needs its class and text back, so skip __init__ and set args directly.
    exc = cls.__new__(cls)
    BaseException.__init__(exc, message)
    return exc


def _value_from_json(hint: Any, value: Any) -> Any:
    if hint is BaseException:
        return _error_from_json(value)
    if isinstance(hint, type) and issubclass(hint, IntEnum):
        return hint(value)
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return payload_from_json(hint, value)
    if isinstance(value, list):
        return tuple(value)
    return value


def event_from_json(name: str | EventName, data: dict[str, Any]) -> Event:
    """Rebuild an event from its name and ``to_json()`` output.

    Raises:
        ValueError: ``name`` is not an event name.
        TypeError: a required field is missing.
    """
    cls = _EVENT_CLASSES[EventName(name)]
    hints = get_type_hints(cls)
    kwargs = {
        f.name: _value_from_json(hints[f.name], data[f.name])
        for f in dataclasses.fields(cls)  # type: ignore[arg-type]
        if f.name in data
    }
    event: Event = cls(**kwargs)  # type: ignore[assignment]
    return event
