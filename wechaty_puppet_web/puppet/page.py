"""The browser side of a PuppetWeb: Chromium, context, the page, routes, dialogs, crashes.

``PageSession`` owns what it started (Playwright, a Browser, a BrowserContext) and never closes
what a caller handed in. It installs the bridge before the first navigation, restores session
cookies into the context so the page comes up logged in, and adds the desktop (UOS) headers to
``webwxnewloginpage`` with ``route.fallback`` so a recorder's context routes still see the request.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit

from playwright.async_api import (
    Browser,
    BrowserContext,
    Dialog,
    Frame,
    Page,
    Playwright,
    Request,
    Route,
    async_playwright,
)
from playwright.async_api import Error as PlaywrightError

from ..browser.bridge import WEB_HOSTS, Bridge
from ..browser.inject import build_init_script
from ..browser.launcher import connect_browser, launch_chromium
from ..browser.procs import (
    driver_stopped,
    kill_driver,
    kill_owned,
    new_owner_tag,
    owner_arg,
    watch_driver,
)
from ..errors import BrowserError
from ..options import PuppetWebOptions

_log = logging.getLogger(__name__)

CLOSE_TIMEOUT = 10.0  # a browser that does not close in this time is left to Playwright
_NEWLOGINPAGE = re.compile(r"/cgi-bin/mmwebwx-bin/webwxnewloginpage")


class PageSession:
    """One browser page running web WeChat with the bridge installed."""

    def __init__(
        self,
        options: PuppetWebOptions,
        bridge: Bridge,
        *,
        on_dialog: Callable[[str, str], None],
        on_crash: Callable[[str], None],
    ) -> None:
        self.options = options
        self.bridge = bridge
        self._on_dialog = on_dialog
        self._on_crash = on_crash
        self._playwright: Playwright | None = None
        self._browser: Browser | None = None
        self._context: BrowserContext | None = None
        self._own_browser = False
        self._own_context = False
        # Our own Chromium runs as one process (launcher.ONE_ACCOUNT_ARGS), which can hold only
        # the one context it was given: a new context needs a new browser.
        self._lean = False
        self.page: Page | None = None
        self.closing = False
        self.home = options.start_url()
        self.last_cookies: list[dict[str, Any]] = []
        self._login_routed = False
        # Tags the Chromium this session launches, so recovery kills only that one.
        self.owner_tag = new_owner_tag()
        self.driver_dead = False  # our Playwright driver's connection closed under us
        self._driver: object = None  # what started our Playwright (to kill a frozen driver)

    def _home_of(self, host: str) -> str:
        # Only a web WeChat host may come from a session file: it decides where cookies go.
        if host not in WEB_HOSTS:
            return self.options.start_url()
        return self.options.start_url().replace("://wx.qq.com/", f"://{host}/", 1)

    def current_host(self) -> str:
        """The web WeChat host the page is on now (a login may have switched hosts)."""
        if self.page is not None and not self.page.is_closed():
            host = urlsplit(self.page.url).hostname or ""
            if host in WEB_HOSTS:
                return host
        return urlsplit(self.home).hostname or "wx.qq.com"

    def current_home(self) -> str:
        """The start page on the current host."""
        return self._home_of(self.current_host())

    @property
    def context(self) -> BrowserContext:
        """The context the page lives in.

        Raises:
            BrowserError: not opened yet.
        """
        if self._context is None:
            raise BrowserError("the page session is not open")
        return self._context

    async def open(self, cookies: list[dict[str, Any]] | None, host: str = "") -> None:
        """Get a browser and a context, restore ``cookies``, open web WeChat (on ``host``, the
        one a saved session lives on, else wx.qq.com).

        Raises:
            LaunchError: no browser.
            BrowserError / BridgeError: the page could not be set up.
        """
        self.closing = False
        self.home = self._home_of(host)
        self.last_cookies = list(cookies or [])
        await self._ensure_context()
        if cookies:
            try:
                await self.context.add_cookies(cookies)  # type: ignore[arg-type]
            except PlaywrightError as exc:
                _log.warning("saved session cookies were rejected: %s", exc.message)
        await self._open_page()

    async def _ensure_context(self) -> None:
        opts = self.options
        if opts.context is not None:
            self._context = opts.context
            return
        if self._context is not None:
            return
        if opts.browser is not None:
            self._browser = opts.browser
        elif opts.pool is not None:
            # A shared browser: ours is only the context; the pool restarts a dead browser.
            opts.pool.check_sandbox(opts.sandbox)
            browser = await opts.pool.browser()
            if browser is not self._browser:
                self._browser = browser
                browser.on("disconnected", lambda _b: self._browser_gone(browser))
        elif self._browser is None or not self._browser.is_connected():
            if self._playwright is None:
                manager = async_playwright()
                self._playwright = pw = await manager.start()
                self._driver = manager
                self.driver_dead = False
                watch_driver(manager, pw, lambda: self._driver_gone(pw))
            if opts.endpoint:
                self._browser = await connect_browser(self._playwright, opts.endpoint)
            else:
                self._browser = await launch_chromium(
                    self._playwright,
                    executable_path=opts.executable_path,
                    headless=opts.headless,
                    extra_args=[*opts.sandbox_args(), owner_arg(self.owner_tag)],
                    one_account=self._lean_launch,
                )
                self._lean = self._lean_launch
            self._own_browser = True
            browser = self._browser
            browser.on("disconnected", lambda _b: self._browser_gone(browser))
        self._context = await self._browser.new_context(
            ignore_https_errors=bool(opts.sandbox), locale=opts.lang.replace("_", "-")
        )
        self._own_context = True

    async def _open_page(self) -> None:
        page = await self.context.new_page()
        self.page = page
        page.on("dialog", self._dialog)
        page.on("framenavigated", self._navigated)
        # Only the current page's death matters (an old one is closed on purpose by renew()).
        page.on("crash", lambda p: self._on_crash("page crashed") if p is self.page else None)
        page.on(
            "close",
            lambda p: None if self.closing or p is not self.page else self._on_crash("page closed"),
        )
        self._login_routed = False
        await self.login_route(True)
        config = {"uos": self.options.uos, "lang": self.options.lang}
        await self.bridge.attach(page, build_init_script(config))
        try:
            await page.goto(self.home, wait_until="commit")
        except PlaywrightError as exc:
            raise BrowserError(f"cannot open web WeChat: {exc.message}") from exc

    def _navigated(self, frame: Frame) -> None:
        # Follow the host the client lives on (a login may switch wx -> wx2): a reset or a
        # relaunch after the page is gone must reopen that host, where the cookies are.
        if frame.parent_frame is None:
            host = urlsplit(frame.url).hostname or ""
            if host in WEB_HOSTS:
                self.home = self._home_of(host)

    async def login_route(self, on: bool) -> None:
        """Route ``webwxnewloginpage`` (UOS headers) while the page may log in; drop the route
        once logged in: any route makes Chromium pause every request of the page for Playwright
        (~4 ms on each API call, a third of a text send)."""
        page = self.page
        if not self.options.uos or page is None or page.is_closed() or on == self._login_routed:
            return
        try:
            if on:
                # A regex, not a glob (the ticket may hold "/") nor a predicate (a predicate
                # sends every request of the page to Python).
                await page.route(_NEWLOGINPAGE, self._uos_headers)
            else:
                await page.unroute(_NEWLOGINPAGE, self._uos_headers)
        except PlaywrightError as exc:
            _log.debug("login route %s failed: %s", "on" if on else "off", exc.message)
            return
        self._login_routed = on

    async def _uos_headers(self, route: Route, request: Request) -> None:
        headers = dict(request.headers)
        headers["client-version"] = self.options.client_version
        if self.options.extspam:
            headers["extspam"] = self.options.extspam
        headers.setdefault("referer", f"https://wx.qq.com/?&lang={self.options.lang}&target=t")
        await route.fallback(headers=headers)

    async def _dialog(self, dialog: Dialog) -> None:
        # Read, report, dismiss: alerts carry login refusals and revoke failures.
        kind, message = dialog.type, dialog.message
        with contextlib.suppress(PlaywrightError):
            await dialog.dismiss()
        if kind != "beforeunload":
            self._on_dialog(kind, message)

    async def stop_page(self) -> None:
        """Leave the page on about:blank (ends a refused-login reload loop)."""
        for _ in range(3):  # the client's own reload may abort our navigation once
            if self.page is None or self.page.is_closed() or self.page.url == "about:blank":
                return
            try:
                await self.page.goto("about:blank")
            except PlaywrightError as exc:
                _log.debug("about:blank failed: %s", exc.message)

    async def renew(self) -> None:
        """Replace the page by a fresh one in the same context (cookies kept, so a live session
        logs in again by itself); relaunch everything when our own browser died.

        Raises:
            LaunchError / BrowserError / BridgeError: no new page could be opened.
        """
        home = self.current_home()
        old, self.page = self.page, None
        if old is not None and not old.is_closed():
            await _bounded(old.unroute_all(behavior="ignoreErrors"))
            await _bounded(old.close())
        if self._relaunchable and self._browser is not None and not self._browser.is_connected():
            await self.relaunch()
            return
        self.home = home
        try:
            await self._open_page()
        except PlaywrightError as exc:
            # Our browser is dying under us (its "disconnected" may not have fired yet).
            if not self._relaunchable:
                raise BrowserError(f"cannot open a new page: {exc.message}") from exc
            await self.relaunch()

    @property
    def _lean_launch(self) -> bool:
        # Single-process only headless: a visible window is for watching, not for packing.
        return self.options.lean_browser and self.options.headless

    @property
    def _relaunchable(self) -> bool:
        # Our own browser, or a pool's: either can be started again after it died.
        return self._own_browser or (self.options.pool is not None and self._own_context)

    def _browser_gone(self, browser: Browser) -> None:
        # Our Chromium died (killed, crashed): the pages go with it; reset once, here.
        if browser is self._browser and not self.closing:
            self._on_crash("browser disconnected")

    def _driver_gone(self, playwright: Playwright) -> None:
        # The driver died (killed, crashed): every Playwright object of ours is dead with it.
        if playwright is self._playwright and not self.closing:
            self.driver_dead = True
            self._on_crash("playwright driver connection closed")

    async def driver_answers(self, timeout: float) -> bool:
        """False when our own Playwright driver is dead, stopped (``/proc``, at once) or gives no
        answer within ``timeout`` to a round trip that touches no browser (an API request
        context, made and disposed of in the driver alone). A frozen driver hangs every call,
        CDP probes included, so it would otherwise pass for a frozen browser or a busy page.
        True when the driver is not ours (nothing we could restart)."""
        if self.driver_dead:
            return False
        playwright = self._playwright
        if playwright is None or not self.owns_playwright:
            return True
        if driver_stopped(self._driver):
            return False
        try:
            async with asyncio.timeout(timeout):
                request = await playwright.request.new_context()
                await request.dispose()
        except TimeoutError:
            return False
        except PlaywrightError as exc:  # it answered, with an error: alive unless it just died
            _log.debug("driver probe failed: %s", exc.message)
            return not self.driver_dead
        return True

    @property
    def browser(self) -> Browser | None:
        """The browser the page lives in (ours or the caller's), if known."""
        if self._browser is not None:
            return self._browser
        return self._context.browser if self._context is not None else None

    @property
    def owns_playwright(self) -> bool:
        """True when this session started its own Playwright (a local launch or a connection to
        an endpoint), so it may start it again."""
        return self._own_browser and self.options.browser is None and self.options.pool is None

    @property
    def single_renderer(self) -> bool:
        """True when every page of our browser runs on one main thread (the lean, single-process
        Chromium): a page that blocks it blocks any new page too."""
        return self._lean and self._own_browser

    @property
    def owns_browser_process(self) -> bool:
        """True when this session launched its Chromium locally (so it may kill it)."""
        return self.owns_playwright and not self.options.endpoint

    async def restart_playwright(self) -> None:
        """The last layer of recovery: kill our Chromium (frozen or orphaned), drop the old
        Playwright without waiting on it (its driver may be dead or frozen), start a new one,
        relaunch (or reconnect to the endpoint) and reopen the page with the cookies kept for
        the session.

        Raises:
            BrowserError: the browser is not ours to restart.
            LaunchError / BrowserError / BridgeError: the new one could not be set up.
        """
        if not self.owns_playwright:
            raise BrowserError("Playwright is not this puppet's own: cannot restart it")
        self.closing = True  # the deaths below are ours: no crash reports for them
        if self.owns_browser_process:
            kill_owned(self.owner_tag)  # an endpoint's browser is not ours: just reconnect
        old, driver = self._playwright, self._driver
        self.page, self._context, self._browser, self._playwright = None, None, None, None
        if old is not None:
            kill_driver(driver)  # a frozen driver would never stop; a dead one is gone already
            await _bounded(old.stop(), 3.0)
        await self.relaunch()

    async def kill_browser(self) -> None:
        """Kill our own Chromium (a frozen one answers no close) so it can be relaunched."""
        if self.owns_browser_process:
            self.closing = True
            kill_owned(self.owner_tag)
            self.page, self._context = None, None
            self._browser = None

    async def relaunch(self) -> None:
        """Drop the page (and our own browser when it died) and open everything again; the
        cookies last read for the session file go into the new context, so a live session
        logs in again without a scan."""
        await self.close()
        self._context = None if self._own_context else self._context
        if self._lean and self._own_browser and self._browser is not None:
            # closing is still True (close() set it): this browser's end is no crash
            await _bounded(self._browser.close())
            self._browser = None
        if self._browser is not None and self._relaunchable and not self._browser.is_connected():
            self._browser = None
        await self._ensure_context()
        if self.last_cookies:
            with contextlib.suppress(PlaywrightError):
                await self.context.add_cookies(self.last_cookies)  # type: ignore[arg-type]
        self.closing = False
        await self._open_page()

    async def cookies(self) -> list[dict[str, Any]]:
        """The context's cookies (for the session file; also kept for a relaunch)."""
        self.last_cookies = [dict(c) for c in await self.context.cookies()]
        return self.last_cookies

    async def close(self) -> None:
        """Close the page and whatever this session started itself (never hangs)."""
        self.closing = True
        page, self.page = self.page, None
        if page is not None and not page.is_closed():
            # In-flight route handlers can keep a close waiting; drop them first.
            await _bounded(page.unroute_all(behavior="ignoreErrors"))
            await _bounded(page.close())
        if self._own_context and self._context is not None:
            await _bounded(self._context.close())
            self._context = None

    async def shutdown(self) -> None:
        """Close everything, including our own browser and Playwright."""
        await self.close()
        if self._own_browser and self._browser is not None:
            await _bounded(self._browser.close())
            self._browser = None
        if self._playwright is not None:
            # A frozen driver never stops: bounded, then killed.
            await _bounded(self._playwright.stop())
            kill_driver(self._driver)
            self._playwright = None


async def _bounded(step: Awaitable[object], seconds: float = CLOSE_TIMEOUT) -> None:
    """Await a close step, giving up (with a log line) on errors or after ``seconds``."""
    try:
        await asyncio.wait_for(step, seconds)
    except (PlaywrightError, TimeoutError) as exc:
        _log.debug("close step failed: %r", exc)
