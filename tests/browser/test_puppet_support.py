"""Helpers for the PuppetWeb browser tests (no tests here; the fixtures are in conftest.py).

Every puppet gets its own context in the session's shared Chromium. The sandbox keeps its default
login redirect (wx.qq.com -> wx2.qq.com, protocol doc §1.2), so every puppet test runs across the
host switch the real server makes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from wechaty_puppet_web import PuppetWeb
from wechaty_puppet_web.events import EventName
from wechaty_puppet_web.sandbox import Sandbox

T = 15.0  # seconds any single awaited event may take

MakePuppet = Callable[..., PuppetWeb]


async def start_ready(puppet: PuppetWeb, sandbox: Sandbox) -> PuppetWeb:
    """Start ``puppet`` with the phone scanning by itself; return once ``ready``."""
    sandbox.phone.auto_scan = True
    ready = puppet.wait_for(EventName.READY, timeout=T)
    await puppet.start()
    await ready
    return puppet


def record(puppet: PuppetWeb, *names: EventName) -> list[Any]:
    """Collect the events of ``names`` (every event when none given) in order."""
    got: list[Any] = []
    for name in names or tuple(EventName):
        puppet.on(name.value, got.append)
    return got
