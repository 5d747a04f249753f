"""The sandbox unreachable, as a network outage looks to a client.

``await sb.outage.begin()`` closes the listening socket (new connections are refused), cuts every
request in flight (held long polls included) and aborts any request that still arrives on a
kept-alive connection; ``await sb.outage.end()`` listens again on the same port. Unlike a
``drop`` fault (which answers nothing on an endpoint but still accepts the connection), nothing
of the server is reachable meanwhile: not the page, not the API, not the media hosts.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from aiohttp import web

__all__ = ["Outage"]


class Outage:
    """Turns one sandbox's listener off and on (see the module docstring)."""

    def __init__(
        self, listen: Callable[[], Awaitable[None]], unlisten: Callable[[], Awaitable[None]]
    ) -> None:
        self._listen = listen
        self._unlisten = unlisten
        self._inflight: set[asyncio.Transport] = set()
        self.down = False

    async def begin(self) -> None:
        """Make the server unreachable until :meth:`end`."""
        if self.down:
            return
        self.down = True
        await self._unlisten()
        for transport in list(self._inflight):
            transport.abort()
        self._inflight.clear()

    async def end(self) -> None:
        """Listen again (same address and port)."""
        if not self.down:
            return
        await self._listen()
        self.down = False

    def admit(self, request: web.Request) -> asyncio.Transport | None:
        """Track a request for the length of its handling; during an outage cut it at once.

        Raises:
            asyncio.CancelledError: the server is down (the connection is aborted, no answer).
        """
        transport = request.transport
        if self.down:
            if transport is not None:
                transport.abort()
            raise asyncio.CancelledError  # as when a peer vanishes: no answer, no error log
        if transport is not None:
            self._inflight.add(transport)
        return transport

    def release(self, transport: asyncio.Transport | None) -> None:
        """The request was answered."""
        if transport is not None:
            self._inflight.discard(transport)
