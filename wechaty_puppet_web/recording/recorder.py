"""The recorder: writes what a browser context exchanged and what a puppet emitted to a cassette.

::

    async with Recorder(path, mode=RecordMode.ALL, pseudonymize=False) as rec:
        await rec.install(context)          # before the page opens
        rec.attach(puppet)                  # puppet events become "event" records
        ...                                 # run the session
    # on a clean exit the cassette is redacted, optionally pseudonymised, checked and written

How exchanges are captured: the recorder *observes* the context (``requestfinished`` /
``requestfailed``) instead of intercepting with ``route.fetch()``. ``route.fetch()`` sends the
request from Playwright's own HTTP client, which knows nothing of Chromium's
``--host-resolver-rules`` (so it cannot reach the sandbox: ``getaddrinfo ENOTFOUND wx.qq.com``) nor
of the exact headers Chromium sends; observing records what the page really sent and received, in
live and sandbox mode alike, and leaves the context's routes free for the puppet's own.

Nothing is written when the ``async with`` body raises, so a failed run never overwrites a good
cassette.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import os
import time
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from types import TracebackType
from typing import Any, Protocol
from urllib.parse import urlsplit

from playwright.async_api import BrowserContext, Request, Response, Route
from playwright.async_api import Error as PlaywrightError

from ..errors import CassetteError
from ..events import EventName
from .cassette import (
    Cassette,
    EventRecord,
    HttpRecord,
    HttpRequest,
    HttpResponse,
    Record,
    RecordMode,
    packaged_asset,
    save,
)
from .cdpbodies import CdpBodies
from .matching import LONG_POLL_PATHS
from .pseudonym import Pseudonymizer
from .redact import Redactor

_log = logging.getLogger(__name__)

REQUEST_HEADERS = frozenset({"content-type", "range", "client-version", "extspam"})
RESPONSE_HEADERS = frozenset(
    {
        "content-type",
        "set-cookie",
        "location",
        "content-range",
        "accept-ranges",
        "content-disposition",
        "cache-control",
        "access-control-allow-origin",
        "access-control-allow-credentials",
        "access-control-allow-headers",
        "access-control-allow-methods",
        "access-control-expose-headers",
    }
)
# Periodic and timing-dependent: recording them would make every replay comparison flaky.
SKIPPED_EVENTS = frozenset({"heartbeat"})
EVENT_NAMES = tuple(name.value for name in EventName)


class EventSource(Protocol):
    """What :meth:`Recorder.attach` needs of a puppet (pyee's ``on``/``remove_listener``)."""

    def on(self, event: str, f: Callable[..., Any]) -> Any:
        """Register a listener."""

    def remove_listener(self, event: str, f: Callable[..., Any]) -> None:
        """Unregister a listener."""


def _subset(headers: Mapping[str, str], keep: frozenset[str]) -> dict[str, str]:
    return {k.lower(): v for k, v in headers.items() if k.lower() in keep}


def event_payload(event: Any) -> dict[str, Any]:
    """An event's ``to_json()`` (a plain ``repr`` wrapper for a foreign object)."""
    to_json = getattr(event, "to_json", None)
    if callable(to_json):
        payload = to_json()
        if isinstance(payload, dict):
            return payload
    return {"repr": repr(event)}


def _consume_error(future: asyncio.Future[bytes]) -> None:
    # a body that could not be read is reported where it is awaited (or the request failed)
    if not future.cancelled():
        future.exception()


async def _abort(route: Route) -> None:
    with contextlib.suppress(PlaywrightError):
        await route.abort()


class Recorder:
    """Records a browser context's HTTP exchanges and a puppet's events into a cassette."""

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        mode: RecordMode | str = RecordMode.ALL,
        pseudonymize: bool = False,
        pseudonymize_texts: bool = False,
        meta: Mapping[str, Any] | None = None,
        skip_events: Iterable[str] = SKIPPED_EVENTS,
    ) -> None:
        self.path = Path(path)
        self.mode = RecordMode(mode)
        self.pseudonymize = pseudonymize
        self.pseudonymize_texts = pseudonymize_texts
        self.meta = dict(meta or {})
        self._skip = frozenset(skip_events)
        self.redactor = Redactor()
        self._records: list[Record] = []
        self._seq = 0
        self._t0 = time.monotonic()
        self._pending: set[asyncio.Task[None]] = set()
        self._in_flight: set[Request] = set()
        self._changed = asyncio.Event()
        self._last_activity = time.monotonic()
        self._events_at: dict[Request, int] = {}
        self._events_sent: dict[Request, int] = {}
        self._bodies: dict[Request, asyncio.Future[bytes]] = {}
        self._cdp = CdpBodies()
        self._event_count = 0
        self._contexts: list[BrowserContext] = []
        self._listeners: list[tuple[EventSource, str, Any]] = []
        self._check_mode()

    def _check_mode(self) -> None:
        if self.mode is RecordMode.NONE:
            raise CassetteError(f"record mode 'none' never records (cassette {self.path})")
        if self.mode is RecordMode.ONCE and self.path.exists():
            raise CassetteError(
                f"cassette {self.path} exists and record mode 'once' does not re-record it "
                "(replay it, or use mode 'all')"
            )

    async def __aenter__(self) -> Recorder:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is None:
            await self.close()
        else:
            await self.discard()

    def _next(self) -> tuple[int, float]:
        seq, self._seq = self._seq, self._seq + 1
        return seq, time.monotonic() - self._t0

    # ------------------------------------------------------------------------------ capture

    async def install(self, context: BrowserContext) -> None:
        """Start recording every exchange of ``context`` (call before the page opens)."""
        context.on("request", self._on_request)
        context.on("response", self._on_response)
        context.on("requestfinished", self._on_finished)
        context.on("requestfailed", self._on_failed)
        self._contexts.append(context)
        await self._cdp.install(context)
        await self._learn_cookies(context)

    def _on_request(self, request: Request) -> None:
        # events before the request cannot depend on its answer: a replay may always wait for them
        self._events_sent[request] = self._event_count
        self._in_flight.add(request)
        self._last_activity = time.monotonic()
        self._changed.set()

    def _on_response(self, response: Response) -> None:
        # Playwright may deliver this after puppet events the response itself caused (it waits
        # for the headers' extra info): a replay treats this count as a soft bound only
        self._events_at[response.request] = self._event_count
        if not 300 <= response.status < 400:
            # ask for the body at once: once the page navigates away (the login poll's answer
            # makes it switch hosts) Chromium no longer has the bodies of the old document
            body = asyncio.ensure_future(response.body())
            body.add_done_callback(_consume_error)
            self._bodies[response.request] = body

    def _done(self, request: Request) -> None:
        self._in_flight.discard(request)
        self._last_activity = time.monotonic()
        self._changed.set()

    def _on_finished(self, request: Request) -> None:
        self._done(request)
        seq, t = self._next()
        task = asyncio.ensure_future(self._capture(request, seq, t))
        self._pending.add(task)
        task.add_done_callback(self._capture_done)

    def _capture_done(self, task: asyncio.Task[None]) -> None:
        self._pending.discard(task)
        self._changed.set()

    def _on_failed(self, request: Request) -> None:
        self._done(request)
        self._bodies.pop(request, None)
        self._events_at.pop(request, None)
        self._events_sent.pop(request, None)
        # aborted long polls at page close, cancelled navigations: nothing to replay
        _log.debug("not recorded (failed: %s): %s %s", request.failure, request.method, request.url)

    async def _capture(self, request: Request, seq: int, t: float) -> None:
        try:
            record = await self._exchange(request, seq, t)
        except PlaywrightError as exc:
            _log.debug("could not capture %s %s: %s", request.method, request.url, exc.message)
            return
        if record is not None:
            self._records.append(record)

    async def _exchange(self, request: Request, seq: int, t: float) -> HttpRecord | None:
        response = await request.response()
        if response is None:
            return None
        req_headers = await request.all_headers()
        resp_headers = await response.all_headers()
        # learn secrets from the full headers (cookies) before keeping only a subset
        self.redactor.learn_headers(req_headers)
        self.redactor.learn_headers(resp_headers)
        body = b"" if 300 <= response.status < 400 else await self._body(request, response)
        return HttpRecord(
            seq=seq,
            t=t,
            events_before=self._events_at.pop(request, None),
            events_sent=self._events_sent.pop(request, None),
            request=HttpRequest(
                method=request.method,
                url=request.url,
                headers=_subset(req_headers, REQUEST_HEADERS),
                body=request.post_data_buffer,
            ),
            response=HttpResponse(
                status=response.status,
                headers=_subset(resp_headers, RESPONSE_HEADERS),
                body=body,
                asset=packaged_asset(request.url, body),
            ),
        )

    async def _body(self, request: Request, response: Response) -> bytes:
        early = self._bodies.pop(request, None)
        try:
            body = await early if early is not None else await response.body()
        except PlaywrightError:
            fallback = await self._cdp.take(request.url)
            if fallback is None:
                raise
            return fallback
        self._cdp.drop(request.url)
        return body

    async def _learn_cookies(self, context: BrowserContext) -> None:
        with contextlib.suppress(PlaywrightError):
            for cookie in await context.cookies():
                self.redactor.learn_cookies(f"{cookie['name']}={cookie['value']}", set_cookie=False)

    def attach(self, puppet: EventSource) -> None:
        """Record the events ``puppet`` emits (every Wechaty event but the heartbeat)."""
        for name in EVENT_NAMES:
            if name in self._skip:
                continue
            handler = functools.partial(self._on_event, name)
            puppet.on(name, handler)
            self._listeners.append((puppet, name, handler))

    def _on_event(self, name: str, event: Any) -> None:
        seq, t = self._next()
        self._records.append(EventRecord(seq=seq, t=t, name=name, payload=event_payload(event)))
        self._event_count += 1

    @property
    def records(self) -> list[Record]:
        """What was captured so far, in order (not yet redacted)."""
        return sorted(self._records, key=lambda r: r.seq)

    # ------------------------------------------------------------------------------ finish

    def detach(self) -> None:
        """Stop recording puppet events (HTTP exchanges are still captured until close)."""
        for puppet, name, handler in self._listeners:
            with contextlib.suppress(Exception):
                puppet.remove_listener(name, handler)
        self._listeners.clear()

    def _quiet(self) -> bool:
        if self._pending:
            return False
        return all(urlsplit(r.url).path.endswith(LONG_POLL_PATHS) for r in self._in_flight)

    async def settle(self, timeout: float = 5.0, quiet: float = 0.5) -> bool:
        """Wait until only long polls are in flight, every capture is stored, and nothing new
        started for ``quiet`` seconds (the page's follow-up fetches after the last event).

        Call it before stopping the puppet, so what the page started is recorded whole (a replay
        would otherwise ask for it beyond the recording). Returns False on timeout.
        """
        try:
            async with asyncio.timeout(timeout):
                while True:
                    wait: float | None = None
                    if self._quiet():
                        wait = quiet - (time.monotonic() - self._last_activity)
                        if wait <= 0:
                            return True
                    self._changed.clear()
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._changed.wait(), wait)
        except TimeoutError:
            _log.debug("recording did not settle: %d in flight", len(self._in_flight))
            return False

    async def quiesce(self) -> None:
        """Settle, then abort every new request of the recorded contexts, and settle again.

        For the end of a recording whose page stays open a little longer (the puppet is stopped
        after this): nothing the page starts from now on reaches the server or the cassette.
        """
        from .replayer import freeze_pages

        await self.settle()
        for context in self._contexts:
            await freeze_pages(context)
            with contextlib.suppress(PlaywrightError):
                await context.route("**/*", _abort)
        await self.settle(quiet=0.2)

    async def _stop(self) -> None:
        await self.settle()
        self.detach()
        if self._pending:
            await asyncio.wait(set(self._pending), timeout=10.0)
        for context in self._contexts:
            context.remove_listener("request", self._on_request)
            context.remove_listener("response", self._on_response)
            context.remove_listener("requestfinished", self._on_finished)
            context.remove_listener("requestfailed", self._on_failed)
            await self._learn_cookies(context)
        await self._cdp.close()

    async def discard(self) -> None:
        """Stop recording and write nothing."""
        await self._stop()
        _log.warning("recording to %s discarded (the session failed)", self.path)

    async def close(self) -> Path:
        """Stop recording; redact, pseudonymise if asked, check and write the cassette.

        Raises:
            CassetteError: a secret survived redaction (nothing is written).
        """
        await self._stop()
        records = self.redactor.redact_all(self.records)
        if self.pseudonymize:
            records = Pseudonymizer(texts=self.pseudonymize_texts).apply(records)
        cassette = Cassette(
            records=tuple(records),
            meta=self.meta,
            redacted=True,
            pseudonymized=self.pseudonymize,
        )
        path = save(self.path, cassette, guard=self.redactor)
        _log.info("cassette written: %s (%d records)", path, len(records))
        return path
