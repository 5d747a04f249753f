"""Session endpoints: webwxinit, statusnotify, getcontact, batchgetcontact, synccheck, webwxsync."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from aiohttp import web

from .httpkit import (
    base,
    error_json,
    family,
    find_session,
    hostname,
    js_response,
    json_response,
    parse_cookies,
    query,
    read_json,
    set_cookie,
)
from .model import Contact, Room, WorldMessage
from .routing import FAULT, route
from .wire import any_json, contact_json, mod_contact_json, profile_json, room_json, user_json
from .wire_msg import message_json, status_notify_json

if TYPE_CHECKING:
    from .server import Sandbox
    from .session import LogEntry, Session

INIT_CHATS = 10


async def _auth(sb: Sandbox, request: web.Request) -> tuple[Session | None, dict[str, Any], int]:
    body = await read_json(request)
    if body is None:
        return None, {}, 1200
    s, ret = find_session(sb.sessions, request, body)
    return s, body, ret


def init_chat_ids(sb: Sandbox) -> list[str]:
    """The recent conversations webwxinit lists: filehelper, a few rooms, friends, an official."""
    w = sb.world
    ids = ["filehelper"] if w.get("filehelper") else []
    ids += [r.room_id for r in w.bot_rooms()[:3]]
    ids += [c.wxid for c in w.friends[: INIT_CHATS - len(ids) - 1]]
    ids += [c.wxid for c in w.officials[:1]]
    return ids


@route("webwxinit", "api")
async def webwxinit(sb: Sandbox, request: web.Request) -> web.StreamResponse:
    """The session bootstrap (§3.2): User, recent chats, SyncKey, ChatSet."""
    s, _, ret = await _auth(sb, request)
    if s is None:
        return error_json(ret)
    s.inited = True
    chats = [obj for obj in (sb.world.get(i) for i in init_chat_ids(sb)) if obj is not None]
    contact_list = [_init_contact(s, obj) for obj in chats]
    chat_set = ",".join(c["UserName"] for c in contact_list) + ","
    return json_response(
        {
            "BaseResponse": base(),
            "Count": len(contact_list),
            "ContactList": contact_list,
            "SyncKey": s.sync_key(s.acked, full=False),
            "User": user_json(s),
            "ChatSet": chat_set,
            "SKey": s.skey,
            "ClientVersion": 385876258,
            "SystemTime": int(time.time()),
            "GrayScale": 1,
            "InviteStartCount": 40,
            "MPSubscribeMsgCount": 0,
            "MPSubscribeMsgList": [],
            "ClickReportInterval": 600000,
        }
    )


def _init_contact(s: Session, obj: Contact | Room) -> dict[str, Any]:
    # init lists rooms with members whose NickName is empty; batchgetcontact fills them.
    if isinstance(obj, Room):
        return room_json(s, obj, members=True, with_nick=False)
    return contact_json(s, obj)


@route("webwxstatusnotify", "api")
async def statusnotify(sb: Sandbox, request: web.Request) -> web.StreamResponse:
    """Code 3 (inited) queues the MsgType 51 chat-list message with the real ids."""
    s, body, ret = await _auth(sb, request)
    if s is None:
        return error_json(ret, MsgID="")
    msg_id = sb.world._ids.next()
    if body.get("Code") == 3:
        s.push("raw", status_notify_json(s, msg_id, init_chat_ids(sb), int(time.time())))
    return json_response({"BaseResponse": base(), "MsgID": str(msg_id)})


def address_book(sb: Sandbox) -> list[Contact | Room]:
    """What getcontact lists: friends, officials, specials and saved rooms (not strangers)."""
    w = sb.world
    people: list[Contact | Room] = [c for c in w.contacts if c.friend]
    return people + [r for r in w.rooms if r.saved and w.bot.wxid in r.members]


@route("webwxgetcontact", "api")
async def getcontact(sb: Sandbox, request: web.Request) -> web.StreamResponse:
    """The address book, paged: repeat with the returned ``Seq`` until it is 0."""
    body = await read_json(request) if request.method == "POST" else None
    s, ret = find_session(sb.sessions, request, body if body else None)
    if s is None:
        return error_json(ret, MemberCount=0, MemberList=[], Seq=0)
    try:
        start = max(0, int(query(request).get("seq", "0")))
    except ValueError:
        start = 0
    book = address_book(sb)
    page = book[start : start + sb.contact_page_size]
    end = start + len(page)
    members = [any_json(s, obj, members=False) for obj in page]
    return json_response(
        {
            "BaseResponse": base(),
            "MemberCount": len(members),
            "MemberList": members,
            "Seq": end if end < len(book) else 0,
        }
    )


@route("webwxbatchgetcontact", "api")
async def batchgetcontact(sb: Sandbox, request: web.Request) -> web.StreamResponse:
    """Rooms with full member lists and EncryChatRoomId; users and room members in full."""
    s, body, ret = await _auth(sb, request)
    if s is None:
        return error_json(ret, Count=0, ContactList=[])
    out: list[dict[str, Any]] = []
    items = body.get("List")
    for item in items if isinstance(items, list) else []:
        wxid = s.wxid_of(str(item.get("UserName", ""))) if isinstance(item, dict) else None
        obj = sb.world.get(wxid) if wxid else None
        if isinstance(obj, Room):
            out.append(room_json(s, obj, members=True, encry=True))
        elif obj is not None:
            out.append(contact_json(s, obj))
    return json_response({"BaseResponse": base(), "Count": len(out), "ContactList": out})


def _synccheck_body(retcode: int | str, selector: int | str) -> web.Response:
    resp = js_response(f'window.synccheck={{retcode:"{retcode}",selector:"{selector}"}}')
    resp.headers["Access-Control-Allow-Origin"] = "*"
    return resp


def parse_synckey(text: str) -> list[tuple[int, int]]:
    """``1_698325105|2_698325111|…`` → pairs (junk ignored)."""
    pairs: list[tuple[int, int]] = []
    for part in text.split("|"):
        key, _, val = part.partition("_")
        if key.isdigit() and val.isdigit():
            pairs.append((int(key), int(val)))
    return pairs


@route("synccheck", "push")
async def synccheck(sb: Sandbox, request: web.Request) -> web.StreamResponse:
    """The long poll on the push host: 1102 without cookies, 1101/1100 for dead sessions."""
    fault = request.get(FAULT)
    if fault is not None and fault.retcode is not None:
        return _synccheck_body(fault.retcode, 0)
    cookies = parse_cookies(request)
    if not cookies.get("wxsid") or not cookies.get("wxuin"):
        return _synccheck_body(1102, 0)
    s = sb.sessions.get(query(request).get("sid") or cookies["wxsid"])
    if s is None or cookies["wxsid"] != s.sid:
        return _synccheck_body(1101, 0)
    if not s.alive:
        return _synccheck_body(s.dead, 0)
    skey = query(request).get("skey", "")
    if (skey and skey != s.skey) or query(request).get("uin", str(s.uin)) != str(s.uin):
        return _synccheck_body(1101, 0)
    if family(hostname(request)) != s.api_host:
        return _synccheck_body(1100, 0)
    pos = s.position_of(parse_synckey(query(request).get("synckey", "")))
    selector = await s.wait(pos, sb.synccheck_hold)
    if not s.alive:
        return _synccheck_body(s.dead, 0)
    return _synccheck_body(0, selector)


@route("webwxsync", "api")
async def webwxsync(sb: Sandbox, request: web.Request) -> web.StreamResponse:
    """New messages and contact changes after the client's SyncKey (§4.2)."""
    s, body, ret = await _auth(sb, request)
    if s is None:
        return error_json(ret, AddMsgCount=0, AddMsgList=[], SyncKey={"Count": 0, "List": []})
    sync_key = body.get("SyncKey")
    pairs = _pairs(sync_key.get("List") if isinstance(sync_key, dict) else None)
    pos = s.position_of(pairs)
    s.ack(pos)
    pending = s.pending(pos)
    batch = pending[: s.sync_batch]
    new_pos = batch[-1].seq if batch else pos
    payload = render_batch(s, batch)
    key = s.sync_key(new_pos)
    resp = json_response(
        {
            "BaseResponse": base(),
            **payload,
            "Profile": profile_json(),
            "ContinueFlag": int(len(pending) > len(batch)),
            "SyncKey": key,
            "SKey": "",
            "SyncCheckKey": key,
        }
    )
    set_cookie(resp, "wxloadtime", f"{s.login_time}_expired", domain=s.api_host, max_age=43200)
    return resp


def _pairs(items: Any) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for item in items if isinstance(items, list) else []:
        try:
            out.append((int(item["Key"]), int(item["Val"])))
        except (KeyError, TypeError, ValueError):
            continue
    return out


def render_batch(s: Session, batch: list[LogEntry]) -> dict[str, Any]:
    """AddMsgList / ModContactList / DelContactList of a slice of the sync log."""
    add: list[dict[str, Any]] = []
    mods: dict[str, Any] = {}
    dels: list[dict[str, Any]] = []
    for e in batch:
        if e.kind == "message" and isinstance(e.obj, WorldMessage):
            add.append(message_json(s, e.obj))
            s.last_msg_time = max(s.last_msg_time, e.obj.create_time)
        elif e.kind == "raw":
            add.append(e.obj)
        elif e.kind == "contact":
            obj = s.world.get(e.obj)
            if obj is not None:
                mods[e.obj] = mod_contact_json(s, obj)
        elif e.kind == "raw-contact":
            mods[f"raw-{e.seq}"] = e.obj
        elif e.kind == "delete":
            dels.append({"UserName": s.username(e.obj), "ContactFlag": 0})
    return {
        "AddMsgCount": len(add),
        "AddMsgList": add,
        "ModContactCount": len(mods),
        "ModContactList": list(mods.values()),
        "DelContactCount": len(dels),
        "DelContactList": dels,
        "ModChatRoomMemberCount": 0,
        "ModChatRoomMemberList": [],
    }
