"""The fleet runner: many accounts from one fleet file, supervised, observable.

Every account runs its bot module on its own PuppetWeb; accounts without an ``endpoint`` of their
own share one :class:`~wechaty_puppet_web.BrowserPool` (a context each). The puppet already
recovers by itself from a crashed page or browser (``reset``); the runner restarts a puppet that
could not (a failed start, a reset that failed, a refused login) after a back-off that doubles up
to the longest wait and starts over once the account logs in again. A logout is reported
(``logged-out``) and the puppet stays up showing a new QR code. State goes to the status file
(:mod:`.status`) and to Prometheus (:mod:`.metrics`); log lines carry the account's name
(:mod:`.logs`).
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
import time
from collections.abc import Callable
from types import ModuleType
from typing import TYPE_CHECKING, Any

from ..browser.pool import BrowserPool
from ..errors import FleetError, PuppetWebError
from ..events import (
    ErrorEvent,
    EventName,
    LoginEvent,
    MessageEvent,
    ScanEvent,
)
from ..options import PuppetWebOptions
from ..payloads import ScanStatus
from ..puppet import PuppetWeb
from .config import AccountConfig, FleetConfig
from .logs import ACCOUNT
from .metrics import FleetMetrics
from .status import AccountStatus, write_status

if TYPE_CHECKING:
    from ..service.server import PuppetService

__all__ = ["AccountRunner", "Fleet"]

_log = logging.getLogger("wechaty_puppet_web.fleet")

STATUS_EVERY = 2.0  # seconds between status rewrites (state changes are written at once)
# Errors after which the puppet cannot go on by itself: its reset failed, or the login was refused.
FATAL_ERRORS = frozenset({"reset", "login"})
MAX_LATENCY = 600.0  # seconds; beyond this the page's clock is off, not the event late

Notify = Callable[[str], None]


class AccountRunner:
    """One account: its puppet, its supervision loop and its status."""

    def __init__(self, config: AccountConfig, fleet: Fleet, bot: ModuleType | None) -> None:
        self.config = config
        self.fleet = fleet
        self.bot = bot
        self.status = AccountStatus(name=config.name)
        self.puppet: PuppetWeb | None = None
        self._stopping = asyncio.Event()
        self._changed = asyncio.Event()  # replaced on every status change
        self._backoffs_seen = 0

    @property
    def name(self) -> str:
        """The account's name in the fleet file."""
        return self.config.name

    def _set(self, state: str, error: str = "") -> None:
        if state != self.status.state:
            self.status.state, self.status.since = state, time.time()
        if error:
            self.status.last_error = error[:300]
        self.fleet.write_status()
        self._wake()

    def _wake(self) -> None:
        # Counters change too often to rewrite the file each time (the status loop does that).
        self._changed.set()
        self._changed = asyncio.Event()

    async def wait_until(
        self, predicate: Callable[[AccountStatus], bool], timeout: float = 60.0
    ) -> AccountStatus:
        """The status, once ``predicate`` holds for it (checked on every change).

        Raises:
            TimeoutError: it did not hold within ``timeout`` seconds.
        """
        async with asyncio.timeout(timeout):
            while not predicate(self.status):
                await self._changed.wait()
        return self.status

    def _options(self) -> PuppetWebOptions:
        fleet = self.fleet.config
        own = self.config.endpoint
        return PuppetWebOptions(
            session_file=self.config.session,
            sandbox=fleet.sandbox,
            headless=fleet.headless,
            endpoint=own,
            pool=None if own else self.fleet.pool,
        )

    async def run(self) -> None:
        """Start the puppet; restart it with back-off whenever it dies, until :meth:`stop`."""
        first, longest = self.fleet.config.backoff
        delay = first
        while not self._stopping.is_set():
            self._set("starting")
            _log.info("starting (session file %s)", self.config.session)
            logins_before = self.status.logins
            reason = await self._run_once()
            if self._stopping.is_set():
                break
            if self.status.logins > logins_before:
                delay = first  # it worked for a while: start the back-off over
            self.status.restarts += 1
            self.fleet.metrics.restarts.labels(self.name).inc()
            _log.warning("account stopped (%s); restart in %.1f s", reason, delay)
            self.fleet.notify(f"[{self.name}] stopped ({reason[:120]}); restart in {delay:g} s")
            self._set("restarting", reason)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), delay)  # the back-off itself
            delay = min(delay * 2, longest)
        self._set("stopped")

    async def _run_once(self) -> str:
        puppet = PuppetWeb(self._options())
        self.puppet, self._backoffs_seen = puppet, 0
        dead: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        self._attach(puppet, dead)
        service = None
        try:
            await puppet.start()
            service = await self._serve(puppet)
            stop: asyncio.Future[Any] = asyncio.ensure_future(self._stopping.wait())
            waits: list[asyncio.Future[Any]] = [dead, stop]
            await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
            stop.cancel()
            return dead.result() if dead.done() else "stopped"
        except PuppetWebError as exc:
            return f"start failed: {exc}"
        finally:
            self.sync_counters()
            self.fleet.metrics.up.labels(self.name).set(0)
            if service is not None:
                await service.stop()
            await puppet.stop()
            self.puppet = None

    async def _serve(self, puppet: PuppetWeb) -> PuppetService | None:
        """Put the Puppet Service in front of this puppet, if the account asks for one.

        Raises:
            ServiceError: no stubs, unusable TLS files, or the port is taken.
        """
        from ..service.server import PuppetService, TlsFiles

        cfg = self.config.service
        if cfg is None:
            return None
        tls = TlsFiles(cfg.tls_cert, cfg.tls_key) if cfg.tls_cert and cfg.tls_key else None
        service = PuppetService(puppet, token=cfg.token)
        await service.start(host=cfg.host, port=cfg.port, tls=tls)
        self.status.service = f"{service.host}:{service.port}"
        _log.info("puppet service listening on %s", self.status.service)
        return service

    def _attach(self, puppet: PuppetWeb, dead: asyncio.Future[str]) -> None:
        from ..commands.run import register_handlers

        m, name = self.fleet.metrics, self.name

        def on_error(event: ErrorEvent) -> None:
            _log.warning("error (%s): %r", event.data, event.error)
            self._set(self.status.state, f"{event.data}: {event.error}")
            if event.data in FATAL_ERRORS and not dead.done():
                dead.set_result(f"{event.data} failed: {event.error}")

        def on_scan(event: ScanEvent) -> None:
            if event.status is ScanStatus.WAITING and event.qrcode:
                self.fleet.show_qr(self, event.qrcode)
                if self.status.state != "logged-out":  # keep saying why a scan is needed
                    self._set("scan")

        def on_login(event: LoginEvent) -> None:
            self.status.logins += 1
            self.status.self_id = event.contact_id
            m.logins.labels(name).inc()
            m.up.labels(name).set(1)
            self._set("logged-in")
            self.fleet.notify(f"[{name}] logged in as {event.contact_id}")

        def on_logout(_event: Any) -> None:
            self.status.logouts += 1
            m.logouts.labels(name).inc()
            m.up.labels(name).set(0)
            self._set("logged-out")
            self.fleet.notify(f"[{name}] logged out; scan the new QR code to log in again")

        def on_reset(_event: Any) -> None:
            self.status.resets += 1
            m.resets.labels(name).inc()
            self._set(self.status.state)

        def on_message(event: MessageEvent) -> None:
            self.sync_counters()  # a send that backed off shows up as a message: count it now
            page_time = puppet.envelope_time
            if page_time > 0 and 0 <= time.time() - page_time < MAX_LATENCY:
                m.latency.labels(name).observe(time.time() - page_time)
            if event.payload.talker_id == self.status.self_id:
                self.status.messages_out += 1
                m.sent.labels(name).inc()
            else:
                self.status.messages_in += 1
                m.received.labels(name).inc()
            self._wake()

        # The runner's own listeners first: the bot's handlers see a counted event.
        puppet.on(EventName.SCAN.value, on_scan)
        puppet.on(EventName.LOGIN.value, on_login)

        def on_ready(_event: Any) -> None:
            self._set("ready")
            self.fleet.notify(f"[{name}] ready")

        puppet.on(EventName.READY.value, on_ready)
        puppet.on(EventName.LOGOUT.value, on_logout)
        puppet.on(EventName.RESET.value, on_reset)
        puppet.on(EventName.MESSAGE.value, on_message)
        if self.bot is not None:
            register_handlers(puppet, self.bot, on_error=lambda _e: None)
        puppet.on(EventName.ERROR.value, on_error)

    def sync_counters(self) -> None:
        """Fold the puppet's rate-limit back-offs into the status and the metrics."""
        puppet = self.puppet
        if puppet is None:
            return
        new = puppet.rate_limit_backoffs - self._backoffs_seen
        if new > 0:
            self._backoffs_seen += new
            self.status.backoffs += new
            self.fleet.metrics.backoffs.labels(self.name).inc(new)
            self._wake()

    def stop(self) -> None:
        """Ask the loop to end (the puppet is stopped on the way out)."""
        self._stopping.set()


class Fleet:
    """Runs every account of a fleet file (see the module docstring).

    Args:
        config: the parsed fleet file.
        notify: where QR codes and notices for the operator go (the CLI prints them).
    """

    def __init__(self, config: FleetConfig, *, notify: Notify | None = None) -> None:
        from ..commands.run import load_bot

        self.config = config
        self.notify: Notify = notify or (lambda text: _log.info("%s", text))
        self.metrics = FleetMetrics()
        self.metrics_port: int | None = None
        self.pool = BrowserPool(
            endpoint=config.endpoint, sandbox=config.sandbox, headless=config.headless
        )
        self.accounts: dict[str, AccountRunner] = {}
        for account in config.accounts:
            try:
                bot = None if account.bot is None else load_bot(account.bot)
            except PuppetWebError as exc:  # BotModuleError: missing, or failed at import
                raise FleetError(f"{account.name}: {exc}") from exc
            self.accounts[account.name] = AccountRunner(account, self, bot)
        self._tasks: list[asyncio.Task[None]] = []
        self._status_task: asyncio.Task[None] | None = None
        self._started = False

    async def start(self) -> None:
        """Serve metrics (if asked), then start every account; returns at once.

        Raises:
            FleetError: the metrics port could not be bound.
        """
        if self.config.metrics is not None:
            host, port = self.config.metrics
            try:
                self.metrics_port = self.metrics.serve(host, port)
            except OSError as exc:
                raise FleetError(f"cannot serve metrics on {host}:{port}: {exc}") from exc
        self._started = True
        if any(a.endpoint is None for a in self.config.accounts):
            # Started here, outside any account's context: Playwright's dispatch task copies
            # the context it starts in, and would tag every account's callbacks with one name.
            try:
                await self.pool.browser()
            except PuppetWebError as exc:  # each account retries with its back-off
                _log.error("the shared browser did not start: %s", exc)
        for runner in self.accounts.values():
            ctx = contextvars.copy_context()
            ctx.run(ACCOUNT.set, runner.name)  # every task of this account logs its name
            self._tasks.append(
                asyncio.create_task(runner.run(), name=f"fleet-{runner.name}", context=ctx)
            )
        self._status_task = asyncio.create_task(self._status_loop(), name="fleet-status")
        self.write_status()

    async def _status_loop(self) -> None:
        while True:
            await asyncio.sleep(STATUS_EVERY)  # a timer: counters change without events
            for runner in self.accounts.values():
                runner.sync_counters()
            self.write_status()

    def write_status(self) -> None:
        """Rewrite the status file (an error is logged, never raised into a puppet's event)."""
        if not self._started:
            return
        try:
            statuses = [r.status for r in self.accounts.values()]
            write_status(self.config.status_file, statuses, self.metrics_port)
        except FleetError as exc:
            _log.error("%s", exc)

    def show_qr(self, runner: AccountRunner, qrcode: str) -> None:
        """A QR code for ``runner``'s account: a PNG in ``qr_dir``, else the terminal."""
        from ..qr import render_qr, save_qr_png

        qr_dir = self.config.qr_dir
        if qr_dir is not None:
            path = qr_dir / f"{runner.name}.png"
            try:
                qr_dir.mkdir(parents=True, exist_ok=True)
                save_qr_png(qrcode, path)
            except (OSError, PuppetWebError) as exc:
                _log.error("cannot save the QR code: %s", exc)
                return
            runner.status.qr = str(path)
            self.notify(f"[{runner.name}] scan {path} with WeChat to log in")
        else:
            self.notify(f"[{runner.name}] scan with WeChat to log in:\n{render_qr(qrcode)}")

    async def stop(self) -> None:
        """Stop every account, then the shared browser and the metrics endpoint."""
        for runner in self.accounts.values():
            runner.stop()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks.clear()
        if self._status_task is not None:
            self._status_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._status_task
        self.write_status()
        await self.pool.close()
        self.metrics.close()

    async def __aenter__(self) -> Fleet:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()
