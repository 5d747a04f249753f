"""QR login state: one :class:`LoginTicket` per jslogin uuid, driven by the phone, read by polls."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum

from . import ids


class QrState(Enum):
    """Where a QR code / push-login prompt is."""

    WAITING = 408
    SCANNED = 201
    CONFIRMED = 200
    CANCELLED = 202
    EXPIRED = 400


@dataclass(slots=True, kw_only=True, eq=False)
class LoginTicket:
    """One login attempt (a QR uuid or a push-login uuid)."""

    uuid: str
    push: bool = False
    lang: str = "zh_CN"
    state: QrState = QrState.WAITING
    reported: QrState = QrState.WAITING
    ticket: str = ""
    scan_time: int = 0
    created: float = field(default_factory=time.monotonic)
    used_by: str = ""  # sid of the session the ticket created
    redirect_host: str = ""  # push logins stay on the host family they came from
    _changed: asyncio.Event = field(default_factory=asyncio.Event)
    # Set while a poll is held: tests await it to prove a pending poll wakes on a scan.
    polling: asyncio.Event = field(default_factory=asyncio.Event)

    def set_state(self, state: QrState) -> None:
        """Move to ``state`` and wake pending polls."""
        self.state = state
        if state is QrState.SCANNED:
            self.scan_time = int(time.time())
        if state is QrState.CONFIRMED and not self.ticket:
            self.ticket = ids.qr_ticket()
            self.scan_time = self.scan_time or int(time.time())
        self.wake()

    def wake(self) -> None:
        """Release pending polls (they re-read the state)."""
        self._changed.set()
        self._changed = asyncio.Event()

    async def poll(self, hold: float) -> QrState:
        """What a login poll answers: a new state at once, else wait up to ``hold`` (then 408)."""
        if self.state is self.reported and self.state in (QrState.WAITING, QrState.SCANNED):
            changed = self._changed
            self.polling.set()
            try:
                await asyncio.wait_for(changed.wait(), hold)
            except TimeoutError:
                return QrState.WAITING
            finally:
                self.polling.clear()
        self.reported = self.state
        return self.state


# How long a QR code (or push prompt) stays scannable. The real server lets a uuid lapse after
# a few minutes (clients then see 400 and fetch a new one); 5 minutes is a realistic default.
QR_TTL = 300.0


def _lapse(t: LoginTicket) -> None:
    """The ticket's time is up: an open QR code expires (a used or refused one stays so)."""
    if t.state in (QrState.WAITING, QrState.SCANNED):
        t.set_state(QrState.EXPIRED)


class LoginHub:
    """All login tickets of a sandbox; notifies the phone when a new QR appears.

    ``ttl`` (seconds, read when a ticket is made) is how long a ticket stays open before it
    expires by itself (the poll then answers 400); ``None`` or 0 keeps it open forever.
    """

    def __init__(self, ttl: Callable[[], float | None] = lambda: QR_TTL) -> None:
        self.tickets: dict[str, LoginTicket] = {}
        self._new_qr = asyncio.Event()
        self.on_new: Callable[[LoginTicket], None] | None = None
        self._ttl = ttl
        self._timers: list[asyncio.TimerHandle] = []

    def new(self, *, push: bool = False, lang: str = "zh_CN") -> LoginTicket:
        """A fresh uuid (``A_1_…`` for push login), expiring after the hub's ttl."""
        uuid = ids.push_uuid() if push else ids.login_uuid()
        t = LoginTicket(uuid=uuid, push=push, lang=lang)
        self.tickets[uuid] = t
        ttl = self._ttl()
        if ttl:
            loop = asyncio.get_running_loop()
            now = loop.time()  # forget timers that already fired (a QR code per jslogin)
            self._timers = [h for h in self._timers if h.when() > now and not h.cancelled()]
            self._timers.append(loop.call_later(ttl, _lapse, t))
        self._new_qr.set()
        self._new_qr = asyncio.Event()
        if self.on_new is not None:
            self.on_new(t)
        return t

    def close(self) -> None:
        """Wake every pending poll (they answer 408 at once); used on stop and reset."""
        for timer in self._timers:
            timer.cancel()
        self._timers.clear()
        for t in self.tickets.values():
            t.wake()

    def get(self, uuid: str) -> LoginTicket | None:
        """The ticket of ``uuid``."""
        return self.tickets.get(uuid)

    def by_ticket(self, ticket: str, uuid: str | None = None) -> LoginTicket | None:
        """The confirmed login whose redirect carried ``ticket``."""
        t = self.tickets.get(uuid) if uuid else None
        if t is not None and t.ticket == ticket:
            return t
        for cand in self.tickets.values():
            if cand.ticket and cand.ticket == ticket:
                return cand
        return None

    def current(self) -> LoginTicket | None:
        """The newest ticket still waiting for the phone (scannable or scanned)."""
        for t in reversed(list(self.tickets.values())):
            if t.state in (QrState.WAITING, QrState.SCANNED):
                return t
        return None

    async def wait_current(self, timeout: float) -> LoginTicket:
        """The current ticket, waiting for a new one if none is open.

        Raises:
            TimeoutError: none appeared in time.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            t = self.current()
            if t is not None:
                return t
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(f"no QR code was requested within {timeout:g} s")
            event = self._new_qr
            try:
                await asyncio.wait_for(event.wait(), remaining)
            except TimeoutError:
                continue
