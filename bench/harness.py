"""The shared harness of the benchmarks: figures, percentiles, process memory, arrival clocks.

A benchmark returns :class:`Figure` rows; ``python -m bench`` prints them in one table (the
measured value, the bare-protocol floor beside it, the target and whether it was met) and writes
them as JSON. Nothing here asserts: benchmarks report, tests judge.
"""

from __future__ import annotations

import asyncio
import math
import os
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

MIB = 1024 * 1024
_PAGE = os.sysconf("SC_PAGE_SIZE")
_CHROMIUM_NAMES = ("chromium", "chrome", "headless_shell")


@dataclass(frozen=True, slots=True, kw_only=True)
class Figure:
    """One measured number of one benchmark.

    ``target`` is the design's bound and ``higher_is_better`` says which side of it passes;
    ``floor`` is the same figure measured with the bare protocol client (no browser).
    """

    bench: str
    name: str
    value: float
    unit: str
    target: float | None = None
    higher_is_better: bool = False
    floor: float | None = None
    note: str = ""

    @property
    def met(self) -> bool | None:
        """Whether ``value`` is on the good side of ``target`` (None without a target)."""
        if self.target is None or math.isnan(self.value):
            return None if self.target is None else False
        return self.value >= self.target if self.higher_is_better else self.value <= self.target

    @property
    def slowdown(self) -> float | None:
        """How many times worse than the floor (value/floor, or floor/value for rates)."""
        if self.floor is None or math.isnan(self.value) or math.isnan(self.floor):
            return None
        num, den = (self.floor, self.value) if self.higher_is_better else (self.value, self.floor)
        return num / den if den else None

    def to_json(self) -> dict[str, Any]:
        """Plain JSON of the figure with the derived fields."""
        return asdict(self) | {"met": self.met, "slowdown": self.slowdown}


def percentile(values: Sequence[float], pct: float) -> float:
    """The ``pct`` percentile (0-100) with linear interpolation; NaNs (failed runs) are left
    out, and NaN comes back when nothing is left."""
    ordered = sorted(v for v in values if not math.isnan(v))
    if not ordered:
        return math.nan
    rank = (len(ordered) - 1) * pct / 100.0
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def median(values: Sequence[float]) -> float:
    """The 50th percentile."""
    return percentile(values, 50.0)


def now() -> float:
    """A monotonic clock in seconds (the one every benchmark uses)."""
    return time.perf_counter()


class Arrivals:
    """Arrival times of message ids, with a way to await a set of them.

    Both sides feed it: the puppet's ``message`` handler and the bare client's sync loop, so the
    puppet and the floor are timed by the same code.
    """

    def __init__(self) -> None:
        self.first: dict[str, float] = {}
        self.count: dict[str, int] = {}
        self._want: set[str] = set()
        self._done = asyncio.Event()

    def arrive(self, msg_id: str) -> None:
        """Record ``msg_id`` now (a repeat counts as a duplicate, the first time stays)."""
        self.first.setdefault(msg_id, now())
        self.count[msg_id] = self.count.get(msg_id, 0) + 1
        if self._want and msg_id in self._want:
            self._want.discard(msg_id)
            if not self._want:
                self._done.set()

    async def wait_all(self, ids: Iterable[str], timeout: float) -> bool:
        """True once every id in ``ids`` arrived; False when ``timeout`` passed first."""
        self._want = {i for i in ids if i not in self.first}
        if not self._want:
            return True
        self._done = asyncio.Event()
        try:
            await asyncio.wait_for(self._done.wait(), timeout)
        except TimeoutError:
            return False
        finally:
            self._want = set()
        return True

    def duplicates(self, ids: Iterable[str]) -> int:
        """How many extra deliveries the ids got beyond one each."""
        return sum(max(0, self.count.get(i, 0) - 1) for i in ids)


# ---------------------------------------------------------------- memory (/proc, no psutil)


def _ppid_map() -> dict[int, int]:
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        # The comm field may hold spaces and parentheses: split after the last ')'.
        fields = stat[stat.rfind(")") + 2 :].split()
        parents[int(entry)] = int(fields[1])
    return parents


def descendants(root: int) -> list[int]:
    """Every live process below ``root`` (children, grandchildren…)."""
    children: dict[int, list[int]] = {}
    for pid, ppid in _ppid_map().items():
        children.setdefault(ppid, []).append(pid)
    out: list[int] = []
    stack = [root]
    while stack:
        for child in children.get(stack.pop(), []):
            out.append(child)
            stack.append(child)
    return out


def rss_bytes(pid: int) -> int:
    """Resident set size of one process (0 when it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/statm").read_text().split()
    except OSError:
        return 0
    return int(fields[1]) * _PAGE


def pss_bytes(pid: int) -> int:
    """Proportional set size (shared pages split between their users); 0 when unreadable."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return 0
    return 0


def _comm(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Memory:
    """RSS in bytes of this Python process, the Playwright driver and the Chromium tree, and
    the PSS of all of them together (RSS counts a shared page once per process that maps it)."""

    python: int
    driver: int
    chromium: int
    chromium_processes: int
    pss: int

    @property
    def total(self) -> int:
        """Everything the bot costs: Python + Playwright's driver + every Chromium process."""
        return self.python + self.driver + self.chromium


def memory(exclude: int | None = None) -> Memory:
    """Sum the RSS of this process and everything it started, except the ``exclude`` process
    tree (RSS sums overcount shared pages, so this is an upper bound)."""
    skip = {exclude, *descendants(exclude)} if exclude is not None else set()
    chromium = driver = count = 0
    pss = pss_bytes(os.getpid())
    for pid in descendants(os.getpid()):
        if pid in skip:
            continue
        pss += pss_bytes(pid)
        if _comm(pid).startswith(_CHROMIUM_NAMES):
            chromium += rss_bytes(pid)
            count += 1
        else:
            driver += rss_bytes(pid)
    return Memory(python=rss_bytes(os.getpid()), driver=driver, chromium=chromium,
                  chromium_processes=count, pss=pss)  # fmt: skip


def mib(n: int) -> float:
    """Bytes to MiB."""
    return n / MIB


async def timed(fn: Callable[[], Any]) -> float:
    """Seconds one awaited call took."""
    start = now()
    await fn()
    return now() - start
