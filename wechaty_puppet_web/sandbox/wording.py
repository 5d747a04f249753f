# ruff: noqa: RUF001 - verbatim Chinese strings use full-width punctuation
"""System-line templates (MsgType 10000 / recall texts), verbatim from protocol doc §5.7, zh and en.

Templates take display names (already plain text). Trailing spaces are part of the real strings:
they are where a dropped "$revoke$" link of the underlying template used to be.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

_Fmt = Callable[[dict[str, Any]], str]


def _q(names: Sequence[str]) -> str:
    return "、".join(f'"{n}"' for n in names)


def _plain(names: Sequence[str]) -> str:
    return "、".join(names)


_ZH: dict[str, _Fmt] = {
    "invite_by_you": lambda a: f"你邀请{_q(a['invitees'])}加入了群聊  ",
    "invite_other": lambda a: f'"{a["inviter"]}"邀请{_q(a["invitees"])}加入了群聊',
    "invited_you": lambda a: (
        f'"{a["inviter"]}"邀请你加入了群聊，群聊参与人还有：{_plain(a["others"])}'
    ),
    "invited_you_and": lambda a: f'"{a["inviter"]}"邀请你和{_q(a["others"])}加入了群聊',
    "qr_join_yours": lambda a: f'"{a["who"]}"通过扫描你分享的二维码加入群聊  ',
    "qr_join_other": lambda a: f'"{a["who"]}"通过扫描"{a["sharer"]}"分享的二维码加入群聊',
    "remove_by_you": lambda a: f"你将{_q(a['removees'])}移出了群聊",
    "removed_you": lambda a: f'你被"{a["remover"]}"移出群聊',
    "rename_other": lambda a: f'"{a["changer"]}"修改群名为“{a["topic"]}”',
    "rename_you": lambda a: f"你修改群名为“{a['topic']}”",
    "friend_you_added": lambda a: f"你已添加了{a['name']}，现在可以开始聊天了。",
    "friend_they_added": lambda a: f"{a['name']}刚刚把你添加到通讯录，现在可以开始聊天了。",
    "stranger_warning": lambda a: "如果陌生人主动添加你为朋友，请谨慎核实对方身份。",
    "red_packet_received": lambda a: "收到红包，请在手机上查看",
    "red_packet_sent": lambda a: "发出红包，请在手机上查看",
    "recall_other": lambda a: f'"{a["name"]}" 撤回了一条消息',
    "recall_you": lambda a: "你撤回了一条消息",
    "too_frequent": lambda a: "发送消息过于频繁，可稍后再试。",
}

_EN: dict[str, _Fmt] = {
    "invite_by_you": lambda a: f"You invited {_plain(a['invitees'])} to the group chat.   ",
    "invite_other": lambda a: f'"{a["inviter"]}" invited {_q(a["invitees"])} to the group chat',
    "invited_you": lambda a: (
        f"{a['inviter']} invited you to a group chat with {_plain(a['others'])}"
    ),
    "invited_you_and": lambda a: (
        f"{a['inviter']} invited you and {_plain(a['others'])} to the group chat"
    ),
    "qr_join_yours": lambda a: f'"{a["who"]}" joined group chat via the QR code you shared.  ',
    "qr_join_other": lambda a: (
        f'"{a["who"]}" joined the group chat via the QR Code shared by "{a["sharer"]}".'
    ),
    "remove_by_you": lambda a: f"You removed {_q(a['removees'])} from the group chat",
    "removed_you": lambda a: f'You were removed from the group chat by "{a["remover"]}"',
    "rename_other": lambda a: f'"{a["changer"]}" changed the group name to "{a["topic"]}"',
    "rename_you": lambda a: f'You changed the group name to "{a["topic"]}"',
    "friend_you_added": lambda a: (
        f"You have added {a['name']} as your WeChat contact. Start chatting!"
    ),
    "friend_they_added": lambda a: (
        f"{a['name']} just added you to his/her contacts list. Send a message to him/her now!"
    ),
    "recall_other": lambda a: f'"{a["name"]}" has recalled a message.',
    "recall_you": lambda a: "You recalled a message",
}

LANGS = ("zh", "en")


def render(key: str, args: dict[str, Any], lang: str) -> str:
    """The system line ``key`` in ``lang`` (``zh``/``en``); zh when en has no known wording.

    Raises:
        KeyError: an unknown template key.
    """
    table = _EN if lang.startswith("en") else _ZH
    fmt = table.get(key) or _ZH[key]
    return fmt(args)


def normalize_lang(lang: str | None, default: str = "zh") -> str:
    """``zh_CN``/``en_US``/``zh``/``en`` → ``zh`` or ``en``."""
    if not lang:
        return default
    return "en" if lang.lower().startswith("en") else "zh"


def wire_lang(lang: str) -> str:
    """``zh`` → ``zh_CN``, ``en`` → ``en_US`` (the ``lang`` query / ``mm_lang`` spelling)."""
    return "en_US" if lang == "en" else "zh_CN"
