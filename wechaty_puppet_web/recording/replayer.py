"""The replayer: serves a cassette's responses to a browser context through Playwright routing.

::

    async with Replayer(path) as replayer:
        await replayer.install(context)     # context.route("**/*") answers everything
        replayer.attach(puppet)             # mismatches also become the puppet's `error` events
        ...
        replayer.raise_errors()             # the first CassetteMismatchError, if any

Routes intercept requests before DNS and the network, so a replay needs no sandbox and no
connectivity. Requests are matched by :mod:`.matching` (volatile parameters ignored, repeats in
recorded order). Beyond the recording:

- a long poll (login poll, synccheck) is held like the real server holds it (``hold`` seconds,
  or until the replayer closes) and then answered neutrally (``window.code=408;`` /
  ``selector:"0"``), because the page may poll more often than it did while recording;
- a contact lookup batched differently than while recording is answered from every contact the
  cassette's lookups returned (:mod:`.directory`);
- a ``webwxsync`` gets the last recorded answer emptied ("nothing new"), since a recording can
  end between a synccheck and its sync;
- a repeated GET (an avatar, a script) or read-only POST (``webwxinit``, contact fetches) gets
  the last recorded answer again;
- anything else is a :class:`CassetteMismatchError`: recorded in :attr:`Replayer.errors`, sent to
  attached puppets as an ``error`` event, and the route is aborted.

Time is compressed by default: every response is served as soon as it is asked for, but with
a puppet attached, never before the puppet emitted the events recorded before its request, nor,
while the puppet keeps emitting, those recorded before its response (so a message cannot
overtake ``ready``). With
``realtime=True`` a response is not served before its recorded time since the start.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import json
import logging
import os
import time
from types import TracebackType
from typing import Any
from urllib.parse import urljoin, urlsplit

from playwright.async_api import BrowserContext, Request, Route
from playwright.async_api import Error as PlaywrightError

from ..errors import CassetteMismatchError
from .cassette import Cassette, HttpRecord, HttpRequest, load
from .directory import BATCH_PATH, ContactDirectory
from .matching import Match, Matcher, RequestKey, request_key
from .recorder import EVENT_NAMES, SKIPPED_EVENTS

_log = logging.getLogger(__name__)

NEUTRAL_BODIES = {
    "/cgi-bin/mmwebwx-bin/synccheck": b'window.synccheck={retcode:"0",selector:"0"}',
    "/cgi-bin/mmwebwx-bin/login": b"window.code=408;",
}


SYNC_PATH = "/cgi-bin/mmwebwx-bin/webwxsync"


def _redirect_target(record: HttpRecord) -> str | None:
    location = record.response.headers.get("location")
    if 300 <= record.response.status < 400 and location:
        return urljoin(record.request.url, location)
    return None


async def freeze_pages(context: BrowserContext) -> None:
    """Stop every page's scripts, so nothing new is requested before the pages close.

    Why: Chromium resumes requests still paused in interception when a page closes, and sends
    them to the network past every route (seen as a stray webwxsync reaching the sandbox after
    a replay). With scripts stopped, the last requests are answered and no new one starts.
    """
    for page in context.pages:
        with contextlib.suppress(PlaywrightError):
            session = await context.new_cdp_session(page)
            await session.send("Emulation.setScriptExecutionDisabled", {"value": True})
            await session.detach()


_EMPTIED = ("AddMsg", "ModContact", "DelContact", "ModChatRoomMember")


def neutral_sync(body: bytes) -> bytes:
    """A recorded ``webwxsync`` answer with nothing new in it (same keys, same SyncKey)."""
    try:
        data = json.loads(body)
    except ValueError:
        return body
    if not isinstance(data, dict):
        return body
    for prefix in _EMPTIED:
        if f"{prefix}List" in data or f"{prefix}Count" in data:
            data[f"{prefix}List"] = []
            data[f"{prefix}Count"] = 0
    data["ContinueFlag"] = 0
    return json.dumps(data, ensure_ascii=False).encode("utf-8")


class Replayer:
    """Answers a context's requests from a cassette."""

    def __init__(
        self,
        cassette: str | os.PathLike[str] | Cassette,
        *,
        realtime: bool = False,
        hold: float = 25.0,
        order_timeout: float = 10.0,
        settle: float = 1.0,
    ) -> None:
        self.cassette = cassette if isinstance(cassette, Cassette) else load(cassette)
        self.realtime = realtime
        self.hold = hold
        self.order_timeout = order_timeout
        self.settle = settle
        self.emitted = 0  # events of the attached puppets
        self._progress = asyncio.Event()
        self.errors: list[CassetteMismatchError] = []
        self.served: list[tuple[RequestKey, int | None]] = []  # (request, recorded seq or None)
        self._matcher = Matcher(self.cassette.http)
        self._directory = ContactDirectory(self.cassette.http)
        self._contexts: list[BrowserContext] = []
        self._puppets: list[Any] = []
        self._closed = asyncio.Event()
        self._failed = asyncio.Event()
        self._t0 = time.monotonic()

    async def __aenter__(self) -> Replayer:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def install(self, context: BrowserContext) -> None:
        """Answer every request of ``context`` from the cassette (call before the page opens)."""
        await context.route("**/*", self._handle)
        self._contexts.append(context)
        self._t0 = time.monotonic()

    def attach(self, puppet: Any) -> None:
        """Report mismatches as ``error`` events of ``puppet``, and keep its events in order.

        Once attached, a response recorded after the puppet's n-th event is served only after
        the puppet emitted n events (or ``order_timeout`` passed).
        """
        self._puppets.append(puppet)
        for name in EVENT_NAMES:
            if name not in SKIPPED_EVENTS:
                puppet.on(name, self._on_event)

    def _on_event(self, _event: Any) -> None:
        self.emitted += 1
        self._progress.set()

    async def _in_order(self, record: HttpRecord) -> None:
        if not self._puppets or record.events_before is None:
            return
        sent = record.events_before if record.events_sent is None else record.events_sent
        try:
            async with asyncio.timeout(self.order_timeout):
                while self.emitted < sent and not self._closed.is_set():
                    self._progress.clear()
                    await self._progress.wait()
        except TimeoutError:
            _log.warning(
                "replay: serving seq %d after %g s although the puppet emitted %d of the %d "
                "events recorded before it",
                record.seq,
                self.order_timeout,
                self.emitted,
                sent,
            )
        await self._while_progressing(record.events_before)

    async def _while_progressing(self, count: int) -> None:
        """Wait for ``count`` events while the puppet keeps emitting (``settle`` s apart).

        Events recorded between a request and its response may need that response (the
        recorder sees responses late): once the puppet is idle it waits for this answer.
        """
        while self.emitted < count and not self._closed.is_set():
            self._progress.clear()
            try:
                await asyncio.wait_for(self._progress.wait(), self.settle)
            except TimeoutError:
                return

    def raise_errors(self) -> None:
        """Raise the first mismatch of the replay, if there was one.

        Raises:
            CassetteMismatchError: a request matched no recorded one.
        """
        if self.errors:
            raise self.errors[0]

    async def wait_for_error(self, timeout: float = 10.0) -> CassetteMismatchError:
        """The first mismatch, once there is one.

        Raises:
            TimeoutError: none happened within ``timeout`` seconds.
        """
        await asyncio.wait_for(self._failed.wait(), timeout)
        return self.errors[0]

    def unserved(self) -> list[HttpRecord]:
        """Recorded exchanges the replay has not used."""
        return self._matcher.unserved()

    async def close(self) -> None:
        """Release held long polls; from now on every request is aborted.

        The routes stay installed on purpose: a page still alive after the replay (a retried
        long poll) must not reach the network, which in tests is the sandbox.
        """
        for context in self._contexts:
            await freeze_pages(context)
        self._closed.set()
        self._progress.set()  # responses waiting for events are released (and then aborted)
        self._contexts.clear()

    # ------------------------------------------------------------------------------ routing

    async def _handle(self, route: Route, request: Request) -> None:
        try:
            await self._answer(route, request)
        except PlaywrightError as exc:
            # the page or context went away while we were answering
            _log.debug("route for %s ended: %s", request.url, exc.message)

    async def _answer(self, route: Route, request: Request) -> None:
        if self._closed.is_set():
            await route.abort()
            return
        req = HttpRequest(
            method=request.method,
            url=request.url,
            headers=request.headers,
            body=request.post_data_buffer,
        )
        try:
            match = self._matcher.match(req)
        except CassetteMismatchError as exc:
            if not await self._from_directory(route, req):
                await self._fail(route, exc)
            return
        record = match.record
        if record is None:
            record = await self._beyond_recording(route, match)
            if record is None:
                return
        self.served.append((match.key, record.seq))
        await self._in_order(record)
        if self.realtime:
            await self._wait_until(record.t)
        if request.resource_type == "document" and _redirect_target(record) is not None:
            await self._navigate_instead(route, record)
            return
        await self._fulfill(route, record)

    async def _navigate_instead(self, route: Route, record: HttpRecord) -> None:
        """Answer a recorded page redirect with a page that navigates to its target.

        Chromium follows a fulfilled 3xx itself and the followed request skips every route (it
        went to the network: the sandbox in tests). A navigation started by the page is routed.
        """
        target = html.escape(_redirect_target(record) or "", quote=True)
        headers = {k: v for k, v in record.response.headers.items() if k != "location"}
        headers["content-type"] = "text/html; charset=utf-8"
        body = f'<meta http-equiv="refresh" content="0; url={target}">'.encode()
        await route.fulfill(status=200, headers=headers, body=body)

    async def _from_directory(self, route: Route, req: HttpRequest) -> bool:
        """Answer a contact lookup batched differently than while recording."""
        template = self._directory.template
        if template is None or not urlsplit(req.url).path.endswith(BATCH_PATH):
            return False
        body = self._directory.answer(req.body)
        if body is None:
            return False
        self.served.append((request_key(req), None))
        await self._fulfill(route, template, body)
        return True

    async def _beyond_recording(self, route: Route, match: Match) -> HttpRecord | None:
        if match.key.is_long_poll:
            await self._hold_then_neutral(route, match.key)
            return None
        if match.key.path.endswith(SYNC_PATH):
            # the recording stopped between a synccheck and its sync: "nothing new" is the
            # server's own answer to a sync with nothing pending
            self.served.append((match.key, None))
            last = self._matcher.last(match.key)
            await self._fulfill(route, last, neutral_sync(last.response.body))
            return None
        if match.key.is_reusable:
            return self._matcher.last(match.key)
        await self._fail(route, self._matcher.exhausted(match))
        return None

    async def _fulfill(self, route: Route, record: HttpRecord, body: bytes | None = None) -> None:
        response = record.response
        await route.fulfill(
            status=response.status,
            headers=dict(response.headers),
            body=response.body if body is None else body,
        )

    async def _hold_then_neutral(self, route: Route, key: RequestKey) -> None:
        self.served.append((key, None))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._closed.wait(), self.hold)
        if self._closed.is_set():
            await route.abort()
            return
        neutral = next(
            (body for path, body in NEUTRAL_BODIES.items() if key.path.endswith(path)), b""
        )
        await self._fulfill(route, self._matcher.last(key), neutral)

    async def _wait_until(self, t: float) -> None:
        delay = self._t0 + t - time.monotonic()
        if delay > 0:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._closed.wait(), delay)

    async def _fail(self, route: Route, error: CassetteMismatchError) -> None:
        self.errors.append(error)
        self._failed.set()
        _log.error("replay mismatch: %s", error)
        for puppet in self._puppets:
            self._report(puppet, error)
        await route.abort("failed")

    @staticmethod
    def _report(puppet: Any, error: CassetteMismatchError) -> None:
        from ..events import ErrorEvent

        event = ErrorEvent(error=error, data="replay")
        emit_event = getattr(puppet, "emit_event", None)
        try:
            if callable(emit_event):
                emit_event(event)
            else:
                puppet.emit("error", event)
        except Exception:
            _log.exception("could not report a replay mismatch to %r", puppet)
