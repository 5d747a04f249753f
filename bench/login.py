"""Login: a first start with a scan → ``ready``, and a start with a saved session → ``login``.

Each is run ROUNDS times on a fresh world; the median is the figure. The sandbox's phone scans by
itself (0.2 s) and confirms (0.4 s) in both the puppet's and the floor's runs.
Floors: the bare client's jslogin → scan → newloginpage → init → contacts → room members (first
start), and webwxinit with the saved credentials (saved session).
"""

from __future__ import annotations

import logging
import math

from .harness import Figure, median, now, percentile
from .stage import Stage, bare_login, bare_ready, resumed_client, stage, start_puppet

_log = logging.getLogger("bench.login")

NAME = "login"
ROUNDS = 3
SAVED_TIMEOUT = 15.0  # a restore that needs longer has failed (no phone scans now)


async def _floor_round(st: Stage) -> tuple[float, float]:
    """(first start → ready, saved session → init) with the bare client, seconds."""
    await st.fresh()
    async with st.sb.bare_client() as client:
        first = await bare_login(client) + await bare_ready(client)
        async with resumed_client(st.sb, client) as again:
            t0 = now()
            await again.init()
            saved = now() - t0
    return first, saved


async def _puppet_round(st: Stage) -> tuple[float, float]:
    """(first start → ready, saved-session start → login) with PuppetWeb, seconds."""
    await st.fresh()
    st.session_file.unlink(missing_ok=True)
    first = await start_puppet(st.puppet())
    await st.stop_puppets()  # the session file stays: the next start must need no scan
    await st.sb.call("auto_scan", on=False)  # a scan now would hide a failed session restore
    try:
        saved = (await start_puppet(st.puppet(), want_ready=False, timeout=SAVED_TIMEOUT)).login
    except TimeoutError:
        _log.warning("no login from the saved session within %.0f s", SAVED_TIMEOUT)
        saved = float("nan")
    await st.stop_puppets()
    return first.ready, saved


async def run() -> list[Figure]:
    """Measure both login paths, puppet and floor."""
    floor_first: list[float] = []
    floor_saved: list[float] = []
    first: list[float] = []
    saved: list[float] = []
    async with stage() as st:
        for i in range(ROUNDS):
            f_first, f_saved = await _floor_round(st)
            floor_first.append(f_first)
            floor_saved.append(f_saved)
            p_first, p_saved = await _puppet_round(st)
            first.append(p_first)
            saved.append(p_saved)
            _log.info("round %d: first %.2f s, saved %.2f s", i + 1, p_first, p_saved)
    worst = percentile(first, 100), percentile(saved, 100)
    note = f"median of {ROUNDS}; max first {worst[0]:.2f} s, max saved {worst[1]:.2f} s"
    failed = sum(1 for s in saved if math.isnan(s))
    note += f"; {failed} restore(s) FAILED" if failed else ""
    return [
        Figure(bench=NAME, name="saved session → login", value=median(saved), unit="s",
               target=3.0, floor=median(floor_saved), note=note),
        Figure(bench=NAME, name="first start + scan → ready", value=median(first), unit="s",
               target=5.0, floor=median(floor_first)),
    ]  # fmt: skip
