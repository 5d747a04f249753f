"""``wechaty-web login``: draw the QR in the terminal, wait for the login, save the session.

The next start (``wechaty-web run``, or a PuppetWeb with the same ``session_file``) then logs in
without a scan while the session is valid. "Session saved to X" is printed only after X was read
back as a usable session; the session file is checked for writability before the browser starts.
"""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

from ..browser.session import SessionStore
from ..errors import LoginError, SessionError
from ..events import EventName
from .puppet_cli import add_common_arguments, open_puppet, self_description, session_file


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``wechaty-web login``."""
    add_common_arguments(parser, timeout_for="the login")


def run(args: argparse.Namespace) -> int:
    """Log in once; 0 on success.

    Raises:
        LoginError: refused or timed out. SessionError: the session was not saved.
    """
    return asyncio.run(_login(args))


async def _login(args: argparse.Namespace) -> int:
    async with open_puppet(args) as ctx:
        puppet = ctx.puppet
        login = puppet.wait_for(EventName.LOGIN, timeout=args.timeout)
        # the puppet reports a failed save as an error event; keep the first one
        save_failed = puppet.wait_for(EventName.ERROR, lambda e: e.data == "session", None)
        refused = puppet.wait_for(
            EventName.ERROR, lambda e: isinstance(e.error, LoginError), timeout=None
        )
        try:
            await puppet.start()
            done, _ = await asyncio.wait({login, refused}, return_when=asyncio.FIRST_COMPLETED)
            if refused in done:
                raise refused.result().error
            if login.exception() is not None:
                raise LoginError(f"no login within {args.timeout:g} s")
            print(f"Logged in as {await self_description(puppet)}")
            path = session_file(args)
            if path is not None:
                failure = save_failed.result().error if save_failed.done() else None
                verify_session(path, failure)
                print(f"Session saved to {path}")
        finally:
            for waiter in (login, refused, save_failed):
                waiter.cancel()
        return 0


def verify_session(path: Path, failure: BaseException | None = None) -> None:
    """Read the saved session back.

    Raises:
        SessionError: the save failed (``failure``), or ``path`` holds no usable session.
    """
    if failure is not None:
        raise SessionError(f"session not saved to {path}: {failure}")
    if SessionStore(path).info(strict=True) is None:
        raise SessionError(f"session not saved: {path} holds no usable session")
