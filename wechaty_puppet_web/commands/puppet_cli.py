"""Shared plumbing of ``wechaty-web login`` and ``wechaty-web run``: options, sandbox, QR output.

Both commands default to live web WeChat. ``--sandbox`` starts an in-process sandbox (with
``--auto-scan`` its simulated phone scans and confirms by itself; ``--world FILE`` loads a world),
``--sandbox-url URL`` points at one that is already running (``wechaty-web sandbox``).
"""

from __future__ import annotations

import argparse
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..events import ScanEvent
from ..options import DEFAULT_SESSION_FILE, PuppetWebOptions
from ..payloads import ScanStatus
from ..puppet import PuppetWeb

if TYPE_CHECKING:
    from ..sandbox import Sandbox


def add_common_arguments(parser: argparse.ArgumentParser) -> None:
    """The browser, session and sandbox options shared by login and run."""
    default = f"{DEFAULT_SESSION_FILE}; none in sandbox mode"
    parser.add_argument("--session", type=Path, help=f"session file (default: {default})")
    parser.add_argument("--no-session", action="store_true", help="do not load or save a session")
    parser.add_argument("--png", type=Path, help="also save the QR code as a PNG file")
    parser.add_argument("--headful", action="store_true", help="show the browser window")
    parser.add_argument("--executable-path", help="the Chromium to run")
    parser.add_argument("--endpoint", help="a remote browser (ws:// Playwright or http:// CDP)")
    parser.add_argument("--timeout", type=float, default=300.0,
                        help="seconds to wait for the login (default: %(default)s)")  # fmt: skip
    group = parser.add_argument_group("sandbox")
    group.add_argument("--sandbox", action="store_true", help="run against an in-process sandbox")
    group.add_argument("--sandbox-url", help="run against a running sandbox at this URL")
    group.add_argument("--auto-scan", action="store_true",
                       help="the sandbox phone scans and confirms by itself")  # fmt: skip
    group.add_argument("--world", type=Path, help="sandbox world definition (JSON)")


@dataclass
class CliContext:
    """What a command runs with: the puppet and, in sandbox mode, the sandbox."""

    puppet: PuppetWeb
    sandbox: Sandbox | None


@contextlib.asynccontextmanager
async def open_puppet(args: argparse.Namespace) -> AsyncIterator[CliContext]:
    """Start the sandbox (if asked) and build the puppet; stop both on the way out."""
    sandbox = None
    url = args.sandbox_url
    if args.sandbox:
        sandbox = await _start_sandbox(args)
        url = sandbox.url
    session = args.session
    if session is None and not (args.sandbox or args.sandbox_url):
        session = DEFAULT_SESSION_FILE  # sandbox cookies never overwrite a live session
    options = PuppetWebOptions(
        session_file=None if args.no_session else session,
        headless=not args.headful,
        executable_path=args.executable_path,
        endpoint=args.endpoint,
        sandbox=url,
        login_timeout=args.timeout,
    )
    puppet = PuppetWeb(options)
    puppet.on("scan", lambda event: show_scan(event, args.png))
    try:
        yield CliContext(puppet=puppet, sandbox=sandbox)
    finally:
        await puppet.stop()
        if sandbox is not None:
            await sandbox.stop()


async def _start_sandbox(args: argparse.Namespace) -> Sandbox:
    from ..sandbox import Sandbox  # imported late: the sandbox is optional at run time
    from ..sandbox.world import World

    world = World.load(args.world) if args.world else None
    sandbox = Sandbox(world, auto_scan=args.auto_scan)
    await sandbox.start()
    return sandbox


def show_scan(event: ScanEvent, png: Path | None) -> None:
    """Print the QR (and save it as PNG) while waiting; print the other scan states."""
    if event.status is ScanStatus.WAITING and event.qrcode:
        from ..qr import render_qr

        print(render_qr(event.qrcode), flush=True)
        print(f"Scan with WeChat to log in ({event.qrcode})", flush=True)
        if png is not None:
            save_png(event.qrcode, png)
            print(f"QR code saved to {png}", flush=True)
    elif event.status is ScanStatus.SCANNED:
        print("Scanned: confirm the login on the phone", flush=True)
    elif event.status is ScanStatus.CANCEL:
        print("Login cancelled on the phone; a new QR code follows", flush=True)
    elif event.status is ScanStatus.TIMEOUT:
        print("The QR code expired", flush=True)


def save_png(text: str, path: Path) -> None:
    """Write ``text`` as a QR code PNG."""
    from ..qr import save_qr_png

    save_qr_png(text, path)


async def self_description(puppet: PuppetWeb) -> str:
    """``Name (id)`` of the logged-in account."""
    self_id = puppet.self_id()
    try:
        name = (await puppet.contact_payload(self_id)).name
    except Exception:  # a name is a nicety; the id is what matters
        name = ""
    return f"{name} ({self_id})" if name else self_id
