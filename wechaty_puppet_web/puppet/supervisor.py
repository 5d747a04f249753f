"""Recovery in layers: the heartbeat, busy-or-dead, and resets that always end.

The supervisor runs the heartbeat (a bridge call into the page) and decides what a failure means:

- the page answers: all is well (``heartbeat``);
- the page does not answer but the browser does (a CDP ``Browser.getVersion`` on the browser
  session): the page's main thread is **busy** (a huge contact list re-rendering, a slow machine).
  It is given time with a growing heartbeat interval, reported once as ``page-busy`` after
  ``busy_warn_after``, and reset only after ``busy_timeout`` (doubled after each busy reset, so a
  page that is always busy is never reset in a loop). An envelope from the page while it is busy
  (its main thread runs again) brings the next heartbeat forward, so the end of a busy spell is
  seen at once rather than up to BUSY_MAX_INTERVAL later;
- the browser does not answer either (frozen, SIGSTOP), or the Playwright driver's connection
  closed: **dead**, recovered at once;
- the Playwright driver itself is stopped (``/proc`` state) or does not answer a round trip that
  touches no browser: every call through it hangs, CDP probes too, so it is asked on its own and
  recovered from the Playwright layer at once (killed, even stopped, and started again).

Recovery escalates through layers, each bounded by ``recovery_timeout`` (asyncio.timeout, so a
frozen browser cannot hold a reset forever): a new page in the same context; our own Chromium
killed (process group, SIGKILL) and relaunched; Playwright itself restarted. The cookies kept for
the session go into every new context, so the session resumes without a scan and the client's
SyncKey brings what arrived meanwhile. A success is a ``reset`` event; when every layer fails:
``error`` then ``logout`` (the session file is kept), and it tries again with back-off.

Nothing may end the supervising task: every failure becomes an ``error`` event and the loop goes on.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from enum import Enum

from playwright.async_api import Error as PlaywrightError

from ..browser.bridge import Bridge
from ..errors import BridgeTimeout, BrowserError, PuppetWebError
from ..events import Event, HeartbeatEvent, PageBusyEvent, ResetEvent
from ..options import PuppetWebOptions
from .page import PageSession

__all__ = ["Layer", "Supervisor"]

_log = logging.getLogger("wechaty_puppet_web.puppet")

MISSED_HEARTBEATS = 2  # consecutive failed heartbeats (of a page that is not busy) before a reset
PROBE_TIMEOUT = 5.0  # a browser that does not answer CDP in this time is frozen
MIN_CALL_TIMEOUT = 5.0  # a heartbeat call gets at least this long (CPU contention)
BUSY_MAX_INTERVAL = 30.0  # the heartbeat interval grows up to this while the page is busy
GIVE_UP_RETRY = (5.0, 60.0)  # first and last wait before trying again after every layer failed


class Layer(Enum):
    """How deep a reset goes."""

    PAGE = "page"  # a new page in the same context
    BROWSER = "browser"  # our Chromium killed and relaunched
    PLAYWRIGHT = "playwright"  # a new Playwright driver, Chromium and page


class Supervisor:
    """Heartbeat and layered recovery for one PuppetWeb (see the module docstring)."""

    def __init__(
        self,
        options: PuppetWebOptions,
        page: PageSession,
        bridge: Bridge,
        *,
        emit: Callable[[Event], None],
        emit_error: Callable[[BaseException, str], None],
        gave_up: Callable[[str], Awaitable[None]],
    ) -> None:
        self.options = options
        self._page = page
        self._bridge = bridge
        self._emit = emit
        self._emit_error = emit_error
        self._gave_up = gave_up
        self._lock = asyncio.Lock()
        self._task: asyncio.Task[None] | None = None
        self._running = False
        self._missed = 0
        self._busy_since: float | None = None
        self._busy_reported = False
        self._busy_allowance = options.busy_timeout
        self._retry_wait = GIVE_UP_RETRY[0]
        self._pending: set[asyncio.Task[None]] = set()
        self._wake = asyncio.Event()  # set when a busy page speaks again: beat now
        self.failed = False  # every layer failed last time: retrying with back-off

    @property
    def busy_allowance(self) -> float:
        """Seconds a busy page is given before it is reset (doubles after each busy reset)."""
        return self._busy_allowance

    # ---- lifecycle ----------------------------------------------------------------------

    def start(self) -> None:
        """Start the heartbeat task."""
        self._running = True
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="wpw-supervisor")

    async def stop(self) -> None:
        """Stop the heartbeat (a reset in progress is cancelled with it)."""
        self._running = False
        tasks = [t for t in (self._task, *self._pending) if t is not None]
        self._task = None
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    # ---- heartbeat ----------------------------------------------------------------------

    async def _run(self) -> None:
        interval = self.options.heartbeat_interval
        wait = interval
        while self._running:
            await self._pause(wait)
            try:
                wait = await self._beat(interval, wait)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the catch-all: this task must outlive anything
                _log.exception("supervisor step failed")
                self._emit_error(exc, "supervisor")
                wait = interval

    async def _pause(self, wait: float) -> None:
        """The wait between heartbeats (a timer), cut short when a busy page speaks again."""
        self._wake.clear()
        try:
            async with asyncio.timeout(wait):
                await self._wake.wait()
        except TimeoutError:
            pass

    def page_spoke(self) -> None:
        """An envelope came from the page: if it was busy, its main thread runs again."""
        if self._busy_since is not None:
            self._wake.set()

    async def _beat(self, interval: float, wait: float) -> float:
        """One heartbeat; returns the wait before the next one."""
        if self.failed:
            return await self._retry_after_give_up(interval)
        try:
            data = await self._bridge.call("heartbeat", timeout=max(interval, MIN_CALL_TIMEOUT))
        except PuppetWebError as exc:
            return await self._missed_beat(exc, interval, wait)
        if self._busy_since is not None:
            busy_for = asyncio.get_running_loop().time() - self._busy_since
            _log.warning("the page answers again after %.1f s busy", busy_for)
        self._missed = 0
        self._busy_since = None
        self._busy_reported = False
        self._emit(HeartbeatEvent(data=data))
        return interval

    async def _missed_beat(self, exc: PuppetWebError, interval: float, wait: float) -> float:
        self._missed += 1
        _log.warning("heartbeat missed (%d): %s", self._missed, exc)
        dead = await self._dead_layer()
        if dead is not None:
            what = "driver" if dead is Layer.PLAYWRIGHT else "browser"
            await self.recover(f"heartbeat missed, {what} not answering: {exc}", dead)
            return interval
        if isinstance(exc, BridgeTimeout):  # no answer, no error: its main thread is blocked
            return await self._busy(interval, wait)
        # The page answered with an error (no bridge, navigating, closed): dead page.
        if self._missed >= MISSED_HEARTBEATS:
            await self.recover(f"heartbeat missed: {exc}", Layer.PAGE)
        return interval

    async def _busy(self, interval: float, wait: float) -> float:
        """The browser answers, the page does not: wait it out, with back-off."""
        now = asyncio.get_running_loop().time()
        if self._busy_since is None:
            # It stopped answering somewhere in the call before this one failed.
            self._busy_since = now - max(interval, MIN_CALL_TIMEOUT)
        busy_for = now - self._busy_since
        if busy_for >= self.options.busy_warn_after and not self._busy_reported:
            self._busy_reported = True
            _log.warning("the page has been busy for %.0f s (the browser answers)", busy_for)
            self._emit(PageBusyEvent(busy_for=round(busy_for, 1)))
        if busy_for >= self._busy_allowance:
            # Give the next busy page twice as long: never a reset loop.
            self._busy_allowance *= 2
            self._busy_since = None
            self._busy_reported = False
            # A new page cannot escape a main thread all pages share (single-process Chromium).
            first = Layer.BROWSER if self._page.single_renderer else Layer.PAGE
            await self.recover(f"page busy for {busy_for:.0f} s", first)
            return interval
        return min(max(wait, interval) * 2, max(BUSY_MAX_INTERVAL, interval))

    async def _retry_after_give_up(self, interval: float) -> float:
        await self.recover("retrying after a failed recovery")
        if self.failed:
            self._retry_wait = min(self._retry_wait * 2, GIVE_UP_RETRY[1])
            return self._retry_wait
        self._retry_wait = GIVE_UP_RETRY[0]
        return interval

    async def _dead_layer(self) -> Layer | None:
        """Which layer is dead, or None when the browser answers (only the page is stuck).

        The driver is asked on its own (``/proc`` state, then a round trip that touches no
        browser), alongside the CDP probe: a frozen driver hangs the CDP probe as a frozen
        Chromium does, and relaunching Chromium through that driver would hang as well."""
        driver_ok, browser_ok = await asyncio.gather(
            self._page.driver_answers(PROBE_TIMEOUT), self.browser_answers()
        )
        if not driver_ok:
            return Layer.PLAYWRIGHT
        return None if browser_ok else Layer.BROWSER

    async def browser_answers(self) -> bool:
        """True when the browser process answers over CDP (bounded by PROBE_TIMEOUT)."""
        browser = self._page.browser
        if browser is None or self._page.driver_dead or not browser.is_connected():
            return False
        try:
            async with asyncio.timeout(PROBE_TIMEOUT):
                cdp = await browser.new_browser_cdp_session()
                try:
                    await cdp.send("Browser.getVersion")
                finally:
                    await cdp.detach()
        except TimeoutError:
            return False
        except PlaywrightError as exc:
            # No CDP here (a remote Playwright server may refuse it): trust the connection.
            _log.debug("browser probe failed: %s", exc.message)
            return browser.is_connected() and not self._page.driver_dead
        return True

    # ---- recovery -----------------------------------------------------------------------

    def request(self, reason: str) -> None:
        """Ask for a recovery from a callback (a crash, a disconnect): runs in a task."""
        if self._running and not self._lock.locked():
            task = asyncio.ensure_future(self._recover_safely(reason))
            self._pending.add(task)
            task.add_done_callback(self._pending.discard)

    async def _recover_safely(self, reason: str) -> None:
        try:
            await self.recover(reason)
        except Exception as exc:  # pragma: no cover - recover() catches its own
            self._emit_error(exc, "reset")

    async def recover(self, reason: str, first: Layer | None = None) -> bool:
        """Reset from layer ``first`` (chosen from the browser's state when None), escalating
        until one works; returns True on success. Never raises (but CancelledError)."""
        if self._lock.locked() or not self._running:
            return False
        async with self._lock:
            layers = await self._layers(first)
            _log.warning("recovering from layer %s: %s", layers[0].value, reason)
            last: BaseException | None = None
            while layers:
                layer = layers.pop(0)
                try:
                    async with asyncio.timeout(self.options.recovery_timeout):
                        await self._reopen(layer)
                except asyncio.CancelledError:
                    raise
                except Exception as exc:  # Playwright's own errors included
                    last = exc
                    _log.warning("reset layer %s failed: %r", layer.value, exc)
                    if Layer.PLAYWRIGHT in layers and not await self._page.driver_answers(
                        PROBE_TIMEOUT
                    ):
                        layers = [Layer.PLAYWRIGHT]  # the driver froze or died meanwhile
                    continue
                self._succeeded()
                self._emit(ResetEvent(reason=f"{reason} [{layer.value}]"))
                return True
            await self._give_up(reason, last)
            return False

    async def _layers(self, first: Layer | None) -> list[Layer]:
        # Only what this puppet owns: its Chromium (a local launch) may be killed; its Playwright
        # (a local launch or an endpoint connection) restarted; a caller's or a pool's browser
        # only gets a new page (the pool restarts its own browser).
        order = [Layer.PAGE]
        if self._page.owns_browser_process:
            order.append(Layer.BROWSER)
        if self._page.owns_playwright:
            order.append(Layer.PLAYWRIGHT)
        if first is None:
            first = Layer.PLAYWRIGHT if self._page.driver_dead else await self._dead_layer()
            if first is None:
                first = Layer.PAGE
        if first is Layer.BROWSER and first not in order:
            first = Layer.PLAYWRIGHT  # an endpoint's browser: reconnect with a new driver
        return order[order.index(first) :] if first in order else order

    async def _reopen(self, layer: Layer) -> None:
        if layer is Layer.PAGE:
            await self._page.renew()
        elif layer is Layer.BROWSER:
            await self._page.kill_browser()
            await self._page.relaunch()
        else:
            await self._page.restart_playwright()
        await self._bridge.handshake(self.options.call_timeout)

    def _succeeded(self) -> None:
        self._missed = 0
        self._busy_since = None
        self._busy_reported = False
        if self.failed:
            self.failed = False
            self._retry_wait = GIVE_UP_RETRY[0]

    async def _give_up(self, reason: str, last: BaseException | None) -> None:
        detail = f"{type(last).__name__}: {last}" if last is not None else "no layer left"
        error = BrowserError(f"recovery failed ({reason}): {detail}")
        self._emit_error(error, "reset")
        if not self.failed:
            self.failed = True
            await self._gave_up(str(error))
