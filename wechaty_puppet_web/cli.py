"""``wechaty-web``: the command line.

This module and the command modules it loads are the only ones that print. Each sub-command lives in
its own module exposing ``add_arguments(parser)`` and ``run(args) -> int``; this file wires them
together and is the one place where an expected failure becomes one line on stderr and an exit
status (:func:`report`): the commands raise typed errors and never print tracebacks themselves.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Sequence
from importlib import metadata
from typing import NoReturn, Protocol, cast

from .browser.launcher import DISCOVERY_HELP
from .commands.options import add_verbose
from .errors import PuppetWebError, UsageError

PROG = "wechaty-web"

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
    "fleet": (
        "wechaty_puppet_web.commands.fleet",
        "run the accounts of a fleet file (`fleet status FILE`: their status)",
    ),
    "sandbox": ("wechaty_puppet_web.sandbox.command", "run the sandbox web WeChat standalone"),
    "record": ("wechaty_puppet_web.recording.command", "record a web session to a cassette"),
    "serve": (
        "wechaty_puppet_web.service.command",
        "serve the puppet as a Wechaty Puppet Service (gRPC)",
    ),
    "replay": (
        "wechaty_puppet_web.recording.replay_command",
        "replay a cassette, print its events",
    ),
}

EXIT_FAILED = 1  # the command ran and failed (login refused, no Chromium, port in use...)
EXIT_USAGE = 2  # the command line asked for something unusable (argparse's own status too)
EXIT_INTERRUPTED = 130

# Expected failures, most specific first: (type, exit status, message prefix). Anything else is
# a bug and keeps its traceback.
FAILURES: tuple[tuple[type[BaseException], int, str], ...] = (
    (UsageError, EXIT_USAGE, ""),
    (PuppetWebError, EXIT_FAILED, ""),
    (TimeoutError, EXIT_FAILED, "timed out: "),
    (OSError, EXIT_FAILED, ""),
)


class _Command(Protocol):
    def add_arguments(self, parser: argparse.ArgumentParser) -> None: ...

    def run(self, args: argparse.Namespace) -> int: ...


class _Parser(argparse.ArgumentParser):
    """argparse with its usage errors on one line, like every other failure of the CLI."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see --help)\n")


def _version() -> str:
    """The installed distribution's version (a checkout without metadata says so)."""
    try:
        return metadata.version("wechaty-puppet-web")
    except metadata.PackageNotFoundError:
        return "(not installed)"


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser (sub-commands whose module is missing are left out)."""
    parser = _Parser(
        prog=PROG,
        description="the command line of wechaty-puppet-web",
        epilog=DISCOVERY_HELP,
    )
    parser.add_argument(
        "-v", "--verbose", action="count", default=0, help="more logging (-vv: debug)"
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    subs = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for name, (module_name, help_text) in COMMANDS.items():
        try:
            module = cast(_Command, importlib.import_module(module_name))
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
            continue
        sub = subs.add_parser(name, help=help_text, description=help_text)
        add_verbose(sub)
        module.add_arguments(sub)
        sub.set_defaults(_run=module.run)
    return parser


def report(exc: BaseException, command: str = "") -> int | None:
    """Print an expected failure as one line on stderr; its exit status (None: not expected)."""
    for kind, status, prefix in FAILURES:
        if isinstance(exc, kind):
            where = f"{PROG} {command}".strip()
            text = " ".join(str(exc).split()) or type(exc).__name__  # one line, always
            print(f"{where}: error: {prefix}{text}", file=sys.stderr, flush=True)
            return status
    return None


def verbosity(args: argparse.Namespace) -> int:
    """How many ``-v`` were given, before and after the sub-command."""
    return int(args.verbose) + int(getattr(args, "verbose_sub", 0))


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``wechaty-web`` console script."""
    args = build_parser().parse_args(argv)
    level = logging.WARNING - 10 * min(verbosity(args), 2)
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        return int(args._run(args))
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except Exception as exc:
        status = report(exc, args.command)
        if status is None:
            raise
        return status


if __name__ == "__main__":
    sys.exit(main())
