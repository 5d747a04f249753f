"""The page <-> Python transport: one binding in, ``__wpw.call`` out.

Page -> Python: the injected ``bridge.js`` calls the exposed binding ``__wpw_emit(json)``
with an envelope ``{"v":1,"d":doc,"seq":n,"t":ms,"kind":"event","name":…,"payload":…,"k":key}``
(``doc`` names the document, ``seq`` counts within it: ordering.py puts them in page order). Calls
that do not come from the main frame of a web WeChat host are ignored: an ad or any iframe must
not be able to forge events. Nor can a script of the page itself: ``key`` is a secret made per
page and written into the init script only, where ``bridge.js`` keeps it in a closure; an
envelope without it is dropped.

Python -> page: :meth:`Bridge.call` evaluates ``window.__wpw.callText(name, argsJson)``, which
always resolves with the JSON text of ``{ok, value}`` or ``{ok: false, error}`` (one string each
way: cheap for Playwright to carry); the error is mapped onto the project's error tree here, and
only here (with Playwright's own errors).
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import urlsplit

from playwright.async_api import Error as PlaywrightError

from ..errors import (
    BridgeError,
    BridgeTimeout,
    InjectionError,
    RateLimitedError,
    UploadError,
    WebWxError,
)
from .cdp_binding import CdpBinding
from .ordering import SeqOrder

_log = logging.getLogger(__name__)

BINDING_NAME = "__wpw_emit"
ENVELOPE_VERSION = 1
RATE_LIMITED_RET = 1205
# The main API hosts of the host families (protocol doc §1.1); login./file./webpush. never
# host the app.
WEB_HOSTS: frozenset[str] = frozenset(
    {"wx.qq.com", "wx2.qq.com", "wx8.qq.com", "web.wechat.com", "web2.wechat.com"}
)
# Args and reply cross as JSON text (bridge.js ``callText``): Playwright serializes an object
# field by field, a 500-member room took ~1 s that way and ~50 ms as one string.
_CALL_JS = "([name, args]) => window.__wpw ? window.__wpw.callText(name, args) : null"
# Sent by the injected bridge.js as soon as a new document has it: the handshake dings then.
HELLO = "hello"


@dataclass(frozen=True, slots=True, kw_only=True)
class Envelope:
    """One page -> Python message."""

    v: int
    doc: str = ""  # the document's id, made up by its init script (ordering.py)
    seq: int
    t: float
    kind: str
    name: str
    payload: Any
    key: str = field(default="", repr=False)  # the page's secret: never in a log


class _Frame(Protocol):
    @property
    def url(self) -> str: ...

    @property
    def parent_frame(self) -> Any: ...


class _Page(Protocol):
    async def evaluate(self, expression: str, arg: Any = None) -> Any: ...


def is_trusted_frame(frame: _Frame | None) -> bool:
    """True for the top frame of a web WeChat page (``https://wx.qq.com/…`` and its families)."""
    if frame is None or frame.parent_frame is not None:
        return False
    parts = urlsplit(frame.url)
    return parts.scheme == "https" and (parts.hostname or "") in WEB_HOSTS


def parse_envelope(text: object) -> Envelope | None:
    """Decode a binding argument; ``None`` (and a debug log) for anything malformed."""
    if not isinstance(text, str):
        return None
    try:
        data = json.loads(text)
    except ValueError:
        return None
    if not isinstance(data, dict) or data.get("v") != ENVELOPE_VERSION:
        return None
    name, kind = data.get("name"), data.get("kind")
    seq, t = data.get("seq"), data.get("t")
    if not isinstance(name, str) or not isinstance(kind, str) or not isinstance(seq, int):
        return None
    return Envelope(
        v=ENVELOPE_VERSION,
        doc=str(data.get("d") or ""),
        seq=seq,
        t=float(t) if isinstance(t, int | float) else 0.0,
        kind=kind,
        name=name,
        payload=data.get("payload"),
        key=str(data.get("k") or ""),
    )


def encode_args(name: str, args: object) -> str:
    """The JSON text of a call's args (ASCII escapes: a lone surrogate must reach the page).

    Raises:
        BridgeError: ``args`` is not plain JSON.
    """
    try:
        return json.dumps(args, separators=(",", ":"))
    except (TypeError, ValueError) as exc:
        raise BridgeError(f"{name}: arguments are not plain JSON ({exc})") from exc


def decode_reply(answer: object) -> dict[str, Any] | None:
    """The ``{ok, value|error}`` reply of a call from its JSON text; ``None`` when the page had
    no bridge (``null``) or answered something else."""
    if isinstance(answer, str):
        try:
            answer = json.loads(answer)
        except ValueError:
            return None
    return answer if isinstance(answer, dict) else None


def error_from_page(name: str, error: object) -> Exception:
    """Map a handler's ``{kind, op, ret, errMsg, message}`` onto the error tree."""
    info = error if isinstance(error, dict) else {"kind": "js", "message": str(error)}
    kind = str(info.get("kind", "js"))
    if kind in ("webwx", "upload"):
        op = str(info.get("op") or name)
        ret = info.get("ret")
        ret_int = int(ret) if isinstance(ret, int | float) else -1
        err_msg = str(info.get("errMsg") or "")
        if kind == "upload" and ret_int != RATE_LIMITED_RET:
            return UploadError(op, ret_int, err_msg)
        if ret_int == RATE_LIMITED_RET:
            return RateLimitedError(op, ret_int, err_msg)
        return WebWxError(op, ret_int, err_msg)
    if kind == "missing":
        return InjectionError(f"page has no handler for {name!r}")
    return BridgeError(f"{name}: {info.get('message', 'page error')}")


class Bridge:
    """Binding + calls for one page. ``sink`` gets every accepted envelope, in order."""

    def __init__(
        self,
        sink: Callable[[Envelope], None],
        *,
        call_timeout: float = 15.0,
        fast_lane: bool = True,
    ) -> None:
        self._sink = sink
        # The raw CDP binding (cdp_binding.py) is a few ms faster per message than Playwright's.
        # Envelopes among themselves stay in page order whichever lane each took (ordering.py);
        # against Playwright's own page events (``response``) neither lane is ordered, which is
        # why the cassette recorder counts events before a response as a soft bound only.
        self.fast_lane = fast_lane
        self._page: _Page | None = None
        self.call_timeout = call_timeout
        self._calls = 0
        self.last_seq = 0
        self.last_doc = ""  # the document of the last envelope handed on (its id, ordering.py)
        self._hellos = 0  # documents that announced their bridge since attach()
        self._hello = asyncio.Event()
        self._cdp: CdpBinding | None = None
        self._order: SeqOrder[Envelope] = SeqOrder(self._deliver)
        self.key = secrets.token_urlsafe(24)

    async def attach(self, page: Any, init_script: str) -> None:
        """Expose the binding and install the init script on ``page`` (before it navigates).

        Raises:
            BridgeError: Playwright refused.
        """
        # A fresh secret per page; the init script gets it as an argument of its closure.
        self.key = secrets.token_urlsafe(24)
        self._order.reset()  # a new page: nothing of the old one waits, its seq 1 comes next
        script = f"(function (__WPW_KEY__) {{\n{init_script}\n}})({json.dumps(self.key)});\n"
        try:
            await page.expose_binding(BINDING_NAME, self._on_binding)
            await page.add_init_script(script)
        except PlaywrightError as exc:
            raise BridgeError(f"cannot install the bridge: {exc.message}") from exc
        if self._cdp is not None:
            await self._cdp.detach()
            self._cdp = None
        if self.fast_lane:
            # The faster lane for envelopes when CDP is there (see cdp_binding); same checks.
            self._cdp = CdpBinding(self._accept, WEB_HOSTS)
            await self._cdp.install(page)
        self._page = page
        self._hellos = 0
        self._hello.clear()

    def _on_binding(self, source: dict[str, Any], text: object = None) -> None:
        frame = source.get("frame")
        if not is_trusted_frame(frame):
            # Host only: a URL's query may carry a ticket.
            host = urlsplit(str(getattr(frame, "url", ""))).hostname
            _log.debug("ignored binding call from a frame on %s", host)
            return
        self._accept(text)

    def _accept(self, text: object) -> None:
        """A binding call from a trusted frame: decode it and hand it to the sink."""
        env = parse_envelope(text)
        if env is None:
            _log.debug("ignored malformed envelope (%d chars)", len(str(text)))
            return
        if not hmac.compare_digest(env.key.encode(), self.key.encode()):
            _log.debug("ignored an envelope without this page's key (%s)", env.name[:40])
            return
        self._order.push(env)  # in page order, whichever lane it came by (ordering.py)

    def _deliver(self, env: Envelope) -> None:
        self.last_seq, self.last_doc = env.seq, env.doc
        if env.name == HELLO:
            self._hellos += 1
            self._hello.set()
        try:
            self._sink(env)
        except Exception:  # the sink is ours; never let it break Playwright's dispatch
            _log.exception("envelope sink failed on %s", env.name)

    async def call(self, name: str, args: object = None, *, timeout: float | None = None) -> Any:
        """Run the page handler ``name`` and return its plain-JSON value.

        Raises:
            BridgeTimeout: no answer within ``timeout`` (default ``call_timeout``).
            WebWxError / RateLimitedError / UploadError: the server refused.
            BridgeError: the page failed, navigated away, or has no bridge.
        """
        if self._page is None:
            raise BridgeError(f"{name}: the bridge is not attached to a page")
        limit = self.call_timeout if timeout is None else timeout
        self._calls += 1
        _log.debug("bridge call %s seq=%d", name, self._calls)
        text = encode_args(name, args)
        try:
            answer = await asyncio.wait_for(self._page.evaluate(_CALL_JS, [name, text]), limit)
        except TimeoutError as exc:
            raise BridgeTimeout(name, limit) from exc
        except PlaywrightError as exc:
            raise BridgeError(f"{name}: {exc.message}") from exc
        reply = decode_reply(answer)
        if reply is None:
            raise InjectionError(f"{name}: the page has no injected bridge")
        if reply.get("ok"):
            return reply.get("value")
        raise error_from_page(name, reply.get("error"))

    async def ding(self, data: str = "", *, timeout: float | None = None) -> str:
        """Round-trip ``data`` through the page (the start-up handshake instead of a sleep).

        Raises:
            BridgeTimeout / BridgeError: the page did not answer.
        """
        value = await self.call("ding", data, timeout=timeout)
        if not isinstance(value, dict):
            raise InjectionError("ding: malformed answer")
        return str(value.get("data", ""))

    async def handshake(self, timeout: float) -> str:
        """Ding the page once its document announced the bridge; after a navigation (a host
        switch, a reload) ding again when the *new* document announces itself.

        Raises:
            BridgeTimeout: no document answered within ``timeout``.
            BridgeError: the page failed in another way.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        seen = 0
        while True:
            await self._await_hello(seen, deadline - loop.time())
            seen = self._hellos
            try:
                return await self.ding("start", timeout=max(deadline - loop.time(), 0.05))
            except BridgeTimeout:
                raise
            except BridgeError as exc:
                # The document went away under the call (its execution context was destroyed):
                # the next one will say hello.
                _log.debug("handshake ding failed (%s); waiting for the next document", exc)
                if loop.time() >= deadline:
                    raise

    async def _await_hello(self, seen: int, remaining: float) -> None:
        while self._hellos <= seen:
            self._hello.clear()
            try:
                await asyncio.wait_for(self._hello.wait(), max(remaining, 0.0))
            except TimeoutError as exc:
                raise BridgeTimeout("hello", remaining) from exc
