"""``wechaty-web serve``: a Wechaty Puppet Service in front of one PuppetWeb.

::

    wechaty-web serve --token insecure_mytoken --no-tls --sandbox --auto-scan
    wechaty-web serve --token puppet_web_mytoken --tls-cert cert.pem --tls-key key.pem

It listens first (printing ``puppet service listening on HOST:PORT``), then starts the puppet, so
clients connected early see the ``scan`` and ``login`` events; the QR is also drawn in the
terminal. It runs until Ctrl-C or SIGTERM.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
from pathlib import Path

from ..commands.puppet_cli import add_common_arguments, open_puppet
from ..errors import UsageError

TOKEN_ENV = "WECHATY_PUPPET_SERVICE_TOKEN"
DEFAULT_PORT = 8788  # wechaty-puppet-service's default


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``wechaty-web serve``."""
    parser.add_argument("--host", default="0.0.0.0", help="address to listen on (default: all)")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT,
                        help="port (default: %(default)s; 0 picks a free one)")  # fmt: skip
    parser.add_argument("--token", default=os.environ.get(TOKEN_ENV),
                        help=f"the token clients must present (default: ${TOKEN_ENV})")  # fmt: skip
    tls = parser.add_mutually_exclusive_group()
    tls.add_argument("--tls-cert", type=Path, help="TLS certificate chain (PEM)")
    tls.add_argument("--no-tls", action="store_true",
                     help="plain HTTP/2 (python-wechaty; TypeScript clients then need "
                          "WECHATY_PUPPET_SERVICE_NO_TLS_INSECURE_CLIENT=true)")  # fmt: skip
    parser.add_argument("--tls-key", type=Path, help="TLS private key (PEM), with --tls-cert")
    add_common_arguments(parser, timeout_for="the login")


def run(args: argparse.Namespace) -> int:
    """Serve until interrupted; the exit status.

    Raises:
        UsageError: no token, or neither TLS files nor ``--no-tls``.
        ServiceError: the port is taken or the TLS files are unusable (exit 1, one line).
    """
    if not args.token:
        raise UsageError(f"serve needs a token: --token T or ${TOKEN_ENV}")
    if not args.no_tls and not (args.tls_cert and args.tls_key):
        raise UsageError("serve needs --tls-cert and --tls-key, or --no-tls")
    return asyncio.run(_serve(args))


async def _serve(args: argparse.Namespace) -> int:
    from .server import PuppetService, TlsFiles

    tls = None if args.no_tls else TlsFiles(cert=args.tls_cert, key=args.tls_key)
    async with open_puppet(args) as ctx:
        service = PuppetService(ctx.puppet, token=args.token)
        await service.start(args.host, args.port, tls)
        print(f"puppet service listening on {service.host}:{service.port}", flush=True)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError):
                loop.add_signal_handler(sig, stop.set)
        ctx.puppet.on("error", lambda event: print(f"error: {event.error!r} ({event.data})"))
        try:
            await ctx.puppet.start()
            await stop.wait()
        finally:
            await service.stop()
    return 0
