"""Fleet: 1, 5, 10 and 20 accounts in one process, sharing one Chromium and one Playwright driver.

For each size: a fresh sandbox world served to that many bot accounts, a new
:class:`~wechaty_puppet_web.BrowserPool`, and that many PuppetWeb (a browser context each) started
at once; then every account gets a friend's text once a second (the accounts' clocks staggered
over the second) for RATE_SECONDS (longer for small fleets: at least MIN_SAMPLES messages).
Figures per size: time from the starts to the last ``ready``,
message → ``message`` event latency p50/p99 across all accounts, and the PSS of this process, the
driver and every Chromium process (the sandbox's own process is left out), read after the
traffic. "PSS per added account" is the slope from 1 account to the size.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import math
from collections.abc import Callable

from wechaty_puppet_web import BrowserPool, PuppetWeb, PuppetWebOptions
from wechaty_puppet_web.events import EventName, MessageEvent

from .harness import Arrivals, Figure, memory, mib, now, percentile
from .remote import RemoteSandbox, remote_sandbox

_log = logging.getLogger("bench.fleet")

NAME = "fleet"
SIZES = (1, 5, 10, 20)
RATE_SECONDS = 15  # each account gets one message a second for this long…
MIN_SAMPLES = 60  # …or longer, so that a small fleet still gives this many latencies
READY_TIMEOUT = 240.0
PER_MESSAGE_TIMEOUT = 5.0
PSS_PER_ACCOUNT_TARGET = 150.0  # MiB
P50_TARGET, P99_TARGET = 50.0, 250.0  # ms (the design's single-account bounds)
READY_TARGET = 5.0  # s, the design's first start with a scan (one account)
TIMEOUT = 1200.0  # the whole benchmark


class Account:
    """One puppet of the fleet and its arrivals."""

    def __init__(self, pool: BrowserPool, url: str) -> None:
        options = PuppetWebOptions(pool=pool, sandbox=url, session_file=None)
        self.puppet = PuppetWeb(options)
        self.arrivals = Arrivals()
        self.latencies: list[float] = []
        self.lost = 0

        def on_message(event: MessageEvent) -> None:
            self.arrivals.arrive(event.message_id)

        self.puppet.on(EventName.MESSAGE.value, on_message)

    async def traffic(self, sb: RemoteSandbox, offset: float, seconds: int) -> None:
        """One message a second, ``offset`` seconds into each second."""
        await asyncio.sleep(offset)  # staggering the accounts' clocks, not a wait
        start = now()
        bot = self.puppet.self_id()
        for i in range(seconds):
            t0 = now()
            msg_id = str(await sb.call("send_account", bot=bot, text=f"fleet {i}"))
            if await self.arrivals.wait_all([msg_id], PER_MESSAGE_TIMEOUT):
                self.latencies.append(self.arrivals.first[msg_id] - t0)
            else:
                self.lost += 1
            await asyncio.sleep(max(0.0, start + i + 1 - now()))  # the 1/s rate


async def measure(sb: RemoteSandbox, size: int) -> tuple[float, list[float], int, int]:
    """(seconds to all ready, latencies, lost, PSS bytes) for ``size`` accounts."""
    await sb.call("fleet", accounts=size)
    async with BrowserPool(sandbox=sb.url) as pool:
        accounts = [Account(pool, sb.url) for _ in range(size)]
        try:
            readies = [a.puppet.wait_for(EventName.READY, timeout=READY_TIMEOUT) for a in accounts]
            t0 = now()
            await asyncio.gather(*(a.puppet.start() for a in accounts))
            await asyncio.gather(*readies)
            ready = now() - t0
            _log.info("%d accounts ready in %.1f s", size, ready)
            seconds = max(RATE_SECONDS, math.ceil(MIN_SAMPLES / size))
            await asyncio.gather(
                *(a.traffic(sb, i / size, seconds) for i, a in enumerate(accounts))
            )
            gc.collect()
            pss = memory(exclude=sb.pid).pss
        finally:
            for a in accounts:
                with contextlib.suppress(Exception):
                    await a.puppet.stop()
    latencies = [x for a in accounts for x in a.latencies]
    return ready, latencies, sum(a.lost for a in accounts), pss


def figures(results: dict[int, tuple[float, list[float], int, int]]) -> list[Figure]:
    """The rows: per size ready, p50, p99, total PSS and PSS per added account."""
    ms: Callable[[list[float], float], float] = lambda v, p: percentile(v, p) * 1000  # noqa: E731
    out: list[Figure] = []
    base = results[SIZES[0]][3] if SIZES[0] in results else None
    for size, (ready, lat, lost, pss) in sorted(results.items()):
        n = f"{size} account{'s' if size > 1 else ''}"
        note = f"{len(lat)} messages" + (f", {lost} LOST" if lost else "")
        out += [
            Figure(bench=NAME, name=f"all ready, {n}", value=ready, unit="s",
                   target=READY_TARGET if size == 1 else None,
                   note="" if size == 1 else "no design target beyond one account"),
            Figure(bench=NAME, name=f"message p50, {n} at 1/s each", value=ms(lat, 50),
                   unit="ms", target=P50_TARGET, note=note),
            Figure(bench=NAME, name=f"message p99, {n} at 1/s each", value=ms(lat, 99),
                   unit="ms", target=P99_TARGET),
            Figure(bench=NAME, name=f"PSS total, {n}", value=mib(pss), unit="MiB",
                   note="Python + driver + Chromium"),
        ]  # fmt: skip
        if base is not None and size > SIZES[0]:
            per = mib(pss - base) / (size - SIZES[0])
            out.append(
                Figure(bench=NAME, name=f"PSS per added account, 1 -> {size}", value=per,
                       unit="MiB", target=PSS_PER_ACCOUNT_TARGET)
            )  # fmt: skip
    return out


async def run(sizes: tuple[int, ...] = SIZES) -> list[Figure]:
    """Measure every size on one sandbox process."""
    results: dict[int, tuple[float, list[float], int, int]] = {}
    async with remote_sandbox() as sb:
        for size in sizes:
            results[size] = await measure(sb, size)
    return figures(results)
