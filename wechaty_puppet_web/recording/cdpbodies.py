"""Response bodies straight from Chromium, for the ones Playwright can no longer give.

When the page navigates away (the login poll's answer makes it switch hosts: wx -> wx2), Chromium
drops the bodies of the old document, and ``response.body()`` fails for the very answer that
caused the switch. A DevTools session per page asks for every body the moment it finished
loading; the recorder falls back to it, per URL in arrival order.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import logging
from collections import defaultdict, deque
from typing import Any

from playwright.async_api import BrowserContext, CDPSession, Page
from playwright.async_api import Error as PlaywrightError

_log = logging.getLogger(__name__)
BUFFER = {"maxTotalBufferSize": 200_000_000, "maxResourceBufferSize": 50_000_000}
# Chromium >= 128 keeps "durable" bodies across navigations; older ones reject the flag.
DURABLE = {**BUFFER, "enableDurableMessages": True}


class CdpBodies:
    """Bodies of every finished response of a context's pages, by URL."""

    def __init__(self) -> None:
        self._bodies: defaultdict[str, deque[asyncio.Future[bytes | None]]] = defaultdict(deque)
        self._sessions: list[CDPSession] = []

    async def install(self, context: BrowserContext) -> None:
        """Watch the context's current and future pages."""
        context.on("page", lambda page: asyncio.ensure_future(self._watch(context, page)))
        for page in context.pages:
            await self._watch(context, page)

    async def _watch(self, context: BrowserContext, page: Page) -> None:
        try:
            session = await context.new_cdp_session(page)
        except PlaywrightError as exc:  # not Chromium, or the page is gone
            _log.debug("no DevTools session for body capture: %s", exc.message)
            return
        urls: dict[str, str] = {}
        session.on(
            "Network.responseReceived",
            lambda e: urls.__setitem__(e["requestId"], e["response"]["url"]),
        )
        session.on("Network.loadingFinished", lambda e: self._finished(session, urls, e))
        try:
            await session.send("Network.enable", DURABLE)
        except PlaywrightError:
            with contextlib.suppress(PlaywrightError):
                await session.send("Network.enable", BUFFER)
        self._sessions.append(session)

    def _finished(self, session: CDPSession, urls: dict[str, str], event: Any) -> None:
        url = urls.pop(event["requestId"], None)
        if url is not None and url.startswith("http"):
            body = asyncio.ensure_future(_body(session, event["requestId"]))
            self._bodies[url].append(body)

    async def take(self, url: str) -> bytes | None:
        """The oldest unclaimed body of ``url`` (None when there is none)."""
        queue = self._bodies.get(url)
        if not queue:
            return None
        return await queue.popleft()

    def drop(self, url: str) -> None:
        """Forget the oldest body of ``url`` (Playwright gave it)."""
        queue = self._bodies.get(url)
        if queue:
            queue.popleft().cancel()

    async def close(self) -> None:
        """Detach from the pages."""
        for session in self._sessions:
            with contextlib.suppress(PlaywrightError):
                await session.detach()
        self._sessions.clear()
        for queue in self._bodies.values():
            for body in queue:
                body.cancel()
        self._bodies.clear()


async def _body(session: CDPSession, request_id: str) -> bytes | None:
    try:
        answer = await session.send("Network.getResponseBody", {"requestId": request_id})
    except PlaywrightError:
        return None
    data = str(answer.get("body", ""))
    return base64.b64decode(data) if answer.get("base64Encoded") else data.encode("utf-8")
