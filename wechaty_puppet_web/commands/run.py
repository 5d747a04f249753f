"""``wechaty-web run BOT.py``: run a bot module's handlers on a PuppetWeb.

The convention: the module defines ``async def on_<event>(puppet, event)`` functions, one per
event it wants, named after the Wechaty event with ``-`` as ``_``::

    async def on_message(puppet: PuppetWeb, event: MessageEvent) -> None: ...
    async def on_room_join(puppet: PuppetWeb, event: RoomJoinEvent) -> None: ...
    async def on_login(puppet: PuppetWeb, event: LoginEvent) -> None: ...

``puppet`` is the running :class:`~wechaty_puppet_web.PuppetWeb`, ``event`` the event dataclass.
Plain (non-async) functions work too. A handler that raises becomes an ``error`` event (printed
unless the module has ``on_error``) and the bot keeps running. The run ends on Ctrl-C, or after
a ``logout``.

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
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

from ..errors import PuppetWebError
from ..events import EventName
from ..puppet import PuppetWeb
from .puppet_cli import CliContext, add_common_arguments, open_puppet, self_description

DEMO_TIMEOUT = 30.0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``wechaty-web run``."""
    parser.add_argument("bot", type=Path, help="a Python file defining on_<event> handlers")
    add_common_arguments(parser)
    parser.add_argument("--demo", action="store_true",
                        help="sandbox: a friend says 'ding', print the reply, exit")  # fmt: skip


def run(args: argparse.Namespace) -> int:
    """Run the bot until Ctrl-C or logout (or the demo exchange); the exit status."""
    if args.demo and not (args.sandbox or args.sandbox_url):
        print("--demo needs --sandbox or --sandbox-url")
        return 2
    try:
        module = load_bot(args.bot)
    except (OSError, ImportError, SyntaxError) as exc:
        print(f"cannot load {args.bot}: {exc}")
        return 2
    return asyncio.run(_run(args, module))


def load_bot(path: Path) -> ModuleType:
    """Import a bot file as a module (named after the file).

    Raises:
        ImportError: not a loadable Python file.
    """
    spec = importlib.util.spec_from_file_location(f"wpw_bot_{path.stem}", path)
    if spec is None or spec.loader is None:
        raise ImportError(f"{path} is not a Python module")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def register_handlers(puppet: PuppetWeb, module: ModuleType) -> list[str]:
    """Attach the module's ``on_<event>`` functions; return the event names attached."""
    attached = []
    for name in EventName:
        fn = getattr(module, "on_" + name.value.replace("-", "_"), None)
        if callable(fn):
            puppet.on(name.value, _bind(puppet, fn))
            attached.append(name.value)
    if "error" not in attached:
        puppet.on("error", lambda event: print(f"error: {event.error!r} ({event.data})"))
    return attached


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
        except (PuppetWebError, TimeoutError) as exc:
            print(f"Start failed: {exc or 'no login in time'}")
            return 1
        print(f"Logged in as {await self_description(puppet)}; ready")
        if args.demo:
            return await _demo(ctx)
        await puppet.wait_for(EventName.LOGOUT, timeout=None)
        print("Logged out")
        return 0


async def _demo(ctx: CliContext) -> int:
    sandbox = ctx.sandbox
    if sandbox is None:
        print("--demo needs the in-process sandbox (--sandbox)")
        return 2
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
        print("The bot did not answer")
        return 1
    print(f"{world.bot.nickname} answered {friend.nickname}: {reply.text}")
    return 0
