"""The shared core of :class:`~wechaty_puppet_web.PuppetWeb`: events, state, helpers.

The facade's mixins (contacts, rooms, messages, media) all lean on this class: the bridge, the
logged-in check, the raw-message store, the Ret 1205 back-off, and event emission where a user
handler that raises (sync or async) becomes an ``error`` event and never breaks the puppet.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from pyee.asyncio import AsyncIOEventEmitter

from ..browser.bridge import Bridge, Envelope
from ..errors import BridgeError, BrowserError, NotFoundError, NotLoggedInError, RateLimitedError
from ..events import ErrorEvent, Event, EventName
from ..options import PuppetWebOptions
from ..protocol.raw import RawMessage
from .media import BridgeLike

_log = logging.getLogger("wechaty_puppet_web.puppet")
_T = TypeVar("_T")

# Raw messages kept for message_payload / media / forward (newest win). One is ~5 KB in
# Python, so 20,000 cost ~100 MB; message_payload asks the page for older ids.
MESSAGE_CACHE_SIZE = 2_000
# Ids already emitted (a re-delivered message must not fire twice); ~150 bytes each.
EMITTED_IDS_SIZE = 20_000


class PuppetCore(AsyncIOEventEmitter):
    """State and plumbing shared by the PuppetWeb mixins."""

    def __init__(self, options: PuppetWebOptions | None = None) -> None:
        super().__init__()
        self.options = options or PuppetWebOptions()
        self._wire = Bridge(
            self._on_envelope,
            call_timeout=self.options.call_timeout,
            fast_lane=self.options.fast_bridge,
        )
        # The mixins only need ``call`` (media.BridgeLike); the facade uses the full Bridge.
        self._bridge: BridgeLike = self._wire
        self._self_id: str | None = None
        self._ready = False
        self._messages: OrderedDict[str, RawMessage] = OrderedDict()
        self._emitted_messages: OrderedDict[str, None] = OrderedDict()
        self._queue: asyncio.Queue[Envelope] = asyncio.Queue()
        self._emitting: str | None = None
        # True while stop() runs: the page going away under a handler is then our own doing
        self._stopping = False
        # For operators' metrics (the fleet runner): Ret 1205 back-offs taken so far, and when
        # the page sent the envelope being handled now (epoch seconds, the page's clock).
        self.rate_limit_backoffs = 0
        self.envelope_time = 0.0

    async def wait_for_complete(self) -> None:
        """Wait until every async handler scheduled so far has finished.

        pyee 12.1 added this; it is defined here too so the puppet has it with pyee 11.1, the
        lowest version allowed (python-wechaty 0.10.7 needs pyee < 12).
        """
        waiting = set(getattr(self, "_waiting", ()))
        if waiting:
            await asyncio.wait(waiting)

    # ---- envelopes in -------------------------------------------------------------------

    def _on_envelope(self, env: Envelope) -> None:
        """Binding sink: queue, so envelopes are handled one at a time, in page order."""
        self._queue.put_nowait(env)

    # ---- login state --------------------------------------------------------------------

    def self_id(self) -> str:
        """The logged-in account's id.

        Raises:
            NotLoggedInError: before ``login``.
        """
        return self._require_login()

    def _require_login(self) -> str:
        if self._self_id is None:
            raise NotLoggedInError("this call needs a logged-in session (wait for 'login')")
        return self._self_id

    @property
    def logged_in(self) -> bool:
        """True between ``login`` and ``logout``."""
        return self._self_id is not None

    # ---- raw messages -------------------------------------------------------------------

    def _store_message(self, raw: RawMessage) -> str:
        msg_id = str(raw.get("MsgId", ""))
        self._messages[msg_id] = raw
        self._messages.move_to_end(msg_id)
        while len(self._messages) > MESSAGE_CACHE_SIZE:
            self._messages.popitem(last=False)
        return msg_id

    def _raw_message(self, message_id: str) -> RawMessage:
        raw = self._messages.get(message_id)
        if raw is None:
            raise NotFoundError("message", message_id)
        return raw

    async def _remember_sent(self, raw: RawMessage) -> str:
        """Store a message this bot sent so ``message_payload`` works on it at once."""
        return self._store_message(raw)

    def _first_emission(self, message_id: str) -> bool:
        """True once per message id: the ``message`` event fires exactly once."""
        if message_id in self._emitted_messages:
            return False
        self._emitted_messages[message_id] = None
        while len(self._emitted_messages) > EMITTED_IDS_SIZE:
            self._emitted_messages.popitem(last=False)
        return True

    async def _retry_rate_limited(self, op: str, fn: Callable[[], Awaitable[_T]]) -> _T:
        """Run ``fn``; on Ret 1205 back off (doubling) and retry, then raise RateLimitedError."""
        delay = self.options.rate_limit_backoff
        for attempt in range(self.options.rate_limit_retries + 1):
            try:
                return await fn()
            except RateLimitedError:
                if attempt >= self.options.rate_limit_retries:
                    raise
                _log.warning("%s rate limited (Ret 1205); retry in %.1f s", op, delay)
                self.rate_limit_backoffs += 1
                await asyncio.sleep(delay)  # a real back-off: the server asked us to slow down
                delay *= 2
        raise AssertionError("unreachable")  # pragma: no cover

    # ---- events out ---------------------------------------------------------------------

    def emit_event(self, event: Event) -> None:
        """Emit ``event`` under its Wechaty name."""
        self.emit(event.event_name.value, event)

    def _emit_error(self, error: BaseException, data: str = "") -> None:
        self.emit(EventName.ERROR.value, ErrorEvent(error=error, data=data))

    def _call_handlers(self, event: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> bool:
        previous, self._emitting = self._emitting, event
        try:
            return super()._call_handlers(event, args, kwargs)
        finally:
            self._emitting = previous

    def _emit_run(
        self, f: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> None:
        # pyee would re-emit a raw exception on "error"; we wrap it in an ErrorEvent naming the
        # event whose handler failed, and never loop when an error handler itself fails.
        event = self._emitting or "?"
        try:
            result = f(*args, **kwargs)
        except Exception as exc:
            self._handler_failed(event, exc)
            return
        if asyncio.iscoroutine(result):
            task = asyncio.ensure_future(result)
            self._waiting.add(task)
            task.add_done_callback(lambda t: self._handler_done(event, t))

    def _handler_done(self, event: str, task: asyncio.Future[Any]) -> None:
        self._waiting.discard(task)
        if not task.cancelled() and task.exception() is not None:
            exc = task.exception()
            assert exc is not None
            self._handler_failed(event, exc)

    def _handler_failed(self, event: str, exc: BaseException) -> None:
        if self._stopping and isinstance(exc, (BridgeError, BrowserError)):
            # the page closed under a handler because we are stopping: not the user's error
            _log.debug("a %r handler was cut by the stop: %r", event, exc)
            return
        if event == EventName.ERROR.value:
            _log.error("an 'error' handler raised: %r", exc)
            return
        _log.debug("a %r handler raised %r", event, exc)
        self._emit_error(exc, f"handler:{event}")

    async def _settle_handlers(self, grace: float) -> None:
        """Let the async handlers in flight finish (for up to ``grace`` s), then cancel the rest.

        Called by ``stop`` before the page closes, so a handler's last call (a reply being sent)
        completes instead of failing with "page closed". A handler that is itself stopping the
        puppet is not waited for.
        """
        current = asyncio.current_task()
        pending = {task for task in self._waiting if task is not current}
        if not pending:
            return
        _, late = await asyncio.wait(pending, timeout=grace)
        if late:
            _log.debug("cancelling %d handler(s) still running after %.1f s", len(late), grace)
            for task in late:
                task.cancel()
            await asyncio.wait(late, timeout=grace)  # a handler may clean up; bounded anyway

    def _emit_handle_potential_error(self, event: str, error: Any) -> None:
        if event == EventName.ERROR.value:
            err = error.error if isinstance(error, ErrorEvent) else error
            _log.error("unhandled puppet error (no 'error' listener): %r", err)

    def wait_for(
        self,
        event: EventName | str,
        predicate: Callable[[Any], bool] | None = None,
        timeout: float | None = 30.0,
    ) -> asyncio.Future[Any]:
        """A future of the next ``event`` that satisfies ``predicate``.

        The listener is registered when this is *called*, so
        ``fut = puppet.wait_for("scan"); await puppet.start(); await fut`` misses nothing;
        ``await puppet.wait_for(...)`` works too. On timeout the future raises ``TimeoutError``.
        """
        name = EventName(event).value
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Any] = loop.create_future()

        def listener(ev: Any) -> None:
            if future.done():
                return
            try:
                matched = predicate is None or predicate(ev)
            except Exception as exc:  # a broken predicate fails the wait, not the puppet
                future.set_exception(exc)
                return
            if matched:
                future.set_result(ev)

        self.on(name, listener)
        handle = None
        if timeout is not None:
            handle = loop.call_later(timeout, _expire, future, name, timeout)

        def cleanup(_: asyncio.Future[Any]) -> None:
            self.remove_listener(name, listener)
            if handle is not None:
                handle.cancel()

        future.add_done_callback(cleanup)
        return future


def _expire(future: asyncio.Future[Any], name: str, timeout: float) -> None:
    if not future.done():
        future.set_exception(TimeoutError(f"no {name!r} event within {timeout:g} s"))
