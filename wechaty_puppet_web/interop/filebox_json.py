"""Wechaty's serialised FileBox (JSON) to and from our :class:`~wechaty_puppet_web.FileBox`.

The two FileBox classes of the ecosystem write the same JSON with different keys: TypeScript
``file-box`` 1.x uses ``type`` (and ``url`` for links), python-wechaty uses ``boxType`` (and
``remoteUrl``). Type numbers are shared: BASE64 1, URL 2, QRCODE 3, UUID 7 (bytes uploaded
beforehand through the service's ``Upload`` stream). What we write carries both keys, so either
client reads it; what we read may use either.
"""

from __future__ import annotations

import binascii
import io
import json
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp

from ..errors import FileBoxError
from ..filebox import FileBox

__all__ = [
    "BASE64", "QRCODE", "URL", "UUID", "fetch_url", "filebox_from_json", "filebox_to_json"
]  # fmt: skip

BASE64, URL, QRCODE, UUID = 1, 2, 3, 7
MAX_FETCH = 25 * 1024 * 1024  # the largest file web WeChat sends

UuidResolver = Callable[[str], Awaitable[bytes]]
UrlFetcher = Callable[[str], Awaitable[bytes]]


async def filebox_to_json(box: FileBox) -> str:
    """Serialise ``box`` as a BASE64 FileBox that both Wechaty FileBox classes read."""
    data = await box.read()
    obj = {
        "type": BASE64,
        "boxType": BASE64,
        "name": box.name,
        "base64": binascii.b2a_base64(data, newline=False).decode("ascii"),
        "size": len(data),
        "mimeType": box.mimetype,
        "metadata": {},
    }
    return json.dumps(obj, ensure_ascii=False)


async def filebox_from_json(
    text: str,
    *,
    resolve_uuid: UuidResolver | None = None,
    fetch_url: UrlFetcher | None = None,
) -> FileBox:
    """Read a serialised FileBox.

    Raises:
        FileBoxError: not JSON, an unknown type, bad base64, an unknown upload id, or a URL that
            could not be fetched.
    """
    try:
        obj = json.loads(text)
    except (TypeError, ValueError) as exc:
        raise FileBoxError(f"a FileBox must be JSON: {exc}") from None
    if not isinstance(obj, dict):
        raise FileBoxError("a FileBox must be a JSON object")
    kind = obj.get("type") or obj.get("boxType")
    name = str(obj.get("name") or "file")
    if kind == BASE64:
        return _from_base64(obj.get("base64"), name)
    if kind == QRCODE:
        return FileBox.from_bytes(
            _qr_png(str(obj.get("qrCode") or "")), _png_name(name), "image/png"
        )
    if kind == URL:
        url = str(obj.get("url") or obj.get("remoteUrl") or "")
        if not url.startswith(("http://", "https://")) or fetch_url is None:
            raise FileBoxError(f"cannot fetch a FileBox URL: {url[:200]!r}")
        return FileBox.from_bytes(await fetch_url(url), name)
    if kind == UUID:
        uuid = str(obj.get("uuid") or "")
        if resolve_uuid is None:
            raise FileBoxError("an upload id (UUID FileBox) needs the Puppet Service")
        return FileBox.from_bytes(await resolve_uuid(uuid), name)
    raise FileBoxError(f"unsupported FileBox type {kind!r} (BASE64, URL, QRCODE and UUID are)")


def _from_base64(value: Any, name: str) -> FileBox:
    if not isinstance(value, str):
        raise FileBoxError("a BASE64 FileBox has no base64 text")
    if "," in value[:100] and value.startswith("data:"):
        value = value.split(",", 1)[1]  # a data: URL
    try:
        data = binascii.a2b_base64(value.encode("ascii"), strict_mode=False)
    except (binascii.Error, UnicodeEncodeError) as exc:
        raise FileBoxError(f"bad base64 in a FileBox: {exc}") from None
    return FileBox.from_bytes(data, name)


def _png_name(name: str) -> str:
    return name if name.lower().endswith(".png") else "qrcode.png"


def _qr_png(text: str) -> bytes:
    if not text:
        raise FileBoxError("a QRCODE FileBox has no text")
    import qrcode  # a dependency already (terminal QR); imported late

    out = io.BytesIO()
    qrcode.make(text).save(out)  # PIL PNG
    return out.getvalue()


async def fetch_url(url: str) -> bytes:
    """GET ``url`` for a URL FileBox (at most 25 MB).

    Raises:
        FileBoxError: the fetch failed or the file is too large.
    """
    timeout = aiohttp.ClientTimeout(total=60)
    try:
        async with aiohttp.ClientSession(timeout=timeout) as session, session.get(url) as resp:
            resp.raise_for_status()
            data = await resp.content.read(MAX_FETCH + 1)
    except (aiohttp.ClientError, TimeoutError) as exc:
        raise FileBoxError(f"cannot fetch the FileBox URL {url[:200]!r}: {exc}") from None
    if len(data) > MAX_FETCH:
        raise FileBoxError(f"the FileBox at {url[:200]!r} is larger than 25 MB")
    return data
