"""``wechaty-web login``: draw the QR in the terminal, wait for the login, save the session.

The next start (``wechaty-web run``, or a PuppetWeb with the same ``session_file``) then logs in
without a scan while the session is valid.
"""

from __future__ import annotations

import argparse
import asyncio

from ..errors import LoginError, PuppetWebError
from ..events import EventName
from .puppet_cli import add_common_arguments, open_puppet, self_description


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``wechaty-web login``."""
    add_common_arguments(parser)


def run(args: argparse.Namespace) -> int:
    """Log in once; 0 on success, 1 when the login failed or timed out."""
    return asyncio.run(_login(args))


async def _login(args: argparse.Namespace) -> int:
    async with open_puppet(args) as ctx:
        puppet = ctx.puppet
        login = puppet.wait_for(EventName.LOGIN, timeout=args.timeout)
        refused = puppet.wait_for(
            EventName.ERROR, lambda e: isinstance(e.error, LoginError), timeout=None
        )
        try:
            await puppet.start()
            done, _ = await asyncio.wait({login, refused}, return_when=asyncio.FIRST_COMPLETED)
        except PuppetWebError as exc:
            print(f"Login failed: {exc}")
            return 1
        finally:
            refused.cancel()
        if login not in done or login.exception() is not None:
            reason = refused.result().error if refused in done else "no login in time"
            login.cancel()
            print(f"Login failed: {reason}")
            return 1
        print(f"Logged in as {await self_description(puppet)}")
        path = puppet.options.session_path()
        if path is not None:
            print(f"Session saved to {path}")
        return 0
