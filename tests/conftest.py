"""Shared fixtures: one sandbox server and one Chromium for the whole test session.

The browser's ``--host-resolver-rules`` pin the sandbox's port at launch, so the server lives for
the session and each test gets a fresh world through ``Sandbox.reset()``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from playwright.async_api import Browser, BrowserContext, Page, async_playwright

from wechaty_puppet_web.browser.launcher import launch_chromium
from wechaty_puppet_web.sandbox import Sandbox


@pytest.fixture(scope="session")
async def sandbox_server() -> AsyncIterator[Sandbox]:
    async with Sandbox(login_hold=2.0, synccheck_hold=2.0) as sb:
        yield sb


@pytest.fixture
async def sandbox(sandbox_server: Sandbox) -> Sandbox:
    """The session's sandbox with a fresh default world, phone and faults."""
    sandbox_server.reset()
    return sandbox_server


@pytest.fixture(scope="session")
async def browser(sandbox_server: Sandbox) -> AsyncIterator[Browser]:
    async with async_playwright() as pw:
        b = await launch_chromium(pw, extra_args=sandbox_server.browser_args())
        try:
            yield b
        finally:
            await b.close()


@pytest.fixture
async def context(browser: Browser, sandbox: Sandbox) -> AsyncIterator[BrowserContext]:
    # A Chinese browser, like the default (zh) world: the client takes its jslogin `lang` from
    # navigator.language, and after the wx -> wx2 host switch the page's UI language follows it.
    ctx = await browser.new_context(**sandbox.context_options(), locale="zh-CN")  # type: ignore[arg-type]
    try:
        yield ctx
    finally:
        await ctx.close()


@pytest.fixture
async def page(context: BrowserContext) -> Page:
    return await context.new_page()
