"""Find and launch an existing Chromium with Playwright; never download one.

Every browser this project starts (the puppet's, the tests', the benchmarks') goes through
:func:`launch_chromium`, so the flags live in one place.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Mapping, Sequence
from pathlib import Path
from urllib.parse import urlsplit

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

# Fewer processes (RSS summed over Chromium's tree, one logged-in page: 989 -> ~520 MiB with
# the features below; each process maps the same ~70 MiB of shared pages again):
MEMORY_ARGS: tuple[str, ...] = (
    # No GPU process: headless never composites on a GPU, software output stays in-process.
    "--disable-gpu",
    "--disable-software-rasterizer",
    "--in-process-gpu",
    # Fork children directly instead of from two zygotes (Playwright always passes
    # --no-sandbox, which this needs); the one renderer costs less than the two zygotes.
    "--no-zygote",
)

# For a browser that holds ONE account (a puppet's own Chromium, not a shared pool): the
# renderer and the storage utility run as threads of the browser process, which then maps
# Chromium's ~70 MiB of shared pages once instead of three times. Measured with
# ``python -m bench scale``: Chromium ~530 -> ~330 MiB RSS. Not for a shared browser: there a
# crashing page would take every account down with it (a pool keeps one process per site).
ONE_ACCOUNT_ARGS: tuple[str, ...] = ("--single-process",)

DISABLE_FEATURES = "--disable-features="
ENABLE_FEATURES = "--enable-features="
# Chromium keeps only the LAST --disable-features / --enable-features switch, and Playwright
# passes its own lists before ours: ours must repeat them (Playwright 1.65's) or drop them.
PLAYWRIGHT_DISABLED_FEATURES: tuple[str, ...] = (
    "AvoidUnnecessaryBeforeUnloadCheckSync", "DestroyProfileOnBrowserClose", "HttpsUpgrades",
    "HttpsFirstBalancedModeAutoEnable", "LensOverlay", "MediaRouter", "PaintHolding",
    "ThirdPartyStoragePartitioning", "AvoidCorsURLLoaderRestartOnRedirect",
    "TcpPortRandomizationWin", "OptimizationHints", "NetworkTimeServiceQuerying", "AimEnabled",
    "PreconnectToSearch",
)  # fmt: skip
PLAYWRIGHT_ENABLED_FEATURES: tuple[str, ...] = (
    "CDPScreenshotNewSurface",
    "SkipListAccountsWithoutGaiaCookies",
)
# A headless Chromium still preloads the omnibox popups' WebUI: two renderers (~150 MiB RSS)
# that no page of ours ever shows; and it keeps a spare renderer (~75 MiB) for the next site.
DISABLED_FEATURES: tuple[str, ...] = (
    "WebUIOmniboxPopup",
    "WebUIOmniboxAimPopup",
    "SpareRendererForSitePerProcess",
)
# The network service in the browser process instead of its own (~100 MiB RSS).
ENABLED_FEATURES: tuple[str, ...] = ("NetworkServiceInProcess2",)

# Where a Chromium usually is, in the order they are tried (see find_chromium).
DEBIAN_PATHS: tuple[str, ...] = (
    "/usr/bin/chromium", "/usr/bin/chromium-browser", "/snap/bin/chromium",
    "/usr/bin/google-chrome", "/usr/bin/google-chrome-stable",
)  # fmt: skip
MACOS_PATHS: tuple[str, ...] = (
    "Applications/Chromium.app/Contents/MacOS/Chromium",
    "Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
)
# Below %PROGRAMFILES%, %PROGRAMFILES(X86)% and %LOCALAPPDATA%.
WINDOWS_PATHS: tuple[str, ...] = (
    "Chromium/Application/chrome.exe",
    "Google/Chrome/Application/chrome.exe",
)
WINDOWS_ROOTS: tuple[str, ...] = ("PROGRAMFILES", "PROGRAMFILES(X86)", "LOCALAPPDATA")
# Inside a Playwright ``chromium-<revision>`` folder (older builds, then Chrome for Testing ones).
PLAYWRIGHT_EXECUTABLES: tuple[str, ...] = (
    "chrome-linux/chrome",
    "chrome-linux64/chrome",
    "chrome-mac/Chromium.app/Contents/MacOS/Chromium",
    "chrome-mac-arm64/Google Chrome for Testing.app/Contents/MacOS/Google Chrome for Testing",
    "chrome-mac-x64/Google Chrome for Testing.app/Contents/MacOS/Google Chrome for Testing",
    "chrome-win/chrome.exe",
    "chrome-win64/chrome.exe",
)
PATH_NAMES: tuple[str, ...] = (
    "chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome",
)  # fmt: skip

DISCOVERY_HELP = (
    "Chromium is looked for in this order: --executable-path; $WPW_CHROMIUM; "
    "/usr/bin/chromium, /usr/bin/chromium-browser, /snap/bin/chromium, /usr/bin/google-chrome "
    "(Debian/Ubuntu); browsers Playwright downloaded ($PLAYWRIGHT_BROWSERS_PATH, "
    "~/.cache/ms-playwright, ~/Library/Caches/ms-playwright, %LOCALAPPDATA%\\ms-playwright; "
    "newest first); /Applications/Chromium.app and Google Chrome.app (macOS); Chromium or "
    "Google Chrome under %PROGRAMFILES%, %PROGRAMFILES(X86)%, %LOCALAPPDATA% (Windows); "
    "chromium, chromium-browser, google-chrome, chrome on PATH. Nothing is ever downloaded."
)

INSTALL_HINT = (
    "no Chromium found: install one with `apt-get install -y chromium` (Debian/Ubuntu), "
    "or set $WPW_CHROMIUM / pass executable_path=..., or connect to a remote browser endpoint"
)


def _executable(path: Path) -> bool:
    return path.is_file() and os.access(path, os.X_OK)


def _revision(folder: Path) -> int:
    tail = folder.name.rpartition("-")[2]
    return int(tail) if tail.isdigit() else -1


def playwright_roots(env: Mapping[str, str], home: Path) -> list[Path]:
    """Folders where Playwright keeps its downloaded browsers (all platforms' defaults)."""
    roots = []
    if env.get("PLAYWRIGHT_BROWSERS_PATH") not in (None, "", "0"):
        roots.append(Path(env["PLAYWRIGHT_BROWSERS_PATH"]))
    roots += [home / ".cache/ms-playwright", home / "Library/Caches/ms-playwright"]
    if env.get("LOCALAPPDATA"):
        roots.append(Path(env["LOCALAPPDATA"]) / "ms-playwright")
    return roots


def chromium_candidates(env: Mapping[str, str], home: Path, root: Path = Path("/")) -> list[Path]:
    """Every place a Chromium may be, in discovery order (PATH excepted); ``root`` prefixes the
    fixed system paths (tests pass a fake one)."""
    found = [root / p.lstrip("/") for p in DEBIAN_PATHS]
    for folder in playwright_roots(env, home):
        with contextlib.suppress(OSError):
            builds = sorted(folder.glob("chromium-*"), key=_revision, reverse=True)
            found += [build / exe for build in builds for exe in PLAYWRIGHT_EXECUTABLES]
    found += [base / p for base in (root, home) for p in MACOS_PATHS]
    for var in WINDOWS_ROOTS:
        if env.get(var):
            found += [Path(env[var]) / p for p in WINDOWS_PATHS]
    return found


def find_chromium(
    executable_path: str | os.PathLike[str] | None = None,
    *,
    env: Mapping[str, str] | None = None,
    home: Path | None = None,
    root: Path = Path("/"),
) -> str:
    """Return the path of a Chromium to run, in the order :data:`DISCOVERY_HELP` gives.

    ``env``, ``home`` and ``root`` default to the real ones (tests pass fakes).

    Raises:
        LaunchError: nothing usable was found (the message says how to install one).
    """
    environ = os.environ if env is None else env
    if executable_path is not None:
        path = Path(executable_path).expanduser()
        if _executable(path):
            return str(path)
        raise LaunchError(f"executable_path {str(path)!r} is not an executable file")
    given = environ.get("WPW_CHROMIUM")
    if given:
        path = Path(given).expanduser()
        if _executable(path):
            return str(path)
        raise LaunchError(f"$WPW_CHROMIUM {given!r} is not an executable file")
    for candidate in chromium_candidates(environ, home or Path.home(), root):
        if _executable(candidate):
            return str(candidate)
    for name in PATH_NAMES:
        found = shutil.which(name, path=environ.get("PATH"))
        if found:
            return found
    raise LaunchError(INSTALL_HINT)


def chromium_args(extra: Sequence[str] = (), *, one_account: bool = False) -> list[str]:
    """The command-line flags for every Chromium we start (``--no-sandbox`` only as root;
    :data:`ONE_ACCOUNT_ARGS` for a browser that serves one account).

    Feature lists (ours, Playwright's and any in ``extra``) are merged into one
    ``--disable-features`` and one ``--enable-features`` switch, since Chromium reads only one.
    """
    args = [*BASE_ARGS, *MEMORY_ARGS, *(ONE_ACCOUNT_ARGS if one_account else ())]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        args.append("--no-sandbox")
    disabled = [*PLAYWRIGHT_DISABLED_FEATURES, *DISABLED_FEATURES]
    enabled = [*PLAYWRIGHT_ENABLED_FEATURES, *ENABLED_FEATURES]
    for arg in extra:
        if arg.startswith(DISABLE_FEATURES):
            disabled.extend(_features(arg, DISABLE_FEATURES))
        elif arg.startswith(ENABLE_FEATURES):
            enabled.extend(_features(arg, ENABLE_FEATURES))
        else:
            args.append(arg)
    args.append(DISABLE_FEATURES + ",".join(dict.fromkeys(disabled)))
    args.append(ENABLE_FEATURES + ",".join(dict.fromkeys(enabled)))
    return args


def _features(arg: str, prefix: str) -> list[str]:
    return [name for name in arg.removeprefix(prefix).split(",") if name]


async def launch_chromium(
    playwright: Playwright,
    *,
    executable_path: str | os.PathLike[str] | None = None,
    headless: bool = True,
    extra_args: Sequence[str] = (),
    one_account: bool = False,
) -> Browser:
    """Launch the local Chromium with the project's flags (``one_account``: the leaner process
    model of a browser that serves a single account, see :data:`ONE_ACCOUNT_ARGS`).

    Raises:
        LaunchError: no Chromium, or it would not start.
    """
    path = find_chromium(executable_path)
    args = chromium_args(extra_args, one_account=one_account)
    try:
        return await playwright.chromium.launch(executable_path=path, headless=headless, args=args)
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


def sandbox_browser_args(sandbox: str | None) -> list[str]:
    """Chromium flags mapping every WeChat host onto the sandbox at ``sandbox`` (a URL)."""
    if not sandbox:
        return []
    parts = urlsplit(sandbox)
    host = parts.hostname or "127.0.0.1"
    port = parts.port or 443
    target = f"{host}:{port}"
    rules = ", ".join(
        f"MAP {pattern} {target}" for pattern in ("*.qq.com", "*.wechat.com", "qq.com")
    )
    return [f"--host-resolver-rules={rules}", "--ignore-certificate-errors"]
