"""Scale: 5,000 contacts and 300 rooms (up to 500 members each) → ``ready``, ``contact_list()``,
memory, and a soak of SOAK messages with memory before and after (after a WARMUP of traffic).

Memory is the RSS of Chromium (every process of the browser tree), Playwright's driver and Python,
read from /proc (the sandbox's own process is left out). Both before/after samples are taken
after a garbage collection in Python and in the page (CDP ``HeapProfiler.collectGarbage``); the
page's JS heap is reported too.
"""

from __future__ import annotations

import gc
import logging
from dataclasses import dataclass
from typing import Any

from playwright.async_api import Page

from wechaty_puppet_web import PuppetWeb

from .harness import Arrivals, Figure, Memory, median, memory, mib, now
from .latency import measure
from .sandbox_proc import BIG
from .stage import (
    Stage,
    bare_login,
    bare_ready,
    listen_bare,
    listen_puppet,
    stage,
    start_puppet,
    stop_task,
)

_log = logging.getLogger("bench.scale")

NAME = "scale"
SOAK, BATCH, SOAK_CAP = 2000, 100, 45.0  # messages, per batch, seconds at most
# Traffic before the "before" sample: Playwright's node driver grows to a plateau (~+110 MiB)
# over the first ~2000 messages and then stays flat (seen over 8000); that is warm-up, not a leak.
WARMUP, WARMUP_CAP = 1000, 20.0
ROOM_SHARE = 10  # every 10th soak message is posted in a (500-member) room
LIST_CALLS = 5
ROOM_PROBES = 5  # messages timed one by one in a 500-member room
MEMORY_TARGET_MB = 600.0


@dataclass(frozen=True, slots=True, kw_only=True)
class Sample:
    """Process memory plus the page's used JS heap (bytes)."""

    mem: Memory
    js_heap: int


async def sample(st: Stage, page: Page | None) -> Sample:
    """Collect garbage on both sides, then read memory."""
    gc.collect()
    heap = 0
    if page is not None:
        cdp = await page.context.new_cdp_session(page)
        await cdp.send("HeapProfiler.collectGarbage")
        usage: dict[str, Any] = await cdp.send("Runtime.getHeapUsage")
        heap = int(usage.get("usedSize", 0))
        await cdp.detach()
    return Sample(mem=memory(exclude=st.sb.pid), js_heap=heap)


async def room_route(st: Stage) -> tuple[str, str]:
    """(a member, the room) of the first big room the bot is in."""
    roster = await st.sb.call("roster", friends=0, rooms=1)
    room_id, member = roster["rooms"][0]
    return str(member), str(room_id)


async def floor_ready(st: Stage) -> tuple[float, list[float]]:
    """The bare client's login + init + contacts + room members (seconds), and the latencies of
    ROOM_PROBES messages in a big room."""
    await st.fresh()
    arrivals = Arrivals()
    async with st.sb.bare_client() as client:
        ready = await bare_login(client) + await bare_ready(client)
        task = listen_bare(client, arrivals)
        try:
            probes = await measure(st, arrivals, ROOM_PROBES, route=await room_route(st))
        finally:
            await stop_task(task)
    return ready, probes


async def time_contact_list(puppet: PuppetWeb) -> tuple[float, float, int]:
    """(first call s, median of the next calls s, ids returned)."""
    t0 = now()
    ids = await puppet.contact_list()
    first = now() - t0
    times = []
    for _ in range(LIST_CALLS):
        t0 = now()
        await puppet.contact_list()
        times.append(now() - t0)
    return first, median(times), len(ids)


@dataclass(frozen=True, slots=True, kw_only=True)
class Soaked:
    """What the soak did."""

    posted: int
    delivered: int
    seconds: float
    totals: list[int]  # memory().total after each batch (no GC): the trend during the soak


async def soak(
    st: Stage, arrivals: Arrivals, count: int = SOAK, cap: float = SOAK_CAP, tag: str = "soak"
) -> Soaked:
    """Post up to ``count`` messages (1 in ROOM_SHARE in rooms, the rest from friends) in
    awaited batches; stops early after ``cap`` seconds."""
    roster = await st.sb.call("roster", friends=200, rooms=50)
    friends: list[str] = roster["friends"]
    rooms: list[list[str]] = roster["rooms"]
    posted: list[str] = []
    totals: list[int] = []
    t0 = now()
    while len(posted) < count and now() - t0 < cap:
        items = []
        for i in range(len(posted), len(posted) + BATCH):
            if i % ROOM_SHARE == 0:
                room_id, member = rooms[i % len(rooms)]
                items.append((member, room_id, f"{tag} {i}"))
            else:
                items.append((friends[i % len(friends)], "bot", f"{tag} {i}"))
        batch = await st.send_many(items)
        posted += batch
        await arrivals.wait_all(batch, max(1.0, cap - (now() - t0)))
        totals.append(memory(exclude=st.sb.pid).total)
    delivered = sum(1 for i in posted if i in arrivals.first)
    return Soaked(posted=len(posted), delivered=delivered, seconds=now() - t0, totals=totals)


async def run() -> list[Figure]:
    """Floor ready, then the puppet: ready, contact_list, a big room, memory, soak."""
    async with stage("big") as st:
        floor, floor_probes = await floor_ready(st)
        _log.info("floor ready %.2f s", floor)
        await st.fresh()
        arrivals = Arrivals()
        puppet = st.puppet(session=False)
        listen_puppet(puppet, arrivals)
        started = await start_puppet(puppet)
        _log.info("puppet ready %.2f s", started.ready)
        first, again, count = await time_contact_list(puppet)
        probes = await measure(st, arrivals, ROOM_PROBES, route=await room_route(st))
        ready = await sample(st, puppet.page)
        await soak(st, arrivals, WARMUP, WARMUP_CAP, tag="warm-up")
        before = await sample(st, puppet.page)
        soaked = await soak(st, arrivals)
        _log.info("soak: %d/%d in %.1f s", soaked.delivered, soaked.posted, soaked.seconds)
        after = await sample(st, puppet.page)
        await st.stop_puppets()
    return [
        Figure(bench=NAME, name=f"{BIG['contacts']} contacts + {BIG['rooms']} rooms → ready",
               value=started.ready, unit="s", target=10.0, floor=floor),
        Figure(bench=NAME, name="contact_list() first call", value=first * 1000, unit="ms",
               target=100.0, note=f"{count} ids"),
        Figure(bench=NAME, name="contact_list() again", value=again * 1000, unit="ms",
               target=100.0, note=f"median of {LIST_CALLS}"),
        _room_figure(probes, floor_probes),
        *_memory_figures(ready, before, after, soaked),
    ]  # fmt: skip


def _room_figure(probes: list[float], floor: list[float]) -> Figure:
    lost = ROOM_PROBES - len(probes)
    note = f"{ROOM_PROBES} one by one" + (f", {lost} LOST" if lost else "")
    return Figure(bench=NAME, name="room message p50 (500 members)",
                  value=median(probes) * 1000, unit="ms", target=50.0,
                  floor=median(floor) * 1000, note=note)  # fmt: skip


def _second_half(totals: list[int]) -> int:
    """Growth over the second half of the soak: a leak keeps growing, a warm-up does not."""
    if len(totals) < 2:
        return 0
    return totals[-1] - totals[(len(totals) - 1) // 2]


def _memory_figures(ready: Sample, before: Sample, after: Sample, soaked: Soaked) -> list[Figure]:
    r, m, a = ready.mem, before.mem, after.mem
    mem_note = (
        f"Chromium {mib(r.chromium):.0f} ({r.chromium_processes} procs) + "
        f"Playwright driver {mib(r.driver):.0f} + Python {mib(r.python):.0f}"
    )
    growth_note = (
        f"Chromium {mib(a.chromium - m.chromium):+.0f}, driver "
        f"{mib(a.driver - m.driver):+.0f}, Python {mib(a.python - m.python):+.0f}; "
        f"page JS heap {mib(before.js_heap):.1f} → {mib(after.js_heap):.1f} MiB; "
        f"second half of the soak {mib(_second_half(soaked.totals)):+.0f}; "
        f"warm-up before it {mib(m.total - r.total):+.0f}"
    )
    rate = soaked.delivered / soaked.seconds if soaked.seconds else 0.0
    soak_note = (
        f"{soaked.delivered}/{soaked.posted} delivered in {soaked.seconds:.1f} s ({rate:.0f} msg/s)"
    )
    noise = max(20.0, 0.05 * mib(m.total))
    return [
        Figure(bench=NAME, name="memory after ready", value=mib(r.total), unit="MiB",
               target=MEMORY_TARGET_MB, note=mem_note),
        Figure(bench=NAME, name="memory after ready (PSS)", value=mib(r.pss), unit="MiB",
               target=MEMORY_TARGET_MB, note="shared pages split between processes"),
        Figure(bench=NAME, name="memory after soak", value=mib(a.total), unit="MiB",
               target=MEMORY_TARGET_MB, note=soak_note),
        Figure(bench=NAME, name="memory after soak (PSS)", value=mib(a.pss), unit="MiB",
               target=MEMORY_TARGET_MB),
        Figure(bench=NAME, name="memory growth over soak", value=mib(a.total - m.total),
               unit="MiB", target=noise, note=growth_note),
    ]  # fmt: skip
