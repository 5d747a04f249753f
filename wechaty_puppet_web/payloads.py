"""Typed payloads and enums, with Wechaty's names and values.

Payloads are frozen, slotted, keyword-only dataclasses: immutable and hashable, with tuples for
every sequence. They are built from raw page data only by :mod:`wechaty_puppet_web.protocol.parse`.
Every enum maps an unknown wire value to ``UNKNOWN`` (the payload keeps the raw value next to it).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import Any, Self, TypeVar, get_type_hints

__all__ = [
    "ContactGender",
    "ContactPayload",
    "ContactType",
    "FriendshipPayload",
    "FriendshipType",
    "ImageType",
    "LocationPayload",
    "MessagePayload",
    "MessageType",
    "MiniProgramPayload",
    "RoomInvitationPayload",
    "RoomMemberPayload",
    "RoomPayload",
    "ScanStatus",
    "UrlLinkPayload",
    "payload_from_json",
    "payload_to_json",
]


_P = TypeVar("_P")


class _UnknownDefault(IntEnum):
    """An IntEnum whose unknown values become ``UNKNOWN`` instead of raising."""

    @classmethod
    def _missing_(cls, value: object) -> Self:
        # discord.py's try_enum idea: a new wire value must degrade, never crash the parser.
        return cls["UNKNOWN"]


class ScanStatus(_UnknownDefault):
    """State of the QR login, as Wechaty numbers it."""

    UNKNOWN = 0
    CANCEL = 1
    WAITING = 2
    SCANNED = 3
    CONFIRMED = 4
    TIMEOUT = 5


class ContactType(_UnknownDefault):
    """What kind of account a contact is."""

    UNKNOWN = 0
    INDIVIDUAL = 1
    OFFICIAL = 2
    CORPORATION = 3


class ContactGender(_UnknownDefault):
    """Gender as the wire's ``Sex`` field gives it (same numbers)."""

    UNKNOWN = 0
    MALE = 1
    FEMALE = 2


class MessageType(_UnknownDefault):
    """Wechaty's message types (not the wire MsgType: see ``MessagePayload.raw_type``)."""

    UNKNOWN = 0
    ATTACHMENT = 1
    AUDIO = 2
    CONTACT = 3
    CHAT_HISTORY = 4
    EMOTICON = 5
    IMAGE = 6
    TEXT = 7
    LOCATION = 8
    MINI_PROGRAM = 9
    GROUP_NOTE = 10
    TRANSFER = 11
    RED_ENVELOPE = 12
    RECALLED = 13
    URL = 14
    VIDEO = 15


class FriendshipType(_UnknownDefault):
    """Kind of friendship event."""

    UNKNOWN = 0
    CONFIRM = 1
    RECEIVE = 2
    VERIFY = 3


class ImageType(_UnknownDefault):
    """Which rendition of an image to download."""

    UNKNOWN = 0
    THUMBNAIL = 1
    HD = 2
    ARTWORK = 3


@dataclass(frozen=True, slots=True, kw_only=True)
class ContactPayload:
    """A person, official account or special account.

    ``name`` and ``alias`` (the remark) are plain text: emoji markup and entities are decoded.
    ``friend`` is None when the page could not tell (a plain stranger object).
    """

    id: str
    name: str
    alias: str = ""
    gender: ContactGender = ContactGender.UNKNOWN
    type: ContactType = ContactType.UNKNOWN
    avatar: str = ""
    city: str = ""
    province: str = ""
    signature: str = ""
    star: bool = False
    friend: bool | None = None
    weixin: str = ""
    phone: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class RoomPayload:
    """A group chat. ``owner_id`` is "" when the page does not know the owner."""

    id: str
    topic: str
    member_ids: tuple[str, ...] = ()
    admin_ids: tuple[str, ...] = ()
    owner_id: str = ""
    avatar: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class RoomMemberPayload:
    """A member as seen inside one room; ``room_alias`` is the in-room DisplayName."""

    id: str
    name: str
    room_alias: str = ""
    avatar: str = ""
    inviter_id: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class MessagePayload:
    """One message.

    ``talker_id`` is the real sender, also inside rooms. ``listener_id`` is set for 1:1 chats and
    ``room_id`` for rooms (one of them is ""). ``text`` is plain text without the room prefix.
    ``timestamp`` is the wire CreateTime in seconds (an int stored as float). ``raw_type``,
    ``raw_app_type`` and ``raw_sub_type`` keep the wire MsgType / AppMsgType / SubMsgType.
    """

    id: str
    type: MessageType
    talker_id: str
    listener_id: str = ""
    room_id: str = ""
    text: str = ""
    mention_ids: tuple[str, ...] = ()
    timestamp: float = 0.0
    filename: str = ""
    raw_type: int = 0
    raw_app_type: int = 0
    raw_sub_type: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class FriendshipPayload:
    """A received friend request (RECEIVE) or a confirmed friendship (CONFIRM)."""

    id: str
    contact_id: str
    type: FriendshipType
    hello: str = ""
    ticket: str = ""
    scene: int = 0
    stranger: str = ""
    timestamp: float = 0.0


@dataclass(frozen=True, slots=True, kw_only=True)
class UrlLinkPayload:
    """A link card (AppMsgType 5 and friends)."""

    title: str
    url: str
    description: str = ""
    thumbnail_url: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class MiniProgramPayload:
    """A mini-program card (AppMsgType 33 / 36)."""

    appid: str = ""
    title: str = ""
    page_path: str = ""
    description: str = ""
    thumbnail_url: str = ""
    username: str = ""
    icon_url: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class LocationPayload:
    """A shared location. ``accuracy`` is the map scale the phone sent (0 when absent)."""

    name: str
    address: str = ""
    latitude: float = 0.0
    longitude: float = 0.0
    accuracy: float = 0.0


@dataclass(frozen=True, slots=True, kw_only=True)
class RoomInvitationPayload:
    """An invitation card to a (big) group chat."""

    id: str
    inviter_id: str = ""
    topic: str = ""
    member_count: int = 0
    member_ids: tuple[str, ...] = ()
    avatar: str = ""
    invitation: str = ""
    receiver_id: str = ""
    timestamp: float = 0.0


def payload_to_json(payload: Any) -> dict[str, Any]:
    """Turn any payload of this module into plain JSON (enums as ints, tuples as lists)."""
    out: dict[str, Any] = {}
    for name in payload.__dataclass_fields__:
        value = getattr(payload, name)
        if isinstance(value, IntEnum):
            value = int(value)
        elif isinstance(value, tuple):
            value = list(value)
        out[name] = value
    return out


def payload_from_json(cls: type[_P], data: dict[str, Any]) -> _P:
    """Rebuild a payload of type ``cls`` from :func:`payload_to_json` output; unknown keys ignored.

    Raises:
        TypeError: a required field is missing.
    """
    hints = get_type_hints(cls)
    kwargs: dict[str, Any] = {}
    for name, hint in hints.items():
        if name not in data:
            continue
        value = data[name]
        if isinstance(hint, type) and issubclass(hint, IntEnum):
            value = hint(value)
        elif isinstance(value, list):
            value = tuple(value)
        kwargs[name] = value
    return cls(**kwargs)
