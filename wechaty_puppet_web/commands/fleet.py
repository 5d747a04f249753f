"""``wechaty-web fleet FLEET.toml`` runs the accounts of a fleet file; ``wechaty-web fleet status
FLEET.toml`` prints the status table of a running fleet (from its status file).

The fleet file format is described in :mod:`wechaty_puppet_web.fleet.config`. QR codes are drawn
in the terminal (or saved as ``<qr_dir>/<name>.png``), each under its account's name; log lines
carry the account's name too. Ctrl-C stops every account cleanly.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
from pathlib import Path

from ..errors import FleetError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``wechaty-web fleet``."""
    parser.add_argument(
        "args",
        nargs="+",
        metavar="[status] FLEET.toml",
        help="the fleet file; `status FLEET.toml` prints the running fleet's status",
    )


def run(args: argparse.Namespace) -> int:
    """Run the fleet (until Ctrl-C) or print its status; the exit status."""
    words: list[str] = list(args.args)
    status = words[0] == "status"
    if status:
        words = words[1:]
    if len(words) != 1:
        print("usage: wechaty-web fleet [status] FLEET.toml")
        return 2
    from ..fleet import load_fleet

    try:
        config = load_fleet(Path(words[0]))
        if status:
            return _status(config.status_file)
        return asyncio.run(_run(config))
    except FleetError as exc:
        print(f"fleet: {exc}")
        return 1


def _status(path: Path) -> int:
    from ..fleet import read_status, status_table

    print(status_table(read_status(path)))
    return 0


async def _run(config: object) -> int:
    from ..fleet import Fleet, FleetConfig
    from ..fleet.logs import install

    assert isinstance(config, FleetConfig)
    install()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    fleet = Fleet(config, notify=lambda text: print(text, flush=True))
    await fleet.start()
    names = ", ".join(fleet.accounts)
    port = f"; metrics on port {fleet.metrics_port}" if fleet.metrics_port else ""
    print(f"fleet running: {names}; status in {config.status_file}{port}", flush=True)
    try:
        await stop.wait()
    finally:
        await fleet.stop()
    print("fleet stopped", flush=True)
    return 0
