"""The stage every benchmark runs on: a sandbox, one Chromium pointed at it, puppets, bare clients.

The sandbox runs in its own process (:mod:`bench.sandbox_proc`). The browser's
``--host-resolver-rules`` pin the sandbox's port, so one stage keeps one sandbox for its whole life
and gives each measurement a fresh world with ``reset``. The floor (the bare protocol client) and
the puppet run one after the other on the same stage, never at once: a new web login logs every
older session of the account out (1101), as on the real server.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from playwright.async_api import Browser, Playwright, async_playwright

from wechaty_puppet_web import PuppetWeb, PuppetWebOptions
from wechaty_puppet_web.browser.launcher import launch_chromium
from wechaty_puppet_web.events import ErrorEvent, EventName, MessageEvent
from wechaty_puppet_web.sandbox.bareclient import BareClient

from .harness import Arrivals, now
from .remote import RemoteSandbox, remote_sandbox

_log = logging.getLogger("bench")

STEP_TIMEOUT = 60.0  # seconds a login/ready may take before the benchmark fails (TimeoutError)
ROOM_BATCH = 50  # rooms per webwxbatchgetcontact, as the web client asks


@dataclass(slots=True)
class Stage:
    """A running sandbox + browser, and the puppets/clients made on it (closed at the end)."""

    sb: RemoteSandbox
    pw: Playwright
    browser: Browser
    world: str
    workdir: Path
    puppets: list[PuppetWeb] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    used: bool = False  # a puppet had the browser since it was launched

    @property
    def session_file(self) -> Path:
        """The puppet's session file (kept across puppets so a restart can reuse it)."""
        return self.workdir / "session.json"

    async def fresh(self) -> None:
        """A new world, sessions and phone on the same port (auto-scan on)."""
        await self.sb.call("reset", world=self.world)

    async def send(self, from_: str, to: str, text: str) -> str:
        """A text into the world (``to`` = "bot", a contact or a room id); its MsgId."""
        return str(await self.sb.call("send", from_=from_, to=to, text=text))

    async def send_many(self, items: list[tuple[str, str, str]]) -> list[str]:
        """Many texts ``(from, to, text)`` posted back to back; their MsgIds."""
        return [str(i) for i in await self.sb.call("send_many", items=items)]

    async def username_of(self, target: str) -> str:
        """The current session's UserName of a contact or room id."""
        return str(await self.sb.call("username_of", target=target))

    def puppet(self, *, session: bool = True, **overrides: Any) -> PuppetWeb:
        """A new PuppetWeb on the stage's browser (its own context); ``overrides`` are more
        PuppetWebOptions."""
        options = PuppetWebOptions(
            browser=self.browser,
            sandbox=self.sb.url,
            session_file=self.session_file if session else None,
            **overrides,
        )
        puppet = PuppetWeb(options)
        puppet.on(EventName.ERROR.value, self._on_error)
        self.puppets.append(puppet)
        self.used = True
        return puppet

    def _on_error(self, event: ErrorEvent) -> None:
        # Kept, not raised: a benchmark reports; calls cut short by stop() land here too.
        self.errors.append(f"{event.data}: {event.error!r}")
        _log.debug("puppet error %s: %r", event.data, event.error)

    async def stop_puppets(self) -> None:
        """Stop every puppet made so far."""
        for puppet in self.puppets:
            with contextlib.suppress(Exception):
                await puppet.stop()
        self.puppets.clear()
        if self.used:
            # A one-account Chromium holds one context in its life (launcher.ONE_ACCOUNT_ARGS):
            # the next puppet gets a new one, as a restarted bot would.
            await self.browser.close()
            self.browser = await launch(self.pw, self.sb)
            self.used = False


async def launch(pw: Playwright, sb: RemoteSandbox) -> Browser:
    """A Chromium mapped onto the sandbox, launched as a puppet launches its own (one account,
    PuppetWebOptions.lean_browser)."""
    return await launch_chromium(pw, extra_args=sb.browser_args(), one_account=True)


@contextlib.asynccontextmanager
async def stage(world: str = "default") -> AsyncIterator[Stage]:
    """Start a sandbox process (auto-scan; ``world`` "default" or "big") and a Chromium mapped
    onto it. Logins are redirected from wx.qq.com to wx2.qq.com, as for many real accounts."""
    async with remote_sandbox() as sb, async_playwright() as pw:
        browser = await launch(pw, sb)
        with tempfile.TemporaryDirectory(prefix="wpw-bench-") as tmp:
            st = Stage(sb=sb, pw=pw, browser=browser, world=world, workdir=Path(tmp))
            try:
                await st.fresh()
                yield st
            finally:
                st.used = False  # no new browser on the way out
                await st.stop_puppets()
                await st.browser.close()
                if st.errors:
                    _log.info("%d puppet error events; first: %s", len(st.errors), st.errors[0])


# ---------------------------------------------------------------- puppet side


@dataclass(frozen=True, slots=True, kw_only=True)
class Started:
    """Seconds from ``start()`` being called to the ``login`` and ``ready`` events."""

    login: float
    ready: float


async def start_puppet(
    puppet: PuppetWeb, *, want_ready: bool = True, timeout: float = STEP_TIMEOUT
) -> Started:
    """Start ``puppet`` (a scan is made by the sandbox's auto-scanning phone) and time it.

    Raises:
        TimeoutError: no login (or ready) within ``timeout``.
    """
    login = puppet.wait_for(EventName.LOGIN, timeout=timeout)
    ready = puppet.wait_for(EventName.READY, timeout=timeout)
    t0 = now()
    await puppet.start()
    await login
    t_login = now() - t0
    if not want_ready:
        ready.cancel()
        return Started(login=t_login, ready=float("nan"))
    await ready
    return Started(login=t_login, ready=now() - t0)


def listen_puppet(puppet: PuppetWeb, arrivals: Arrivals) -> None:
    """Feed every ``message`` event's id into ``arrivals`` (timed in the handler itself)."""

    def on_message(event: MessageEvent) -> None:
        arrivals.arrive(event.message_id)

    puppet.on(EventName.MESSAGE.value, on_message)


# ---------------------------------------------------------------- bare protocol side


async def bare_login(client: BareClient) -> float:
    """The floor of a first start: jslogin → (auto) scan+confirm → newloginpage; seconds."""
    t0 = now()
    uuid = await client.jslogin()
    await client.newloginpage(await client.wait_login(uuid))
    return now() - t0


async def bare_ready(client: BareClient) -> float:
    """The floor of ``ready`` after a login: init, statusnotify, every contact page and the
    members of every room (batchget in pages of 50, like the web client); seconds."""
    t0 = now()
    data = await client.init()
    await client.statusnotify()
    contacts = await client.contacts()
    rooms = {c["UserName"] for c in [*contacts, *data.get("ContactList", [])]}
    room_ids = sorted(r for r in rooms if str(r).startswith("@@"))
    for i in range(0, len(room_ids), ROOM_BATCH):
        await client.batchget(room_ids[i : i + ROOM_BATCH])
    return now() - t0


def resumed_client(sb: RemoteSandbox, old: BareClient) -> BareClient:
    """A new bare client holding ``old``'s credentials: a restart with a saved session."""
    client = sb.bare_client()
    client.api_host = old.api_host
    client.login_host, client.file_host, client.push_host = (
        old.login_host, old.file_host, old.push_host)  # fmt: skip
    client.creds = old.creds
    return client


def listen_bare(client: BareClient, arrivals: Arrivals) -> asyncio.Task[None]:
    """Run the client's synccheck+webwxsync loop, feeding message ids into ``arrivals``."""

    async def loop() -> None:
        async for msg in client.messages():
            arrivals.arrive(str(msg.get("MsgId", "")))

    return asyncio.create_task(loop(), name="bench-bare-sync")


async def stop_task(task: asyncio.Task[Any]) -> None:
    """Cancel a task and wait for it (errors after cancellation are of no interest)."""
    task.cancel()
    with contextlib.suppress(BaseException):
        await task
