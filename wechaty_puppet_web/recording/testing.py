"""Record and replay a whole PuppetWeb in tests (exported by the pytest plugin).

::

    async with replay_puppet("fixtures/cassettes/login.jsonl", browser) as session:
        await session.wait_for_recorded()          # every recorded event came out again
        assert_replayed_events(session.events, session.replayer.cassette)

    async with record_puppet(path, browser, context_options=sandbox.context_options()) as rec:
        await rec.puppet.wait_for("login")       # drive the sandbox world; events are recorded

The puppet options that shape the page's traffic (``uos``, ``lang``) are stored in the cassette's
``meta["puppet"]`` when recording and reused when replaying, so both runs make the same requests.
A replayed puppet never uses a session file: the recording starts from a QR login too.
"""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from .cassette import Cassette, EventRecord, RecordMode, load
from .recorder import EVENT_NAMES, SKIPPED_EVENTS, EventSource, Recorder, event_payload
from .replayer import Replayer

if TYPE_CHECKING:
    from playwright.async_api import Browser, BrowserContext

    from ..puppet import PuppetWeb
    from ..sandbox import Sandbox


class EventLog:
    """Collects a puppet's events as ``(name, to_json())`` pairs (the heartbeat left out)."""

    def __init__(self, skip: Sequence[str] = tuple(SKIPPED_EVENTS)) -> None:
        self.items: list[tuple[str, dict[str, Any]]] = []
        self._skip = frozenset(skip)
        self._changed = asyncio.Event()

    def attach(self, puppet: EventSource) -> None:
        """Listen to every event of ``puppet``."""
        for name in EVENT_NAMES:
            if name not in self._skip:
                puppet.on(name, self._handler(name))

    def _handler(self, name: str) -> Any:
        def on_event(event: Any) -> None:
            self.items.append((name, _plain_json(event_payload(event))))
            self._changed.set()

        return on_event

    async def wait_for_count(self, count: int, timeout: float = 20.0) -> None:
        """Wait until at least ``count`` events were collected.

        Raises:
            TimeoutError: fewer arrived in time (the message lists what did).
        """
        try:
            async with asyncio.timeout(timeout):
                while len(self.items) < count:
                    self._changed.clear()
                    await self._changed.wait()
        except TimeoutError:
            names = [name for name, _ in self.items]
            raise TimeoutError(
                f"{len(self.items)} of {count} events after {timeout:g} s: {names}"
            ) from None


Bot = ModuleType | str | os.PathLike[str]


def attach_bot(puppet: PuppetWeb, bot: Bot) -> list[str]:
    """Wire a bot module into ``puppet`` the way ``wechaty-web run BOT.py`` does.

    ``bot`` is an imported module or the path of a ``.py`` file defining
    ``async def on_<event>(puppet, event)`` handlers (``on_message``, ``on_room_join``…; plain
    functions work too). Returns the event names attached.

    Raises:
        BotModuleError: the module defines no ``on_<event>`` handler (a typo would otherwise
            pass), or a path that is missing or fails at import.
    """
    from ..commands.run import bot_handlers, load_bot, register_handlers
    from ..errors import BotModuleError

    module = bot if isinstance(bot, ModuleType) else load_bot(Path(bot))
    if not bot_handlers(module):
        raise BotModuleError(f"bot module {module.__name__} defines no on_<event> handler")
    return register_handlers(puppet, module)


def _plain_json(value: Any) -> Any:
    return json.loads(json.dumps(value, ensure_ascii=False))


# What a replay cannot reproduce in a message the bot itself sent: the page stamps it with the
# local clock (and, until the server answers, a client-made ClientMsgId as its id), so a replay
# running later shows other values. Compared only with ``strict=True``.
OWN_MESSAGE_VOLATILE = ("timestamp", "id")


def _self_id(events: Sequence[tuple[str, Any]]) -> str | None:
    for name, payload in events:
        if name == "login" and isinstance(payload, Mapping):
            return str(payload.get("contact_id") or "") or None
    return None


def _comparable(name: str, payload: Any, self_id: str | None) -> Any:
    """``payload`` without the values a replay of the bot's own message cannot reproduce."""
    inner = payload.get("payload") if isinstance(payload, Mapping) else None
    if name != "message" or self_id is None or not isinstance(inner, Mapping):
        return payload
    if inner.get("talker_id") != self_id:
        return payload
    kept = {k: v for k, v in inner.items() if k not in OWN_MESSAGE_VOLATILE}
    return {k: v for k, v in payload.items() if k != "message_id"} | {"payload": kept}


def assert_replayed_events(
    puppet_events: EventLog | Sequence[tuple[str, Mapping[str, Any]]],
    cassette: Cassette | str | os.PathLike[str],
    *,
    strict: bool = False,
) -> None:
    """Assert the puppet emitted exactly the recorded events: same order, same payloads.

    Messages the bot sent itself are compared without their ``timestamp`` and ids
    (:data:`OWN_MESSAGE_VOLATILE`), which the page makes from the local clock: so a replay of a
    bot that sends passes. ``strict=True`` compares those too.

    Raises:
        AssertionError: naming the first difference.
    """
    recorded = load(cassette) if not isinstance(cassette, Cassette) else cassette
    expected = [(e.name, _plain_json(e.payload)) for e in recorded.events]
    items = puppet_events.items if isinstance(puppet_events, EventLog) else puppet_events
    got = [(name, _plain_json(payload)) for name, payload in items]
    self_id = None if strict else _self_id(expected)
    for index, (want, have) in enumerate(zip(expected, got, strict=False)):
        if (want[0], _comparable(*want, self_id)) != (have[0], _comparable(*have, self_id)):
            raise AssertionError(
                f"replayed event {index} differs:\n  recorded: {want}\n  replayed: {have}"
            )
    if len(expected) != len(got):
        extra = got[len(expected) :] or expected[len(got) :]
        raise AssertionError(
            f"recorded {len(expected)} events, replay emitted {len(got)}; "
            f"first unmatched: {extra[0]}"
        )


@dataclass(slots=True, kw_only=True)
class ReplaySession:
    """A puppet running on a cassette."""

    puppet: PuppetWeb
    replayer: Replayer
    context: BrowserContext
    events: EventLog = field(default_factory=EventLog)

    async def wait_for_recorded(self, timeout: float = 20.0) -> None:
        """Wait until the puppet emitted as many events as the cassette holds.

        Raises:
            TimeoutError: it did not; CassetteMismatchError: a request matched nothing.
        """
        try:
            await self.events.wait_for_count(len(self.replayer.cassette.events), timeout)
        except TimeoutError:
            self.replayer.raise_errors()
            raise


@asynccontextmanager
async def replay_puppet(
    cassette_path: str | os.PathLike[str] | Cassette,
    browser: Browser,
    *,
    realtime: bool = False,
    bot: Bot | None = None,
    context_options: Mapping[str, Any] | None = None,
    **options: Any,
) -> AsyncIterator[ReplaySession]:
    """A started PuppetWeb whose page is served from ``cassette_path`` (no network, no sandbox).

    ``bot`` (a module or a ``.py`` path) is attached with :func:`attach_bot` before the puppet
    starts, so it sees every replayed event and its own requests are matched against the
    recorded ones. ``context_options`` go to ``browser.new_context`` (a user agent, a viewport);
    ``options`` are extra :class:`~wechaty_puppet_web.options.PuppetWebOptions` fields.
    """
    from ..options import PuppetWebOptions
    from ..puppet import PuppetWeb

    replayer = Replayer(cassette_path, realtime=realtime)
    recorded = dict(replayer.cassette.meta.get("puppet") or {})
    context = await browser.new_context(**(context_options or {}))
    try:
        await replayer.install(context)
        opts = PuppetWebOptions(context=context, session_file=None, **(recorded | options))
        session = ReplaySession(puppet=PuppetWeb(opts), replayer=replayer, context=context)
        session.events.attach(session.puppet)
        replayer.attach(session.puppet)
        if bot is not None:
            attach_bot(session.puppet, bot)
        try:
            await session.puppet.start()
            yield session
        finally:
            # stop the page's scripts and answer nothing more before the page closes: see
            # replayer.freeze_pages (a held long poll would also keep the page from closing)
            await replayer.close()
            await session.puppet.stop()
    finally:
        await replayer.close()
        with suppress(Exception):
            await context.close()


@dataclass(slots=True, kw_only=True)
class RecordSession:
    """A puppet being recorded."""

    puppet: PuppetWeb
    recorder: Recorder
    context: BrowserContext


async def login_with_phone(session: RecordSession, sandbox: Sandbox, timeout: float = 15.0) -> None:
    """Walk the QR login step by step (shown, scanned, confirmed) and wait for ``ready``.

    Each step waits for the puppet's ``scan`` event of the previous one, so the recording holds
    every scan state: a scan-and-confirm at once would let the page skip states, and a replay
    (which answers in recorded order) would then emit states the recording lacks.
    """
    puppet = session.puppet
    await _scan_status(session, 2, timeout)  # ScanStatus.WAITING: the QR is shown
    await _qr_image_loaded(puppet, timeout)
    scanned = puppet.wait_for("scan", lambda e: int(e.status) == 3, timeout=timeout)
    sandbox.phone.scan()
    await scanned
    ready = puppet.wait_for("ready", timeout=timeout)
    sandbox.phone.confirm()
    await ready


# The login page's QR <img> (the web client's `.qrcode img`) finished loading.
_QR_LOADED = """() => { const img = document.querySelector('.qrcode img');
  return !img || !img.getAttribute('src') ? false : img.complete && img.naturalWidth > 0; }"""


async def _qr_image_loaded(puppet: PuppetWeb, timeout: float) -> None:
    """Wait until the QR image is on screen, as a person would before scanning.

    Why: a scan confirmed before the image loaded lets the page switch hosts with the image
    request cancelled; the cassette then lacks it and a replay (which loads it) fails.
    """
    page = puppet.page
    if page is not None:
        await page.wait_for_function(_QR_LOADED, timeout=timeout * 1000)


async def _scan_status(session: RecordSession, status: int, timeout: float) -> None:
    future = session.puppet.wait_for("scan", lambda e: int(e.status) == status, timeout=timeout)
    already = any(
        isinstance(r, EventRecord) and r.name == "scan" and r.payload.get("status") == status
        for r in session.recorder.records
    )
    if already:
        future.cancel()
    else:
        await future


@asynccontextmanager
async def record_puppet(
    path: str | os.PathLike[str],
    browser: Browser,
    *,
    context_options: Mapping[str, Any] | None = None,
    mode: RecordMode | str = RecordMode.ALL,
    pseudonymize: bool = False,
    meta: Mapping[str, Any] | None = None,
    uos: bool = True,
    lang: str = "zh_CN",
    bot: Bot | None = None,
    **options: Any,
) -> AsyncIterator[RecordSession]:
    """A started PuppetWeb whose session is written to ``path`` when the block ends cleanly.

    ``bot`` (a module or a ``.py`` path) is attached before the puppet starts (:func:`attach_bot`),
    so what it sends is part of the recording.

    ``browser`` must reach the server (for the sandbox: launched with ``sandbox.browser_args()``;
    pass ``sandbox.context_options()`` as ``context_options``).
    """
    from ..options import PuppetWebOptions
    from ..puppet import PuppetWeb

    puppet_meta = {"uos": uos, "lang": lang}
    recorder = Recorder(
        path, mode=mode, pseudonymize=pseudonymize, meta={"puppet": puppet_meta, **(meta or {})}
    )
    context = await browser.new_context(**(context_options or {}))
    try:
        await recorder.install(context)
        opts = PuppetWebOptions(context=context, session_file=None, uos=uos, lang=lang, **options)
        session = RecordSession(puppet=PuppetWeb(opts), recorder=recorder, context=context)
        recorder.attach(session.puppet)
        if bot is not None:
            attach_bot(session.puppet, bot)
        failed = True
        try:
            await session.puppet.start()
            yield session
            failed = False
        finally:
            # events of the shutdown itself are not part of the recording (a replay never stops
            # the puppet before comparing)
            if not failed:
                await recorder.quiesce()
            recorder.detach()
            await session.puppet.stop()
            if failed:
                await recorder.discard()
            else:
                await recorder.close()
    finally:
        with suppress(Exception):
            await context.close()
