"""``wechaty-web record OUT``: record a web session (live, or ``--sandbox``) to a cassette.

The session starts with a QR login (no saved session is used, so the cassette replays from
scratch). Recording stops after ``--duration`` seconds past the login, or on Ctrl-C; the cassette
is then redacted (and pseudonymised with ``--pseudonymize``) and written.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from ..errors import PuppetWebError
from .cassette import RecordMode


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``wechaty-web record``."""
    parser.add_argument("out", type=Path, help="the cassette to write (e.g. session.jsonl)")
    parser.add_argument(
        "--sandbox",
        action="store_true",
        help="record against an in-process sandbox (its phone scans by itself)",
    )
    parser.add_argument(
        "--mode",
        default="all",
        choices=[m.value for m in RecordMode],
        help="all: overwrite; once: refuse an existing cassette (default: all)",
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
        type=float,
        default=None,
        help="seconds to keep recording after the login (default: until Ctrl-C)",
    )
    parser.add_argument(
        "--login-timeout",
        type=float,
        default=300.0,
        help="seconds to wait for the login (default: %(default)s)",
    )
    parser.add_argument("--headful", action="store_true", help="show the browser window")
    parser.add_argument(
        "--endpoint",
        help="a remote browser (ws:// Playwright browser server or http:// CDP); with --sandbox "
        "it must map the WeChat hosts onto the sandbox (see --sandbox-port)",
    )
    parser.add_argument(
        "--sandbox-port", type=int, default=0, help="the in-process sandbox's port (default: any)"
    )
    parser.add_argument("--lang", default="zh_CN", help="page language (default: %(default)s)")


def run(args: argparse.Namespace) -> int:
    """Record; 0 when the cassette was written."""
    try:
        RecordMode(args.mode)
        path = asyncio.run(_record(args))
    except PuppetWebError as exc:
        print(f"record failed: {exc}")
        return 1
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

            sandbox = await stack.enter_async_context(
                Sandbox(auto_scan=True, port=args.sandbox_port)
            )
            extra, context_options = sandbox.browser_args(), sandbox.context_options()
            print(f"sandbox listening on {sandbox.url}")
        pw = await stack.enter_async_context(async_playwright())
        if args.endpoint:
            browser = await connect_browser(pw, args.endpoint)
        else:
            browser = await launch_chromium(pw, headless=not args.headful, extra_args=extra)
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
    from .testing import record_puppet

    stop = _stop_on_ctrl_c()
    async with (
        _browser(args) as (browser, context_options),
        record_puppet(
            args.out,
            browser,
            context_options=context_options,
            mode=args.mode,
            pseudonymize=args.pseudonymize,
            lang=args.lang,
            meta={"source": "sandbox" if args.sandbox else "live"},
        ) as session,
    ):
        session.recorder.pseudonymize_texts = args.pseudonymize_texts
        puppet = session.puppet
        puppet.on("scan", lambda event: show_scan(event, None))
        puppet.on("message", lambda event: print(f"message {event.message_id}"))
        login = await puppet.wait_for("login", timeout=args.login_timeout)
        print(f"logged in as {login.contact_id}; recording (Ctrl-C to stop)")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), args.duration)
    return Path(args.out)
