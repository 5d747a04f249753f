"""Helpers of the recovery tests: puppets that own their Chromium, processes found in /proc,
and a message stream counted on both sides.

These puppets launch their own Playwright and Chromium (not the session's shared browser), since
the tests kill and freeze those processes. Processes are found as children of this Python
process (the Playwright driver, ``node ... run-driver``) and of that driver (Chromium).
"""

from __future__ import annotations

import asyncio
import os
from collections import Counter
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.browser.test_puppet_support import T, start_ready
from wechaty_puppet_web import PuppetWeb, PuppetWebOptions
from wechaty_puppet_web.events import EventName, MessageEvent
from wechaty_puppet_web.sandbox import Sandbox

__all__ = [
    "OwnPuppet",
    "Stream",
    "T",
    "browser_of",
    "children",
    "cmdline",
    "drivers",
    "fixture_own_puppet",
    "start_owning",
]

OwnPuppet = Callable[..., PuppetWeb]


def cmdline(pid: int) -> list[str]:
    """The argv of ``pid`` ([] when it is gone)."""
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return []
    return [part.decode(errors="replace") for part in raw.split(b"\0") if part]


def children(pid: int) -> set[int]:
    """Direct children of ``pid`` (from /proc/*/stat)."""
    found: set[int] = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # "pid (comm) state ppid ...": comm may hold spaces, so split after the last ")".
        fields = stat[stat.rindex(")") + 2 :].split()
        if int(fields[1]) == pid:
            found.add(int(entry.name))
    return found


def drivers() -> set[int]:
    """The Playwright drivers this test process runs."""
    return {pid for pid in children(os.getpid()) if "run-driver" in cmdline(pid)}


def browser_of(driver: int) -> int:
    """The Chromium browser process a driver launched."""
    found = [p for p in children(driver) if any("--remote-debugging-pipe" in a for a in cmdline(p))]
    assert len(found) == 1, f"expected one browser under driver {driver}, found {found}"
    return found[0]


@pytest.fixture(name="own_puppet")
async def fixture_own_puppet(sandbox: Sandbox, tmp_path: Path) -> AsyncIterator[OwnPuppet]:
    """Build puppets that launch their own Playwright + Chromium; all stopped after the test."""
    made: list[PuppetWeb] = []

    def make(**overrides: Any) -> PuppetWeb:
        options = PuppetWebOptions(
            sandbox=sandbox.url, session_file=tmp_path / "session.json", **overrides
        )
        puppet = PuppetWeb(options)
        made.append(puppet)
        return puppet

    try:
        yield make
    finally:
        for puppet in made:
            await puppet.stop()


async def start_owning(puppet: PuppetWeb, sandbox: Sandbox) -> int:
    """Start ``puppet`` to ``ready``; return the pid of the Playwright driver it started."""
    before = drivers()
    await start_ready(puppet, sandbox)
    new = drivers() - before
    assert len(new) == 1, f"expected one new driver, found {new}"
    return new.pop()


@dataclass
class Stream:
    """Texts sent from the sandbox world and the ``message`` events they produced."""

    puppet: PuppetWeb
    sandbox: Sandbox
    prefix: str
    sent: list[str] = field(default_factory=list)
    seen: Counter[str] = field(default_factory=Counter)
    first_at: dict[str, float] = field(default_factory=dict)  # loop time each text first arrived
    _all_in: asyncio.Event = field(default_factory=asyncio.Event)
    _expected: int = -1

    def __post_init__(self) -> None:
        self.puppet.on(EventName.MESSAGE.value, self._on_message)

    def _on_message(self, event: MessageEvent) -> None:
        text = event.payload.text
        if text.startswith(self.prefix):
            self.seen[text] += 1
            self.first_at.setdefault(text, asyncio.get_running_loop().time())
            if len(self.seen) == self._expected:
                self._all_in.set()

    def send(self, count: int = 1) -> None:
        """Send ``count`` more texts from alice to the bot."""
        world = self.sandbox.world
        for _ in range(count):
            text = f"{self.prefix}-{len(self.sent)}"
            self.sent.append(text)
            world.send_text(from_="wxid_alice", to=world.bot, text=text)

    async def all_delivered(self, timeout: float) -> None:
        """Wait until every text sent so far arrived (each is checked once by ``assert_once``)."""
        self._expected = len(self.sent)
        self._all_in.clear()
        if len(self.seen) >= self._expected:
            self._all_in.set()
        async with asyncio.timeout(timeout):
            await self._all_in.wait()

    def assert_once(self) -> None:
        missing = [t for t in self.sent if t not in self.seen]
        twice = [t for t, n in self.seen.items() if n != 1]
        assert not missing, f"lost {len(missing)} of {len(self.sent)}: {missing[:5]}"
        assert not twice, f"duplicated: {twice[:5]}"
