"""``wechaty-web record OUT``: record a web session (live, or a sandbox) to a cassette.

The sandbox options are those of login, run and serve: ``--sandbox`` (with ``--auto-scan`` its
phone scans by itself, ``--world FILE`` loads a world) or ``--sandbox-url URL`` for one started
with ``wechaty-web sandbox``.

The session starts with a QR login (no saved session is used, so the cassette replays from
scratch). Recording stops after ``--duration`` seconds past the login, or on Ctrl-C; the cassette
is then redacted (and pseudonymised with ``--pseudonymize``) and written.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from ..browser.launcher import find_chromium, sandbox_browser_args
from ..commands.options import (
    add_browser,
    add_qr_theme,
    add_timeout,
    check_writable,
    load_world,
    port,
    seconds,
)
from ..commands.puppet_cli import add_sandbox_arguments, check_sandbox_arguments
from ..errors import UsageError
from .cassette import RecordMode


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``wechaty-web record``."""
    parser.add_argument("out", type=Path, help="the cassette to write (e.g. session.jsonl)")
    parser.add_argument(
        "--mode",
        default="all",
        choices=[m.value for m in RecordMode],
        help="all: overwrite; once: refuse an existing cassette; none: never record (default: all)",
    )
    parser.add_argument(
        "--pseudonymize", action="store_true", help="replace names and ids consistently"
    )
    parser.add_argument(
        "--pseudonymize-texts",
        action="store_true",
        help="with --pseudonymize: also replace message texts",
    )
    parser.add_argument(
        "--duration",
        type=seconds,
        default=None,
        help="seconds to keep recording after the login (default: until Ctrl-C)",
    )
    add_timeout(parser, 300.0, "the login")
    add_qr_theme(parser)
    add_browser(parser)
    parser.add_argument(
        "--endpoint",
        help="a remote browser (ws:// Playwright browser server or http:// CDP); with --sandbox "
        "it must map the WeChat hosts onto the sandbox (start one with `wechaty-web sandbox` and "
        "pass --sandbox-url)",
    )
    add_sandbox_arguments(parser)
    # Deprecated: the in-process sandbox's port, from before --sandbox-url existed here (a fixed
    # port was the only way to point a remote browser at it). Hidden; warns when used.
    parser.add_argument("--sandbox-port", type=port, default=None, help=argparse.SUPPRESS)


def check_output(path: Path, mode: RecordMode) -> Path:
    """Refuse what the mode forbids and a path that cannot be written, before anything starts.

    Raises:
        UsageError: mode ``none``, or mode ``once`` with an existing cassette.
        OutputPathError: the cassette cannot be written there.
    """
    if mode is RecordMode.NONE:
        raise UsageError("record mode 'none' never records (use once or all)")
    if mode is RecordMode.ONCE and path.exists():
        raise UsageError(
            f"cassette {path} exists and record mode 'once' does not re-record it "
            "(replay it, or use --mode all)"
        )
    return check_writable(path, "cassette")


def run(args: argparse.Namespace) -> int:
    """Record; 0 when the cassette was written.

    Raises:
        UsageError / OutputPathError: see :func:`check_output`. PuppetWebError: the session failed.
    """
    check_sandbox_arguments(args)
    if args.sandbox_port is not None:
        if not args.sandbox:
            raise UsageError("--sandbox-port needs --sandbox (it is the in-process sandbox's port)")
        print(
            "wechaty-web record: warning: --sandbox-port is deprecated; run `wechaty-web sandbox "
            "--port N` and pass --sandbox-url https://127.0.0.1:N",
            file=sys.stderr,
        )
    args.out = check_output(args.out, RecordMode(args.mode))
    if args.endpoint is None:
        find_chromium(args.executable_path)
    path = asyncio.run(_record(args))
    print(f"cassette written: {path}")
    return 0


@contextlib.asynccontextmanager
async def _browser(args: argparse.Namespace) -> AsyncIterator[tuple[Any, dict[str, Any]]]:
    """A browser (and context options) that reach live web WeChat or a fresh sandbox."""
    from playwright.async_api import async_playwright

    from ..browser.launcher import connect_browser, launch_chromium

    async with contextlib.AsyncExitStack() as stack:
        extra: list[str] = []
        context_options: dict[str, Any] = {}
        if args.sandbox:
            from ..sandbox import Sandbox

            world = load_world(args.world) if args.world else None
            sandbox = await stack.enter_async_context(
                Sandbox(
                    world, auto_scan=args.auto_scan, port=args.sandbox_port or 0, lang=args.lang
                )
            )
            extra, context_options = sandbox.browser_args(), sandbox.context_options()
            print(f"sandbox listening on {sandbox.url}")
        elif args.sandbox_url:
            # a sandbox started elsewhere: same flags as PuppetWebOptions(sandbox=url) uses
            extra = sandbox_browser_args(args.sandbox_url)
            context_options = {"ignore_https_errors": True}
        pw = await stack.enter_async_context(async_playwright())
        if args.endpoint:
            browser = await connect_browser(pw, args.endpoint)
        else:
            browser = await launch_chromium(
                pw,
                executable_path=args.executable_path,
                headless=not args.headful,
                extra_args=extra,
            )
        stack.push_async_callback(browser.close)
        yield browser, context_options


def _stop_on_ctrl_c() -> asyncio.Event:
    # Ctrl-C ends the recording cleanly (so the cassette is written), instead of a traceback
    stop = asyncio.Event()
    with contextlib.suppress(NotImplementedError):
        asyncio.get_running_loop().add_signal_handler(signal.SIGINT, stop.set)
    return stop


async def _record(args: argparse.Namespace) -> Path:
    from ..commands.puppet_cli import show_scan
    from ..qr import QrTheme
    from .testing import record_puppet

    stop = _stop_on_ctrl_c()
    async with (
        _browser(args) as (browser, context_options),
        record_puppet(
            args.out,
            browser,
            context_options=context_options,
            mode=args.mode,  # checked before the start; the recorder checks again
            pseudonymize=args.pseudonymize,
            lang=args.lang,
            meta={"source": "sandbox" if args.sandbox or args.sandbox_url else "live"},
        ) as session,
    ):
        session.recorder.pseudonymize_texts = args.pseudonymize_texts
        puppet = session.puppet
        theme = QrTheme(args.qr_theme)
        puppet.on("scan", lambda event: show_scan(event, None, theme))
        puppet.on("message", lambda event: print(f"message {event.message_id}"))
        login = await puppet.wait_for("login", timeout=args.timeout)
        print(f"logged in as {login.contact_id}; recording (Ctrl-C to stop)")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), args.duration)
    return Path(args.out)
