"""Latency: a friend's message (``world.send_text``) → the Python ``message`` event.

One message at a time: the clock starts just before the world posts the message and stops in the
``message`` handler (puppet) or when webwxsync returns it (floor, the bare client's
synccheck + webwxsync loop). Between messages a seeded random pause of 5-25 ms lets each client
go back into its long poll, as real traffic would. WARMUP messages are sent first and not counted.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Callable

from .harness import Arrivals, Figure, now, percentile
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

_log = logging.getLogger("bench.latency")

NAME = "latency"
COUNT = 200
WARMUP = 10
PER_MESSAGE_TIMEOUT = 5.0
ROUTE = ("wxid_alice", "bot")  # a friend's 1:1 message to the bot


async def measure(
    st: Stage, arrivals: Arrivals, count: int, *, seed: int = 1, route: tuple[str, str] = ROUTE
) -> list[float]:
    """Send ``count`` texts one by one along ``route`` (from, to); the latency of each
    (seconds; lost ones left out)."""
    rng = random.Random(seed)
    out: list[float] = []
    for i in range(count):
        t0 = now()
        msg_id = await st.send(route[0], route[1], f"latency {i}")
        if await arrivals.wait_all([msg_id], PER_MESSAGE_TIMEOUT):
            out.append(arrivals.first[msg_id] - t0)
        else:
            _log.warning("message %s not delivered within %.0f s", msg_id, PER_MESSAGE_TIMEOUT)
        await asyncio.sleep(rng.uniform(0.005, 0.025))  # pacing of the traffic, not a wait
    return out


async def floor_latencies(st: Stage) -> list[float]:
    """The bare client's latencies."""
    await st.fresh()
    arrivals = Arrivals()
    async with st.sb.bare_client() as client:
        await bare_login(client)
        await bare_ready(client)
        task = listen_bare(client, arrivals)
        try:
            await measure(st, arrivals, WARMUP, seed=0)
            return await measure(st, arrivals, COUNT)
        finally:
            await stop_task(task)


async def puppet_latencies(st: Stage, *, fast_bridge: bool = True) -> list[float]:
    """The puppet's latencies (``fast_bridge=False``: envelopes over Playwright's binding instead
    of the CDP lane, the default)."""
    await st.fresh()
    arrivals = Arrivals()
    puppet = st.puppet(session=False, fast_bridge=fast_bridge)
    listen_puppet(puppet, arrivals)
    await start_puppet(puppet)
    await measure(st, arrivals, WARMUP, seed=0)
    out = await measure(st, arrivals, COUNT)
    await st.stop_puppets()
    return out


def figures(
    puppet: list[float], floor: list[float], slow: list[float] | None = None
) -> list[Figure]:
    """p50/p99 in ms, with the floor's, and the p50 ratio against the 3x bound; the same over
    Playwright's binding (``fast_bridge=False``) when measured."""
    ms: Callable[[list[float], float], float] = lambda v, p: percentile(v, p) * 1000  # noqa: E731
    lost = COUNT - len(puppet)
    note = f"{len(puppet)}/{COUNT} delivered" + (f", {lost} LOST" if lost else "")
    p50, f50 = ms(puppet, 50), ms(floor, 50)
    return [
        Figure(bench=NAME, name="message p50", value=p50, unit="ms", target=50.0, floor=f50,
               note=note),
        Figure(bench=NAME, name="message p99", value=ms(puppet, 99), unit="ms", target=250.0,
               floor=ms(floor, 99)),
        Figure(bench=NAME, name="p50 / floor p50", value=p50 / f50 if f50 else float("nan"),
               unit="x", target=3.0),
    ] + ([] if slow is None else slow_figures(slow, floor))  # fmt: skip


def slow_figures(slow: list[float], floor: list[float]) -> list[Figure]:
    """The rows of the run with ``fast_bridge=False`` (Playwright's binding, for comparison)."""
    ms: Callable[[list[float], float], float] = lambda v, p: percentile(v, p) * 1000  # noqa: E731
    p50, f50 = ms(slow, 50), ms(floor, 50)
    note = f"fast_bridge=False; {len(slow)}/{COUNT} delivered"
    return [
        Figure(bench=NAME, name="message p50, Playwright binding", value=p50, unit="ms",
               target=50.0, floor=f50, note=note),
        Figure(bench=NAME, name="message p99, Playwright binding", value=ms(slow, 99),
               unit="ms", target=250.0, floor=ms(floor, 99)),
        Figure(bench=NAME, name="p50 / floor p50, Playwright binding",
               value=p50 / f50 if f50 else float("nan"), unit="x", target=3.0),
    ]  # fmt: skip


async def run() -> list[Figure]:
    """Measure the floor, then the puppet, on one stage."""
    async with stage() as st:
        floor = await floor_latencies(st)
        _log.info("floor p50 %.1f ms", percentile(floor, 50) * 1000)
        puppet = await puppet_latencies(st)
        slow = await puppet_latencies(st, fast_bridge=False)
    return figures(puppet, floor, slow)
