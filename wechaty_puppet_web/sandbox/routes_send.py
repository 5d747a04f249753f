# ruff: noqa: RUF001 - verbatim Chinese strings use full-width punctuation
"""Sending endpoints: text, image, video, app (file), emoticon, revoke; sends reach the world."""

from __future__ import annotations

import hashlib
import json
import re
import time
from typing import TYPE_CHECKING, Any

from aiohttp import web

from .httpkit import base, error_json, find_session, json_response, read_json
from .model import WorldMessage
from .routing import route
from .textfmt import plain

if TYPE_CHECKING:
    from .server import Sandbox
    from .session import Session

REVOKE_WINDOW = 120
INTRODUCTION = "你可以撤回2分钟内发送的消息（部分旧版本微信不支持这个功能）。"
_TAG = r"<{0}>(.*?)</{0}>"


def _tag(xml: str, name: str) -> str:
    m = re.search(_TAG.format(name), xml, re.S)
    return m.group(1) if m else ""


def _fail(ret: int) -> web.Response:
    return error_json(ret, MsgID="", LocalID="")


async def _msg_request(
    sb: Sandbox, request: web.Request
) -> tuple[Session | None, dict[str, Any], str, int]:
    """(session, Msg, peer wxid, ret): checks BaseRequest, FromUserName = self, the peer."""
    body = await read_json(request)
    if body is None:
        return None, {}, "", 1200
    s, ret = find_session(sb.sessions, request, body)
    if s is None:
        return None, {}, "", ret
    msg = body.get("Msg")
    if not isinstance(msg, dict):
        return None, {}, "", 1200
    me = s.username(sb.world.bot.wxid)
    if msg.get("FromUserName") not in (me, "", None):
        return None, msg, "", -1
    to = str(msg.get("ToUserName", ""))
    if to == me:  # sending to one's own 64-hex UserName (protocol doc §3.9)
        return None, msg, "", 1204
    peer = s.wxid_of(to)
    if peer is None or sb.world.get(peer) is None:
        return None, msg, "", -1
    return s, msg, peer, 0


async def _new_send(
    sb: Sandbox, request: web.Request
) -> tuple[Session, dict[str, Any], str] | web.Response:
    """(session, Msg, peer) of a send to perform, or the answer to give at once: an error, or
    the first answer again for a retried ClientMsgId."""
    s, msg, peer, ret = await _msg_request(sb, request)
    if s is None:
        return _fail(ret)
    again = _replay(s, sb, msg)
    if again is not None:
        return _ok(again, msg.get("LocalID"))
    if sb.send_limit is not None and not sb.send_limit.allow():
        return _fail(1205)  # the realistic profile's "频率拦截"
    return s, msg, peer


def _ok(msg: WorldMessage, local_id: Any) -> web.Response:
    return json_response({"BaseResponse": base(), "MsgID": msg.id, "LocalID": str(local_id or "")})


def _send_key(msg: dict[str, Any]) -> tuple[str, str, str] | None:
    """What makes a send the *same* send: ClientMsgId, receiver and content.

    A ClientMsgId alone is not unique: wechat4u makes it from ``Date.now() * 1000``, so sends
    to three friends in one millisecond share it. Only the same request again is a retry (the
    sender is the session's own account).
    """
    cid = str(msg.get("ClientMsgId") or msg.get("LocalID") or "")
    if not cid:
        return None
    content = json.dumps(
        [msg.get(k) for k in ("Type", "Content", "MediaId", "EMoticonMd5")], ensure_ascii=False
    )
    return (
        cid,
        str(msg.get("ToUserName", "")),
        hashlib.sha1(content.encode("utf-8", "surrogatepass")).hexdigest(),
    )


def _replay(s: Session, sb: Sandbox, msg: dict[str, Any]) -> WorldMessage | None:
    """A retried send (the same request again) gets the first answer instead of a duplicate."""
    key = _send_key(msg)
    mid = s.sent.get(key) if key is not None else None
    return sb.world.find_message(mid) if mid is not None else None


def _remember(s: Session, msg: dict[str, Any], sent: WorldMessage) -> WorldMessage:
    key = _send_key(msg)
    if key is not None:
        s.sent[key] = sent.msg_id
        sent.client_msg_id = key[0]
    return sent


def _by_client_id(sb: Sandbox, s: Session, cid: str, to: str) -> WorldMessage | None:
    """The bot's message sent in this session with ``cid`` (to ``to`` when several share it)."""
    for (c, peer, _), mid in reversed(s.sent.items()):
        if c == cid and (not to or peer == to):
            return sb.world.find_message(mid)
    return None


def _mentions(s: Session, source: Any) -> tuple[str, ...]:
    names = _tag(str(source or ""), "atusername")
    return tuple(w for w in (s.wxid_of(n) for n in names.split(",") if n) if w)


@route("webwxsendmsg", "api")
async def sendmsg(sb: Sandbox, request: web.Request) -> web.StreamResponse:
    """Text (Type 1) or a forwarded location (Type 48)."""
    got = await _new_send(sb, request)
    if isinstance(got, web.Response):
        return got
    s, msg, peer = got
    content = str(msg.get("Content") or "")
    if msg.get("Type") == 48:
        label = re.search(r'label="([^"]*)"', content)
        sent = sb.world.bot_send(peer, 1, sub_type=48, text=label.group(1) if label else "")
    else:
        sent = sb.world.bot_send(peer, 1, text=content, mentions=_mentions(s, msg.get("MsgSource")))
    return _ok(_remember(s, msg, sent), msg.get("LocalID"))


def _media(sb: Sandbox, media_id: str) -> tuple[bytes, str, str] | None:
    stored = sb.media.get(media_id)
    return (stored.data, stored.name, stored.mime) if stored is not None else None


@route("webwxsendmsgimg", "api")
async def sendmsgimg(sb: Sandbox, request: web.Request) -> web.StreamResponse:
    """An image by MediaId (from webwxuploadmedia)."""
    return await _send_media(sb, request, 3)


@route("webwxsendvideomsg", "api")
async def sendvideomsg(sb: Sandbox, request: web.Request) -> web.StreamResponse:
    """A video (43, or 62 as the official client sends micro videos)."""
    return await _send_media(sb, request, 43)


async def _send_media(sb: Sandbox, request: web.Request, msg_type: int) -> web.StreamResponse:
    got = await _new_send(sb, request)
    if isinstance(got, web.Response):
        return got
    s, msg, peer = got
    found = _media(sb, str(msg.get("MediaId") or ""))
    if found is None:
        return _fail(1)
    data, _, mime = found
    if msg_type == 43:
        from . import samples

        kind = 62 if msg.get("Type") == 62 else 43
        sent = sb.world.bot_send(
            peer,
            kind,
            media=data,
            media_mime=mime or "video/mp4",
            media_id=str(msg["MediaId"]),
            thumb=samples.thumbnail(data),
            extra={"seconds": 1},
        )
    else:
        sent = sb.world.bot_send(
            peer, 3, media=data, media_mime=mime or "image/jpeg", media_id=str(msg["MediaId"])
        )
    return _ok(_remember(s, msg, sent), msg.get("LocalID"))


@route("webwxsendappmsg", "api")
async def sendappmsg(sb: Sandbox, request: web.Request) -> web.StreamResponse:
    """A file (Type 6 with the appmsg XML, not escaped) or a forwarded app message."""
    got = await _new_send(sb, request)
    if isinstance(got, web.Response):
        return got
    s, msg, peer = got
    xml = str(msg.get("Content") or "")
    app_type = int(msg.get("Type") or 0)
    title = plain(_tag(xml, "title"))
    if app_type == 6:
        found = _media(sb, _tag(xml, "attachid"))
        if found is None:
            return _fail(1)
        sent = sb.world.bot_send(
            peer,
            49,
            app_type=6,
            file_name=title,
            media=found[0],
            media_id=_tag(xml, "attachid"),
            media_mime=found[2],
        )
    else:
        sent = sb.world.bot_send(
            peer,
            49,
            app_type=app_type,
            file_name=title,
            xml=xml,
            url=plain(_tag(xml, "url")),
            extra={"des": plain(_tag(xml, "des"))},
        )
    return _ok(_remember(s, msg, sent), msg.get("LocalID"))


@route("webwxsendemoticon", "api")
async def sendemoticon(sb: Sandbox, request: web.Request) -> web.StreamResponse:
    """A sticker by MediaId (uploaded GIF) or by EMoticonMd5 (one seen before)."""
    got = await _new_send(sb, request)
    if isinstance(got, web.Response):
        return got
    s, msg, peer = got
    data: bytes | None = None
    if msg.get("MediaId"):
        found = _media(sb, str(msg["MediaId"]))
        data = found[0] if found is not None else None
    elif msg.get("EMoticonMd5"):
        data = _by_md5(sb, str(msg["EMoticonMd5"]))
    if data is None:
        return _fail(1)
    sent = sb.world.bot_send(
        peer, 47, media=data, media_mime="image/gif", extra={"md5": hashlib.md5(data).hexdigest()}
    )
    return _ok(_remember(s, msg, sent), msg.get("LocalID"))


def _by_md5(sb: Sandbox, md5: str) -> bytes | None:
    for m in reversed(sb.world.messages):
        if m.msg_type == 47 and m.extra.get("md5") == md5 and m.media is not None:
            return m.media
    stored = sb.media.by_md5(md5)
    return stored.data if stored is not None else None


@route("webwxrevokemsg", "api")
async def revokemsg(sb: Sandbox, request: web.Request) -> web.StreamResponse:
    """Recall one of the bot's messages younger than 2 minutes; the peer gets a 10002."""
    body = await read_json(request)
    s, ret = find_session(sb.sessions, request, body) if body is not None else (None, 1200)
    if s is None or body is None:
        return error_json(ret, Introduction="", SysWording="")
    target = sb.world.find_message(str(body.get("SvrMsgId") or "0"))
    if target is None:
        cid, to = str(body.get("ClientMsgId") or ""), str(body.get("ToUserName") or "")
        target = _by_client_id(sb, s, cid, to) if cid else None
    too_old = target is not None and time.time() - target.create_time > REVOKE_WINDOW
    if target is None or target.sender != sb.world.bot.wxid or too_old or target.recalled:
        return json_response(
            {
                "BaseResponse": base(-1),
                "Introduction": INTRODUCTION,
                "SysWording": "已超过2分钟，无法撤回" if too_old else "",
            }
        )
    sb.world.recall(target)
    return json_response({"BaseResponse": base(), "Introduction": INTRODUCTION, "SysWording": ""})
