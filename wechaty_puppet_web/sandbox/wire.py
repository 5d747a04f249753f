"""World records → the wire's JSON shapes (protocol doc §3.6-3.7, §4.2), per session."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from .model import Contact, Room
from .session import Session
from .textfmt import initials, wire_name

API = "/cgi-bin/mmwebwx-bin"

CONTACTFLAG_CONTACT = 0x1
CONTACTFLAG_CHATCONTACT = 0x2
CONTACTFLAG_NOTIFYCLOSE = 0x200
CONTACTFLAG_TOP = 0x800


def contact_flag(c: Contact) -> int:
    """ContactFlag bits of a contact as the bot sees it."""
    if not c.friend:
        return 0
    flag = CONTACTFLAG_CONTACT | CONTACTFLAG_CHATCONTACT
    if c.pinned:
        flag |= CONTACTFLAG_TOP
    if c.muted:
        flag |= CONTACTFLAG_NOTIFYCLOSE
    return flag


def head_img_url(s: Session, wxid: str, seq: int, *, room: bool = False) -> str:
    """The relative avatar URL of a contact or room."""
    name = s.username(wxid)
    if room:
        return f"{API}/webwxgetheadimg?seq=0&username={name}&skey="
    return f"{API}/webwxgeticon?seq={seq}&username={name}&skey={quote(s.skey, safe='@')}"


def _names(c: Contact) -> dict[str, Any]:
    py_i, py_q = initials(c.nickname)
    rp_i, rp_q = initials(c.remark)
    return {
        "NickName": wire_name(c.nickname),
        "RemarkName": wire_name(c.remark) if c.friend else "",
        "PYInitial": py_i,
        "PYQuanPin": py_q,
        "RemarkPYInitial": rp_i if c.friend else "",
        "RemarkPYQuanPin": rp_q if c.friend else "",
    }


def contact_json(s: Session, c: Contact) -> dict[str, Any]:
    """A user / official / special account in the Contact shape (getcontact, batchget, init)."""
    return {
        "Uin": c.uin if c is s.world.bot else 0,
        "UserName": s.username(c.wxid),
        "NickName": wire_name(c.nickname),
        "HeadImgUrl": head_img_url(s, c.wxid, c.head_seq),
        "ContactFlag": contact_flag(c),
        "MemberCount": 0,
        "MemberList": [],
        **{k: v for k, v in _names(c).items() if k != "NickName"},
        "HideInputBarFlag": 0,
        "Sex": c.sex,
        "Signature": wire_name(c.signature),
        "VerifyFlag": c.verify_flag,
        "OwnerUin": 0,
        "StarFriend": int(c.star),
        "AppAccountFlag": 0,
        "Statues": 0,
        "AttrStatus": 0 if c.is_official else 33_656_933 + c.head_seq % 1000,
        "Province": c.province,
        "City": c.city,
        "Alias": c.alias,
        "SnsFlag": 0 if c.is_official else 17,
        "UniFriend": 0,
        "DisplayName": "",
        "ChatRoomId": 0,
        "KeyWord": c.wxid[:3],
        "EncryChatRoomId": "",
        "IsOwner": 0,
    }


def member_json(s: Session, room: Room, wxid: str, *, with_nick: bool = True) -> dict[str, Any]:
    """A room member (§3.7); init lists members with empty NickName, batchget fills them.

    Big rooms make this the hottest path (a batchget of 50 rooms x 500 members), so the dicts are
    cached per session and rebuilt only when the member's names change.
    """
    c = s.world.get(wxid)
    nick = c.nickname if isinstance(c, Contact) else ""
    display = room.display_names.get(wxid, "")
    key = (room.room_id, wxid)
    sig = (nick, display, with_nick)
    hit = s.member_cache.get(key)
    if hit is not None and hit[0] == sig:
        return hit[1]
    py_i, py_q = initials(nick) if with_nick else ("", "")
    out = {
        "Uin": 0,
        "UserName": s.username(wxid),
        "NickName": wire_name(nick) if with_nick else "",
        "AttrStatus": 0 if not isinstance(c, Contact) else 33_656_933 + c.head_seq % 1000,
        "PYInitial": py_i,
        "PYQuanPin": py_q,
        "RemarkPYInitial": "",
        "RemarkPYQuanPin": "",
        "MemberStatus": 0,
        "DisplayName": wire_name(display),
        "KeyWord": wxid[:3] if wxid.startswith(("gh_", "wxid")) else "",
    }
    s.member_cache[key] = (sig, out)
    return out


def room_json(
    s: Session, r: Room, *, members: bool = True, with_nick: bool = True, encry: bool = False
) -> dict[str, Any]:
    """A room in the Contact shape; getcontact lists saved rooms without members."""
    py_i, py_q = initials(r.topic)
    mlist = [member_json(s, r, m, with_nick=with_nick) for m in r.members] if members else []
    return {
        "Uin": 0,
        "UserName": s.username(r.room_id),
        "NickName": wire_name(r.topic),
        "HeadImgUrl": head_img_url(s, r.room_id, r.head_seq, room=True),
        "ContactFlag": (CONTACTFLAG_CONTACT | CONTACTFLAG_CHATCONTACT) if r.saved else 0,
        "MemberCount": len(mlist),
        "MemberList": mlist,
        "RemarkName": "",
        "HideInputBarFlag": 0,
        "Sex": 0,
        "Signature": "",
        "VerifyFlag": 0,
        "OwnerUin": 0,
        "PYInitial": py_i,
        "PYQuanPin": py_q,
        "RemarkPYInitial": "",
        "RemarkPYQuanPin": "",
        "StarFriend": 0,
        "AppAccountFlag": 0,
        "Statues": 0 if r.muted else 1,
        "AttrStatus": 0,
        "Province": "",
        "City": "",
        "Alias": "",
        "SnsFlag": 0,
        "UniFriend": 0,
        "DisplayName": "",
        "ChatRoomId": 0,
        "KeyWord": "",
        "EncryChatRoomId": s.encry_chatroom_id(r.room_id) if encry else "",
        "IsOwner": int(r.owner == s.world.bot.wxid),
    }


def any_json(s: Session, obj: Contact | Room, **kw: Any) -> dict[str, Any]:
    """Contact shape of a contact or a room."""
    return room_json(s, obj, **kw) if isinstance(obj, Room) else contact_json(s, obj)


def user_json(s: Session) -> dict[str, Any]:
    """The ``User`` (self) object of webwxinit."""
    bot = s.world.bot
    base = contact_json(s, bot)
    keep = (
        "Uin",
        "UserName",
        "NickName",
        "HeadImgUrl",
        "RemarkName",
        "PYInitial",
        "PYQuanPin",
        "RemarkPYInitial",
        "RemarkPYQuanPin",
        "HideInputBarFlag",
        "StarFriend",
        "Sex",
        "Signature",
        "AppAccountFlag",
        "VerifyFlag",
        "ContactFlag",
    )
    user = {k: base[k] for k in keep}
    user.update({"ContactFlag": 0, "WebWxPluginSwitch": 0, "HeadImgFlag": 1, "SnsFlag": 17})
    return user


def mod_contact_json(s: Session, obj: Contact | Room) -> dict[str, Any]:
    """The ModContactList shape (§4.2), rooms with their full member list."""
    is_room = isinstance(obj, Room)
    base = any_json(s, obj)
    out = {
        "UserName": base["UserName"],
        "NickName": base["NickName"],
        "Sex": base["Sex"],
        "HeadImgUpdateFlag": 1,
        "ContactType": 0,
        "Alias": base["Alias"],
        "ChatRoomOwner": s.username(obj.owner) if isinstance(obj, Room) and obj.owner else "",
        "HeadImgUrl": base["HeadImgUrl"],
        "ContactFlag": base["ContactFlag"],
        "MemberCount": base["MemberCount"],
        "MemberList": base["MemberList"],
        "HideInputBarFlag": 0,
        "Signature": base["Signature"],
        "VerifyFlag": base["VerifyFlag"],
        "RemarkName": base["RemarkName"],
        "RemarkPYInitial": base["RemarkPYInitial"],
        "RemarkPYQuanPin": base["RemarkPYQuanPin"],
        "Statues": base["Statues"],
        "AttrStatus": base["AttrStatus"],
        "Province": base["Province"],
        "City": base["City"],
        "SnsFlag": base["SnsFlag"],
        "KeyWord": base["KeyWord"],
    }
    if is_room:
        out["ContactFlag"] = out["ContactFlag"] or CONTACTFLAG_CHATCONTACT
    return out


def profile_json() -> dict[str, Any]:
    """The (unchanged) ``Profile`` of webwxsync."""
    empty = {"Buff": ""}
    return {
        "BitFlag": 0,
        "UserName": empty,
        "NickName": dict(empty),
        "BindUin": 0,
        "BindEmail": dict(empty),
        "BindMobile": dict(empty),
        "Status": 0,
        "Sex": 0,
        "PersonalCard": 0,
        "Alias": "",
        "HeadImgUpdateFlag": 0,
        "HeadImgUrl": "",
        "Signature": "",
    }
