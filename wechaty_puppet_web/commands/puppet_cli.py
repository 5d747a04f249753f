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

from ..browser.launcher import find_chromium
from ..browser.session import SessionStore
from ..errors import OutputPathError, SessionError, UsageError
from ..events import ScanEvent
from ..options import DEFAULT_SESSION_FILE, PuppetWebOptions
from ..payloads import ScanStatus
from ..puppet import PuppetWeb
from ..qr import QrTheme, render_qr
from .options import add_browser, add_qr_theme, add_timeout, check_writable, load_world

if TYPE_CHECKING:
    from ..sandbox import Sandbox
    from ..sandbox.world import World


def add_common_arguments(parser: argparse.ArgumentParser, *, timeout_for: str) -> None:
    """The browser, session and sandbox options shared by login and run."""
    default = f"{DEFAULT_SESSION_FILE}; none in sandbox mode"
    parser.add_argument("--session", type=Path, help=f"session file (default: {default})")
    parser.add_argument("--no-session", action="store_true", help="do not load or save a session")
    parser.add_argument("--png", type=Path, help="also save the QR code as a PNG file")
    add_qr_theme(parser)
    add_timeout(parser, 300.0, timeout_for)
    add_browser(parser)
    parser.add_argument("--endpoint", help="a remote browser (ws:// Playwright or http:// CDP)")
    add_sandbox_arguments(parser)


def add_sandbox_arguments(parser: argparse.ArgumentParser) -> None:
    """The sandbox options, one definition for every command that can use a sandbox."""
    group = parser.add_argument_group("sandbox")
    group.add_argument("--sandbox", action="store_true", help="run against an in-process sandbox")
    group.add_argument("--sandbox-url", help="run against a running sandbox at this URL")
    group.add_argument("--auto-scan", action="store_true",
                       help="the sandbox phone scans and confirms by itself")  # fmt: skip
    group.add_argument("--world", type=Path, help="sandbox world definition (JSON)")


def check_sandbox_arguments(args: argparse.Namespace) -> None:
    """Refuse sandbox options that contradict each other.

    Raises:
        UsageError: ``--world`` without ``--sandbox``; both ``--sandbox`` and ``--sandbox-url``.
    """
    if args.world is not None and not args.sandbox:
        raise UsageError("--world needs --sandbox (it defines the in-process sandbox's world)")
    if args.sandbox and args.sandbox_url:
        raise UsageError("--sandbox and --sandbox-url exclude each other")


def session_file(args: argparse.Namespace) -> Path | None:
    """The session file this run loads and saves (None: no session)."""
    if args.no_session:
        return None
    if args.session is not None:
        return Path(args.session).expanduser()
    if args.sandbox or args.sandbox_url:
        return None  # sandbox cookies never overwrite a live session
    return DEFAULT_SESSION_FILE.expanduser()


def preflight(args: argparse.Namespace) -> None:
    """Everything that can be checked before a browser or sandbox starts.

    Raises:
        UsageError: contradictory options. OutputPathError: a file that cannot be written.
        LaunchError: no Chromium (and no ``--endpoint``).
    """
    check_sandbox_arguments(args)
    session = session_file(args)
    if session is not None:
        # the default folder (~/.wechaty-web) is created on first use; a given one must exist
        check_writable(session, "session file", make_parents=args.session is None)
        _refuse_foreign_file(session)
    if args.png is not None:
        check_writable(args.png, "QR image")
    if args.endpoint is None:
        find_chromium(args.executable_path)


def _refuse_foreign_file(path: Path) -> None:
    # A session file is replaced on login: never replace a file that is not one (a mistyped
    # --session pointing at the user's own data).
    if not path.exists():
        return
    try:
        SessionStore(path).info(strict=True)
    except SessionError as exc:
        raise OutputPathError(
            f"session file {path} exists and is not a session ({exc}); not overwriting it"
        ) from exc


@dataclass
class CliContext:
    """What a command runs with: the puppet and, in sandbox mode, the sandbox."""

    puppet: PuppetWeb
    sandbox: Sandbox | None


@contextlib.asynccontextmanager
async def open_puppet(args: argparse.Namespace) -> AsyncIterator[CliContext]:
    """Start the sandbox (if asked) and build the puppet; stop both on the way out."""
    preflight(args)
    world = load_world(args.world) if args.world else None  # a bad file: before anything runs
    sandbox = None
    url = args.sandbox_url
    if args.sandbox:
        sandbox = await _start_sandbox(args, world)
        url = sandbox.url
    options = PuppetWebOptions(
        session_file=session_file(args),
        headless=not args.headful,
        lang=args.lang,
        executable_path=args.executable_path,
        endpoint=args.endpoint,
        sandbox=url,
        login_timeout=args.timeout,
    )
    puppet = PuppetWeb(options)
    theme = QrTheme(args.qr_theme)
    puppet.on("scan", lambda event: show_scan(event, args.png, theme))
    try:
        yield CliContext(puppet=puppet, sandbox=sandbox)
    finally:
        await puppet.stop()
        if sandbox is not None:
            await sandbox.stop()


async def _start_sandbox(args: argparse.Namespace, world: World | None) -> Sandbox:
    from ..sandbox import Sandbox

    sandbox = Sandbox(world, auto_scan=args.auto_scan, lang=args.lang)
    await sandbox.start()
    return sandbox


def show_scan(event: ScanEvent, png: Path | None, theme: QrTheme = QrTheme.AUTO) -> None:
    """Print the QR (and save it as PNG) while waiting; print the other scan states."""
    if event.status is ScanStatus.WAITING and event.qrcode:
        print(render_qr(event.qrcode, theme=theme), flush=True)
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
