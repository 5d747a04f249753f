"""The sandbox: an HTTPS server on loopback speaking the webwx protocol for every host family.

Requests are routed by the Host header (``wx.qq.com``, ``login.weixin.qq.com``,
``webpush.wx2.qq.com``, ``file.wx.qq.com``, ``res.wx.qq.com``…): the browser reaches it through
``--host-resolver-rules``, plain clients through :meth:`Sandbox.resolver`.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import ssl
from collections import deque
from types import TracebackType
from typing import Any, NoReturn

from aiohttp import web
from aiohttp.abc import AbstractResolver, ResolveResult

from ..errors import SandboxError
from . import routes_actions, routes_login, routes_media, routes_send, routes_session
from .accounts import AccountSet
from .certs import Certs, make_certs
from .faults import Fault, Faults
from .httpkit import (
    cors_headers,
    error_json,
    find_session,
    host_kind,
    hostname,
    parse_cookies,
    query,
)
from .limits import SendLimit, limit_for
from .login import QR_TTL, LoginHub
from .media import MediaStore
from .outage import Outage
from .phone import Phone
from .routing import FAULT, ROUTES
from .session import SessionHub
from .webclient.options import PageOptions
from .wording import normalize_lang, wire_lang
from .world import World

_log = logging.getLogger(__name__)

API_PREFIX = "/cgi-bin/mmwebwx-bin/"
GZIP_FROM = 8192
MAX_BODY = 2 * 1024 * 1024  # an upload chunk is 512 KiB; anything far bigger is refused (413)
_LOADED = (routes_actions, routes_login, routes_media, routes_send, routes_session)


class _Resolver(AbstractResolver):
    """Maps every host name to the sandbox's loopback port."""

    def __init__(self, host: str, port: int) -> None:
        self._host, self._port = host, port

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        return [
            ResolveResult(
                hostname=host,
                host=self._host,
                port=self._port,
                family=socket.AF_INET,
                proto=0,
                flags=0,
            )
        ]

    async def close(self) -> None:
        return None


class Sandbox:
    """A web WeChat twin: protocol server + world + phone + faults."""

    def __init__(
        self,
        world: World | None = None,
        *,
        lang: str = "zh",
        host: str = "127.0.0.1",
        port: int = 0,
        login_hold: float = 25.0,
        synccheck_hold: float = 25.0,
        auto_scan: bool = False,
        redirect_host: str = "wx2.qq.com",
        contact_page_size: int = 800,
        page: PageOptions | None = None,
        seed: int = 0,
        qr_ttl: float | None = QR_TTL,
        profile: str = "unthrottled",
    ) -> None:
        self.host = host
        self.port = port
        # Per-test knobs; reset() puts them back so one test's tweak never leaks into the next.
        self._defaults: dict[str, Any] = {
            "login_hold": login_hold,
            "synccheck_hold": synccheck_hold,
            "auto_scan": auto_scan,
            "redirect_host": redirect_host,
            "contact_page_size": contact_page_size,
            "qr_ttl": qr_ttl,
            "page": page or PageOptions(),
        }
        self.login_hold = login_hold
        self.synccheck_hold = synccheck_hold
        self._auto_scan = auto_scan
        self.redirect_host = redirect_host
        self.contact_page_size = contact_page_size
        # Seconds a QR code stays scannable (None: forever); read when a QR code is made.
        self.qr_ttl = qr_ttl
        # The send limit of the profile (None: unthrottled); tests may set their own SendLimit.
        self.profile = profile
        self.send_limit: SendLimit | None = limit_for(profile)
        # The web client page's weight and boot speed (webclient/options.py).
        self.page: PageOptions = page or PageOptions()
        self._default_lang = normalize_lang(lang)
        self._seed = seed
        self._certs: Certs | None = None
        self._runner: web.AppRunner | None = None
        self._site: web.TCPSite | None = None
        # ``await sb.outage.begin()`` / ``end()``: the whole server unreachable (outage.py).
        self.outage = Outage(self._listen, self._unlisten)
        self.requests = 0  # count of requests served (tests assert a replay bypassed the sandbox)
        # Who asked for what, most recent last: (method, host, path, User-Agent). The user agent
        # tells one browser context from another on a shared server, so a test can prove that
        # *its* context sent nothing even while other clients still talk to the sandbox.
        self.request_log: deque[tuple[str, str, str, str]] = deque(maxlen=4096)
        self._fresh(world, self._default_lang)
        self.accounts = AccountSet(self)  # more bot accounts on the same port (accounts.py)

    def _fresh(self, world: World | None, lang: str) -> None:
        self.lang = lang
        self.world = world if world is not None else World.default()
        self.faults = Faults(self._seed)
        self.logins = LoginHub(lambda: self.qr_ttl)
        self.sessions = SessionHub(self.world)
        self.media = MediaStore()
        self.phone = Phone(self.world, self.logins, self.sessions)
        self.phone.auto_scan = self._auto_scan

    @property
    def auto_scan(self) -> bool:
        """Whether the phone scans and confirms every new QR code by itself (~0.2-0.4 s)."""
        return self._auto_scan

    @auto_scan.setter
    def auto_scan(self, value: bool) -> None:
        self._auto_scan = value
        self.phone.auto_scan = value

    # ------------------------------------------------------------ lifecycle
    async def start(self) -> None:
        """Create the CA and certificate, listen, and learn the port.

        Raises:
            SandboxAssetError: a file of the web client page is missing (checked before
                listening, so a sandbox never answers its page with HTTP 500).
            SandboxError: the port could not be bound.
        """
        from .webclient import check_assets

        check_assets()
        self._certs = make_certs()
        app = web.Application(client_max_size=MAX_BODY)
        app.router.add_route("*", "/{tail:.*}", self._dispatch)
        runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await runner.setup()
        site = web.TCPSite(runner, self.host, self.port, ssl_context=self._certs.server)
        try:
            await site.start()
        except OSError as exc:
            await runner.cleanup()
            raise SandboxError(f"sandbox cannot listen on {self.host}:{self.port}: {exc}") from exc
        self._runner = runner
        self._site = site
        self.port = int(runner.addresses[0][1])
        _log.info("sandbox listening on %s", self.url)

    async def _unlisten(self) -> None:
        if self._site is not None:
            await self._site.stop()
            self._site = None

    async def _listen(self) -> None:
        if self._runner is None or self._certs is None or self._site is not None:
            return
        site = web.TCPSite(self._runner, self.host, self.port, ssl_context=self._certs.server)
        await site.start()
        self._site = site

    async def stop(self) -> None:
        """Stop listening; pending long polls are answered or cut."""
        self.accounts.close()
        self.sessions.close()
        self.logins.close()
        self.phone.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
            self._site = None

    async def __aenter__(self) -> Sandbox:
        await self.start()
        return self

    async def __aexit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.stop()

    def reset(self, world: World | None = None, *, lang: str | None = None) -> None:
        """A fresh world (the default one if None), sessions, faults and phone; same port.

        Knobs a test may have changed (``redirect_host``, holds, ``auto_scan``, page size, the
        language) go back to the constructor's values; ``lang`` sets the language for this world.
        Added accounts are dropped.
        """
        self.accounts.clear()
        self.sessions.close()
        self.logins.close()
        self.phone.close()
        for name, value in self._defaults.items():
            setattr(self, name, value)
        self.send_limit = limit_for(self.profile)  # a fresh window
        self._fresh(world, normalize_lang(lang) if lang else self._default_lang)

    def add_account(self, world: World | None = None) -> Sandbox:
        """Serve one more bot account (its own world, sessions, phone, faults) on this port.

        ``world`` defaults to the default world with the bot renamed ``wxid_bot<N>``. The QR code
        a client shows starts in this (the first) account's lobby: give it to an account with
        ``sandbox.accounts.claim(account, uuid)`` or let ``sandbox.accounts.auto_scan`` do it.
        """
        return self.accounts.add(world)

    def attach_to(self, front: Sandbox) -> None:
        """Serve as an added account behind ``front`` (same address and certificate)."""
        self.host, self.port, self._certs = front.host, front.port, front._certs

    # ------------------------------------------------------------ clients
    @property
    def url(self) -> str:
        """``https://127.0.0.1:PORT``."""
        return f"https://{self.host}:{self.port}"

    def browser_args(self) -> list[str]:
        """Chromium flags that send the WeChat hosts to this server."""
        target = f"{self.host}:{self.port}"
        rules = f"MAP *.qq.com {target},MAP qq.com {target},MAP *.wechat.com {target}"
        return [f"--host-resolver-rules={rules}", "--ignore-certificate-errors"]

    def context_options(self) -> dict[str, object]:
        """Playwright ``new_context`` options for the sandbox (its CA is not trusted)."""
        return {"ignore_https_errors": True}

    def resolver(self) -> AbstractResolver:
        """An aiohttp resolver mapping any host to this server (so clients use the real URLs)."""
        return _Resolver(self.host, self.port)

    def client_ssl_context(self) -> ssl.SSLContext:
        """An SSL context that trusts the sandbox's CA.

        Raises:
            SandboxError: the sandbox was not started.
        """
        if self._certs is None:
            raise SandboxError("start the sandbox first")
        return self._certs.client_context()

    def ca_pem(self) -> bytes:
        """The CA certificate (PEM) of the running sandbox."""
        if self._certs is None:
            raise SandboxError("start the sandbox first")
        return self._certs.ca_pem()

    # ------------------------------------------------------------ routing
    async def _dispatch(self, request: web.Request) -> web.StreamResponse:
        transport = self.outage.admit(request)
        try:
            return await self._serve(request)
        finally:
            self.outage.release(transport)

    async def _serve(self, request: web.Request) -> web.StreamResponse:
        self.requests += 1
        self.request_log.append(
            (request.method, request.host, request.path, request.headers.get("User-Agent", ""))
        )
        kind = host_kind(hostname(request))
        if request.method == "OPTIONS":
            return web.Response(status=204, headers=cors_headers(request))
        try:
            account = await self.accounts.route(request)
            resp = await account._route(request, kind)
        except web.HTTPException as exc:
            if exc.status >= 400 and exc.status != 413:
                _log.debug("HTTP %s for %s", exc.status, request.path)
            raise
        except (ConnectionResetError, asyncio.CancelledError):
            raise
        except Exception:
            _log.exception("sandbox handler failed: %s %s", request.method, request.path)
            return web.Response(status=500)
        resp.headers.update(cors_headers(request))
        if _big_text(resp):
            resp.enable_compression()  # big JSON (contact pages) is gzipped, like the real server
        return resp

    async def _route(self, request: web.Request, kind: str) -> web.StreamResponse:
        path = request.path
        if kind == "res" or (kind == "api" and path.startswith("/zh_CN/htmledition/")):
            return await self._asset(path)
        if kind == "api" and path in ("/", "/index.html"):
            return self._index(request)
        if path == "/favicon.ico":
            return web.Response(status=204)  # keeps the browser console free of a 404
        if kind == "support":
            return web.Response(text="", content_type="text/plain")
        name = self._endpoint(path)
        route = ROUTES.get(name) if name else None
        if route is None or kind not in route.kinds:
            return web.Response(status=404, text="not found")
        fault = self.faults.pick(name or "")
        if fault is not None:
            early = await self._apply_fault(request, fault, name or "")
            if early is not None:
                return early
            request[FAULT] = fault
        resp = await route.handler(self, request)
        if fault is not None and fault.drop_reply:
            _abort(request)  # done, but the answer is lost on the way back
        return resp

    @staticmethod
    def _endpoint(path: str) -> str | None:
        if path.startswith(API_PREFIX):
            return path[len(API_PREFIX) :].split("/", 1)[0] or None
        if path == "/jslogin":
            return "jslogin"
        for prefix in ("/qrcode/", "/l/"):
            if path.startswith(prefix):
                return prefix.strip("/")
        return None

    async def _apply_fault(
        self, request: web.Request, fault: Fault, name: str
    ) -> web.StreamResponse | None:
        if fault.delay:
            await asyncio.sleep(fault.delay)
        if fault.drop:
            _abort(request)
        if fault.status is not None:
            return web.Response(status=fault.status)
        if fault.ret is not None and name not in _RET_IN_HANDLER:
            return error_json(fault.ret)
        return None

    def _index(self, request: web.Request) -> web.StreamResponse:
        from .webclient import render_index

        cookies = parse_cookies(request)
        s, _ = find_session(self.sessions, request, None) if cookies.get("wxsid") else (None, 0)
        is_login = s is not None and cookies.get("wxuin") == str(s.uin)
        lang = query(request).get("lang") or wire_lang(self.lang)
        html = render_index(
            is_login=is_login, lang=lang, query=dict(query(request)), page=self.page
        )
        return web.Response(text=html, content_type="text/html", charset="utf-8")

    @staticmethod
    async def _asset(path: str) -> web.StreamResponse:
        from .webclient import asset, asset_delay

        delay = asset_delay(path)
        if delay:
            await asyncio.sleep(delay)  # a slow page script (PageOptions.boot_delay)
        found = asset(path)
        if found is None:
            return web.Response(status=404, text="not found")
        body, ctype = found
        return web.Response(
            body=body, headers={"Content-Type": ctype, "Cache-Control": "max-age=3600"}
        )


def _abort(request: web.Request) -> NoReturn:
    if request.transport is not None:
        request.transport.abort()
    raise asyncio.CancelledError  # as when a peer vanishes: no answer, no error log


def _big_text(resp: web.StreamResponse) -> bool:
    if not isinstance(resp, web.Response) or resp.content_type != "text/plain":
        return False
    return isinstance(resp.body, bytes) and len(resp.body) > GZIP_FROM


_RET_IN_HANDLER = frozenset({"webwxnewloginpage"})


def summary(world: World) -> dict[str, Any]:
    """Counts for the CLI's world summary."""
    return {
        "friends": len(world.friends),
        "rooms": len(world.rooms),
        "officials": len(world.officials),
        "bot": world.bot.nickname,
    }
