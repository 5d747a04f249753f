"""``wechaty-web browser-server``: serve a local Chromium to puppets in other processes or machines.

Prints the ``ws://`` endpoint to give to ``--endpoint`` (or ``PuppetWebOptions(endpoint=...)``,
``BrowserPool(endpoint=...)``) and runs until Ctrl-C. ``--sandbox-url`` maps the WeChat hosts
onto a sandbox from this browser, since launch flags belong where the browser runs.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal

from .options import add_browser, port


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``wechaty-web browser-server``."""
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (%(default)s)")
    parser.add_argument("--port", type=port, default=0, help="port (default: any free one)")
    parser.add_argument("--path", help="WebSocket path (default: a random secret one)")
    add_browser(parser, lang=False)  # the page language belongs to each puppet
    parser.add_argument("--sandbox-url", help="map the WeChat hosts onto this sandbox")


def run(args: argparse.Namespace) -> int:
    """Serve until Ctrl-C; the exit status.

    Raises:
        LaunchError: no Chromium, or it would not start.
    """
    return asyncio.run(_serve(args))


async def _serve(args: argparse.Namespace) -> int:
    from ..browser.remote import start_browser_server

    server = await start_browser_server(
        executable_path=args.executable_path,
        headless=not args.headful,
        sandbox=args.sandbox_url,
        host=args.host,
        port=args.port,
        ws_path=args.path,
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    print(server.endpoint, flush=True)
    try:
        done = asyncio.ensure_future(server.process.wait())
        await asyncio.wait(
            [done, asyncio.ensure_future(stop.wait())], return_when="FIRST_COMPLETED"
        )
        return 0 if stop.is_set() else 1
    finally:
        await server.stop()
