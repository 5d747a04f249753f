"""``wechaty-web``: the command line.

This module and the command modules it loads are the only ones that print. Each sub-command lives in
its own module exposing ``add_arguments(parser)`` and ``run(args) -> int``; this file only wires
them together.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Sequence
from typing import Protocol, cast

# name -> (module, one-line help)
COMMANDS: dict[str, tuple[str, str]] = {
    "login": (
        "wechaty_puppet_web.commands.login",
        "log in (QR in the terminal) and save the session",
    ),
    "run": ("wechaty_puppet_web.commands.run", "run a bot module's handlers"),
    "browser-server": (
        "wechaty_puppet_web.commands.browser_server",
        "serve a local Chromium to puppets elsewhere (prints the ws:// endpoint)",
    ),
    "sandbox": ("wechaty_puppet_web.sandbox.command", "run the sandbox web WeChat standalone"),
    "record": ("wechaty_puppet_web.recording.command", "record a web session to a cassette"),
    "replay": (
        "wechaty_puppet_web.recording.replay_command",
        "replay a cassette, print its events",
    ),
}


class _Command(Protocol):
    def add_arguments(self, parser: argparse.ArgumentParser) -> None: ...

    def run(self, args: argparse.Namespace) -> int: ...


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser (sub-commands whose module is missing are left out)."""
    parser = argparse.ArgumentParser(
        prog="wechaty-web", description="the command line of wechaty-puppet-web"
    )
    parser.add_argument(
        "-v", "--verbose", action="count", default=0, help="more logging (-vv: debug)"
    )
    subs = parser.add_subparsers(dest="command", required=True)
    for name, (module_name, help_text) in COMMANDS.items():
        try:
            module = cast(_Command, importlib.import_module(module_name))
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
            continue
        sub = subs.add_parser(name, help=help_text, description=help_text)
        module.add_arguments(sub)
        sub.set_defaults(_run=module.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``wechaty-web`` console script."""
    args = build_parser().parse_args(argv)
    level = logging.WARNING - 10 * min(args.verbose, 2)
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        return int(args._run(args))
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
