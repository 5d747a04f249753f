"""``BrowserPool``: one Playwright driver and one Chromium shared by several PuppetWeb.

Each account sharing a pool gets its own BrowserContext (its own cookies, storage and page), so
one account's reset, crash or logout touches nothing of the others. The pool owns the driver and
the browser; a puppet only ever closes its own context. When the shared browser dies, the first
puppet that notices asks :meth:`BrowserPool.browser` for a new one: the pool relaunches it once
(under a lock) and every puppet reopens its context from its own saved cookies::

    async with BrowserPool(sandbox=url) as pool:
        a = PuppetWeb(PuppetWebOptions(pool=pool, session_file="a.json"))
        b = PuppetWeb(PuppetWebOptions(pool=pool, session_file="b.json"))

With ``endpoint`` the browser lives elsewhere (a Playwright browser server ``ws://…`` or a CDP
``http://…`` URL); launch flags, including the sandbox host mapping, are then the server's.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Sequence
from types import TracebackType

from playwright.async_api import Browser, Playwright, async_playwright
from playwright.async_api import Error as PlaywrightError

from ..errors import LaunchError
from .launcher import connect_browser, launch_chromium, sandbox_browser_args
from .procs import new_owner_tag, owner_arg

__all__ = ["BrowserPool"]

_log = logging.getLogger(__name__)

CLOSE_TIMEOUT = 10.0


class BrowserPool:
    """A shared browser for many accounts (see the module docstring).

    Args:
        executable_path: the local Chromium (default: the launcher's search).
        headless: run without a window.
        endpoint: connect to this remote browser instead of launching one.
        sandbox: the sandbox URL to map the WeChat hosts onto (local launch only); a puppet's
            own ``sandbox`` option must then name the same sandbox.
        extra_args: more Chromium flags for a local launch.
    """

    def __init__(
        self,
        *,
        executable_path: str | os.PathLike[str] | None = None,
        headless: bool = True,
        endpoint: str | None = None,
        sandbox: str | None = None,
        extra_args: Sequence[str] = (),
    ) -> None:
        self.executable_path = executable_path
        self.headless = headless
        self.endpoint = endpoint
        self.sandbox = sandbox
        self.extra_args = tuple(extra_args)
        self._playwright: Playwright | None = None
        self._browser: Browser | None = None
        self._lock = asyncio.Lock()
        self._closed = False
        self.launches = 0  # how many browsers this pool started (1 + relaunches)
        # Tags the Chromium this pool launches (procs.owned_pids finds it; every relaunch too),
        # so an operator or a test can tell the shared browser from the others on the machine.
        self.owner_tag = new_owner_tag()

    async def browser(self) -> Browser:
        """The shared browser, (re)started when there is none or the last one died.

        Raises:
            LaunchError: the pool is closed, or no browser could be started or reached.
        """
        async with self._lock:
            if self._closed:
                raise LaunchError("the browser pool is closed")
            current = self._browser
            if current is not None and current.is_connected():
                return current
            if current is not None:
                _log.warning("the shared browser is gone: starting a new one")
                await _bounded_close(current)
            self._browser = await self._start()
            self.launches += 1
            return self._browser

    async def _start(self) -> Browser:

        if self._playwright is None:
            self._playwright = await async_playwright().start()
        try:
            return await self._open(self._playwright, sandbox_browser_args(self.sandbox))
        except LaunchError:
            # The driver itself may be what died (it takes its browsers along): one fresh try.
            await self._stop_driver()
            self._playwright = await async_playwright().start()
            return await self._open(self._playwright, sandbox_browser_args(self.sandbox))

    async def _open(self, playwright: Playwright, mapping: list[str]) -> Browser:
        if self.endpoint:
            return await connect_browser(playwright, self.endpoint)
        return await launch_chromium(
            playwright,
            executable_path=self.executable_path,
            headless=self.headless,
            extra_args=[*mapping, *self.extra_args, owner_arg(self.owner_tag)],
        )

    def check_sandbox(self, sandbox: str | None) -> None:
        """Refuse a puppet whose sandbox the shared browser does not map (local launch only).

        Raises:
            LaunchError: the puppet's sandbox differs from the pool's.
        """
        if self.endpoint or not sandbox:
            return
        if self.sandbox is None and self._browser is None:
            self.sandbox = sandbox  # the first puppet decides, before the launch
        elif self.sandbox != sandbox:
            raise LaunchError(
                f"the shared browser maps the WeChat hosts to {self.sandbox!r}, not {sandbox!r}"
            )

    async def close(self) -> None:
        """Close the browser and the driver (puppets using the pool should be stopped first)."""
        async with self._lock:
            self._closed = True
            if self._browser is not None:
                await _bounded_close(self._browser)
                self._browser = None
            await self._stop_driver()

    async def _stop_driver(self) -> None:
        if self._playwright is not None:
            try:
                await asyncio.wait_for(self._playwright.stop(), CLOSE_TIMEOUT)
            except (PlaywrightError, TimeoutError, OSError) as exc:
                _log.debug("stopping the driver failed: %r", exc)
            self._playwright = None

    async def __aenter__(self) -> BrowserPool:
        await self.browser()
        return self

    async def __aexit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()


async def _bounded_close(browser: Browser) -> None:
    try:
        await asyncio.wait_for(browser.close(), CLOSE_TIMEOUT)
    except (PlaywrightError, TimeoutError) as exc:
        _log.debug("closing a browser failed: %r", exc)
