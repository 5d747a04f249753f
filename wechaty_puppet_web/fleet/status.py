"""The fleet's status file: written by the runner, read by ``wechaty-web fleet status``.

One JSON document, replaced atomically (a temp file renamed over it) on every state change and
every few seconds, so a reader never sees half of one. It holds no secrets: names, states, the
account's id, counters, the last error's text (errors never carry cookies or tickets).
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from ..errors import FleetError

__all__ = ["AccountStatus", "read_status", "status_table", "write_status"]

STALE_AFTER = 30.0  # seconds without a rewrite: the runner is gone or stuck


@dataclass(slots=True, kw_only=True)
class AccountStatus:
    """What the runner knows about one account (mutable: the runner updates it)."""

    name: str
    state: str = "stopped"  # starting, scan, logged-in, ready, logged-out, restarting, failed
    self_id: str = ""
    since: float = 0.0
    restarts: int = 0
    logins: int = 0
    logouts: int = 0
    resets: int = 0
    messages_in: int = 0
    messages_out: int = 0
    backoffs: int = 0
    qr: str = ""  # the PNG the current QR code was saved to
    service: str = ""  # host:port of the account's Puppet Service, when it serves one
    last_error: str = ""


def write_status(path: Path, accounts: list[AccountStatus], metrics_port: int | None) -> None:
    """Replace the status file (0600, atomically).

    Raises:
        FleetError: it could not be written.
    """
    data = {"updated": time.time(), "pid": os.getpid(), "metrics_port": metrics_port,
            "accounts": [asdict(a) for a in accounts]}  # fmt: skip
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(data, out, ensure_ascii=False, indent=1)
        os.replace(tmp, path)
    except OSError as exc:
        raise FleetError(f"cannot write the status file {str(path)!r}: {exc}") from exc


def read_status(path: Path) -> dict[str, Any]:
    """The status document.

    Raises:
        FleetError: missing or not a status file.
    """
    try:
        data = json.loads(path.read_text("utf-8"))
    except OSError as exc:
        raise FleetError(f"no fleet status at {str(path)!r} (is the fleet running?)") from exc
    except ValueError as exc:
        raise FleetError(f"{path} is not a fleet status file") from exc
    if not isinstance(data, dict) or not isinstance(data.get("accounts"), list):
        raise FleetError(f"{path} is not a fleet status file")
    return data


def status_table(data: dict[str, Any], now: float | None = None) -> str:
    """The status as a text table, with a header line saying how fresh it is."""
    now = time.time() if now is None else now
    age = now - float(data.get("updated") or 0)
    alive = _alive(data.get("pid"))
    stale = " — STALE" if age > STALE_AFTER or not alive else ""
    running = "running" if alive else "not running"
    head = f"fleet pid {data.get('pid')} ({running}), updated {age:.0f} s ago{stale}"
    if data.get("metrics_port"):
        head += f", metrics on port {data['metrics_port']}"
    cols = ("account", "state", "for", "id", "in", "out", "resets", "restarts", "logouts",
            "backoffs", "last error")  # fmt: skip
    rows: list[tuple[str, ...]] = [cols]
    for a in data["accounts"]:
        since = float(a.get("since") or 0)
        rows.append((str(a.get("name", "?")), str(a.get("state", "?")),
                     _duration(now - since) if since else "-", str(a.get("self_id") or "-")[:20],
                     *(str(a.get(k, 0)) for k in ("messages_in", "messages_out", "resets",
                                                  "restarts", "logouts", "backoffs")),
                     str(a.get("last_error") or "")[:60]))  # fmt: skip
    widths = [max(len(r[i]) for r in rows) for i in range(len(cols))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    return "\n".join([head, *lines])


def _duration(seconds: float) -> str:
    seconds = max(0, int(seconds))
    if seconds < 120:
        return f"{seconds}s"
    if seconds < 7200:
        return f"{seconds // 60}m"
    return f"{seconds // 3600}h"


def _alive(pid: object) -> bool:
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
