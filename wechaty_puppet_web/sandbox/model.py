"""The sandbox world's mutable records: contacts, the bot account, rooms, messages.

These are the world's own state (mutable on purpose: the world changes as tests script it), not
payloads handed to users. Wire shapes are produced from them per session by ``wire.py``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from enum import Enum
from typing import Any


@dataclass(slots=True, kw_only=True, eq=False)
class Contact:
    """A WeChat account as the world knows it (``wxid`` is the stable real id)."""

    wxid: str
    nickname: str
    remark: str = ""
    sex: int = 0
    signature: str = ""
    province: str = ""
    city: str = ""
    alias: str = ""
    friend: bool = True
    verify_flag: int = 0
    star: bool = False
    pinned: bool = False
    muted: bool = False
    head_seq: int = 0
    uin: int = 0

    @property
    def is_official(self) -> bool:
        """Official accounts have the BIZ_BRAND bit (``VerifyFlag & 8``)."""
        return bool(self.verify_flag & 8)

    def to_json(self) -> dict[str, Any]:
        """Plain JSON for world files (defaults left out)."""
        out: dict[str, Any] = {"wxid": self.wxid, "nickname": self.nickname}
        for name in ("remark", "sex", "signature", "province", "city", "alias", "verify_flag"):
            value = getattr(self, name)
            if value:
                out[name] = value
        if not self.friend:
            out["friend"] = False
        return out


@dataclass(slots=True, kw_only=True, eq=False)
class Account(Contact):
    """The bot's own account (the only one with a real ``Uin``).

    ``web_login_closed``: the server refuses this account a plain web login (``ret`` 1203,
    "此微信号已不允许登录网页微信") and only lets the desktop (UOS) disguise in, as it did for
    most accounts from 2018 on.
    """

    web_login_closed: bool = False

    def to_json(self) -> dict[str, Any]:
        """Plain JSON for world files (the flag only when set)."""
        out = Contact.to_json(self)
        if self.web_login_closed:
            out["web_login_closed"] = True
        return out


@dataclass(slots=True, kw_only=True, eq=False)
class Room:
    """A group chat: ``room_id`` is the real ``<digits>@chatroom`` id."""

    room_id: str
    topic: str = ""
    owner: str = ""
    members: list[str] = field(default_factory=list)
    display_names: dict[str, str] = field(default_factory=dict)
    saved: bool = False
    muted: bool = False
    head_seq: int = 0

    @property
    def wxid(self) -> str:
        """Rooms and contacts share one id space."""
        return self.room_id

    def to_json(self) -> dict[str, Any]:
        """Plain JSON for world files."""
        out: dict[str, Any] = {"room_id": self.room_id, "topic": self.topic, "owner": self.owner}
        out["members"] = list(self.members)
        if self.display_names:
            out["display_names"] = dict(self.display_names)
        if self.saved:
            out["saved"] = True
        return out


class Via(Enum):
    """Where a message came from."""

    WORLD = "world"  # another account (scripted by a test)
    WEB = "web"  # the bot's web session (the puppet)
    PHONE = "phone"  # the bot's phone
    SERVER = "server"  # system lines and notices made by the server


@dataclass(slots=True, kw_only=True, eq=False)
class WorldMessage:
    """One message in the world. ``sender``/``to`` are real ids (wxid or ``…@chatroom``).

    For system lines (10000) ``sender`` is the room or friend the line appears in, ``to`` the bot;
    ``sys`` keeps the template key and names so each session renders it in its own language.
    """

    msg_id: int
    sender: str
    to: str
    msg_type: int
    text: str = ""
    create_time: int = field(default_factory=lambda: int(time.time()))
    app_type: int = 0
    sub_type: int = 0
    file_name: str = ""
    url: str = ""
    media: bytes | None = None
    media_mime: str = ""
    media_id: str = ""
    thumb: bytes | None = None
    xml: str = ""
    mentions: tuple[str, ...] = ()
    via: Via = Via.WORLD
    sys: tuple[str, dict[str, Any]] | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    recalled: bool = False
    client_msg_id: str = ""

    @property
    def id(self) -> str:
        """``MsgId`` as the wire carries it (a decimal string)."""
        return str(self.msg_id)

    @property
    def room(self) -> str | None:
        """The room id when the message belongs to a group chat."""
        if self.to.endswith("@chatroom"):
            return self.to
        if self.sender.endswith("@chatroom"):
            return self.sender
        return None
