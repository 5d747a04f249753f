"""Page order for envelopes that travel two lanes (Playwright's binding and the CDP binding).

``bridge.js`` numbers every envelope of a document (``seq`` 1, 2, …) and sends it over the CDP
binding when there is one, else (or when that call fails) over Playwright's. Either lane keeps
its own order, but one may overtake the other, so the bridge hands envelopes to the puppet
through :class:`SeqOrder`: in seq order, holding one that came early until the envelopes before
it arrive, or for ``gap_wait`` at most (an envelope the bridge dropped, e.g. a forged one, must
not stall the ones after it). A new document starts again at seq 1. On one lane nothing is ever
held, so the common path costs nothing.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Generic, Protocol, TypeVar

__all__ = ["SeqOrder"]

GAP_WAIT = 0.05  # seconds an early envelope waits for the ones before it


class _Numbered(Protocol):
    @property
    def seq(self) -> int: ...


E = TypeVar("E", bound=_Numbered)


class SeqOrder(Generic[E]):
    """Deliver ``E`` items to ``deliver`` in ``seq`` order (see the module docstring)."""

    def __init__(self, deliver: Callable[[E], None], *, gap_wait: float = GAP_WAIT) -> None:
        self._deliver = deliver
        self._gap_wait = gap_wait
        self._expected: int | None = None
        self._held: dict[int, E] = {}
        self._timer: asyncio.TimerHandle | None = None

    def push(self, item: E) -> None:
        """One item from either lane."""
        seq = item.seq
        if self._expected is None:
            self._expected = seq
        if seq < self._expected:
            if seq != 1:
                self._deliver(item)  # a straggler we stopped waiting for: late, not lost
                return
            self.flush()  # a new document: what the old one left goes first
            self._expected = 1
        if seq > self._expected:
            self._held[seq] = item
            self._arm()
            return
        self._deliver(item)
        self._expected = seq + 1
        while self._expected in self._held:
            self._deliver(self._held.pop(self._expected))
            self._expected += 1
        if not self._held:
            self._disarm()

    def flush(self) -> None:
        """Deliver everything held, in order, giving up on the gaps."""
        self._disarm()
        for seq in sorted(self._held):
            self._deliver(self._held.pop(seq))
            self._expected = seq + 1

    @property
    def holding(self) -> int:
        """How many items wait for earlier ones."""
        return len(self._held)

    def _arm(self) -> None:
        if self._timer is not None:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # no event loop (a synchronous caller): nothing to wait with
            self.flush()
            return
        self._timer = loop.call_later(self._gap_wait, self._gap_timeout)

    def _gap_timeout(self) -> None:
        self._timer = None
        self.flush()

    def _disarm(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
