"""Media endpoints: chunked upload, checkupload, every download (images, voice, video, files)."""

from __future__ import annotations

import json
import logging
import re
from typing import TYPE_CHECKING, Any

from aiohttp import BodyPartReader, web
from aiohttp.http_exceptions import HttpProcessingError

from . import samples
from .httpkit import base, error_json, find_session, json_response, parse_cookies, query, read_json
from .model import WorldMessage
from .routing import route
from .wire_msg import encry_file_name

if TYPE_CHECKING:
    from .server import Sandbox
    from .session import Session

_log = logging.getLogger(__name__)
_RANGE = re.compile(r"bytes=(\d*)-(\d*)$")


async def _form(request: web.Request) -> tuple[dict[str, str], bytes]:
    """Multipart fields (text) and the ``filename`` part's bytes."""
    fields: dict[str, str] = {}
    data = b""
    reader = await request.multipart()
    while (part := await reader.next()) is not None:
        if not isinstance(part, BodyPartReader) or part.name is None:
            continue
        if part.name == "filename":
            data = await part.read()
        else:
            fields[part.name] = await part.text()
    return fields, data


def _upload_session(
    sb: Sandbox, request: web.Request, fields: dict[str, str]
) -> tuple[Session | None, dict[str, Any], int]:
    try:
        req = json.loads(fields.get("uploadmediarequest", ""))
    except ValueError:
        return None, {}, 1200
    if not isinstance(req, dict):
        return None, {}, 1200
    s, ret = find_session(sb.sessions, request, req)
    if s is None:
        return None, req, ret
    ticket = fields.get("webwx_data_ticket") or parse_cookies(request).get("webwx_data_ticket")
    if ticket != s.data_ticket:
        return None, req, 1101
    return s, req, 0


@route("webwxuploadmedia", "file")
async def uploadmedia(sb: Sandbox, request: web.Request) -> web.StreamResponse:
    """Multipart upload; 524288-byte chunks are reassembled and only the last answers a MediaId."""
    if not request.content_type.startswith("multipart/"):
        return error_json(1200, MediaId="")
    try:
        fields, data = await _form(request)
    except (ValueError, HttpProcessingError) as exc:
        _log.debug("malformed upload: %s", exc)
        return error_json(1200, MediaId="")
    s, req, ret = _upload_session(sb, request, fields)
    if s is None:
        return error_json(ret, MediaId="")
    chunks, chunk = _int(fields.get("chunks"), 1), _int(fields.get("chunk"), 0)
    key = (s.sid, str(req.get("ClientMediaId", "")), fields.get("id", ""), fields.get("name", ""))
    whole = sb.media.add_chunk(key, chunk, max(chunks, 1), data)
    if whole is None:
        return json_response({"BaseResponse": base()})
    if not whole:
        return error_json(1, MediaId="")
    name = fields.get("name") or "file"
    rec = sb.media.put(whole, name=name, mime=fields.get("type") or "application/octet-stream")
    w, h = samples.image_size(whole)
    return json_response(
        {
            "BaseResponse": base(),
            "MediaId": rec.media_id,
            "StartPos": len(whole),
            "CDNThumbImgHeight": min(h, 100),
            "CDNThumbImgWidth": min(w, 100),
            "EncryFileName": encry_file_name(name),
        }
    )


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


@route("webwxcheckupload", "api", "file")
async def checkupload(sb: Sandbox, request: web.Request) -> web.StreamResponse:
    """Big files: a known MD5 answers its MediaId (skip the upload), else a Signature."""
    body = await read_json(request)
    s, ret = find_session(sb.sessions, request, body) if body is not None else (None, 1200)
    if s is None or body is None:
        return error_json(ret, MediaId="", AESKey="", Signature="", EncryFileName="")
    known = sb.media.by_md5(str(body.get("FileMd5", "")))
    name = str(body.get("FileName", ""))
    return json_response(
        {
            "BaseResponse": base(),
            "MediaId": known.media_id if known else "",
            "AESKey": "",
            "Signature": "sig_" + str(body.get("FileMd5", ""))[:16],
            "EncryFileName": encry_file_name(name),
        }
    )


def _download_session(sb: Sandbox, request: web.Request) -> Session | None:
    s, _ = find_session(sb.sessions, request, None)
    return s


def _visible(sb: Sandbox, msg_id: str) -> WorldMessage | None:
    m = sb.world.find_message(msg_id)
    return m if m is not None and sb.world.bot_sees(m) else None


def _bytes(body: bytes, ctype: str, **headers: str) -> web.Response:
    return web.Response(body=body, headers={"Content-Type": ctype, **headers})


@route("webwxgetmsgimg", "api")
async def getmsgimg(sb: Sandbox, request: web.Request) -> web.StreamResponse:
    """Images: ``type=slave`` thumbnail, ``big`` / none the original (JPEG even for GIF)."""
    if _download_session(sb, request) is None:
        return web.Response(status=401)
    msg_id = query(request).get("msgid", "")
    m = _visible(sb, msg_id)
    if m is None or (m.media is None and m.thumb is None):
        return web.Response(status=404)
    if query(request).get("type") == "slave":
        body = m.thumb if m.thumb is not None else samples.thumbnail(m.media or b"")
    else:
        body = m.media if m.media is not None and m.msg_type in (3, 47) else (m.thumb or b"")
    return _bytes(body, "image/jpeg", **{"Cache-Control": "max-age=604800"})


@route("webwxgetvoice", "api")
async def getvoice(sb: Sandbox, request: web.Request) -> web.StreamResponse:
    """Voice messages as ``audio/mp3``."""
    if _download_session(sb, request) is None:
        return web.Response(status=401)
    m = _visible(sb, query(request).get("msgid", ""))
    if m is None or m.msg_type != 34 or m.media is None:
        return web.Response(status=404)
    return _bytes(m.media, "audio/mp3")


@route("webwxgetvideo", "api")
async def getvideo(sb: Sandbox, request: web.Request) -> web.StreamResponse:
    """Videos; ``Range: bytes=0-`` answers ``206`` with Content-Range, as clients expect."""
    if _download_session(sb, request) is None:
        return web.Response(status=401)
    m = _visible(sb, query(request).get("msgid", ""))
    if m is None or m.msg_type not in (43, 62) or m.media is None:
        return web.Response(status=404)
    data, total = m.media, len(m.media)
    match = _RANGE.match(request.headers.get("Range", "").strip())
    if match is None:
        return _bytes(data, "video/mp4", **{"Accept-Ranges": "bytes"})
    start = int(match.group(1) or 0)
    end = min(int(match.group(2)) if match.group(2) else total - 1, total - 1)
    if start > end:
        return web.Response(status=416, headers={"Content-Range": f"bytes */{total}"})
    return web.Response(
        status=206,
        body=data[start : end + 1],
        headers={
            "Content-Type": "video/mp4",
            "Accept-Ranges": "bytes",
            "Content-Range": f"bytes {start}-{end}/{total}",
        },
    )


@route("webwxgetmedia", "file")
async def getmedia(sb: Sandbox, request: web.Request) -> web.StreamResponse:
    """File attachments by ``mediaid``; needs the ``webwx_data_ticket`` (query or cookie)."""
    # The query copy may arrive unencoded ("+" read as a space); the cookie is also accepted.
    given = query(request).get("webwx_data_ticket", "")
    tickets = {given, given.replace(" ", "+"), parse_cookies(request).get("webwx_data_ticket")}
    if not any(s.data_ticket in tickets for s in sb.sessions.live()):
        return web.Response(status=401)
    media_id = query(request).get("mediaid", "")
    found = _find_media(sb, media_id)
    if found is None:
        return web.Response(status=404)
    data, name = found
    disposition = f"attachment; filename*=UTF-8''{encry_file_name(name)}"
    return _bytes(data, "application/octet-stream", **{"Content-Disposition": disposition})


def _find_media(sb: Sandbox, media_id: str) -> tuple[bytes, str] | None:
    if not media_id:
        return None
    for m in reversed(sb.world.messages):
        if m.media_id == media_id and m.media is not None and sb.world.bot_sees(m):
            return m.media, m.file_name or "file"
    rec = sb.media.get(media_id)
    return (rec.data, rec.name) if rec is not None else None


@route("webwxgeticon", "api")
async def geticon(sb: Sandbox, request: web.Request) -> web.StreamResponse:
    """A contact's avatar (132x132 JPEG); unknown names get a 0-byte answer like the real one."""
    return _avatar(sb, request, 132, {"Cache-Control": "max-age=86400"})


@route("webwxgetheadimg", "api")
async def getheadimg(sb: Sandbox, request: web.Request) -> web.StreamResponse:
    """A room's avatar (139x139 JPEG)."""
    return _avatar(sb, request, 139, {})


def _avatar(sb: Sandbox, request: web.Request, size: int, headers: dict[str, str]) -> web.Response:
    s = _download_session(sb, request)
    if s is None:
        return web.Response(status=401)
    wxid = s.wxid_of(query(request).get("username", ""))
    if wxid is None:
        return _bytes(b"", "image/jpeg")
    return _bytes(samples.avatar(wxid, size), "image/jpeg", **headers)


@route("webwxgetpubliclinkimg", "api")
async def publiclinkimg(sb: Sandbox, request: web.Request) -> web.StreamResponse:
    """The map snapshot of a location message."""
    return _bytes(samples.jpeg(200, 120, "#8ab"), "image/jpeg")
