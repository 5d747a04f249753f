"""The one place that reads wire keys and builds payloads (contacts, rooms, messages, friendships).

All functions are pure and never raise on odd input: unknown values degrade to ``UNKNOWN`` and
missing fields to empty values. The explicit extractors in :mod:`.appmsg` (``parse_url_link`` …)
raise :class:`~wechaty_puppet_web.errors.ProtocolError` (with the raw dict attached) when the
message is not of their type.

Message kind is decided from the wire type, not from the client's rewritten ``MsgType`` alone:
``RawMsgType`` when the hook saw it, else ``MMIsAppMsg`` / ``_noSupportMsg`` / ``AppMsgType`` /
``HasProductId`` undo the rewrites of surface §5.3, and the appmsg XML ``<type>`` wins over
``AppMsgType`` (the client rewrites 3/4/7 to 5 and article lists to 100001).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from typing import Any

from ..errors import ProtocolError
from ..payloads import (
    ContactGender,
    ContactPayload,
    ContactType,
    FriendshipPayload,
    FriendshipType,
    MessagePayload,
    MessageType,
    RoomMemberPayload,
    RoomPayload,
)
from .appmsg import (
    app_type,
    appmsg_title,
    is_room_invitation,
    parse_contact_card,
    parse_location,
    parse_mini_program,
    parse_room_invitation,
    parse_url_link,
)
from .raw import RawContact, RawMember, RawMessage, RawRecall
from .sysmsg import FriendConfirmSys, match_system_message
from .text import fix_surrogates, plain_text, unescape_once
from .wire import get_int, get_str, is_room_id, sender_and_body, split_room_prefix, wire_type
from .xml import attr, child_text, content_xml, parse_xml

__all__ = [
    "is_room_id",
    "is_room_invitation",
    "message_kind",
    "parse_contact",
    "parse_contact_card",
    "parse_friendship",
    "parse_location",
    "parse_message",
    "parse_mini_program",
    "parse_recall",
    "parse_room",
    "parse_room_invitation",
    "parse_room_member",
    "parse_url_link",
    "plain_text",
    "split_room_prefix",
]

_CONTACTFLAG_CONTACT = 0x1
_CONTACTFLAG_FAVOUR = 0x40
_VERIFYFLAG_BIZ_BRAND = 0x8

_AT_USERNAME = re.compile(r"<atusername>([^<]*)</atusername>")
# System lines carry escaped links (`&lt;a href="weixin://…"&gt;发送朋友验证&lt;/a&gt;`); the client
# drops the tags and keeps the words, and so do we.
_SYS_LINK = re.compile(r"<a\s[^<>]*>|</a\s*>", re.IGNORECASE)
_RED_PACKET_TEXTS = frozenset({"收到红包，请在手机上查看", "发出红包，请在手机上查看"})  # noqa: RUF001

_MSG_TYPES: Mapping[int, MessageType] = {
    1: MessageType.TEXT,
    3: MessageType.IMAGE,
    34: MessageType.AUDIO,
    42: MessageType.CONTACT,
    43: MessageType.VIDEO,
    47: MessageType.EMOTICON,
    48: MessageType.LOCATION,
    62: MessageType.VIDEO,
    10002: MessageType.RECALLED,
}

_APP_TYPES: Mapping[int, MessageType] = {
    1: MessageType.TEXT,
    2: MessageType.IMAGE,
    3: MessageType.URL,
    4: MessageType.URL,
    5: MessageType.URL,
    6: MessageType.ATTACHMENT,
    7: MessageType.URL,
    8: MessageType.EMOTICON,
    15: MessageType.EMOTICON,
    19: MessageType.CHAT_HISTORY,
    33: MessageType.MINI_PROGRAM,
    36: MessageType.MINI_PROGRAM,
    53: MessageType.GROUP_NOTE,
    57: MessageType.TEXT,  # quote/reply: the title is the reply text
    2000: MessageType.TRANSFER,
    2001: MessageType.RED_ENVELOPE,
    100001: MessageType.URL,  # client-internal: an article list (mmreader)
}

_MEDIA_SUFFIX: Mapping[MessageType, str] = {
    MessageType.IMAGE: ".jpg",
    MessageType.VIDEO: ".mp4",
    MessageType.AUDIO: ".mp3",
    MessageType.EMOTICON: ".gif",
}


# --------------------------------------------------------------------------- contacts and rooms


def _contact_type(raw: RawContact) -> ContactType:
    if not get_str(raw, "UserName"):
        return ContactType.UNKNOWN
    brand = raw.get("isBrandContact")
    if brand or get_int(raw, "VerifyFlag") & _VERIFYFLAG_BIZ_BRAND:
        return ContactType.OFFICIAL
    return ContactType.INDIVIDUAL


def _is_friend(raw: RawContact, self_id: str) -> bool | None:
    if get_str(raw, "UserName") == self_id:
        return False
    flag = raw.get("isContact")
    if isinstance(flag, bool):
        return flag
    if "ContactFlag" in raw:
        return bool(get_int(raw, "ContactFlag") & _CONTACTFLAG_CONTACT)
    return None  # a plain stranger object: the page cannot tell


def parse_contact(raw: RawContact, *, self_id: str) -> ContactPayload:
    """Build a contact payload; names are plain text, ``friend`` None when unknown."""
    star = get_int(raw, "StarFriend") == 1 or bool(
        get_int(raw, "ContactFlag") & _CONTACTFLAG_FAVOUR
    )
    return ContactPayload(
        id=get_str(raw, "UserName"),
        name=plain_text(get_str(raw, "NickName")),
        alias=plain_text(get_str(raw, "RemarkName")),
        gender=ContactGender(get_int(raw, "Sex")),
        type=_contact_type(raw),
        avatar=get_str(raw, "HeadImgUrl"),
        city=plain_text(get_str(raw, "City")),
        province=plain_text(get_str(raw, "Province")),
        signature=plain_text(get_str(raw, "Signature")),
        star=star,
        friend=_is_friend(raw, self_id),
        weixin=plain_text(get_str(raw, "Alias")),
    )


def _members(raw: RawContact) -> list[RawMember]:
    members = raw.get("MemberList")
    if not isinstance(members, list):
        return []
    return [m for m in members if isinstance(m, dict)]


def parse_room(raw: RawContact, *, self_id: str = "") -> RoomPayload:
    """Build a room payload; ``owner_id`` from ``ChatRoomOwner``, or self when ``IsOwner``."""
    member_ids = tuple(
        dict.fromkeys(u for u in (get_str(m, "UserName") for m in _members(raw)) if u)
    )
    owner = get_str(raw, "ChatRoomOwner")
    if not owner and get_int(raw, "IsOwner") and self_id:
        owner = self_id
    return RoomPayload(
        id=get_str(raw, "UserName"),
        topic=plain_text(get_str(raw, "NickName")),
        member_ids=member_ids,
        owner_id=owner,
        avatar=get_str(raw, "HeadImgUrl"),
    )


def parse_room_member(
    raw: RawMember, *, room: RawContact, contact: RawContact | None = None
) -> RoomMemberPayload:
    """Build a member payload; ``name`` prefers the full contact's NickName when known.

    ``room`` is accepted for the contract (and future use of ``EncryChatRoomId``); the avatar is
    the member's or the contact's ``HeadImgUrl`` when the page has one, else "".
    """
    del room  # the name and alias live on the member and the contact
    nick = get_str(contact, "NickName") if contact else ""
    avatar = get_str(raw, "HeadImgUrl") or (get_str(contact, "HeadImgUrl") if contact else "")
    return RoomMemberPayload(
        id=get_str(raw, "UserName"),
        name=plain_text(nick or get_str(raw, "NickName")),
        room_alias=plain_text(get_str(raw, "DisplayName")),
        avatar=avatar,
    )


# --------------------------------------------------------------------------- messages


def message_kind(raw: RawMessage) -> tuple[MessageType, int, int]:
    """(Wechaty type, wire MsgType, app type) of a raw message; never raises."""
    wire = wire_type(raw)
    _, body = sender_and_body(raw)
    if wire == 49:
        app = app_type(raw, body)
        return _APP_TYPES.get(app, MessageType.UNKNOWN), wire, app
    app = get_int(raw, "AppMsgType")
    if wire == 1 and get_int(raw, "SubMsgType") == 48:
        return MessageType.LOCATION, wire, app
    if wire == 1 and app == 2001:
        return MessageType.RED_ENVELOPE, wire, app
    if wire == 10000 and plain_text(body).strip() in _RED_PACKET_TEXTS:
        return MessageType.RED_ENVELOPE, wire, app
    if wire == 1 and raw.get("_noSupportMsg") is True:
        return MessageType.UNKNOWN, wire, app  # a VOIP (or other) placeholder, never real text
    return _MSG_TYPES.get(wire, MessageType.UNKNOWN), wire, app


def _parties(raw: RawMessage, self_id: str, prefix_sender: str) -> tuple[str, str, str]:
    """(talker, listener, room) for a message."""
    frm, to = get_str(raw, "FromUserName"), get_str(raw, "ToUserName")
    if is_room_id(frm):
        talker = prefix_sender or get_str(raw, "MMActualSender") or frm
        return talker, "", frm
    talker = frm or self_id
    if is_room_id(to):
        return talker, "", to
    return talker, to or (self_id if talker != self_id else ""), ""


def _recalled_id(body: str) -> str:
    """The recalled message's id from a revoke sysmsg; "" when it names none (ids are digits:
    a revoke that names nothing must not become the recall of message "" or "x")."""
    found = child_text(parse_xml(body), ".//msgid").strip()
    return found if found.isdigit() else ""


def _looks_xml(body: str) -> bool:
    head = body.lstrip()[:16]
    return head.startswith(("&lt;", "<?xml", "<msg", "<appmsg", "<sysmsg"))


def _message_text(kind: MessageType, wire: int, app: int, body: str) -> str:
    if kind is MessageType.RECALLED:
        return _recalled_id(body)
    if wire == 49 and app in (1, 57):
        return appmsg_title(body)
    if kind is MessageType.LOCATION and wire == 1:
        return plain_text(body.split(":<br/>", 1)[0])
    if wire == 10000:
        return _SYS_LINK.sub("", plain_text(body))
    if wire == 1 or not _looks_xml(body):
        return "" if kind in _MEDIA_SUFFIX else plain_text(body)
    # Wechaty hands app/sticker/card messages' XML to bots as their text (unescaped once).
    return content_xml(body)


def _safe_filename(name: str) -> str:
    cleaned = "".join("_" if c in '/\\\x00:*?"<>|' or ord(c) < 32 else c for c in name)
    return cleaned.strip(" .") or ""


def _filename(raw: RawMessage, kind: MessageType, msg_id: str, body: str) -> str:
    if kind is MessageType.ATTACHMENT:
        name = unescape_once(get_str(raw, "FileName")) or appmsg_title(body)
        return _safe_filename(fix_surrogates(name))
    suffix = _MEDIA_SUFFIX.get(kind)
    if suffix is None:
        return ""
    return _safe_filename(msg_id) + suffix if msg_id else ""


def _mentions(raw: RawMessage, text: str, members: Sequence[RoomMemberPayload]) -> tuple[str, ...]:
    source = unescape_once(get_str(raw, "MsgSource"))
    listed = _AT_USERNAME.search(source)
    if listed is not None:
        return tuple(dict.fromkeys(u.strip() for u in listed.group(1).split(",") if u.strip()))
    if "@" not in text:
        return ()
    found: list[tuple[int, int, str]] = []
    for member in members:
        for name in {member.room_alias, member.name} - {""}:
            found.extend((pos, -len(name), member.id) for pos in _mention_positions(text, name))
    # At one position the longest name wins: "@Al ice" mentions "Al ice", not "Al".
    found.sort()
    taken: set[int] = set()
    ids: list[str] = []
    for pos, _, ident in found:
        if pos not in taken:
            taken.add(pos)
            ids.append(ident)
    return tuple(dict.fromkeys(ids))


def _mention_positions(text: str, name: str) -> list[int]:
    """Positions of ``@name`` followed by U+2005, a space, a newline or the end of text."""
    needle = "@" + name
    positions = []
    start = text.find(needle)
    while start >= 0:
        end = start + len(needle)
        if end == len(text) or text[end] in "\u2005 \n":
            positions.append(start)
        start = text.find(needle, end)
    return positions


def parse_message(
    raw: RawMessage, *, self_id: str, members: Sequence[RoomMemberPayload] = ()
) -> MessagePayload:
    """Build a message payload (see :class:`~wechaty_puppet_web.payloads.MessagePayload`).

    ``timestamp`` is ``CreateTime`` in seconds as a float. ``members`` (the room's, self
    included) are used to turn ``@Name`` mentions into ids. For RECALLED the text is the id of
    the recalled message, as Wechaty expects.
    """
    kind, wire, app = message_kind(raw)
    prefix_sender, body = sender_and_body(raw)
    talker, listener, room = _parties(raw, self_id, prefix_sender)
    msg_id = get_str(raw, "MsgId") or get_str(raw, "NewMsgId") or get_str(raw, "LocalID")
    text = _message_text(kind, wire, app, body)
    if kind is MessageType.RECALLED and not text:
        kind = MessageType.UNKNOWN  # a malformed revoke: say so rather than recall nothing
    mentions = _mentions(raw, text, members) if room and kind is MessageType.TEXT else ()
    return MessagePayload(
        id=msg_id,
        type=kind,
        talker_id=talker,
        listener_id=listener,
        room_id=room,
        text=text,
        mention_ids=mentions,
        timestamp=float(get_int(raw, "CreateTime")),
        filename=_filename(raw, kind, msg_id, body),
        raw_type=wire,
        raw_app_type=app,
        raw_sub_type=get_int(raw, "SubMsgType"),
    )


def parse_recall(
    raw: RawRecall, *, self_id: str, members: Sequence[RoomMemberPayload] = ()
) -> MessagePayload:
    """A RECALLED message payload from a wrapped ``_recalledMsgProcess`` call.

    ``text`` is the recalled message's id (``recalled_id`` when given, else from the XML).

    Raises:
        ProtocolError: the revoke names no message id (ids are digits).
    """
    msg = raw.get("msg")
    payload = parse_message(msg if isinstance(msg, dict) else {}, self_id=self_id, members=members)
    given = get_str(raw, "recalled_id").strip()
    recalled = given if given.isdigit() else ""
    if not recalled and payload.type is MessageType.RECALLED:
        recalled = payload.text
    if not recalled:
        raise ProtocolError("a revoke system message names no recalled message id", raw)
    return MessagePayload(
        id=payload.id,
        type=MessageType.RECALLED,
        talker_id=payload.talker_id,
        listener_id=payload.listener_id,
        room_id=payload.room_id,
        text=recalled,
        timestamp=payload.timestamp,
        raw_type=payload.raw_type or 10002,
    )


# --------------------------------------------------------------------------- friendship


def _request(raw: RawMessage, self_id: str) -> FriendshipPayload | None:
    info: Mapping[str, Any] = raw.get("RecommendInfo") or {}
    if not isinstance(info, dict):
        info = {}
    root = parse_xml(get_str(raw, "Content"))
    contact = get_str(info, "UserName")
    if not contact or contact == self_id:
        return None  # the official client drops requests "from" self
    return FriendshipPayload(
        id=get_str(raw, "MsgId"),
        contact_id=contact,
        type=FriendshipType.RECEIVE,
        hello=_hello(info, root),
        ticket=get_str(info, "Ticket") or attr(root, ".", "ticket"),
        scene=get_int(info, "Scene") or _to_int(attr(root, ".", "scene")),
        stranger=attr(root, ".", "encryptusername"),
        timestamp=float(get_int(raw, "CreateTime")),
    )


def _hello(info: Mapping[str, Any], root: ET.Element | None) -> str:
    # RecommendInfo.Content is wire text (HTML-escaped, emoji spans, §5.3); the XML attribute is
    # already plain once the XML is parsed, so markup-stripping it would eat a literal "<x>".
    wire = get_str(info, "Content")
    return plain_text(wire) if wire else fix_surrogates(attr(root, ".", "content"))


def _to_int(text: str) -> int:
    text = text.strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 18 else 0


def parse_friendship(raw: RawMessage, *, self_id: str) -> FriendshipPayload | None:
    """A friendship from a 37 request (RECEIVE) or a 10000 "added" line (CONFIRM); else None."""
    wire = wire_type(raw)
    if wire == 37:
        return _request(raw, self_id)
    if wire != 10000:
        return None
    frm, to = get_str(raw, "FromUserName"), get_str(raw, "ToUserName")
    if is_room_id(frm) or not isinstance(
        match_system_message(get_str(raw, "Content")), FriendConfirmSys
    ):
        return None
    return FriendshipPayload(
        id=get_str(raw, "MsgId"),
        contact_id=to if frm == self_id else frm,
        type=FriendshipType.CONFIRM,
        timestamp=float(get_int(raw, "CreateTime")),
    )
