# ruff: noqa: RUF001 - verbatim Chinese strings use full-width punctuation
"""Login endpoints: jslogin, the QR image, the login poll, webwxnewloginpage, push login, logout."""

from __future__ import annotations

import base64
import functools
import io
import logging
from typing import TYPE_CHECKING

import qrcode
from aiohttp import web

from . import samples
from .httpkit import (
    cookie_domain,
    find_session,
    host_kind,
    hostname,
    js_response,
    json_response,
    parse_cookies,
    query,
    set_cookie,
)
from .login import LoginTicket, QrState
from .routing import FAULT, route
from .wording import wire_lang

if TYPE_CHECKING:
    from .server import Sandbox
    from .session import Session

_log = logging.getLogger(__name__)

QR_CONTENT = "https://login.weixin.qq.com/l/{uuid}"
MSG_1203 = (
    "为了你的帐号安全，此微信号已不允许登录网页微信。你可以使用Windows微信或Mac微信在电脑端登录。"
    "Windows微信下载地址：https://pc.weixin.qq.com  Mac微信下载地址：https://mac.weixin.qq.com"
)
HOUR = 3600


@route("jslogin", "login", "api")
async def jslogin(sb: Sandbox, request: web.Request) -> web.StreamResponse:
    """``window.QRLogin.code = 200; window.QRLogin.uuid = "…";`` (GET or POST)."""
    lang = query(request).get("lang") or wire_lang(sb.lang)
    ticket = sb.logins.new(lang=lang)
    return js_response(f'window.QRLogin.code = 200; window.QRLogin.uuid = "{ticket.uuid}";')


@functools.lru_cache(maxsize=64)
def qr_jpeg(uuid: str) -> bytes:
    """The QR code image (JPEG) whose content is ``https://login.weixin.qq.com/l/<uuid>``."""
    img = qrcode.make(QR_CONTENT.format(uuid=uuid), box_size=8, border=2)
    out = io.BytesIO()
    img.get_image().convert("RGB").save(out, "JPEG", quality=90)
    return out.getvalue()


@route("qrcode", "login")
async def qrcode_image(sb: Sandbox, request: web.Request) -> web.StreamResponse:
    """``/qrcode/<uuid>`` → ``image/jpeg``."""
    uuid = request.path.rsplit("/", 1)[-1]
    if sb.logins.get(uuid) is None:
        return web.Response(status=404)
    return web.Response(body=qr_jpeg(uuid), content_type="image/jpeg")


@route("l", "login")
async def qr_landing(sb: Sandbox, request: web.Request) -> web.StreamResponse:
    """``/l/<uuid>``: what a non-WeChat scanner opens."""
    html = (
        "<!doctype html><meta charset=utf-8><title>微信登录</title><p>请使用微信扫描二维码登录</p>"
    )
    return web.Response(text=html, content_type="text/html", charset="utf-8")


def _redirect_uri(sb: Sandbox, t: LoginTicket) -> str:
    host = t.redirect_host or sb.redirect_host
    return (
        f"https://{host}/cgi-bin/mmwebwx-bin/webwxnewloginpage?ticket={t.ticket}"
        f"&uuid={t.uuid}&lang={t.lang}&scan={t.scan_time}"
    )


@route("login", "login", "api")
async def login_poll(sb: Sandbox, request: web.Request) -> web.StreamResponse:
    """The long poll: 408 / 201 (+avatar) / 200 (+redirect_uri) / 202 / 400 as JS bodies."""
    t = sb.logins.get(query(request).get("uuid", ""))
    if t is None:
        return js_response("window.code=400;")
    state = await t.poll(sb.login_hold)
    if state is QrState.SCANNED:
        avatar = base64.b64encode(samples.avatar(sb.world.bot.wxid)).decode()
        return js_response(f"window.code=201;window.userAvatar = 'data:img/jpg;base64,{avatar}';")
    if state is QrState.CONFIRMED:
        return js_response(f'window.code=200;window.redirect_uri="{_redirect_uri(sb, t)}";')
    return js_response(f"window.code={state.value};")


def _login_xml(s: Session) -> str:
    return (
        f"<error><ret>0</ret><message></message><skey>{s.skey}</skey><wxsid>{s.sid}</wxsid>"
        f"<wxuin>{s.uin}</wxuin><pass_ticket>{s.pass_ticket}</pass_ticket>"
        f"<isgrayscale>1</isgrayscale></error>"
    )


def _xml_response(body: str, status: int) -> web.Response:
    return web.Response(status=status, text=body, content_type="text/plain", charset="utf-8")


def set_session_cookies(resp: web.StreamResponse, s: Session) -> None:
    """The cookies of §1.3 (API-host scoped, data ticket on the registrable domain)."""
    host, day12 = s.api_host, 12 * HOUR
    for name, value in (
        ("wxuin", str(s.uin)),
        ("wxsid", s.sid),
        ("wxloadtime", str(s.login_time)),
        ("mm_lang", wire_lang(s.lang)),
    ):
        set_cookie(resp, name, value, domain=host, max_age=day12)
    set_cookie(resp, "webwx_data_ticket", s.data_ticket, domain=cookie_domain(host), max_age=day12)
    for name, value in (("webwxuvid", s.uvid), ("webwx_auth_ticket", s.auth_ticket)):
        set_cookie(resp, name, value, domain=host, max_age=10 * 365 * 24 * HOUR)


def is_navigation(request: web.Request) -> bool:
    """Whether a browser is loading this URL as a page (not an XHR or a plain HTTP client).

    Browsers say so in ``Sec-Fetch-Mode: navigate`` / ``Sec-Fetch-Dest: document``; without
    fetch metadata (older browsers, some proxies) a navigation is the one that asks for HTML.
    """
    mode = request.headers.get("Sec-Fetch-Mode")
    dest = request.headers.get("Sec-Fetch-Dest")
    if mode is not None or dest is not None:
        return mode == "navigate" or dest in ("document", "iframe")
    return "text/html" in request.headers.get("Accept", "")


@route("webwxnewloginpage", "api")
async def newloginpage(sb: Sandbox, request: web.Request) -> web.StreamResponse:
    """Exchange the ticket: XML + cookies; 200 with ``version=v2``, else 301 without Location.

    The 301 carries no Location on purpose: the real server answered so before ``version=v2``
    and clients that read the XML from it (itchat, wechat4u) depend on it. A browser navigating
    here (the page's host switch) is sent on to the page with the session cookies set instead.
    """
    q = query(request)
    status = 200 if q.get("version") == "v2" else 301
    fault = request.get(FAULT)
    if fault is not None and fault.ret:
        return refusal(fault.ret, status)
    t = sb.logins.by_ticket(q.get("ticket", ""), q.get("uuid"))
    if t is None or t.state is not QrState.CONFIRMED:
        return _xml_response("<error><ret>-14</ret><message>ticket error</message></error>", status)
    if sb.world.bot.web_login_closed and not is_uos(request):
        return refusal(1203, status)
    s = sb.sessions.get(t.used_by)
    if s is None or not s.alive:
        s = sb.sessions.create(api_host=hostname(request), lang=sb.lang)
        t.used_by = s.sid
        _log.info("web session created on %s", s.api_host)
    if is_navigation(request):
        # The page then starts with MMCgi.isLogin true (the cookie path).
        location = f"https://{s.api_host}/?&lang={t.lang}"
        resp = web.Response(status=302, headers={"Location": location})
    else:
        resp = _xml_response(_login_xml(s), status)
    set_session_cookies(resp, s)
    return resp


def is_uos(request: web.Request) -> bool:
    """The desktop (UOS) disguise: ``client-version`` and a non-empty ``extspam`` header (§2.5).

    The blob is opaque (encrypted) on the real server too; its presence is all a twin can check.
    """
    return bool(request.headers.get("client-version")) and bool(request.headers.get("extspam"))


def refusal(ret: int, status: int) -> web.Response:
    """A refused ticket exchange: ``<error><ret>…</ret><message>…</message></error>``."""
    msg = MSG_1203 if ret == 1203 else "登录失败。"
    return _xml_response(f"<error><ret>{ret}</ret><message>{msg}</message></error>", status)


@route("webwxpushloginurl", "api", "login")
async def pushloginurl(sb: Sandbox, request: web.Request) -> web.StreamResponse:
    """Push login: ``{"ret": "0", "msg": "all ok", "uuid": "A_1_…"}`` when the old cookies match."""
    cookies = parse_cookies(request)
    uin = query(request).get("uin", "")
    known = any(
        s.auth_ticket == cookies.get("webwx_auth_ticket") for s in sb.sessions.by_sid.values()
    )
    if uin != str(sb.world.bot.uin) or not known:
        return json_response({"ret": "1", "msg": "param error", "uuid": ""})
    t = sb.logins.new(push=True, lang=query(request).get("lang") or wire_lang(sb.lang))
    if host_kind(hostname(request)) == "api":
        t.redirect_host = hostname(request)
    return json_response({"ret": "0", "msg": "all ok", "uuid": t.uuid})


@route("webwxlogout", "api")
async def logout(sb: Sandbox, request: web.Request) -> web.StreamResponse:
    """Log out (form POST or GET); afterwards synccheck answers 1100. Redirects to the page."""
    form = await request.post() if request.method == "POST" else {}
    sid = str(form.get("sid") or "") or parse_cookies(request).get("wxsid", "")
    s = sb.sessions.get(sid)
    if s is None:
        s, _ = find_session(sb.sessions, request, None)
    if s is not None:
        s.kill(1100)
    if query(request).get("redirect") == "1":
        host = hostname(request)
        raise web.HTTPFound(f"https://{host}/?&lang={wire_lang(sb.lang)}")
    return web.Response(text="", content_type="text/html")
