"""A raw CDP binding for page -> Python envelopes, beside Playwright's ``expose_binding``.

Playwright answers every call of an exposed binding with one more evaluate into the page (to
resolve the page-side promise) and a round of messages between its driver and Python. The
bridge never needs an answer, so ``bridge.js`` prefers ``window.__wpw_cdp`` when it exists: a
``Runtime.addBinding`` whose call is one ``Runtime.bindingCalled`` event. Measured with
``python -m bench latency``: ~2-4 ms less per incoming message on the 2-core machine.

On by default (``Bridge(fast_lane=False)`` / ``PuppetWebOptions(fast_bridge=False)`` turn it
off). Its envelopes travel in a CDP session of their own, beside Playwright's, so Chromium may
flush them before a ``request`` event the page started in the same task: the recorder then counts
such an event as sent before that request, which a replay honours without a stall (the event did
not need the request's answer). A response's events were always a soft bound (the recorder sees
responses late on either lane). Envelopes among themselves keep page order (``ordering.py``).

The frame check stays: ``Runtime.bindingCalled`` names an execution context, and only the main
world of the top frame of a web WeChat host (the contexts seen in
``Runtime.executionContextCreated``) is trusted. When a CDP session is not available (another
browser, a fake page in tests) nothing is installed and the Playwright binding carries all.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from playwright.async_api import Error as PlaywrightError

_log = logging.getLogger(__name__)

CDP_BINDING_NAME = "__wpw_cdp"


def is_trusted_context(context: dict[str, Any], main_frame_id: str, hosts: frozenset[str]) -> bool:
    """True for the default (main-world) context of the top frame on an https web host."""
    aux = context.get("auxData") or {}
    if not isinstance(aux, dict) or aux.get("frameId") != main_frame_id:
        return False
    if aux.get("isDefault") is not True:
        return False
    parts = urlsplit(str(context.get("origin") or ""))
    return parts.scheme == "https" and (parts.hostname or "") in hosts


class CdpBinding:
    """Installs the raw binding on one page and hands trusted payloads to ``deliver``."""

    def __init__(self, deliver: Callable[[str], None], hosts: frozenset[str]) -> None:
        self._deliver = deliver
        self._hosts = hosts
        self._main_frame_id = ""
        self._trusted: set[int] = set()
        self._session: Any = None

    async def install(self, page: Any) -> bool:
        """Open a CDP session on ``page`` and add the binding; False when not possible."""
        try:
            session = await page.context.new_cdp_session(page)
            tree = await session.send("Page.getFrameTree")
            self._main_frame_id = str(tree["frameTree"]["frame"]["id"])
            session.on("Runtime.executionContextCreated", self._on_created)
            session.on("Runtime.executionContextDestroyed", self._on_destroyed)
            session.on("Runtime.executionContextsCleared", lambda _e: self._trusted.clear())
            session.on("Runtime.bindingCalled", self._on_called)
            await session.send("Runtime.enable")
            await session.send("Runtime.addBinding", {"name": CDP_BINDING_NAME})
        except (PlaywrightError, AttributeError, KeyError, TypeError) as exc:
            _log.debug("no CDP binding (%s); the Playwright binding carries every envelope", exc)
            return False
        self._session = session
        return True

    def _on_created(self, event: dict[str, Any]) -> None:
        context = event.get("context") or {}
        if is_trusted_context(context, self._main_frame_id, self._hosts):
            self._trusted.add(int(context.get("id", -1)))

    def _on_destroyed(self, event: dict[str, Any]) -> None:
        self._trusted.discard(int(event.get("executionContextId", -1)))

    def _on_called(self, event: dict[str, Any]) -> None:
        if event.get("name") != CDP_BINDING_NAME:
            return
        if event.get("executionContextId") not in self._trusted:
            _log.debug("ignored a CDP binding call from an untrusted context")
            return
        self._deliver(str(event.get("payload", "")))

    async def detach(self) -> None:
        """Close the CDP session (the page's own close ends it too)."""
        session, self._session = self._session, None
        self._trusted.clear()
        if session is not None:
            try:
                await session.detach()
            except PlaywrightError as exc:
                _log.debug("CDP session detach: %s", exc.message)
