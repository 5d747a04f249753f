"""``PuppetWeb``: a Wechaty-style puppet driving web WeChat in Chromium.

::

    puppet = PuppetWeb(PuppetWebOptions(sandbox="https://127.0.0.1:8443"))
    puppet.on("message", on_message)          # handlers get the event dataclass
    login = puppet.wait_for("login")          # registered now, awaited later: nothing is missed
    await puppet.start()
    await login

Method and event names follow python-wechaty-puppet (see ``puppet-api.md``). The facade is split
by topic: :mod:`.puppet_core` (events, state), :mod:`.puppet_events` (page -> events),
:mod:`.puppet_contact`, :mod:`.puppet_room`, :mod:`.messaging` (media and cards), this module
(lifecycle, session, text messages).
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import logging
from typing import Any, cast

from ..browser.bridge import Envelope
from ..browser.session import SessionStore
from ..errors import (
    BridgeError,
    LoginError,
    NotFoundError,
    PuppetWebError,
    SessionError,
)
from ..events import (
    ConnectionLostEvent,
    ConnectionRestoredEvent,
    DongEvent,
    EventName,
    LogoutEvent,
)
from ..options import PuppetWebOptions
from ..payloads import MessagePayload
from ..protocol import parse
from ..protocol.raw import RawMessage
from .interface import InterfaceMixin
from .messaging import MessagingMixin
from .page import PageSession
from .rooms import RoomMixin
from .supervisor import Supervisor

__all__ = ["PuppetWeb"]

_log = logging.getLogger("wechaty_puppet_web.puppet")


class PuppetWeb(RoomMixin, MessagingMixin, InterfaceMixin):
    """A WeChat personal account through web WeChat (see the module docstring)."""

    def __init__(self, options: PuppetWebOptions | None = None) -> None:
        super().__init__(options)
        self._init_events()
        self._page = PageSession(
            self.options,
            self._wire,
            on_dialog=self._on_dialog,
            on_crash=self._on_crash,
        )
        # Heartbeat, busy-or-dead and layered resets live in the supervisor (supervisor.py).
        self._supervisor = Supervisor(
            self.options,
            self._page,
            self._wire,
            emit=self.emit_event,
            emit_error=self._emit_error,
            gave_up=self._recovery_gave_up,
        )
        self._tasks: set[asyncio.Task[Any]] = set()
        self._consumer: asyncio.Task[None] | None = None
        self._running = False
        self._login_refused = False
        self._handlers["login-refused"] = self._ev_login_refused
        self._handlers["net"] = self._ev_net

    # ---- lifecycle ----------------------------------------------------------------------

    @property
    def page(self) -> Any:
        """The Playwright page running web WeChat (``None`` before ``start``)."""
        return self._page.page

    async def start(self) -> None:
        """Open web WeChat (restoring a saved session) and wait for the bridge handshake.

        Login happens later: with a valid saved session on its own, else after a scan (``scan``
        events carry the QR text). Await ``puppet.wait_for("login")``.

        Raises:
            LaunchError: no browser. BrowserError / BridgeError: the page could not be set up.
        """
        if self._running:
            return
        self._running = True
        self._consumer = asyncio.create_task(self._consume(), name="wpw-events")
        try:
            store = self._session_store()
            saved = store.info() if store is not None else None
            if saved is None:
                await self._page.open(None)
            else:  # on the host the session lives on (wx2.qq.com after a host switch)
                await self._page.open(list(saved.cookies), saved.host)
            await self._handshake()
        except BaseException:
            await self.stop()
            raise
        self._supervisor.start()
        if self.options.login_timeout is not None and not self.logged_in:
            self._spawn(self._login_watchdog(self.options.login_timeout))

    async def _login_watchdog(self, timeout: float) -> None:
        # Registered after start(): a login that already happened is seen through logged_in.
        login = self.wait_for(EventName.LOGIN, timeout=timeout)
        try:
            await login
        except TimeoutError:
            if not self.logged_in:
                self._emit_error(LoginError(f"no login within {timeout:g} s"), "login")

    async def _handshake(self) -> None:
        # Robust to the navigations of a start (host switch, the client's own reloads).
        await self._wire.handshake(self.options.call_timeout)

    async def stop(self) -> None:
        """Stop the heartbeat and close what the puppet opened (a caller's browser stays).

        No new events are handled once it begins; handlers already running get
        ``options.stop_grace`` seconds to finish (a reply in flight is sent) before the rest are
        cancelled and the page closes. The page closing under a handler is not an ``error``.
        """
        self._running = False
        self._stopping = True
        try:
            await self._supervisor.stop()
            for task in self._tasks:
                task.cancel()
            if self._consumer is not None:
                self._consumer.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await self._consumer
            await self._settle_handlers(self.options.stop_grace)
            await self._page.shutdown()
        finally:
            self._stopping = False
        self._consumer = None

    async def __aenter__(self) -> PuppetWeb:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def logout(self) -> None:
        """Log out (the page posts ``webwxlogout``); resolves after the ``logout`` event.

        Raises:
            NotLoggedInError: not logged in.
        """
        self._require_login()
        done = self.wait_for(EventName.LOGOUT, timeout=self.options.call_timeout)
        with contextlib.suppress(BridgeError):  # the page navigates away mid-call
            await self._bridge.call("logout")
        await done

    async def ding(self, data: str = "") -> None:
        """Round-trip ``data`` through the page; a ``dong`` event answers it."""
        answer = await self._wire.ding(data)
        self.emit_event(DongEvent(data=answer))

    # ---- event loop, heartbeat, reset ---------------------------------------------------

    async def _consume(self) -> None:
        while True:
            env: Envelope = await self._queue.get()
            self._supervisor.page_spoke()
            await self._handle_envelope(env)

    def _on_crash(self, reason: str) -> None:
        # A page crash, our browser's or Playwright's connection gone: the supervisor resets.
        if self._running:
            self._supervisor.request(reason)

    def _spawn(self, coro: Any) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _reset(self, reason: str) -> None:
        """Reset the page (escalating to the browser, then Playwright); emit ``reset``."""
        if self._running:
            await self._supervisor.recover(reason)

    async def _recovery_gave_up(self, reason: str) -> None:
        # Every layer failed: the account is not reachable, say so. The session file stays: the
        # supervisor keeps trying, and a later success logs in again from it.
        if self._self_id is None:
            return
        contact_id, self._self_id = self._self_id, None
        self._ready = False
        self.emit_event(LogoutEvent(contact_id=contact_id, reason=reason))

    def _on_dialog(self, kind: str, message: str) -> None:
        _log.warning("page %s dismissed: %s", kind, message[:200])
        if self._login_refused:
            return  # the alert of a refused login: already reported as a LoginError
        self._emit_error(PuppetWebError(f"page {kind}: {message[:200]}"), "dialog")

    async def _ev_net(self, data: dict[str, Any]) -> None:
        # The page's link to the server (netwatch.js): lost after failed polls, back on an answer.
        if data.get("state") == "lost":
            _log.warning("connection to the server lost: %s", data.get("reason"))
            self.emit_event(ConnectionLostEvent(reason=str(data.get("reason") or "")))
        elif data.get("state") == "back":
            down_ms = data.get("downMs")
            down = float(down_ms) / 1000 if isinstance(down_ms, int | float) else 0.0
            _log.warning("connection to the server back after %.1f s", down)
            self.emit_event(ConnectionRestoredEvent(down_for=round(down, 3)))

    async def _ev_login_refused(self, data: dict[str, Any]) -> None:
        # The client would alert and reload forever; report once and park the page.
        self._login_refused = True
        ret = data.get("ret")
        error = LoginError(
            str(data.get("message") or ""), ret=ret if isinstance(ret, int) else None
        )
        await self._page.stop_page()
        self._emit_error(error, "login")

    # ---- session file -------------------------------------------------------------------

    async def _page_logged_in(self, logged_in: bool) -> None:
        # The UOS login route costs every request a pause: only while the page may log in.
        await self._page.login_route(not logged_in)

    def _session_store(self) -> SessionStore | None:
        path = self.options.session_path()
        return None if path is None else SessionStore(path)

    async def _session_saved(self) -> None:
        if self._page.page is None:
            return
        store = self._session_store()
        try:
            cookies = await self._page.cookies()  # also kept in memory for a relaunch
            if store is not None:
                store.save(cookies, host=self._page.current_host(), uin=self._uin)
        except (SessionError, PuppetWebError) as exc:
            self._emit_error(exc, "session")

    def _session_cleared(self) -> None:
        store = self._session_store()
        if store is not None:
            store.clear()

    # ---- messages -----------------------------------------------------------------------

    async def message_payload(self, message_id: str) -> MessagePayload:
        """The payload of a received or sent message.

        Raises:
            NotLoggedInError / NotFoundError: before login / unknown id.
        """
        self_id = self._require_login()
        try:
            raw = self._raw_message(message_id)
        except NotFoundError:
            found = await self._bridge.call("message.get", {"id": message_id})
            if not isinstance(found, dict):
                raise
            raw = cast(RawMessage, found)
            self._store_message(raw)
        members = await self._members_for(raw)
        return parse.parse_message(raw, self_id=self_id, members=members)

    async def message_search(self, query: str = "") -> list[str]:
        """Ids of messages seen by this puppet whose text contains ``query``."""
        self_id = self._require_login()
        found = []
        for msg_id, raw in list(self._messages.items()):
            if query in parse.parse_message(raw, self_id=self_id).text:
                found.append(msg_id)
        return found

    async def message_send_text(
        self, conversation_id: str, text: str, mention_ids: list[str] | None = None
    ) -> str:
        """Send ``text`` (with real @-mentions in rooms); return the server's message id.

        Raises:
            NotLoggedInError: before login.
            RateLimitedError: Ret 1205 persisted through the back-off retries.
            WebWxError: the server refused.
        """
        self._require_login()
        content = await self._text_html(conversation_id, text, mention_ids or [])
        args = {"to": conversation_id, "content": content}

        async def attempt() -> Any:
            return await self._bridge.call("message.sendText", args, timeout=90.0)

        raw = await self._retry_rate_limited("webwxsendmsg", attempt)
        if not isinstance(raw, dict):
            raise PuppetWebError("message.sendText: malformed answer from the page")
        return await self._remember_sent(cast(RawMessage, raw))

    async def _text_html(self, conversation_id: str, text: str, mention_ids: list[str]) -> str:
        # Content is HTML in the web client: escape the user's text; a mention is an
        # <input un value> element that the client turns into "@Name" + MsgSource.
        body = html.escape(text, quote=False)
        if not mention_ids or not parse.is_room_id(conversation_id):
            return body
        found, _ = await self._room_members_all(conversation_id, contacts=False)
        members = {m.id: m for m in found}
        tags = []
        for member_id in mention_ids:
            member = members.get(member_id)
            name = (member.room_alias or member.name) if member else member_id
            tags.append(f'<input un="{html.escape(member_id)}" value="@{html.escape(name)}">\u2005')
        return "".join(tags) + body
