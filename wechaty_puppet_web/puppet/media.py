"""Media in and out: how a file is sent (which MsgType, which upload ``mediatype``), the chunked
upload through the page, and downloads streamed back over the bridge.

The page does the HTTP (``injected_js/media.js``) so cookies, hosts and CORS are the browser's own;
this module decides, chunks, checks answers and writes to disk. Protocol: webwx-protocol.md §6.2
(upload form, 524288-byte chunks), §6.12 (download endpoints).
"""

from __future__ import annotations

import base64
import logging
import os
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, Literal, Protocol, TypeVar
from urllib.parse import unquote
from xml.sax.saxutils import escape

import aiofiles

from ..errors import ProtocolError, PuppetWebError, UploadError
from ..filebox import FileBox, extension_for, guess_mimetype
from ..payloads import UrlLinkPayload

__all__ = [
    "CHUNK_SIZE",
    "MAX_UPLOAD_BYTES",
    "MAX_VIDEO_BYTES",
    "BridgeLike",
    "Download",
    "DownloadKind",
    "SendPlan",
    "download_bytes",
    "download_to_path",
    "filename_from_disposition",
    "plan_send",
    "upload",
    "url_link_xml",
]

_log = logging.getLogger(__name__)
_T = TypeVar("_T")
# How a chunk is run: the puppet's Ret 1205 back-off (``_retry_rate_limited``), or just once.
Retry = Callable[[str, Callable[[], Awaitable[Any]]], Awaitable[Any]]

CHUNK_SIZE = 524288  # the official client's WebUploader chunkSize; the server expects it
MAX_UPLOAD_BYTES = 25 * 1024 * 1024  # above this the web needs webwxcheckupload + AES: refused here
MAX_VIDEO_BYTES = 20 * 1024 * 1024  # the client refuses videos of 20 MB and more; sent as files
_PIC_EXTS = frozenset({"bmp", "png", "jpeg", "jpg"})
_CHUNK_ATTEMPTS = 3  # a chunk lost to a 5xx / dropped connection is re-sent, then we give up
_LOCAL_RET = -1  # the Ret an UploadError carries when the refusal is ours, not the server's

MSG_IMAGE, MSG_VIDEO, MSG_EMOTICON, MSG_APP = 3, 43, 47, 49
APP_URL, APP_ATTACH = 5, 6


class BridgeLike(Protocol):
    """What this module needs from ``browser.bridge.Bridge`` (helper D's)."""

    async def call(
        self, name: str, args: Mapping[str, Any] | None = None, *, timeout: float | None = None
    ) -> Any: ...


@dataclass(frozen=True, slots=True, kw_only=True)
class SendPlan:
    """How one file goes out: the message type, the upload ``mediatype`` and the extension."""

    msg_type: int  # 3 image, 43 video, 47 emoticon (gif), 49 file appmsg
    mediatype: Literal["pic", "video", "doc"]
    file_ext: str


def plan_send(file: FileBox) -> SendPlan:
    """Choose how to send ``file``, the way the official client does (webclient-surface §6.2).

    Raises:
        UploadError: the file is empty or larger than 25 MB (before anything is uploaded).
    """
    size = file.size
    if size == 0:
        raise UploadError("webwxuploadmedia", _LOCAL_RET, f"{file.name!r} is empty")
    if size > MAX_UPLOAD_BYTES:
        raise UploadError(
            "webwxuploadmedia",
            _LOCAL_RET,
            f"{file.name!r} is {size} bytes; web WeChat uploads at most {MAX_UPLOAD_BYTES}",
        )
    ext = file.extension
    if ext in _PIC_EXTS:
        return SendPlan(msg_type=MSG_IMAGE, mediatype="pic", file_ext=ext)
    if ext == "mp4" and size < MAX_VIDEO_BYTES:
        return SendPlan(msg_type=MSG_VIDEO, mediatype="video", file_ext=ext)
    if ext == "gif":
        # Stickers are uploaded as documents and sent by MediaId (protocol §6.6).
        return SendPlan(msg_type=MSG_EMOTICON, mediatype="doc", file_ext=ext)
    return SendPlan(msg_type=MSG_APP, mediatype="doc", file_ext=ext)


def chunk_count(size: int) -> int:
    """How many 524288-byte chunks an upload of ``size`` bytes takes (at least one)."""
    return max(1, -(-size // CHUNK_SIZE))


_last_media_id = 0


def _client_media_id() -> int:
    """``ClientMediaId``: milliseconds like the official client's, but never repeated, because
    the server reassembles chunks by it and two uploads may start in the same millisecond."""
    global _last_media_id
    _last_media_id = max(int(time.time() * 1000), _last_media_id + 1)
    return _last_media_id


@dataclass(frozen=True, slots=True, kw_only=True)
class Uploaded:
    """The server's answer to the final chunk."""

    media_id: str
    encry_file_name: str = ""


async def upload(
    bridge: BridgeLike,
    file: FileBox,
    plan: SendPlan,
    to: str,
    *,
    retry: Retry | None = None,
) -> Uploaded:
    """Upload ``file`` through the page in 524288-byte chunks; return the MediaId.

    ``retry(op, attempt)`` runs each chunk: the puppet's Ret 1205 back-off, as for sends.

    Raises:
        RateLimitedError: Ret 1205 persisted (through ``retry``'s back-off, when given).
        UploadError: the server refused a chunk, a chunk could not be delivered after retries,
            or the last answer carried no MediaId.
    """
    chunks = chunk_count(file.size)
    common: dict[str, Any] = {
        "to": to,
        "name": file.name,
        "type": file.mimetype,
        "size": file.size,
        "md5": file.md5,
        "mediatype": plan.mediatype,
        "chunks": chunks,
        "clientMediaId": _client_media_id(),
    }
    answer: Mapping[str, Any] = {}
    index = 0
    async for block in file.iter_chunks(CHUNK_SIZE):
        args = {**common, "chunk": index, "data": base64.b64encode(block).decode("ascii")}
        answer = await (retry or _once)("webwxuploadmedia", partial(_upload_chunk, bridge, args))
        index += 1
    media_id = str(answer.get("MediaId") or "")
    if not media_id:
        raise UploadError("webwxuploadmedia", _LOCAL_RET, "the last chunk's answer has no MediaId")
    _log.debug("uploaded %s in %d chunk(s)", file.name, chunks)
    return Uploaded(media_id=media_id, encry_file_name=str(answer.get("EncryFileName") or ""))


async def _once(op: str, fn: Callable[[], Awaitable[_T]]) -> _T:
    return await fn()


async def _upload_chunk(bridge: BridgeLike, args: Mapping[str, Any]) -> Mapping[str, Any]:
    for attempt in range(1, _CHUNK_ATTEMPTS + 1):
        try:
            result = await bridge.call("media.uploadChunk", args, timeout=60.0)
        except UploadError as exc:
            # A negative Ret is a transport failure (HTTP status / network); the server's own
            # refusals carry its positive Ret and are final.
            if exc.ret >= 0 or attempt == _CHUNK_ATTEMPTS:
                raise
            _log.warning("upload chunk %s failed (%s), retrying", args["chunk"], exc.err_msg)
            continue
        if not isinstance(result, Mapping):
            raise ProtocolError("media.uploadChunk returned a non-object", result)
        return result
    raise AssertionError("unreachable")  # pragma: no cover


def url_link_xml(link: UrlLinkPayload, *, appid: str = "") -> str:
    """The appmsg XML of a link card (AppMsgType 5), as ``webwxsendappmsg`` takes it."""
    return (
        f"<appmsg appid='{escape(appid)}' sdkver=''>"
        f"<title>{escape(link.title)}</title><des>{escape(link.description)}</des>"
        f"<action>view</action><type>{APP_URL}</type><showtype>0</showtype><content></content>"
        f"<url>{escape(link.url)}</url><lowurl></lowurl>"
        f"<thumburl>{escape(link.thumbnail_url)}</thumburl>"
        "<appattach><totallen>0</totallen><attachid></attachid><fileext></fileext></appattach>"
        "<extinfo></extinfo></appmsg>"
    )


DownloadKind = Literal["image", "video", "voice", "file", "avatar", "url"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Download:
    """What to fetch: a message's media (kind + message id), an avatar (kind + user name), a URL.

    ``raw`` is the message as the puppet stored it: the page falls back on it when the message is
    no longer in its own memory (it holds the download URL of files).
    """

    kind: DownloadKind
    msg_id: str = ""
    image_type: Literal["", "slave", "big"] = ""  # webwxgetmsgimg ``type``: thumbnail / sticker
    user_name: str = ""  # kind "avatar": a contact's or a room's UserName
    url: str = ""  # kind "url": a page-relative or absolute URL
    raw: Mapping[str, Any] | None = None

    def to_args(self) -> dict[str, Any]:
        """The arguments of the page's ``media.download.open``."""
        return {
            "kind": self.kind,
            "msgId": self.msg_id,
            "imageType": self.image_type,
            "userName": self.user_name,
            "url": self.url,
            "raw": dict(self.raw) if self.raw is not None else None,
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class _Opened:
    handle: int
    content_type: str
    filename: str


async def _open(bridge: BridgeLike, what: Download) -> _Opened:
    head = await bridge.call("media.download.open", what.to_args(), timeout=60.0)
    if not isinstance(head, Mapping) or not isinstance(head.get("handle"), int):
        raise ProtocolError("media.download.open returned no handle", head)
    return _Opened(
        handle=head["handle"],
        content_type=str(head.get("contentType") or "").split(";")[0].strip(),
        filename=filename_from_disposition(str(head.get("disposition") or "")),
    )


async def _blocks(bridge: BridgeLike, opened: _Opened) -> AsyncIterator[bytes]:
    """Pull the body over several bridge calls (each ≤ 1 MB of base64) so large files stream."""
    try:
        while True:
            part = await bridge.call("media.download.read", {"handle": opened.handle}, timeout=60.0)
            if not isinstance(part, Mapping):
                raise ProtocolError("media.download.read returned a non-object", part)
            data = str(part.get("data") or "")
            if data:
                yield base64.b64decode(data)
            if part.get("done"):
                return
    finally:
        try:
            await bridge.call("media.download.close", {"handle": opened.handle})
        except PuppetWebError as exc:  # never hide the error that got us here behind this one
            _log.debug("closing download %d failed: %s", opened.handle, exc)


async def download_bytes(bridge: BridgeLike, what: Download, default_name: str) -> FileBox:
    """Fetch ``what`` into memory as a FileBox named by the server, else ``default_name``."""
    opened = await _open(bridge, what)
    parts = [block async for block in _blocks(bridge, opened)]
    data = b"".join(parts)
    name = opened.filename or default_name
    mimetype = _mimetype(name, data[:64], opened.content_type)
    if not opened.filename:
        name = _fit_suffix(name, mimetype)
    return FileBox.from_bytes(data, name, mimetype)


async def download_to_path(
    bridge: BridgeLike, what: Download, path: str | os.PathLike[str], default_name: str
) -> FileBox:
    """Stream ``what`` to ``path`` block by block (aiofiles); return a path-backed FileBox."""
    opened = await _open(bridge, what)
    target = Path(path)
    async with aiofiles.open(target, "wb") as out:
        async for block in _blocks(bridge, opened):
            await out.write(block)
    async with aiofiles.open(target, "rb") as fh:
        head = await fh.read(64)
    name = opened.filename or default_name
    mimetype = _mimetype(name, head, opened.content_type)
    if not opened.filename:
        name = _fit_suffix(name, mimetype)
    return FileBox(name=name, mimetype=mimetype, path=target)


def _fit_suffix(name: str, mimetype: str) -> str:
    """A name we made up gets the extension of what the bytes are (a PNG is not ``.jpg``)."""
    wanted = extension_for("", mimetype)
    stem, dot, ext = name.rpartition(".")
    if not wanted or not dot or ext.lower() == wanted or {ext.lower(), wanted} == {"jpg", "jpeg"}:
        return name
    return f"{stem}.{wanted}"


def _mimetype(name: str, head: bytes, served: str) -> str:
    guessed = guess_mimetype(name, head)
    # The server's own label only helps when neither the name nor the bytes said anything.
    if guessed == "application/octet-stream" and served:
        return served
    return guessed


_DISPOSITION_STAR = re.compile(r"filename\*\s*=\s*([^']*)'[^']*'([^;]+)", re.IGNORECASE)
_DISPOSITION = re.compile(r'filename\s*=\s*"([^"]*)"|filename\s*=\s*([^;]+)', re.IGNORECASE)


def filename_from_disposition(value: str) -> str:
    """The file name in a Content-Disposition header ('' when none); path parts are dropped."""
    star = _DISPOSITION_STAR.search(value)
    if star:
        name = unquote(star.group(2).strip(), encoding=star.group(1) or "utf-8", errors="replace")
    else:
        plain = _DISPOSITION.search(value)
        if not plain:
            return ""
        name = unquote(plain.group(1) if plain.group(1) is not None else plain.group(2).strip())
    # Never let a server-chosen name climb out of the directory it is saved in.
    return name.replace("\\", "/").rsplit("/", 1)[-1].strip()
