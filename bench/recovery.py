"""Recovery: how long a puppet is deaf after a fault, with the default options (5 s heartbeat).

Each fault is made once on a puppet that launched its own Playwright and Chromium, while the world
keeps sending; the figure is the time from the fault (or from its end, for the outage and the busy
page) until every message sent meanwhile was delivered. Lost and duplicated counts are in the note.

- ``driver killed``: SIGKILL of the Playwright driver (``node … run-driver``);
- ``Chromium frozen``: SIGSTOP of Chromium's process group (target 30 s, issue 11);
- ``driver frozen``: SIGSTOP of the Playwright driver alone (every call through it hangs);
- ``server back``: the sandbox unreachable for OUTAGE_S, then back (target 2 s, issue 11);
- ``busy page``: the page's main thread blocked for BUSY_S (the puppet must wait, not reset).
No floor: the bare protocol client has no browser to lose.
"""

from __future__ import annotations

import asyncio
import logging
import math
import os
import signal
from collections.abc import Awaitable, Callable
from pathlib import Path

from wechaty_puppet_web import PuppetWeb, PuppetWebOptions
from wechaty_puppet_web.events import EventName

from .harness import Arrivals, Figure, now
from .stage import Stage, listen_puppet, stage, start_puppet

_log = logging.getLogger("bench.recovery")

NAME = "recovery"
TIMEOUT = 420.0  # the outage and the busy page take their full length
GAP_MESSAGES = 20  # sent while the puppet is deaf
OUTAGE_S = 30.0  # issue 11's outage
BUSY_S = 60.0  # issue 11's busy page
DELIVERY_TIMEOUT = 90.0
BLOCK_JS = """(ms) => { setTimeout(() => { const end = Date.now() + ms;
  while (Date.now() < end) { /* busy */ } }, 0); }"""


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat[stat.rindex(")") + 2 :].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def _drivers() -> set[int]:
    return {p for p in _children(os.getpid()) if b"run-driver" in _cmdline(p)}


async def _own_puppet(st: Stage) -> tuple[PuppetWeb, int, Arrivals]:
    """A puppet with its own Playwright + Chromium, ready; its driver pid; its arrivals."""
    before = _drivers()
    options = PuppetWebOptions(sandbox=st.sb.url, session_file=st.session_file)
    puppet = PuppetWeb(options)
    st.puppets.append(puppet)
    arrivals = Arrivals()
    listen_puppet(puppet, arrivals)
    await st.fresh()
    await start_puppet(puppet)
    (driver,) = _drivers() - before
    return puppet, driver, arrivals


async def _gap(st: Stage, tag: str) -> list[str]:
    """GAP_MESSAGES texts from alice to the bot; their MsgIds."""
    return await st.send_many([("wxid_alice", "bot", f"{tag}-{i}") for i in range(GAP_MESSAGES)])


# A fault: make it on the puppet (driver pid given), send the gap messages; return the time the
# clock starts and the ids sent.
Fault = Callable[[Stage, PuppetWeb, int], Awaitable[tuple[float, list[str]]]]


async def _kill_driver(st: Stage, puppet: PuppetWeb, driver: int) -> tuple[float, list[str]]:
    t0 = now()
    os.kill(driver, signal.SIGKILL)
    return t0, await _gap(st, "driver")


async def _freeze(st: Stage, puppet: PuppetWeb, driver: int) -> tuple[float, list[str]]:
    (chromium,) = [p for p in _children(driver) if b"--remote-debugging-pipe" in _cmdline(p)]
    t0 = now()
    os.killpg(chromium, signal.SIGSTOP)  # Playwright starts Chromium as a group leader
    return t0, await _gap(st, "frozen")


async def _freeze_driver(st: Stage, puppet: PuppetWeb, driver: int) -> tuple[float, list[str]]:
    t0 = now()
    os.kill(driver, signal.SIGSTOP)  # recovery kills it (SIGKILL ends a stopped process too)
    return t0, await _gap(st, "stopped")


async def _outage(st: Stage, puppet: PuppetWeb, driver: int) -> tuple[float, list[str]]:
    await st.sb.call("outage", on=True)
    try:
        ids = await _gap(st, "outage")
        await asyncio.sleep(OUTAGE_S)  # the outage's length (a timer)
    finally:
        await st.sb.call("outage", on=False)
    return now(), ids


async def _busy(st: Stage, puppet: PuppetWeb, driver: int) -> tuple[float, list[str]]:
    await puppet.page.evaluate(BLOCK_JS, int(BUSY_S * 1000))
    blocked = now()
    return blocked + BUSY_S, await _gap(st, "busy")  # the clock starts when the block ends


async def _case(st: Stage, label: str, fault: Fault, target: float | None) -> Figure:
    puppet, driver, arrivals = await _own_puppet(st)
    seen: list[str] = []
    for name in (EventName.RESET, EventName.PAGE_BUSY, EventName.CONNECTION_LOST,
                 EventName.CONNECTION_RESTORED, EventName.LOGOUT, EventName.SCAN):  # fmt: skip
        puppet.on(name.value, lambda e, n=name.value: seen.append(n))
    warm = await _gap(st, "warm")
    await arrivals.wait_all(warm, DELIVERY_TIMEOUT)
    try:
        start, sent = await fault(st, puppet, driver)
        ok = await arrivals.wait_all(sent, DELIVERY_TIMEOUT)
    finally:
        await st.stop_puppets()
    last = max((arrivals.first[i] for i in sent if i in arrivals.first), default=math.nan)
    lost = sum(1 for i in sent if i not in arrivals.first)
    note = f"lost {lost}, duplicated {arrivals.duplicates(sent)}; events: {', '.join(seen)}"
    value = max(last - start, 0.0) if ok else math.nan
    _log.info("%s: %.2f s (%s)", label, value, note)
    return Figure(bench=NAME, name=label, value=value, unit="s", target=target, note=note[:160])


async def run() -> list[Figure]:
    """Each fault once, on a fresh world, with the default options."""
    cases: list[tuple[str, Fault, float | None]] = [
        ("driver killed → all delivered", _kill_driver, None),
        ("Chromium frozen → all delivered", _freeze, 30.0),
        ("driver frozen → all delivered", _freeze_driver, 30.0),
        (f"server back after {OUTAGE_S:.0f} s → all delivered", _outage, 2.0),
        (f"{BUSY_S:.0f} s busy page ends → all delivered", _busy, None),
    ]
    async with stage() as st:
        return [await _case(st, label, fault, target) for label, fault, target in cases]
