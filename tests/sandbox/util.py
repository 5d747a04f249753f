"""Helpers shared by the sandbox protocol tests."""

from __future__ import annotations

from typing import Any

import aiohttp

from wechaty_puppet_web.sandbox import Sandbox
from wechaty_puppet_web.sandbox.bareclient import BareClient


async def next_sync(c: BareClient) -> dict[str, Any]:
    """Wait for synccheck to report something, then webwxsync it."""
    for _ in range(20):
        retcode, selector = await c.synccheck()
        assert retcode == 0, f"synccheck retcode {retcode}"
        if selector:
            return await c.sync()
    raise AssertionError("synccheck never reported a change")


async def drain(c: BareClient) -> list[dict[str, Any]]:
    """Sync until nothing is pending; every AddMsgList item seen."""
    seen: list[dict[str, Any]] = []
    while True:
        data = await c.sync()
        seen += data["AddMsgList"]
        if not (data["AddMsgCount"] or data["ModContactCount"] or data["DelContactCount"]):
            return seen


async def logged_in(sb: Sandbox, c: BareClient) -> BareClient:
    """Log ``c`` in, init, statusnotify and drain the start-up traffic."""
    await c.login(sb)
    await c.init()
    await c.statusnotify()
    await drain(c)
    return c


def raw_session(sb: Sandbox, **kw: Any) -> aiohttp.ClientSession:
    """A plain aiohttp session pointed at the sandbox (no cookies unless it gets some)."""
    connector = aiohttp.TCPConnector(resolver=sb.resolver(), ssl=sb.client_ssl_context())
    return aiohttp.ClientSession(connector=connector, **kw)
