"""Soak: traffic both ways for a long time, with 10 % network faults and random browser kills.

``python -m bench soak`` (or ``make soak``) runs for ``SOAK_SECONDS`` (default 3600; browser
kills every ``SOAK_KILL_EVERY`` s, default 120) and prints what was lost, duplicated and
recovered. The puppet launches its own Chromium (so a kill is its to recover from); the sandbox
runs in this process so the world can be read directly.

- Incoming: the world posts a text to the bot every ``INCOMING_EVERY`` seconds; each MsgId must
  arrive as exactly one ``message`` event (lost = never arrived by the end of the drain).
- Outgoing: the bot sends a text to a friend every ``OUTGOING_EVERY`` seconds; a send that
  returned an id must be in the world exactly once, and one that raised must not be there
  (a "false failure": delivered but reported failed).
- Faults: 10 % of synccheck / webwxsync / webwxsendmsg calls fail (5xx, dropped connections,
  answers lost after the send was done), until the drain starts.
- Kills: the puppet's Chromium gets SIGKILL at random (0.5-1.5 times ``KILL_EVERY`` seconds
  apart); a kill is "recovered" once a message posted after it arrives.

The short test in ``tests/reliability/test_guard_soak.py`` runs this same code for ~40 s.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import random
import signal
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

from wechaty_puppet_web import PuppetWeb, PuppetWebOptions
from wechaty_puppet_web.errors import PuppetWebError
from wechaty_puppet_web.events import ErrorEvent, EventName, MessageEvent
from wechaty_puppet_web.sandbox import Sandbox

from .harness import Figure, _comm, descendants, now

_log = logging.getLogger("bench.soak")

NAME = "soak"
DEFAULT_SECONDS = 3600.0
INCOMING_EVERY = 0.25
OUTGOING_EVERY = 2.0
KILL_EVERY = 120.0
FAULT_RATE = 0.10
FAULTED = ("synccheck", "webwxsync", "webwxsendmsg")
DRAIN = 90.0  # seconds after the traffic stops for the last messages to arrive
START_TIMEOUT = 60.0
SEND_TIMEOUT = 120.0
FRIEND = "wxid_alice"


@dataclass(slots=True)
class SoakResult:
    """What a soak saw; ``lost`` and ``duplicated`` must be 0."""

    seconds: float = 0.0
    incoming: int = 0
    delivered: int = 0
    incoming_lost: int = 0
    incoming_duplicated: int = 0
    outgoing: int = 0
    outgoing_ok: int = 0
    outgoing_failed: int = 0
    outgoing_lost: int = 0
    outgoing_duplicated: int = 0
    false_failures: int = 0
    kills: int = 0
    recovered: int = 0
    recovery_max: float = 0.0
    faults_fired: int = 0
    errors: int = 0
    error_kinds: dict[str, int] = field(default_factory=dict)

    @property
    def lost(self) -> int:
        """Messages lost either way."""
        return self.incoming_lost + self.outgoing_lost

    @property
    def duplicated(self) -> int:
        """Messages delivered more than once either way."""
        return self.incoming_duplicated + self.outgoing_duplicated

    def lines(self) -> list[str]:
        """The printable summary."""
        kinds = ", ".join(f"{k} {v}" for k, v in sorted(self.error_kinds.items())) or "none"
        return [
            f"soak {self.seconds:.0f} s, {FAULT_RATE:.0%} faults ({self.faults_fired} fired), "
            f"{self.kills} browser kills",
            f"lost {self.lost}  duplicated {self.duplicated}  recovered {self.recovered}/"
            f"{self.kills} (slowest {self.recovery_max:.1f} s)",
            f"incoming: {self.delivered}/{self.incoming} delivered, {self.incoming_lost} lost, "
            f"{self.incoming_duplicated} duplicated",
            f"outgoing: {self.outgoing_ok}/{self.outgoing} ok, {self.outgoing_failed} failed "
            f"(reported), {self.outgoing_lost} lost, {self.outgoing_duplicated} duplicated, "
            f"{self.false_failures} delivered but reported failed",
            f"error events: {self.errors} ({kinds})",
        ]


class _Chromium:
    """Finds and kills the puppet's own Chromium: the browser process under the Playwright
    driver the puppet started (other browsers of this process, a test's, are left alone)."""

    def __init__(self, before: set[int]) -> None:
        self._before = before

    def main_process(self) -> int | None:
        for pid in descendants(os.getpid()):
            if pid in self._before or not _comm(pid).startswith(("chromium", "chrome")):
                continue
            parent = _parent(pid)
            if parent is not None and not _comm(parent).startswith(("chromium", "chrome")):
                return pid
        return None

    def kill(self) -> bool:
        pid = self.main_process()
        if pid is None:
            return False
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
            return True
        return False


def _parent(pid: int) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return int(stat[stat.rfind(")") + 2 :].split()[1])


class _Soak:
    def __init__(
        self, sb: Sandbox, puppet: PuppetWeb, chromium: _Chromium, seed: int, kill_every: float
    ) -> None:
        self.sb = sb
        self.kill_every = kill_every
        self.puppet = puppet
        self.chromium = chromium
        self.rng = random.Random(seed)
        self.result = SoakResult()
        self.posted: dict[str, float] = {}  # MsgId -> when posted
        self.arrived: dict[str, int] = {}
        self.sent: dict[str, str | None] = {}  # text -> id (None: the send raised)
        self.kill_times: list[float] = []
        self.recovered_at: dict[int, float] = {}
        self._stop = asyncio.Event()
        puppet.on(EventName.MESSAGE.value, self._on_message)
        puppet.on(EventName.ERROR.value, self._on_error)

    def _on_message(self, event: MessageEvent) -> None:
        mid = event.message_id
        if mid not in self.posted:
            return  # the bot's own sends and system lines
        self.arrived[mid] = self.arrived.get(mid, 0) + 1
        posted = self.posted[mid]
        for i, killed in enumerate(self.kill_times):
            if i not in self.recovered_at and posted > killed:
                self.recovered_at[i] = now() - killed

    def _on_error(self, event: ErrorEvent) -> None:
        kind = type(event.error).__name__
        self.result.errors += 1
        self.result.error_kinds[kind] = self.result.error_kinds.get(kind, 0) + 1

    def faults_on(self) -> None:
        # Each endpoint fails 10 % of the time, in one of a few ways.
        share = FAULT_RATE / 2
        for endpoint in FAULTED:
            self.sb.faults.add(endpoint, rate=share, status=502)
            if endpoint == "webwxsendmsg":
                self.sb.faults.add(endpoint, rate=share / (1 - share), drop_reply=True)
            else:
                self.sb.faults.add(endpoint, rate=share / (1 - share), drop=True)

    async def incoming(self) -> None:
        n = 0
        w = self.sb.world
        while not self._stop.is_set():
            n += 1
            msg = w.send_text(from_=FRIEND, to=w.bot, text=f"soak in {n}")
            self.posted[str(msg.msg_id)] = now()
            await self._pause(INCOMING_EVERY)

    async def outgoing(self) -> None:
        n = 0
        peer = self.sb.world.username_of(FRIEND)
        while not self._stop.is_set():
            n += 1
            text = f"soak out {n}"
            try:
                mid = await asyncio.wait_for(
                    self.puppet.message_send_text(peer, text), SEND_TIMEOUT
                )
                self.sent[text] = mid
            except (PuppetWebError, TimeoutError) as exc:
                _log.debug("send %d failed: %r", n, exc)
                self.sent[text] = None
            await self._pause(OUTGOING_EVERY)

    async def kills(self) -> None:
        while not self._stop.is_set():
            await self._pause(self.rng.uniform(0.5, 1.5) * self.kill_every)
            if self._stop.is_set():
                return
            if self.chromium.kill():
                _log.info("killed the puppet's Chromium (kill %d)", len(self.kill_times) + 1)
                self.kill_times.append(now())

    async def _pause(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stop.wait(), seconds)

    async def run(self, seconds: float) -> SoakResult:
        t0 = now()
        self.faults_on()
        tasks = [asyncio.create_task(c) for c in (self.incoming(), self.outgoing(), self.kills())]
        await self._pause(seconds)
        self._stop.set()
        await asyncio.gather(*tasks, return_exceptions=True)
        self.result.faults_fired = sum(r.fired for r in self.sb.faults.rules)
        self.sb.faults.clear()
        # One more message, posted after every kill: a kill just before the end is recovered
        # only once something sent after it arrives.
        w = self.sb.world
        self.posted[str(w.send_text(from_=FRIEND, to=w.bot, text="soak last").msg_id)] = now()
        await self._drain()
        self.result.seconds = now() - t0
        self._count()
        return self.result

    async def _drain(self) -> None:
        deadline = now() + DRAIN
        while now() < deadline and any(m not in self.arrived for m in self.posted):
            await asyncio.sleep(0.2)

    def _count(self) -> None:
        r = self.result
        r.incoming = len(self.posted)
        r.delivered = sum(1 for m in self.posted if m in self.arrived)
        r.incoming_lost = r.incoming - r.delivered
        r.incoming_duplicated = sum(max(0, c - 1) for c in self.arrived.values())
        from_bot = [m for m in self.sb.world.messages if m.sender == self.sb.world.bot.wxid]
        in_world: dict[str, list[str]] = {}
        for m in from_bot:
            in_world.setdefault(m.text, []).append(str(m.msg_id))
        r.outgoing = len(self.sent)
        for text, mid in self.sent.items():
            found = in_world.get(text, [])
            r.outgoing_duplicated += max(0, len(found) - 1)
            if mid is None:
                r.outgoing_failed += 1
                r.false_failures += int(bool(found))
            else:
                r.outgoing_ok += 1
                r.outgoing_lost += int(mid not in found)
        r.kills = len(self.kill_times)
        r.recovered = len(self.recovered_at)
        r.recovery_max = max(self.recovered_at.values(), default=0.0)


@contextlib.asynccontextmanager
async def _sandbox(given: Sandbox | None) -> AsyncIterator[Sandbox]:
    if given is not None:
        given.reset()
        given.auto_scan = True
        yield given
        return
    async with Sandbox(auto_scan=True) as sb:
        yield sb


async def soak(
    seconds: float,
    *,
    sandbox: Sandbox | None = None,
    seed: int = 11,
    kill_every: float = KILL_EVERY,
) -> SoakResult:
    """Run the soak for ``seconds`` (on ``sandbox`` when given, reset first) and count; the
    browser is killed every ``kill_every`` seconds on average (0.5-1.5 times that apart)."""
    async with _sandbox(sandbox) as sb:
        sb.faults.seed(seed)
        with tempfile.TemporaryDirectory(prefix="wpw-soak-") as tmp:
            before = set(descendants(os.getpid()))
            options = PuppetWebOptions(sandbox=sb.url, session_file=Path(tmp) / "session.json")
            puppet = PuppetWeb(options)
            try:
                ready = puppet.wait_for(EventName.READY, timeout=START_TIMEOUT)
                await puppet.start()
                await ready
                return await _Soak(sb, puppet, _Chromium(before), seed, kill_every).run(seconds)
            finally:
                await puppet.stop()


async def run() -> list[Figure]:
    """``python -m bench soak``: SOAK_SECONDS (default an hour) of traffic, faults and kills
    (every SOAK_KILL_EVERY seconds on average, default 120)."""
    seconds = float(os.environ.get("SOAK_SECONDS", DEFAULT_SECONDS))
    kill_every = float(os.environ.get("SOAK_KILL_EVERY", KILL_EVERY))
    result = await soak(seconds, kill_every=kill_every)
    for line in result.lines():
        print(line, flush=True)
    note = f"{result.seconds:.0f} s, {result.kills} kills"
    return [
        Figure(bench=NAME, name="lost", value=float(result.lost), unit="msgs", target=0.0,
               note=note),
        Figure(bench=NAME, name="duplicated", value=float(result.duplicated), unit="msgs",
               target=0.0),
        Figure(bench=NAME, name="recovered kills", value=float(result.recovered), unit="kills",
               note=f"of {result.kills}; slowest {result.recovery_max:.1f} s"),
        Figure(bench=NAME, name="false send failures", value=float(result.false_failures),
               unit="msgs", target=0.0),
    ]  # fmt: skip
