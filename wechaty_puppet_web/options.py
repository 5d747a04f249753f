"""``PuppetWebOptions``: everything a PuppetWeb can be told at construction."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .browser.launcher import sandbox_browser_args

if TYPE_CHECKING:
    from playwright.async_api import Browser, BrowserContext

    from .browser.pool import BrowserPool

DEFAULT_SESSION_FILE = Path("~/.wechaty-web/session.json")
# The desktop (UOS) login wants an ``extspam`` header: an opaque blob captured from the desktop
# client that clients replay (protocol doc §2.5). We ship none of the captured values; pass
# ``extspam=`` or set ``$WPW_EXTSPAM``. Without one only ``client-version`` is added.
EXTSPAM_ENV = "WPW_EXTSPAM"


def _default_extspam() -> str | None:
    return os.environ.get(EXTSPAM_ENV) or None


@dataclass(frozen=True, slots=True, kw_only=True)
class PuppetWebOptions:
    """How a :class:`~wechaty_puppet_web.PuppetWeb` finds its browser, page and session.

    Browser, in order of precedence: ``context`` (a caller's BrowserContext, used as is: the
    recorder/replayer install their routes on it), ``browser`` (a caller's Browser; the puppet makes
    its own context), ``pool`` (a :class:`~wechaty_puppet_web.BrowserPool` shared with other
    accounts: the puppet makes its own context and the pool restarts a browser that died),
    ``endpoint`` (a remote Playwright/CDP URL), else a local Chromium
    (``executable_path`` or the launcher's search).

    ``sandbox`` is the one option that points the puppet at a running sandbox
    (e.g. ``"https://127.0.0.1:8443"``): the launched Chromium maps ``*.qq.com`` onto it and
    certificate errors are ignored, in sandbox mode only.
    """

    executable_path: str | None = None
    headless: bool = True
    endpoint: str | None = None
    # The puppet's own headless Chromium (none of the above given) runs as one process:
    # ~200 MiB less (launcher.ONE_ACCOUNT_ARGS); False keeps Chromium's usual processes.
    lean_browser: bool = True
    browser: Browser | None = None
    context: BrowserContext | None = None
    pool: BrowserPool | None = None
    sandbox: str | None = None
    session_file: Path | str | None = DEFAULT_SESSION_FILE
    uos: bool = True
    extspam: str | None = field(default_factory=_default_extspam)
    client_version: str = "2.0.0"
    heartbeat_interval: float = 5.0
    # Recovery (see README "Recovery"): each step of a reset is bounded by ``recovery_timeout``;
    # a page whose main thread is blocked while the browser answers is "busy", reported after
    # ``busy_warn_after`` and reset only after ``busy_timeout`` (doubled after each such reset).
    recovery_timeout: float = 30.0
    busy_warn_after: float = 20.0
    busy_timeout: float = 300.0
    call_timeout: float = 15.0
    # Envelopes over a raw CDP binding (a few ms less per message); False keeps them on
    # Playwright's binding. Either way they are handled in the page's order (ordering.py).
    fast_bridge: bool = True
    login_timeout: float | None = None
    lang: str = "zh_CN"
    rate_limit_retries: int = 3
    rate_limit_backoff: float = 1.0
    # Seconds stop() lets running event handlers finish before cancelling them.
    stop_grace: float = 5.0

    def session_path(self) -> Path | None:
        """The expanded session file path, or ``None`` when sessions are disabled."""
        if self.session_file is None:
            return None
        return Path(self.session_file).expanduser()

    def start_url(self) -> str:
        """The URL the page opens (``target=t`` selects the desktop/UOS login)."""
        url = f"https://wx.qq.com/?lang={self.lang}"
        return f"{url}&target=t" if self.uos else url

    def sandbox_args(self) -> list[str]:
        """Chromium flags that send every WeChat host to the sandbox (empty without one)."""
        return sandbox_browser_args(self.sandbox)
