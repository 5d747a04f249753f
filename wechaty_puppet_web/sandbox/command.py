"""``wechaty-web sandbox``: run the sandbox web WeChat standalone until Ctrl-C."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import logging
from pathlib import Path

from ..commands.options import add_lang, check_writable, load_world, port, seconds
from .control import ControlServer
from .limits import PROFILES
from .login import QR_TTL
from .proxy import ProxyServer
from .server import Sandbox
from .world import World

_log = logging.getLogger(__name__)

CHATTER = ("ding", "你好", "how are you? 😀", "周末去爬山吗", "<b>not bold</b> & friends")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of the ``sandbox`` sub-command."""
    parser.add_argument("--port", type=port, default=0, help="port to listen on (default: any)")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--world", metavar="FILE", help="a JSON world file (default: built-in)")
    add_lang(parser, "language of the system lines")
    parser.add_argument("--auto-scan", action="store_true", help="the phone scans every QR code")
    parser.add_argument(
        "--profile",
        choices=PROFILES,
        default="unthrottled",
        help="realistic: sends above ~30 a minute answer Ret 1205, as the real server's limit",
    )
    parser.add_argument(
        "--qr-ttl",
        type=seconds,
        metavar="SECONDS",
        default=QR_TTL,
        help=f"seconds a QR code stays scannable (default {QR_TTL:g}; 0: forever)",
    )
    parser.add_argument(
        "--ca-out",
        metavar="FILE",
        help="write the sandbox's CA certificate (PEM) here, for clients to trust",
    )
    parser.add_argument(
        "--control-port",
        type=port,
        metavar="N",
        help="serve the control API (plain HTTP JSON) on 127.0.0.1:N (0: any free port)",
    )
    parser.add_argument(
        "--proxy-port",
        type=port,
        metavar="N",
        help="also answer as an HTTP(S) proxy for the WeChat hosts on 127.0.0.1:N (0: any)",
    )
    parser.add_argument(
        "--accounts",
        type=int,
        default=1,
        metavar="N",
        help="serve N bot accounts (wxid_bot, wxid_bot2…); with --auto-scan each new QR code "
        "goes to the next account not logged in",
    )
    parser.add_argument(
        "--chatter",
        type=seconds,
        metavar="SECONDS",
        default=0.0,
        help="a friend sends a message every SECONDS while someone is logged in",
    )


def run(args: argparse.Namespace) -> int:
    """Start the sandbox, print where it listens and a world summary, serve until Ctrl-C.

    Raises:
        UsageError: a bad ``--world`` (checked first). SandboxError: the port cannot be bound.
    """
    world = load_world(args.world) if args.world else World.default()
    if args.ca_out:
        args.ca_out = check_writable(Path(args.ca_out), "--ca-out")
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(args, world))
    return 0


async def _serve(args: argparse.Namespace, world: World) -> None:
    sb = Sandbox(
        world,
        lang=args.lang,
        host=args.host,
        port=args.port,
        auto_scan=args.auto_scan,
        qr_ttl=args.qr_ttl or None,
        profile=args.profile,
    )
    await sb.start()
    for _ in range(max(1, args.accounts) - 1):
        sb.add_account()
    if args.accounts > 1 and args.auto_scan:
        sb.accounts.auto_scan = True
    extras: list[ControlServer | ProxyServer] = []
    try:
        await _services(sb, args, extras)
        await _run(sb, args)
    finally:
        for service in reversed(extras):
            with contextlib.suppress(Exception):
                await service.stop()
        with contextlib.suppress(Exception):
            await sb.stop()


async def _services(
    sb: Sandbox, args: argparse.Namespace, extras: list[ControlServer | ProxyServer]
) -> None:
    """The CA file, the control API and the proxy, as asked; each prints where it is."""
    print(f"sandbox listening on {sb.url}", flush=True)
    if args.ca_out:
        path = Path(args.ca_out)
        path.write_bytes(sb.ca_pem())
        print(f"CA certificate written to {path}", flush=True)
    if args.control_port is not None:
        control = ControlServer(sb, port=args.control_port)
        await control.start()
        extras.append(control)
        print(f"control API on {control.url}", flush=True)
    if args.proxy_port is not None:
        proxy = ProxyServer(sb.host, sb.port, sb.client_ssl_context(), port=args.proxy_port)
        await proxy.start()
        extras.append(proxy)
        print(f"HTTPS proxy on {proxy.url}", flush=True)


async def _run(sb: Sandbox, args: argparse.Namespace) -> None:
    w = sb.world
    print(
        f"world: bot {w.bot.nickname!r} ({w.bot.wxid}), {len(w.friends)} friends, "
        f"{len(w.rooms)} rooms, {len(w.officials)} official accounts",
        flush=True,
    )
    for extra in sb.accounts.extra:
        print(f"account: bot {extra.world.bot.nickname!r} ({extra.world.bot.wxid})", flush=True)
    print("browser flags: " + " ".join(sb.browser_args()), flush=True)
    if args.chatter > 0:
        await _chatter(sb, args.chatter)
    else:
        await asyncio.Event().wait()


async def _chatter(sb: Sandbox, every: float) -> None:
    texts = itertools.cycle(CHATTER)
    turn = itertools.count()
    while True:
        await asyncio.sleep(every)  # a pacing timer for the demo, not a wait for a condition
        friends = sb.world.friends
        if not sb.sessions.live() or not friends:
            continue
        who = friends[next(turn) % len(friends)]
        sb.world.send_text(from_=who, to=sb.world.bot, text=next(texts))
