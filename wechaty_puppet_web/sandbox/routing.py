"""The endpoint table: each handler registers under its path name and the host kinds it serves."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from aiohttp import web

from .faults import Fault

if TYPE_CHECKING:
    from .server import Sandbox

Handler = Callable[["Sandbox", web.Request], Awaitable[web.StreamResponse]]


@dataclass(frozen=True, slots=True, kw_only=True)
class Route:
    """One endpoint."""

    name: str
    handler: Handler
    kinds: frozenset[str]


ROUTES: dict[str, Route] = {}
# The fault picked for a request, for handlers whose fault answer is endpoint-specific.
FAULT = web.RequestKey("fault", Fault)


def route(name: str, *kinds: str) -> Callable[[Handler], Handler]:
    """Register ``handler`` for ``/cgi-bin/mmwebwx-bin/<name>`` (or a login path) on ``kinds``."""

    def deco(handler: Handler) -> Handler:
        ROUTES[name] = Route(name=name, handler=handler, kinds=frozenset(kinds))
        return handler

    return deco
