"""HTTP helpers of the protocol server: host families, bodies, cookies, session lookup."""

from __future__ import annotations

import json
import logging
from email.utils import formatdate
from typing import TYPE_CHECKING, Any

from aiohttp import web
from multidict import CIMultiDict, CIMultiDictProxy

if TYPE_CHECKING:
    from .session import Session, SessionHub

_log = logging.getLogger(__name__)

API_HOSTS = frozenset(
    {
        "wx.qq.com",
        "wx2.qq.com",
        "wx8.qq.com",
        "web.wechat.com",
        "web2.wechat.com",
        "szfilehelper.weixin.qq.com",
    }
)
PAGE_ORIGINS = frozenset(f"https://{h}" for h in API_HOSTS)
_PREFIXES = {"login.": "login", "webpush.": "push", "webpush2.": "push", "file.": "file"}
# Legacy *.weixin.qq.com login/push hosts belong to the wx.qq.com family (confFactory default row).
_LEGACY = {"weixin.qq.com": "wx.qq.com"}


def hostname(request: web.Request) -> str:
    """The Host header's name, lower-case, without a port."""
    host = (request.host or "").lower()
    if host.startswith("["):
        return host.split("]")[0] + "]"
    return host.rsplit(":", 1)[0] if ":" in host else host


def host_kind(name: str) -> str:
    """``api`` / ``login`` / ``push`` / ``file`` / ``res`` / ``support`` / ``other``."""
    if name in API_HOSTS:
        return "api"
    if name == "res.wx.qq.com":
        return "res"
    if name.startswith("support."):
        return "support"
    for prefix, kind in _PREFIXES.items():
        if name.startswith(prefix):
            return kind
    return "other"


def family(name: str) -> str:
    """The API host of a host's family (``webpush.wx2.qq.com`` → ``wx2.qq.com``)."""
    for prefix in _PREFIXES:
        if name.startswith(prefix):
            name = name[len(prefix) :]
            break
    return _LEGACY.get(name, name)


def cookie_domain(api_host: str) -> str:
    """The registrable domain for ``webwx_data_ticket`` (``.qq.com`` / ``.wechat.com``)."""
    return ".wechat.com" if api_host.endswith("wechat.com") else ".qq.com"


_QUERY = web.RequestKey("ci_query", CIMultiDictProxy[str])


def query(request: web.Request) -> CIMultiDictProxy[str]:
    """The query string with names matched case-insensitively, as the real server does.

    Clients rely on it: itchat asks ``webwxgeticon?userName=``, wechat4u ``webwxgetvoice?MsgID=``
    where the official client writes ``username`` / ``msgid``. Every handler reads the query
    through here (never ``request.query``), so no endpoint can be case-sensitive by accident.
    """
    found = request.get(_QUERY)
    if found is None:
        found = CIMultiDictProxy(CIMultiDict(request.query))
        request[_QUERY] = found
    return found


def parse_cookies(request: web.Request) -> dict[str, str]:
    """Cookies, read raw (values like wxsid hold ``+``/``/``/``=`` that must not be unquoted)."""
    out: dict[str, str] = {}
    for header in request.headers.getall("Cookie", []):
        for part in header.split(";"):
            name, sep, value = part.strip().partition("=")
            if len(value) >= 2 and value[0] == value[-1] == '"':
                value = value[1:-1]  # RFC 6265 allows a DQUOTE-wrapped value (aiohttp sends one)
            if sep and name and name not in out:
                out[name] = value
    return out


def set_cookie(
    resp: web.StreamResponse, name: str, value: str, *, domain: str, max_age: int
) -> None:
    """Add a ``Secure`` cookie without quoting its value (the real server does not quote)."""
    expires = formatdate(_now() + max_age, usegmt=True)
    resp.headers.add(
        "Set-Cookie", f"{name}={value}; Domain={domain}; Path=/; Expires={expires}; Secure"
    )


def _now() -> float:
    import time

    return time.time()


def json_response(obj: Any, *, status: int = 200) -> web.Response:
    """JSON the way webwx serves it: ``text/plain`` with UTF-8 (non-ASCII kept as is)."""
    try:
        body = json.dumps(obj, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        # Lone surrogates (hostile input) cannot be UTF-8: send them as JSON \u escapes instead,
        # which is what a JS client would then see.
        body = json.dumps(obj, ensure_ascii=True).encode("ascii")
    return web.Response(status=status, body=body, content_type="text/plain", charset="utf-8")


def js_response(body: str) -> web.Response:
    """A JS-assignment body (jslogin, login poll, synccheck)."""
    return web.Response(text=body, content_type="text/javascript", charset="utf-8")


def base(ret: int = 0, err: str = "") -> dict[str, Any]:
    """A ``BaseResponse`` object."""
    return {"Ret": ret, "ErrMsg": err}


def error_json(ret: int, **extra: Any) -> web.Response:
    """An error answer: ``BaseResponse`` with ``ret`` plus endpoint-specific empty fields."""
    return json_response({"BaseResponse": base(ret), **extra})


async def read_json(request: web.Request) -> dict[str, Any] | None:
    """The JSON body, or None when it is not a JSON object (the caller answers Ret 1200).

    Raises:
        web.HTTPRequestEntityTooLarge: the body is over the server's limit.
    """
    try:
        raw = await request.read()
        data = json.loads(raw.decode("utf-8")) if raw else {}
    except (ValueError, UnicodeDecodeError):
        return None
    return data if isinstance(data, dict) else None


def find_session(
    hub: SessionHub, request: web.Request, body: dict[str, Any] | None
) -> tuple[Session | None, int]:
    """The session a request belongs to, or ``(None, ret)`` with 1100/1101 (§7, §9 rule 5).

    Credentials come from ``BaseRequest`` (POST), then the query (``sid``/``skey``), then cookies.
    An empty ``Skey`` is accepted (itchat-uos 1.4.1, cookie-path webwxinit).
    """
    cookies = parse_cookies(request)
    br = body.get("BaseRequest") if body is not None else None
    if body is not None and not isinstance(br, dict):
        return None, 1101
    br = br or {}
    sid = str(br.get("Sid") or query(request).get("sid") or cookies.get("wxsid") or "")
    s = hub.get(sid)
    if s is None:
        return None, 1101
    if not s.alive:
        return None, s.dead
    skey = str(br.get("Skey") or query(request).get("skey") or "")
    if skey and skey != s.skey:
        return None, 1101
    uin = br.get("Uin") or query(request).get("uin") or ""
    if uin and str(uin) != str(s.uin):
        return None, 1101
    return s, 0


def cors_headers(request: web.Request) -> dict[str, str]:
    """CORS headers for a cross-origin call from the web page (file host uploads and downloads)."""
    origin = request.headers.get("Origin", "")
    if origin not in PAGE_ORIGINS:
        return {}
    return {
        "Access-Control-Allow-Origin": origin,
        "Access-Control-Allow-Credentials": "true",
        "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
        "Access-Control-Allow-Headers": request.headers.get(
            "Access-Control-Request-Headers", "Content-Type"
        ),
        "Access-Control-Max-Age": "600",
        "Vary": "Origin",
    }
