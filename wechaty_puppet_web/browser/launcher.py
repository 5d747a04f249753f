"""Find and launch an existing Chromium with Playwright; never download one.

Every browser this project starts (the puppet's, the tests', the benchmarks') goes through
:func:`launch_chromium`, so the flags live in one place.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Sequence
from pathlib import Path

from playwright.async_api import Browser, Playwright
from playwright.async_api import Error as PlaywrightError

from ..errors import LaunchError

# Without these, Chromium phones home at start (and fails loudly on a closed network).
BASE_ARGS: tuple[str, ...] = (
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
)

_CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")

INSTALL_HINT = (
    "no Chromium found: install one with `apt-get install -y chromium` (Debian/Ubuntu), "
    "or pass executable_path=..., or connect to a remote browser endpoint"
)


def find_chromium(executable_path: str | os.PathLike[str] | None = None) -> str:
    """Return the path of a Chromium to run.

    Order: the given path, ``$WPW_CHROMIUM``, ``/usr/bin/chromium``, then the usual names on PATH.

    Raises:
        LaunchError: nothing usable was found (the message says how to install one).
    """
    if executable_path is not None:
        path = Path(executable_path)
        if path.is_file() and os.access(path, os.X_OK):
            return str(path)
        raise LaunchError(f"executable_path {str(path)!r} is not an executable file")
    env = os.environ.get("WPW_CHROMIUM")
    if env:
        return find_chromium(env)
    if os.access("/usr/bin/chromium", os.X_OK):
        return "/usr/bin/chromium"
    for name in _CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    raise LaunchError(INSTALL_HINT)


def chromium_args(extra: Sequence[str] = ()) -> list[str]:
    """The command-line flags for every Chromium we start (``--no-sandbox`` only as root)."""
    args = list(BASE_ARGS)
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        args.append("--no-sandbox")
    args.extend(extra)
    return args


async def launch_chromium(
    playwright: Playwright,
    *,
    executable_path: str | os.PathLike[str] | None = None,
    headless: bool = True,
    extra_args: Sequence[str] = (),
) -> Browser:
    """Launch the local Chromium with the project's flags.

    Raises:
        LaunchError: no Chromium, or it would not start.
    """
    path = find_chromium(executable_path)
    try:
        return await playwright.chromium.launch(
            executable_path=path, headless=headless, args=chromium_args(extra_args)
        )
    except PlaywrightError as exc:
        raise LaunchError(f"Chromium at {path} failed to start: {exc.message}") from exc


async def connect_browser(playwright: Playwright, endpoint: str) -> Browser:
    """Connect to a remote browser: ``ws://`` / ``wss://`` Playwright server or ``http://`` CDP.

    Raises:
        LaunchError: the endpoint could not be reached.
    """
    try:
        if endpoint.startswith(("http://", "https://")):
            return await playwright.chromium.connect_over_cdp(endpoint)
        return await playwright.chromium.connect(endpoint)
    except PlaywrightError as exc:
        raise LaunchError(f"cannot connect to browser endpoint {endpoint}: {exc.message}") from exc
