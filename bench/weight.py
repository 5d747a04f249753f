"""Weight: the key figures on the light sandbox page and on the real page's weight.

The real web client renders far more per message than the sandbox's light page (its templates,
watchers, chat list and message rendering), so figures taken on the light page are optimistic,
most at the tail. ``PageOptions(weight="real")`` gives the sandbox page that weight; this
benchmark measures, on both pages in alternating rounds:

- message latency p50 / p99 (as ``latency``, COUNT texts after WARMUP);
- renderer time per message: the page's main-thread task time (Chromium's Performance
  ``TaskDuration``) over those COUNT messages, divided by COUNT;
- settle: ``login`` → ``ready`` on a world of SETTLE_CONTACTS friends (the contacts filed, the
  lists rebuilt and rendered).

Each real-weight figure is printed with the light page's beside it in the floor column, so
``vs floor`` is the real/light ratio.
"""

from __future__ import annotations

import logging
import statistics

from playwright.async_api import CDPSession

from .harness import Arrivals, Figure, percentile
from .latency import measure
from .stage import Stage, listen_puppet, stage, start_puppet

_log = logging.getLogger("bench.weight")

NAME = "weight"
WEIGHTS = ("light", "real")
COUNT = 100
WARMUP = 10
ROUNDS = 2  # alternating light/real rounds: the machine's load hits both alike
SETTLE_WORLD = "contacts5k"
SETTLE_CONTACTS = 5000
TIMEOUT = 420.0  # seconds: eight puppet starts and 440 messages


async def _page(st: Stage, weight: str) -> None:
    await st.fresh()  # resets the page options too
    await st.sb.call("page", weight=weight)


async def task_seconds(cdp: CDPSession) -> float:
    """The page's main-thread task time so far (seconds)."""
    metrics = (await cdp.send("Performance.getMetrics"))["metrics"]
    return float(next(m["value"] for m in metrics if m["name"] == "TaskDuration"))


async def latencies(st: Stage, weight: str) -> tuple[list[float], float]:
    """Message latencies (seconds) of a puppet on a page of this weight, and the page's
    renderer time per message (seconds)."""
    await _page(st, weight)
    arrivals = Arrivals()
    puppet = st.puppet(session=False)
    listen_puppet(puppet, arrivals)
    await start_puppet(puppet)
    await measure(st, arrivals, WARMUP, seed=0)
    cdp = await puppet.page.context.new_cdp_session(puppet.page)
    await cdp.send("Performance.enable")
    before = await task_seconds(cdp)
    out = await measure(st, arrivals, COUNT)
    per_message = (await task_seconds(cdp) - before) / COUNT
    await st.stop_puppets()
    return out, per_message


async def settle(st: Stage, weight: str) -> float:
    """Seconds from ``login`` to ``ready`` on a page of this weight."""
    await _page(st, weight)
    started = await start_puppet(st.puppet(session=False))
    await st.stop_puppets()
    return started.ready - started.login


async def run() -> list[Figure]:
    """Alternate the two weights on one stage per world."""
    lat: dict[str, list[float]] = {w: [] for w in WEIGHTS}
    cpu: dict[str, list[float]] = {w: [] for w in WEIGHTS}
    settles: dict[str, list[float]] = {w: [] for w in WEIGHTS}
    async with stage() as st:
        for _ in range(ROUNDS):
            for weight in WEIGHTS:
                values, per_message = await latencies(st, weight)
                lat[weight] += values
                cpu[weight].append(per_message)
    async with stage(SETTLE_WORLD) as st:
        for _ in range(ROUNDS):
            for weight in WEIGHTS:
                settles[weight].append(await settle(st, weight))
    _log.info("settle light %s real %s", settles["light"], settles["real"])
    return figures(lat, cpu, settles)


def figures(
    lat: dict[str, list[float]], cpu: dict[str, list[float]], settles: dict[str, list[float]]
) -> list[Figure]:
    """Each figure on both weights; the real one carries the light one as its floor."""
    out: list[Figure] = []
    light_cpu, real_cpu = (statistics.median(cpu[w]) * 1000 for w in WEIGHTS)
    name = "renderer time per message"
    out.append(Figure(bench=NAME, name=f"{name} (light page)", value=light_cpu, unit="ms"))
    out.append(Figure(bench=NAME, name=f"{name} (real weight)", value=real_cpu, unit="ms",
                      floor=light_cpu, note="floor column: the light page"))  # fmt: skip
    for label, pct in (("message p50", 50.0), ("message p99", 99.0)):
        light, real = (percentile(lat[w], pct) * 1000 for w in WEIGHTS)
        out.append(Figure(bench=NAME, name=f"{label} (light page)", value=light, unit="ms"))
        out.append(Figure(bench=NAME, name=f"{label} (real weight)", value=real, unit="ms",
                          floor=light, note="floor column: the light page"))  # fmt: skip
    light_s, real_s = (statistics.median(settles[w]) for w in WEIGHTS)
    name = f"settle {SETTLE_CONTACTS} contacts, login→ready"
    out.append(Figure(bench=NAME, name=f"{name} (light page)", value=light_s, unit="s"))
    out.append(Figure(bench=NAME, name=f"{name} (real weight)", value=real_s, unit="s",
                      floor=light_s, note="floor column: the light page"))  # fmt: skip
    return out
