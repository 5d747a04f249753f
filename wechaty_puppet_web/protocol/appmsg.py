"""Payloads carried in message XML: links, mini programs, locations, invitations, cards.

Each ``parse_*`` raises :class:`~wechaty_puppet_web.errors.ProtocolError` (raw attached) when the
message is not of its type; on malformed XML of the right type it degrades to the wire fields.
"""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET

from ..errors import ProtocolError
from ..payloads import LocationPayload, MiniProgramPayload, RoomInvitationPayload, UrlLinkPayload
from .raw import RawMessage
from .text import plain_text, unescape_once
from .wire import get_int, get_str, sender_and_body, wire_type
from .xml import attr, child_text, parse_xml

__all__ = [
    "app_type",
    "appmsg_title",
    "is_room_invitation",
    "parse_contact_card",
    "parse_location",
    "parse_mini_program",
    "parse_room_invitation",
    "parse_url_link",
]

_LINK_APP_TYPES = frozenset({3, 4, 5, 7, 100001})
_MINI_PROGRAM_APP_TYPES = frozenset({33, 36})
_INVITATION_TITLES = frozenset({"邀请你加入群聊", "Group Chat Invitation"})
_INVITATION_DES = (
    # "X"邀请你加入群聊Y，进入可查看详情。  # noqa: RUF003
    re.compile(r'^"(?P<inviter>.+?)"邀请你加入群聊(?P<topic>.+?)，进入可查看详情。?$', re.DOTALL),  # noqa: RUF001
    # "X" invited you to join the group chat "Y". Enter to view details.
    re.compile(
        r'^"(?P<inviter>.+?)" invited you to join the group chat "(?P<topic>.+)"\.'
        r"(?: Enter to view details\.?)?$",
        re.DOTALL,
    ),
)
_COORD = re.compile(r"coord=(-?[0-9.]+),(-?[0-9.]+)")


def _appmsg(root: ET.Element | None) -> ET.Element | None:
    if root is None:
        return None
    return root if root.tag == "appmsg" else root.find("appmsg")


def app_type(raw: RawMessage, body: str) -> int:
    """The app message type: the XML ``<type>`` when readable, else ``AppMsgType``."""
    text = child_text(_appmsg(parse_xml(body)), "type")
    if text.isascii() and text.isdigit() and len(text) <= 18 and int(text) > 0:
        return int(text)
    return get_int(raw, "AppMsgType")


def appmsg_title(body: str) -> str:
    """The ``<title>`` of an app message (XML text is already plain); "" when absent."""
    return child_text(_appmsg(parse_xml(body)), "title")


def _require_app(raw: RawMessage, allowed: frozenset[int], what: str) -> tuple[int, str]:
    _, body = sender_and_body(raw)
    app = app_type(raw, body) if wire_type(raw) == 49 else 0
    if app not in allowed:
        raise ProtocolError(f"not a {what} message (MsgType {wire_type(raw)}, app {app})", raw)
    return app, body


def parse_url_link(raw: RawMessage) -> UrlLinkPayload:
    """A link card (AppMsgType 5, and 3/4/7 which the client shows as links).

    Raises:
        ProtocolError: the message is not a link.
    """
    _, body = _require_app(raw, _LINK_APP_TYPES, "link")
    app = _appmsg(parse_xml(body))
    return UrlLinkPayload(
        title=child_text(app, "title") or plain_text(get_str(raw, "FileName")),
        url=child_text(app, "url") or unescape_once(get_str(raw, "Url")),
        description=child_text(app, "des") or plain_text(get_str(raw, "MMAppMsgDesc")),
        thumbnail_url=child_text(app, "thumburl"),
    )


def parse_mini_program(raw: RawMessage) -> MiniProgramPayload:
    """A mini-program card (AppMsgType 33 or 36).

    Raises:
        ProtocolError: the message is not a mini program.
    """
    _, body = _require_app(raw, _MINI_PROGRAM_APP_TYPES, "mini program")
    app = _appmsg(parse_xml(body))
    weapp = app.find("weappinfo") if app is not None else None
    icon = child_text(weapp, "weappiconurl")
    return MiniProgramPayload(
        appid=child_text(weapp, "appid") or attr(app, ".", "appid"),
        title=child_text(app, "title") or plain_text(get_str(raw, "FileName")),
        page_path=child_text(weapp, "pagepath"),
        description=child_text(app, "sourcedisplayname") or child_text(app, "des"),
        thumbnail_url=child_text(app, "thumburl"),
        username=child_text(weapp, "username") or child_text(app, "sourceusername"),
        icon_url=icon or None,
    )


def _float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        return 0.0
    return value if math.isfinite(value) else 0.0


def parse_location(raw: RawMessage) -> LocationPayload:
    """A location: MsgType 1 with SubMsgType 48 (received) or 48 (forwarded).

    ``name`` is the POI name (the label when the POI is the placeholder ``[位置]``), ``address``
    the label, ``latitude``/``longitude`` the XML ``x``/``y``, ``accuracy`` the map scale.

    Raises:
        ProtocolError: the message is not a location.
    """
    wire = wire_type(raw)
    if not (wire == 48 or (wire == 1 and get_int(raw, "SubMsgType") == 48)):
        raise ProtocolError(f"not a location message (MsgType {wire})", raw)
    _, body = sender_and_body(raw)
    root = parse_xml(get_str(raw, "OriContent")) or parse_xml(body)
    loc = root if root is not None and root.tag == "location" else None
    if loc is None and root is not None:
        loc = root.find(".//location")
    label = attr(loc, ".", "label") or plain_text(get_str(raw, "MMLocationDesc"))
    if not label and wire == 1:
        label = plain_text(body.split(":<br/>", 1)[0])
    poi = attr(loc, ".", "poiname")
    lat, lon = _float(attr(loc, ".", "x")), _float(attr(loc, ".", "y"))
    coord = _COORD.search(get_str(raw, "Url"))
    if loc is None and coord is not None:
        lat, lon = _float(coord.group(1)), _float(coord.group(2))
    return LocationPayload(
        name=poi if poi and poi != "[位置]" else label,
        address=label,
        latitude=lat,
        longitude=lon,
        accuracy=_float(attr(loc, ".", "scale")),
    )


def is_room_invitation(raw: RawMessage) -> bool:
    """True for a big-room invitation card (AppMsgType 5 with the invitation title, zh or en)."""
    if wire_type(raw) != 49:
        return False
    _, body = sender_and_body(raw)
    if app_type(raw, body) != 5:
        return False
    title = appmsg_title(body) or plain_text(get_str(raw, "FileName"))
    return title.strip() in _INVITATION_TITLES


def parse_room_invitation(raw: RawMessage) -> RoomInvitationPayload:
    """A room invitation card; ``topic`` comes from the description text.

    ``inviter_id`` is the sender of the card (its display name is only in the text);
    ``invitation`` is the card's URL. ``member_count``/``member_ids`` are unknown on the web.

    Raises:
        ProtocolError: the message is not a room invitation.
    """
    if not is_room_invitation(raw):
        raise ProtocolError("not a room invitation message", raw)
    _, body = sender_and_body(raw)
    app = _appmsg(parse_xml(body))
    des = child_text(app, "des") or plain_text(get_str(raw, "MMAppMsgDesc"))
    topic = ""
    for pattern in _INVITATION_DES:
        match = pattern.match(des.strip())
        if match is not None:
            topic = match.group("topic").strip()
            break
    return RoomInvitationPayload(
        id=get_str(raw, "MsgId"),
        inviter_id=get_str(raw, "FromUserName"),
        topic=topic,
        avatar=child_text(app, "thumburl"),
        invitation=child_text(app, "url") or unescape_once(get_str(raw, "Url")),
        receiver_id=get_str(raw, "ToUserName"),
        timestamp=float(get_int(raw, "CreateTime")),
    )


def parse_contact_card(raw: RawMessage) -> str:
    """The contact id a card (MsgType 42) shares: ``RecommendInfo.UserName``, else the XML's.

    Raises:
        ProtocolError: the message is not a card, or names nobody.
    """
    if wire_type(raw) != 42:
        raise ProtocolError(f"not a contact card (MsgType {wire_type(raw)})", raw)
    info = raw.get("RecommendInfo")
    ident = get_str(info if isinstance(info, dict) else None, "UserName")
    if not ident:
        _, body = sender_and_body(raw)
        ident = get_str(raw, "MMUserName") or attr(parse_xml(body), ".", "username")
    if not ident:
        raise ProtocolError("contact card without a user name", raw)
    return ident
