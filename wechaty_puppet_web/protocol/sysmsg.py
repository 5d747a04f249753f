# ruff: noqa: RUF001, RUF003 - the server's Chinese strings use fullwidth punctuation on purpose
"""System messages (MsgType 10000): one regex table, zh and en (protocol §5.7).

Every pattern has a real example string above it. Patterns run on plain text with trailing
whitespace removed (some server strings end with two or three spaces where a dropped "$revoke$"
link was). Names may start with a space inside their quotes; they come back stripped.
"""

from __future__ import annotations

import enum
import logging
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Final, Literal

from ..payloads import RoomMemberPayload
from .text import plain_text

__all__ = [
    "YOU",
    "FriendConfirmSys",
    "Name",
    "RoomJoinSys",
    "RoomLeaveSys",
    "RoomTopicSys",
    "SysEvent",
    "match_system_message",
    "resolve_names",
]

_log = logging.getLogger(__name__)


class _You(enum.Enum):
    """Sentinel type for "you" (你 / You): the bot itself."""

    YOU = "you"

    def __repr__(self) -> str:
        return "YOU"


YOU: Final = _You.YOU
Name = str | Literal[_You.YOU]


@dataclass(frozen=True, slots=True, kw_only=True)
class RoomJoinSys:
    """Someone joined a room: invited by ``inviter`` or through a QR code shared by ``inviter``."""

    inviter: Name
    invitees: tuple[Name, ...]
    via_qr: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class RoomLeaveSys:
    """``remover`` removed ``removees`` from a room."""

    remover: Name
    removees: tuple[Name, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class RoomTopicSys:
    """``changer`` renamed the room to ``topic``."""

    changer: Name
    topic: str


@dataclass(frozen=True, slots=True, kw_only=True)
class FriendConfirmSys:
    """A friendship with ``name`` was confirmed (either side accepted)."""

    name: str


SysEvent = RoomJoinSys | RoomLeaveSys | RoomTopicSys | FriendConfirmSys

# Longer texts are never system lines of these kinds; refusing them bounds regex work.
_MAX_LEN = 4096
_QUOTED = re.compile(r'"([^"]*)"')
_LIST_SEP = re.compile(r"、|, | and ")
# Raw Content (emoji markup, <br/>, entities) is turned into plain text first; a plain name that
# merely contains "<b>" is left alone.
_MARKUP = re.compile(
    r"<(?:span|/span|img|br)\b|&(?:[a-zA-Z]+|#[0-9]+|#x[0-9a-fA-F]+);", re.IGNORECASE
)


def _name(raw: str) -> str:
    return raw.strip(" \t\r\n\u2005\u3000").strip('"').strip(" \u2005\u3000")


def _names(raw: str) -> tuple[str, ...]:
    """Names from `"A"、"B"` (quoted) or `A、B` (bare, en)."""
    quoted = _QUOTED.findall(raw)
    parts = quoted if quoted else _LIST_SEP.split(raw)
    return tuple(n for n in (_name(p) for p in parts) if n)


_Builder = Callable[[re.Match[str]], SysEvent]


def _join(
    inviter: int | None, invitees: int, *, you_first: bool = False, qr: bool = False
) -> _Builder:
    def build(m: re.Match[str]) -> SysEvent:
        who: Name = YOU if inviter is None else _name(m.group(inviter))
        names: tuple[Name, ...] = _names(m.group(invitees)) if invitees else ()
        if you_first:
            names = (YOU, *names)
        return RoomJoinSys(inviter=who, invitees=names, via_qr=qr)

    return build


def _invited_you(inviter: int) -> _Builder:
    return lambda m: RoomJoinSys(inviter=_name(m.group(inviter)), invitees=(YOU,))


def _leave(remover: int | None, removees: int | None) -> _Builder:
    def build(m: re.Match[str]) -> SysEvent:
        who: Name = YOU if remover is None else _name(m.group(remover))
        names: tuple[Name, ...] = (YOU,) if removees is None else _names(m.group(removees))
        return RoomLeaveSys(remover=who, removees=names)

    return build


def _topic(changer: int | None, topic: int) -> _Builder:
    def build(m: re.Match[str]) -> SysEvent:
        who: Name = YOU if changer is None else _name(m.group(changer))
        return RoomTopicSys(changer=who, topic=m.group(topic))

    return build


def _friend(group: int) -> _Builder:
    return lambda m: FriendConfirmSys(name=_name(m.group(group)))


def _re(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.DOTALL)


# Order matters: specific "you" rows come before the general rows they would also match.
_TABLE: tuple[tuple[re.Pattern[str], _Builder], ...] = (
    # --- room join, zh ---
    # 你邀请"管理员"加入了群聊␠␠
    (_re(r"^你邀请(.+)加入了群聊$"), _join(None, 1)),
    # "X"邀请你加入了群聊，群聊参与人还有：Y  (pattern)
    (_re(r'^"(.+?)"邀请你加入了群聊，群聊参与人还有：.*$'), _invited_you(1)),
    # "X"邀请你和"Y"加入了群聊  (pattern)
    (_re(r'^"(.+?)"邀请你和(.+)加入了群聊$'), _join(1, 2, you_first=True)),
    # "管理员"邀请"宁锐锋"加入了群聊
    (_re(r'^"(.+?)"邀请(.+)加入了群聊$'), _join(1, 2)),
    # "管理员"通过扫描你分享的二维码加入群聊␠␠
    (_re(r'^"(.+?)"通过扫描你分享的二维码加入群聊$'), _join(None, 1, qr=True)),
    # " 桔小秘"通过扫描"李佳芮"分享的二维码加入群聊
    (_re(r'^"(.+?)"通过扫描"(.+?)"分享的二维码加入群聊$'), _join(2, 1, qr=True)),
    # --- room join, en ---
    # You invited 李卓桓.PreAngel、Bruce LEE to the group chat.␠␠␠
    (_re(r"^You invited (.+?) to the group chat\.?$"), _join(None, 1)),
    # X invited you to a group chat with Y  (pattern)
    (_re(r'^"?(.+?)"? invited you to a group chat with .*$'), _invited_you(1)),
    # X invited you and Y to the group chat  (pattern)
    (_re(r'^"?(.+?)"? invited you and (.+?) to the group chat\.?$'), _join(1, 2, you_first=True)),
    # "TJ" invited "李晓云" to the group chat  (also unquoted: 管理员 invited 小桔建群助手 to …)
    (_re(r'^"?(.+?)"? invited (.+?) to the group chat\.?$'), _join(1, 2)),
    # "管理员" joined group chat via the QR code you shared.␠␠
    # "桔小秘" joined the group chat via your shared QR Code.
    (
        _re(
            r'(?i:^"(.+?)" joined (?:the )?group chat via '
            r"(?:the QR code you shared|your shared QR code)\.?$)"
        ),
        _join(None, 1, qr=True),
    ),
    # "宁锐锋" joined the group chat via the QR Code shared by "管理员".
    (
        _re(r'(?i:^"(.+?)" joined (?:the )?group chat via the QR code shared by "(.+?)"\.?$)'),
        _join(2, 1, qr=True),
    ),
    # --- room leave ---
    # 你将"李佳芮"移出了群聊
    (_re(r"^你将(.+)移出了群聊$"), _leave(None, 1)),
    # 你被"李佳芮"移出群聊
    (_re(r'^你被"(.+?)"移出(?:了)?群聊$'), _leave(1, None)),
    # You removed "Bruce LEE" from the group chat
    (_re(r"^You removed (.+?) from the group chat\.?$"), _leave(None, 1)),
    # You were removed from the group chat by "桔小秘"
    (_re(r'^You were removed from the group chat by "?(.+?)"?\.?$'), _leave(1, None)),
    # --- room topic ---
    # 你修改群名为“X”  (pattern)
    (_re(r"^你修改群名为“(.*)”$"), _topic(None, 1)),
    # "李佳芮"修改群名为“dong”
    (_re(r'^"(.+?)"修改群名为“(.*)”$'), _topic(1, 2)),
    # You changed the group name to "X"  (pattern)
    (_re(r'^You changed the group name to "(.*)"\.?$'), _topic(None, 1)),
    # "李卓桓.PreAngel" changed the group name to "ding"
    (_re(r'^"(.+?)" changed the group name to "(.*)"\.?$'), _topic(1, 2)),
    # --- friendship confirmed ---
    # 你已添加了李卓桓，现在可以开始聊天了。
    (_re(r"^你已添加了(.+?)，现在可以开始聊天了。$"), _friend(1)),
    # johnbassserver@gmail.com刚刚把你添加到通讯录，现在可以开始聊天了。
    (_re(r"^(.+?)刚刚把你添加到通讯录，现在可以开始聊天了。$"), _friend(1)),
    # You have added 李卓桓 as your WeChat contact. Start chatting!
    (_re(r"^You have added (.+?) as your WeChat contact\. Start chatting!$"), _friend(1)),
    # johnbassserver@gmail.com just added you to his/her contacts list. Send a message to him/her
    # now!
    (
        _re(r"^(.+?) just added you to his/her contacts list\. Send a message to him/her now!$"),
        _friend(1),
    ),
)


def match_system_message(text: str) -> SysEvent | None:
    """Recognise a room join/leave/topic or friend-confirm system line; None for anything else.

    ``text`` may be plain text or the raw HTML Content (emoji markup, entities): markup is
    turned into plain text first.
    """
    if not isinstance(text, str) or len(text) > _MAX_LEN:
        return None
    if _MARKUP.search(text):
        text = plain_text(text)
    text = text.strip(" \t\r\n\u2005\u3000")
    for pattern, build in _TABLE:
        match = pattern.match(text)
        if match is not None:
            return build(match)
    return None


def _member_index(members: Iterable[RoomMemberPayload]) -> dict[str, str]:
    index: dict[str, str] = {}
    # Names first, then room aliases, so an in-room alias wins over a nickname on a clash.
    for member in members:
        if member.name:
            index.setdefault(member.name.strip(), member.id)
    for member in members:
        if member.room_alias:
            index[member.room_alias.strip()] = member.id
    return index


def resolve_names(
    names: Iterable[Name], members: Sequence[RoomMemberPayload], *, self_id: str
) -> tuple[str, ...]:
    """Map names from a system line to member ids (``YOU`` → ``self_id``).

    A name that matches no member's room alias or name is left out, so a result shorter than
    ``names`` tells the caller to refresh the member list and try again.
    """
    index = _member_index(members)
    ids: list[str] = []
    for name in names:
        ident = self_id if name is YOU else index.get(str(name).strip())
        if ident is None:
            _log.debug("system message name not found among %d members", len(members))
        elif ident not in ids:
            ids.append(ident)
    return tuple(ids)
