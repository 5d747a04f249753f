"""Burst: 1,000 incoming messages posted at once; all delivered in ≤ 5 s, none lost or duplicated.

The world posts COUNT texts from several friends back to back; the clock runs from the first post
to the last id's arrival (puppet: ``message`` events; floor: the bare client's sync loop). Every
delivery is counted per MsgId, so a duplicate shows even if the clients dedupe nothing. A run is cut
at CUTOFF seconds; what had not arrived by then counts as lost.
"""

from __future__ import annotations

import logging

from .harness import Arrivals, Figure, now
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

_log = logging.getLogger("bench.burst")

NAME = "burst"
COUNT = 1000
CUTOFF = 30.0
SENDERS = ("wxid_alice", "wxid_bob", "wxid_carol", "wxid_dave")


async def burst(st: Stage, arrivals: Arrivals) -> tuple[float, int, int]:
    """Post COUNT texts at once: (seconds until all arrived or NaN, delivered, duplicates)."""
    items = [(SENDERS[i % len(SENDERS)], "bot", f"burst {i}") for i in range(COUNT)]
    t0 = now()
    ids = await st.send_many(items)
    complete = await arrivals.wait_all(ids, CUTOFF)
    elapsed = max(arrivals.first[i] for i in ids) - t0 if complete else float("nan")
    delivered = sum(1 for i in ids if i in arrivals.first)
    return elapsed, delivered, arrivals.duplicates(ids)


async def floor_burst(st: Stage) -> tuple[float, int, int]:
    """The burst through the bare client."""
    await st.fresh()
    arrivals = Arrivals()
    async with st.sb.bare_client() as client:
        await bare_login(client)
        await bare_ready(client)
        task = listen_bare(client, arrivals)
        try:
            return await burst(st, arrivals)
        finally:
            await stop_task(task)


async def puppet_burst(st: Stage) -> tuple[float, int, int]:
    """The burst through PuppetWeb."""
    await st.fresh()
    arrivals = Arrivals()
    puppet = st.puppet(session=False)
    listen_puppet(puppet, arrivals)
    await start_puppet(puppet)
    try:
        return await burst(st, arrivals)
    finally:
        await st.stop_puppets()


async def run() -> list[Figure]:
    """Burst the floor, then the puppet."""
    async with stage() as st:
        f_time, f_got, f_dup = await floor_burst(st)
        _log.info("floor: %d in %.2f s", f_got, f_time)
        p_time, p_got, p_dup = await puppet_burst(st)
    return [
        Figure(bench=NAME, name=f"{COUNT} messages all delivered", value=p_time, unit="s",
               target=5.0, floor=f_time,
               note="NaN: not all arrived" if p_got < COUNT else ""),
        Figure(bench=NAME, name="lost", value=float(COUNT - p_got), unit="msgs", target=0.0,
               floor=float(COUNT - f_got), note=f"cut off after {CUTOFF:g} s"),
        Figure(bench=NAME, name="duplicated", value=float(p_dup), unit="msgs", target=0.0,
               floor=float(f_dup)),
    ]  # fmt: skip
