"""Page order for envelopes that travel two lanes (Playwright's binding and the CDP binding).

``bridge.js`` tags every envelope with its document's id (``doc``, made up per document by the
init script) and numbers it within that document (``seq`` 1, 2, …); it sends it over the CDP
binding when there is one, else (or when that call fails) over Playwright's. Either lane keeps
its own order, but one may overtake the other, so the bridge hands envelopes to the puppet
through :class:`SeqOrder`: per document, in seq order from 1, holding one that came early until
the envelopes before it arrive, or for ``gap_wait`` at most (an envelope the bridge dropped, e.g.
a forged one, must not stall the ones after it). The first envelope of a new document ends the
old one: what it still held goes first, a late one of it is handed on at once (late, not lost),
and the new document starts at seq 1 whatever number came first. On one lane nothing is ever
held, so the common path costs nothing.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable
from typing import Generic, Protocol, TypeVar

__all__ = ["SeqOrder"]

GAP_WAIT = 0.05  # seconds an early envelope waits for the ones before it
_ENDED_KEPT = 8  # ended documents remembered, to know their late envelopes as such


class _Numbered(Protocol):
    @property
    def doc(self) -> str: ...

    @property
    def seq(self) -> int: ...


E = TypeVar("E", bound=_Numbered)


class SeqOrder(Generic[E]):
    """Deliver ``E`` items to ``deliver`` in page order (see the module docstring)."""

    def __init__(self, deliver: Callable[[E], None], *, gap_wait: float = GAP_WAIT) -> None:
        self._deliver = deliver
        self._gap_wait = gap_wait
        self._doc: str | None = None
        self._expected = 1
        self._held: dict[int, E] = {}
        self._ended: deque[str] = deque(maxlen=_ENDED_KEPT)
        self._timer: asyncio.TimerHandle | None = None

    def push(self, item: E) -> None:
        """One item from either lane."""
        doc, seq = item.doc, item.seq
        if doc != self._doc:
            if doc in self._ended:
                self._deliver(item)  # a straggler of an ended document: late, not lost
                return
            self.flush()  # a new document: what the old one left goes first
            if self._doc is not None:
                self._ended.append(self._doc)
            self._doc, self._expected = doc, 1
        if seq < self._expected:
            self._deliver(item)  # a straggler we stopped waiting for: late, not lost
            return
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

    def reset(self) -> None:
        """A new page: hand on what the old one held, then expect a first document afresh."""
        self.flush()
        self._doc, self._expected = None, 1
        self._ended.clear()

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
