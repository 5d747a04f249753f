"""Action endpoints: rooms, friendship (verifyuser), remark/pin (oplog), search, telemetry noise."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from aiohttp import web

from ..errors import SandboxError
from .httpkit import base, error_json, find_session, json_response, query, read_json
from .model import Room
from .routing import route
from .textfmt import plain, wire_name

if TYPE_CHECKING:
    from .server import Sandbox
    from .session import Session

_log = logging.getLogger(__name__)


async def _auth(sb: Sandbox, request: web.Request) -> tuple[Session | None, dict[str, Any], int]:
    body = await read_json(request)
    if body is None:
        return None, {}, 1200
    s, ret = find_session(sb.sessions, request, body)
    return s, body, ret


def _wxids(s: Session, names: Any) -> list[str]:
    """UserNames (a list of ``{"UserName"}`` or a comma-separated string) → known real ids."""
    if isinstance(names, str):
        raw = [n for n in names.split(",") if n]
    elif isinstance(names, list):
        raw = [str(n.get("UserName", "")) for n in names if isinstance(n, dict)]
    else:
        raw = []
    return [w for w in (s.wxid_of(n) for n in raw) if w]


def _members_json(s: Session, room: Room, wxids: list[str]) -> list[dict[str, Any]]:
    out = []
    for wxid in wxids:
        c = s.world.get(wxid)
        nick = wire_name(getattr(c, "nickname", "")) if c is not None else ""
        out.append(
            {
                "Uin": 0,
                "UserName": s.username(wxid),
                "NickName": nick,
                "AttrStatus": 0,
                "PYInitial": "",
                "PYQuanPin": "",
                "RemarkPYInitial": "",
                "RemarkPYQuanPin": "",
                "MemberStatus": 0,
                "DisplayName": "",
                "KeyWord": "",
            }
        )
    return out


@route("webwxcreatechatroom", "api")
async def createchatroom(sb: Sandbox, request: web.Request) -> web.StreamResponse:
    """Create a room with the bot as owner; members get the 10000 invitation lines."""
    s, body, ret = await _auth(sb, request)
    if s is None:
        return error_json(ret, MemberCount=0, MemberList=[], ChatRoomName="")
    members = _wxids(s, body.get("MemberList"))
    if not members:
        return error_json(1, MemberCount=0, MemberList=[], ChatRoomName="")
    topic = plain(str(body.get("Topic") or ""))
    room = sb.world.create_room(sb.world.bot, members, topic)
    return json_response(
        {
            "BaseResponse": base(0, "Everything is OK"),
            "Topic": wire_name(topic),
            "PYInitial": "",
            "QuanPin": "",
            "MemberCount": len(members),
            "MemberList": _members_json(s, room, members),
            "ChatRoomName": s.username(room.room_id),
            "BlackList": "",
        }
    )


@route("webwxupdatechatroom", "api")
async def updatechatroom(sb: Sandbox, request: web.Request) -> web.StreamResponse:
    """``fun`` = addmember / invitemember / delmember / modtopic / quitchatroom."""
    s, body, ret = await _auth(sb, request)
    if s is None:
        return error_json(ret, MemberCount=0, MemberList=[])
    room_id = s.wxid_of(str(body.get("ChatRoomName", "")))
    room = sb.world.get(room_id) if room_id else None
    if not isinstance(room, Room) or sb.world.bot.wxid not in room.members:
        return error_json(1, MemberCount=0, MemberList=[])
    fun = query(request).get("fun", "")
    try:
        changed = _update(sb, s, room, fun, body)
    except SandboxError as exc:
        _log.debug("updatechatroom %s refused: %s", fun, exc)
        return error_json(1, MemberCount=0, MemberList=[])
    return json_response(
        {
            "BaseResponse": base(),
            "MemberCount": len(changed),
            "MemberList": _members_json(s, room, changed),
        }
    )


def _update(sb: Sandbox, s: Session, room: Room, fun: str, body: dict[str, Any]) -> list[str]:
    w, bot = sb.world, sb.world.bot.wxid
    if fun in ("addmember", "invitemember"):
        key = "AddMemberList" if fun == "addmember" else "InviteMemberList"
        who = _wxids(s, body.get(key))
        w.invite(room, bot, who)
        return who
    if fun == "delmember":
        if room.owner != bot:
            raise SandboxError("only the owner can remove members")
        who = _wxids(s, body.get("DelMemberList"))
        w.kick(room, bot, who)
        return who
    if fun == "modtopic":
        w.rename_room(room, bot, plain(str(body.get("NewTopic") or "")))
        return []
    if fun == "quitchatroom":
        w.leave_room(room, bot)
        return []
    raise SandboxError(f"unknown fun {fun!r}")


@route("webwxverifyuser", "api")
async def verifyuser(sb: Sandbox, request: web.Request) -> web.StreamResponse:
    """Opcode 3 accepts a request (needs its ticket), 2 sends one (recorded in the world)."""
    s, body, ret = await _auth(sb, request)
    if s is None:
        return error_json(ret)
    items = body.get("VerifyUserList")
    first = items[0] if isinstance(items, list) and items and isinstance(items[0], dict) else {}
    wxid = s.wxid_of(str(first.get("Value", "")))
    if wxid is None:
        return error_json(1)
    op = body.get("Opcode")
    if op == 3:
        try:
            sb.world.bot_accepts(wxid, str(first.get("VerifyUserTicket") or ""))
        except SandboxError:
            return error_json(1)
    elif op == 2:
        sb.world.outgoing_requests[wxid] = plain(str(body.get("VerifyContent") or ""))
    else:
        return error_json(1)
    return json_response({"BaseResponse": base()})


@route("webwxoplog", "api")
async def oplog(sb: Sandbox, request: web.Request) -> web.StreamResponse:
    """CmdId 2 sets a remark, CmdId 3 pins (OP 1) / unpins (OP 0); omitting RemarkName wipes it."""
    s, body, ret = await _auth(sb, request)
    if s is None:
        return error_json(ret)
    wxid = s.wxid_of(str(body.get("UserName", "")))
    if wxid is None or sb.world.get(wxid) is None:
        return error_json(1)
    cmd = body.get("CmdId")
    remark = plain(str(body.get("RemarkName") or ""))
    if cmd == 2:
        sb.world.set_remark(wxid, remark)
    elif cmd == 3:
        if not isinstance(sb.world.get(wxid), Room):
            sb.world.set_remark(wxid, remark)  # the wechat4u note: a pin without it wipes it
        sb.world.set_pinned(wxid, body.get("OP") == 1)
    else:
        return error_json(1)
    return json_response({"BaseResponse": base()})


@route("webwxsearchcontact", "api")
async def searchcontact(sb: Sandbox, request: web.Request) -> web.StreamResponse:
    """Search friends by nickname / remark / alias."""
    s, body, ret = await _auth(sb, request)
    if s is None:
        return error_json(ret, List=[])
    key = str(body.get("KeyWord") or "")
    hits = [c for c in sb.world.friends if key and key in (c.nickname + c.remark + c.alias)]
    found = [{"EncryUserName": s.username(c.wxid), "NickName": wire_name(c.nickname)} for c in hits]
    return json_response({"BaseResponse": base(), "List": found})


@route("webwxstatreport", "api")
async def statreport(sb: Sandbox, request: web.Request) -> web.StreamResponse:
    """Telemetry: accepted and ignored."""
    await request.read()
    return json_response({"BaseResponse": base()})


@route("webwxcheckurl", "api")
async def checkurl(sb: Sandbox, request: web.Request) -> web.StreamResponse:
    """The link checker: redirects to the URL."""
    target = query(request).get("requrl", "")
    if target.startswith(("http://", "https://")):
        raise web.HTTPFound(target)
    return web.Response(status=400)


@route("webwxsendfeedback", "api")
async def feedback(sb: Sandbox, request: web.Request) -> web.StreamResponse:
    """Feedback form: accepted and ignored."""
    await request.read()
    return json_response({"BaseResponse": base()})
