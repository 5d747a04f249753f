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

from ..errors import CassetteError, PuppetWebError
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
    parser.add_argument(
        "--timeout",
        type=float,
        default=60.0,
        help="seconds to wait for the recorded events (default: %(default)s)",
    )


def run(args: argparse.Namespace) -> int:
    """Replay and print; see the module docstring for the exit status."""
    try:
        cassette = load(args.cassette)
    except CassetteError as exc:
        print(f"cannot replay: {exc}")
        return 2
    print(f"{args.cassette}: {len(cassette.http)} exchanges, {len(cassette.events)} events")
    try:
        events, problem = asyncio.run(_replay(args))
    except PuppetWebError as exc:
        print(f"replay failed: {exc}")
        return 1
    for index, (name, payload) in enumerate(events.items):
        print(f"{index:4d} {name} {json.dumps(payload, ensure_ascii=False, sort_keys=True)}")
    if problem:
        print(f"replay differs from the recording: {problem}")
        return 1
    print(f"replayed {len(events.items)} events: same as recorded")
    return 0


async def _replay(args: argparse.Namespace) -> tuple[EventLog, str]:
    from playwright.async_api import async_playwright

    from ..browser.launcher import connect_browser, launch_chromium

    async with async_playwright() as pw:
        if args.endpoint:
            browser = await connect_browser(pw, args.endpoint)
        else:
            browser = await launch_chromium(pw)
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
