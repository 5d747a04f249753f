"""``wechaty-web replay CASSETTE``: run a puppet on a cassette offline and print its events.

No network and no sandbox: the browser's requests are answered from the cassette. Exit status 0
when the replayed events equal the recorded ones, 1 when they differ or a request matched
nothing, 2 when the cassette cannot be read.
"""

from __future__ import annotations

import argparse
import asyncio
import json
from pathlib import Path

from ..browser.launcher import find_chromium
from ..commands.options import add_browser, add_timeout
from ..errors import CassetteError, PuppetWebError, UsageError
from .cassette import load
from .testing import EventLog, assert_replayed_events, replay_puppet


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``wechaty-web replay``."""
    parser.add_argument("cassette", type=Path, help="the cassette to replay")
    parser.add_argument("--endpoint", help="a remote browser (ws:// Playwright or http:// CDP)")
    parser.add_argument(
        "--realtime",
        action="store_true",
        help="honour the recorded timing instead of replaying at full speed",
    )
    add_timeout(parser, 60.0, "the recorded events")
    add_browser(parser, lang=False)  # the page language is the recorded one


def run(args: argparse.Namespace) -> int:
    """Replay and print; see the module docstring for the exit status.

    Raises:
        UsageError: the cassette cannot be read. PuppetWebError: the replay could not run.
    """
    try:
        cassette = load(args.cassette)
    except CassetteError as exc:
        raise UsageError(f"cannot replay: {exc}") from exc
    print(f"{args.cassette}: {len(cassette.http)} exchanges, {len(cassette.events)} events")
    if args.endpoint is None:
        find_chromium(args.executable_path)
    events, problem = asyncio.run(_replay(args))
    for index, (name, payload) in enumerate(events.items):
        print(f"{index:4d} {name} {json.dumps(payload, ensure_ascii=False, sort_keys=True)}")
    if problem:
        raise ReplayDiffers(f"replay differs from the recording: {problem}")
    print(f"replayed {len(events.items)} events: same as recorded")
    return 0


class ReplayDiffers(PuppetWebError):
    """The replayed events are not the recorded ones (exit status 1)."""


async def _replay(args: argparse.Namespace) -> tuple[EventLog, str]:
    from playwright.async_api import async_playwright

    from ..browser.launcher import connect_browser, launch_chromium

    async with async_playwright() as pw:
        if args.endpoint:
            browser = await connect_browser(pw, args.endpoint)
        else:
            browser = await launch_chromium(
                pw, executable_path=args.executable_path, headless=not args.headful
            )
        try:
            async with replay_puppet(args.cassette, browser, realtime=args.realtime) as session:
                problem = ""
                try:
                    await session.wait_for_recorded(timeout=args.timeout)
                    session.replayer.raise_errors()
                    assert_replayed_events(session.events, session.replayer.cassette)
                except (AssertionError, TimeoutError, CassetteError) as exc:
                    problem = str(exc) or type(exc).__name__
                return session.events, problem
        finally:
            await browser.close()
