"""``wechaty-web run BOT.py``: run a bot module's handlers on a PuppetWeb.

The convention: the module defines ``async def on_<event>(puppet, event)`` functions, one per
event it wants, named after the Wechaty event with ``-`` as ``_``::

    async def on_message(puppet: PuppetWeb, event: MessageEvent) -> None: ...
    async def on_room_join(puppet: PuppetWeb, event: RoomJoinEvent) -> None: ...
    async def on_login(puppet: PuppetWeb, event: LoginEvent) -> None: ...

``puppet`` is the running :class:`~wechaty_puppet_web.PuppetWeb`, ``event`` the event dataclass.
Plain (non-async) functions work too. A module with no handler at all is refused (a bot that
can never react would otherwise wait forever), and so is one that fails at import; both before
any browser starts. A handler that raises becomes an ``error`` event (printed on stderr unless the
module has ``on_error``) and the bot keeps running. The run ends on Ctrl-C, or after a ``logout``.

``--demo`` (sandbox only, used by ``make demo``): once the bot is ready a simulated friend says
"ding" through the sandbox world, the bot's answer is printed as the world saw it, and the
command exits 0.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import inspect
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

from ..errors import BotModuleError, LoginError, UsageError
from ..events import EventName
from ..puppet import PuppetWeb
from .puppet_cli import CliContext, add_common_arguments, open_puppet, self_description

DEMO_TIMEOUT = 30.0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``wechaty-web run``."""
    parser.add_argument("bot", type=Path, help="a Python file defining on_<event> handlers")
    add_common_arguments(parser, timeout_for="the bot to be ready")
    parser.add_argument("--demo", action="store_true",
                        help="sandbox: a friend says 'ding', print the reply, exit")  # fmt: skip


def run(args: argparse.Namespace) -> int:
    """Run the bot until Ctrl-C or logout (or the demo exchange); the exit status.

    Raises:
        UsageError / BotModuleError: bad options, or a bot module that cannot run.
    """
    if args.demo and not args.sandbox:
        raise UsageError("--demo needs --sandbox (the in-process sandbox plays the friend)")
    module = load_bot(args.bot)
    handlers = bot_handlers(module)
    if not handlers:
        names = ", ".join("on_" + e.value.replace("-", "_") for e in _USUAL)
        raise BotModuleError(f"{args.bot} defines no on_<event> handler (e.g. {names})")
    return asyncio.run(_run(args, module))


_USUAL = (EventName.MESSAGE, EventName.LOGIN, EventName.ROOM_JOIN, EventName.FRIENDSHIP)


def load_bot(path: Path) -> ModuleType:
    """Import a bot file as a module (named after the file).

    Raises:
        BotModuleError: a missing file, or one that fails at import (the message names why).
    """
    if not path.is_file():
        raise BotModuleError(f"bot module {path} not found")
    spec = importlib.util.spec_from_file_location(f"wpw_bot_{path.stem}", path)
    if spec is None or spec.loader is None:
        raise BotModuleError(f"{path} is not a Python module")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    try:
        spec.loader.exec_module(module)
    except Exception as exc:  # whatever the bot's own code raises at import
        del sys.modules[spec.name]
        where = _bot_line(exc, path)
        raise BotModuleError(f"bot module {path} failed at import{where}: {exc!r}") from exc
    return module


def _bot_line(exc: BaseException, path: Path) -> str:
    """`` (line N)`` of the bot file where the import failed, when it is known."""
    if isinstance(exc, SyntaxError) and exc.lineno:
        return f" (line {exc.lineno})"
    line = None
    for frame, lineno in traceback.walk_tb(exc.__traceback__):
        if Path(frame.f_code.co_filename) == path:
            line = lineno
    return f" (line {line})" if line else ""


def bot_handlers(module: ModuleType) -> dict[EventName, Callable[..., Any]]:
    """The module's ``on_<event>`` functions, by event."""
    found = {}
    for name in EventName:
        fn = getattr(module, "on_" + name.value.replace("-", "_"), None)
        if callable(fn):
            found[name] = fn
    return found


def register_handlers(
    puppet: PuppetWeb, module: ModuleType, *, on_error: Callable[[Any], None] | None = None
) -> list[str]:
    """Attach the module's ``on_<event>`` functions; return the event names attached.

    Without an ``on_error`` in the module, errors go to ``on_error`` (default: printed).
    """
    handlers = bot_handlers(module)
    for name, fn in handlers.items():
        puppet.on(name.value, _bind(puppet, fn))
    if EventName.ERROR not in handlers:
        puppet.on("error", on_error or _print_error)
    return [name.value for name in handlers]


def _print_error(event: Any) -> None:
    print(f"error: {event.error!r} ({event.data})", file=sys.stderr, flush=True)


def _bind(puppet: PuppetWeb, fn: Callable[..., Any]) -> Callable[[Any], Any]:
    if inspect.iscoroutinefunction(fn):

        async def call_async(event: Any) -> None:
            await fn(puppet, event)

        return call_async
    return lambda event: fn(puppet, event)


async def _run(args: argparse.Namespace, module: ModuleType) -> int:
    async with open_puppet(args) as ctx:
        puppet = ctx.puppet
        attached = register_handlers(puppet, module)
        print(f"Bot {args.bot} handles: {', '.join(attached) or '(nothing)'}")
        ready = puppet.wait_for(EventName.READY, timeout=args.timeout)
        try:
            await puppet.start()
            await ready
        except TimeoutError:
            raise LoginError(f"not logged in and ready within {args.timeout:g} s") from None
        finally:
            ready.cancel()
        print(f"Logged in as {await self_description(puppet)}; ready")
        if args.demo:
            return await _demo(ctx)
        await puppet.wait_for(EventName.LOGOUT, timeout=None)
        print("Logged out")
        return 0


async def _demo(ctx: CliContext) -> int:
    sandbox = ctx.sandbox
    if sandbox is None:
        raise UsageError("--demo needs the in-process sandbox (--sandbox)")
    world = sandbox.world
    friend = world.friends[0]
    bot_id = world.bot.wxid
    print(f"{friend.nickname} says: ding")
    world.send_text(from_=friend, to=world.bot, text="ding")
    try:
        reply = await world.wait_for_message(
            lambda m: m.sender == bot_id and m.to == friend.wxid and m.msg_type == 1,
            timeout=DEMO_TIMEOUT,
        )
    except TimeoutError:
        raise TimeoutError(f"the bot did not answer within {DEMO_TIMEOUT:g} s") from None
    print(f"{world.bot.nickname} answered {friend.nickname}: {reply.text}")
    return 0
