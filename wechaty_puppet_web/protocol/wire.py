"""Tolerant readers of raw wire fields, shared by :mod:`.parse` and :mod:`.appmsg`.

The page hands over plain JSON, but field types drift (``FileSize`` is a string, ``Uin`` a string
or a number, merged contacts lose falsy fields), so every read converts and defaults.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from .raw import RawMessage
from .text import fix_surrogates

__all__ = [
    "get_int",
    "get_str",
    "is_room_id",
    "sender_and_body",
    "split_room_prefix",
    "wire_type",
]

# The official client's room-prefix regex (surface §5.4): sender id, colon, <br/>.
_ROOM_PREFIX = re.compile(r"^(@[a-zA-Z0-9]+|[a-zA-Z0-9_-]+):<br/>")
_INT = re.compile(r"^\s*-?\d{1,20}\s*$")


def get_str(raw: Mapping[str, object] | None, key: str) -> str:
    """``raw[key]`` as a string: numbers are formatted, anything else is ""."""
    if raw is None:
        return ""
    value = raw.get(key)
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return ""


def get_int(raw: Mapping[str, object] | None, key: str) -> int:
    """``raw[key]`` as an int: digit strings and floats convert, anything else is 0."""
    if raw is None:
        return 0
    value = raw.get(key)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float) and value == value and abs(value) < 2**63:
        return int(value)
    if isinstance(value, str) and _INT.match(value):
        return int(value)
    return 0


def is_room_id(ident: object) -> bool:
    """True for a room id: ``@@…`` (session) or ``…@chatroom`` (a real id leaking through)."""
    return isinstance(ident, str) and (ident.startswith("@@") or ident.endswith("@chatroom"))


def split_room_prefix(content: str) -> tuple[str, str]:
    """Split ``@sender:<br/>rest`` into (sender, rest); ("", content) when there is no prefix."""
    match = _ROOM_PREFIX.match(content)
    if match is None:
        return "", content
    return match.group(1), content[match.end() :]


def sender_and_body(raw: RawMessage) -> tuple[str, str]:
    """(prefix sender, Content without the prefix); the prefix is only read in rooms' messages."""
    content = fix_surrogates(get_str(raw, "Content"))
    if is_room_id(get_str(raw, "FromUserName")):
        return split_room_prefix(content)
    return "", content


def wire_type(raw: RawMessage) -> int:
    """The server's MsgType, undoing the client's rewrites (surface §5.3) when needed.

    ``RawMsgType`` wins when the hook saw it. Otherwise: ``MMIsAppMsg`` means it arrived as 49;
    a type-1 ``_noSupportMsg`` placeholder was a store sticker (47, ``HasProductId``) or an app
    message (49, ``AppMsgType`` set); anything else keeps its ``MsgType``.
    """
    raw_type = raw.get("RawMsgType")
    if isinstance(raw_type, int) and not isinstance(raw_type, bool):
        return raw_type
    msg_type = get_int(raw, "MsgType")
    if raw.get("MMIsAppMsg") is True:
        return 49
    if msg_type == 1 and raw.get("_noSupportMsg") is True:
        if get_int(raw, "HasProductId"):
            return 47
        if get_int(raw, "AppMsgType"):
            return 49
    return msg_type
