"""The processes behind one PuppetWeb's own browser: tag them at launch, find them, kill them.

A frozen Chromium (SIGSTOP, a wedged GPU thread) answers nothing, so no Playwright call can close
it; and a dead Playwright driver leaves its Chromium behind with nobody to close it. Recovery then
kills the process itself. To act only on what this puppet launched (several puppets may share a
machine, or one browser), its Chromium carries a tag on the command line (an unknown switch
Chromium ignores), and only processes with that tag are killed. Playwright starts Chromium in its
own process group (``detached``), so killing that group takes the renderers with it.

Linux and other systems with ``/proc``; elsewhere nothing is found and recovery falls back to
closing through Playwright (bounded).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

_log = logging.getLogger(__name__)

OWNER_SWITCH = "--wpw-owner="
_PROC = Path("/proc")


def new_owner_tag() -> str:
    """A fresh tag for one PageSession's browsers (random: never a secret, never reused)."""
    return uuid.uuid4().hex


def owner_arg(tag: str) -> str:
    """The Chromium switch that marks a browser as launched by the holder of ``tag``."""
    return f"{OWNER_SWITCH}{tag}"


def owned_pids(tag: str) -> list[int]:
    """Pids of the live processes whose command line carries ``tag`` (the browser processes;
    Chromium does not pass unknown switches on to its renderers)."""
    needle = owner_arg(tag).encode()
    found: list[int] = []
    if not _PROC.is_dir():
        return found
    for entry in _PROC.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:  # gone meanwhile, or not ours to read
            continue
        if needle in argv:
            found.append(int(entry.name))
    return found


def kill_owned(tag: str) -> int:
    """SIGKILL every browser tagged ``tag`` with its whole process group; return how many
    browser processes were found. SIGKILL works on a stopped (SIGSTOP) process too."""
    pids = owned_pids(tag)
    for pid in pids:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            group = os.getpgid(pid)
            # Only the group Chromium leads: never our own group (a non-detached launch).
            if group == pid and group != os.getpgrp():
                os.killpg(group, signal.SIGKILL)
            else:
                os.kill(pid, signal.SIGKILL)
    if pids:
        _log.warning("killed %d browser process(es) of this puppet", len(pids))
    return len(pids)


def _transport(manager: Any) -> Any:
    # The pipe to the driver: PlaywrightContextManager -> PlaywrightClient -> PipeTransport.
    return getattr(getattr(manager, "_client", None), "_transport", None)


def driver_stopped(manager: Any) -> bool:
    """True when the driver started by ``manager`` is stopped (SIGSTOP, a debugger): ``/proc``
    says ``State: T``/``t``. Such a driver answers nothing, so every call through it hangs; this
    tells it at once, without a round trip that would hang too."""
    pid = getattr(getattr(_transport(manager), "_proc", None), "pid", None)
    if not isinstance(pid, int):
        return False
    try:
        status = (_PROC / str(pid) / "status").read_text()
    except OSError:  # gone (its death is seen by the connection) or no /proc here
        return False
    for line in status.splitlines():
        if line.startswith("State:"):
            return line.split()[1:2] in (["T"], ["t"])
    return False


def kill_driver(manager: Any) -> None:
    """SIGKILL the driver started by ``manager`` (what ``async_playwright()`` returned) if it is
    still running: it may be frozen. Private Playwright attributes, read defensively: only used
    on a driver that no longer answers, never needed for a healthy one."""
    proc = getattr(_transport(manager), "_proc", None)
    if proc is not None and getattr(proc, "returncode", 0) is None:
        with contextlib.suppress(ProcessLookupError):
            proc.kill()


def watch_driver(manager: Any, playwright: Any, callback: Callable[[], None]) -> bool:
    """Call ``callback()`` when the connection to the driver of ``playwright`` (started by
    ``manager``) closes: the driver died. A Browser's ``disconnected`` does not fire then, since
    nobody is left to send it. Returns False when the connection cannot be reached (other
    Playwright builds); the heartbeat still notices."""
    failed = getattr(_transport(manager), "on_error_future", None)
    if isinstance(failed, asyncio.Future):
        # Playwright leaves the driver's death in a future nobody reads ("exception never
        # retrieved" at exit); we handle it, so read it.
        failed.add_done_callback(lambda f: f.cancelled() or f.exception())
    connection = getattr(getattr(playwright, "_impl_obj", None), "_connection", None)
    on = getattr(connection, "on", None)
    if on is None:
        return False
    on("close", lambda *_: callback())
    return True
