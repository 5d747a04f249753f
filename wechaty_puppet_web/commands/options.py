"""Options every ``wechaty-web`` sub-command spells the same way, and the checks run before start.

One definition per meaning: ``--timeout`` (seconds, never negative), ``--lang``,
``--executable-path`` and ``--headful`` on every command that opens a browser, ``-v`` after the
sub-command as well as before it. Output files are probed here, before any browser or sandbox
starts, so a bad path costs nothing (a recorded session is never lost to it).
"""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from ..browser.launcher import DISCOVERY_HELP
from ..errors import OutputPathError, SandboxError, UsageError
from ..qr import QrTheme

if TYPE_CHECKING:
    from ..sandbox.world import World

LANGS = {"zh": "zh_CN", "zh_cn": "zh_CN", "en": "en_US", "en_us": "en_US"}


def seconds(text: str) -> float:
    """argparse type: a duration in seconds, 0 or more."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not value >= 0:  # also refuses nan
        raise argparse.ArgumentTypeError(f"must be 0 or more seconds, not {text}")
    return value


def port(text: str) -> int:
    """argparse type: a TCP port (0: any free one)."""
    if not text.isdigit() or int(text) > 65535:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}")
    return int(text)


def page_lang(text: str) -> str:
    """argparse type: ``zh``/``zh_CN``/``en``/``en_US`` (any case, ``-`` or ``_``) → ``zh_CN`` or
    ``en_US``."""
    lang = LANGS.get(text.lower().replace("-", "_"))
    if lang is None:
        raise argparse.ArgumentTypeError(f"unknown language {text!r} (zh_CN or en_US)")
    return lang


def add_verbose(parser: argparse.ArgumentParser) -> None:
    """``-v`` after the sub-command; counted together with the one before it (see cli.main)."""
    parser.add_argument(
        "-v", "--verbose", dest="verbose_sub", action="count", default=0, help=argparse.SUPPRESS
    )


def add_timeout(parser: argparse.ArgumentParser, default: float | None, what: str) -> None:
    """``--timeout SECONDS``: how long to wait for ``what``."""
    shown = "none" if default is None else "%(default)s"
    parser.add_argument(
        "--timeout", type=seconds, default=default, metavar="SECONDS",
        help=f"seconds to wait for {what} (default: {shown})",
    )  # fmt: skip


def add_lang(parser: argparse._ActionsContainer, what: str = "page language") -> None:
    """``--lang zh_CN|en_US`` (``zh``/``en`` accepted)."""
    parser.add_argument("--lang", type=page_lang, default="zh_CN",
                        help=f"{what}: zh_CN or en_US (default: %(default)s)")  # fmt: skip


def add_qr_theme(parser: argparse.ArgumentParser) -> None:
    """``--qr-theme auto|dark|light``: the terminal the login QR is drawn for."""
    parser.add_argument(
        "--qr-theme", choices=[t.value for t in QrTheme], default=QrTheme.AUTO.value,
        help="draw the terminal QR for a dark or a light terminal background "
        "(auto: from $COLORFGBG, else dark)",
    )  # fmt: skip


def add_browser(parser: argparse.ArgumentParser, *, lang: bool = True) -> None:
    """The options of every command that opens a browser (``lang=False``: the language is not
    the user's to choose, e.g. a replay uses the recorded one)."""
    group = parser.add_argument_group("browser", DISCOVERY_HELP)
    group.add_argument("--executable-path", metavar="PATH", help="the Chromium to run")
    group.add_argument("--headful", action="store_true", help="show the browser window")
    if lang:
        add_lang(group)


def check_writable(path: Path, what: str, *, make_parents: bool = False) -> Path:
    """Prove ``path`` can be written (without truncating it); return it, ``~`` expanded.

    The parent folder must exist unless ``make_parents`` (then its nearest existing ancestor
    must be writable). An existing file is opened for append; a new one is probed with a
    temporary file beside it, since files are written by replacing them.

    Raises:
        OutputPathError: ``path`` is a folder, its folder is missing, or it is not writable.
    """
    path = path.expanduser()
    if path.is_dir():
        raise OutputPathError(f"{what} {path} is a folder, not a file")
    folder = path.parent
    while make_parents and not folder.exists() and folder != folder.parent:
        folder = folder.parent
    if not folder.exists():
        raise OutputPathError(f"cannot write {what} {path}: folder {path.parent} does not exist")
    if not folder.is_dir():
        raise OutputPathError(f"cannot write {what} {path}: {folder} is not a folder")
    try:
        with tempfile.TemporaryFile(dir=folder):
            pass
        if path.exists():
            with path.open("ab"):
                pass
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise OutputPathError(f"cannot write {what} {path}: {reason}") from exc
    if path.exists() and not os.access(path, os.W_OK):
        raise OutputPathError(f"cannot write {what} {path}: not writable")
    return path


def load_world(path: str | Path) -> World:
    """The sandbox world in ``path`` (``--world``).

    Raises:
        UsageError: the file is missing or not a world.
    """
    from ..sandbox.world import World  # imported late: the sandbox is optional at run time

    try:
        return World.load(path)
    except SandboxError as exc:
        raise UsageError(str(exc)) from exc
