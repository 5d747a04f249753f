"""The raw CDP binding without a browser: only the top frame's main world of a web WeChat host
is heard, and a page without CDP leaves the Playwright binding in charge."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from wechaty_puppet_web.browser.bridge import WEB_HOSTS, Bridge, Envelope
from wechaty_puppet_web.browser.cdp_binding import (
    CDP_BINDING_NAME,
    CdpBinding,
    is_trusted_context,
)

MAIN = "FRAME-MAIN"


def context(ctx_id: int, *, frame: str = MAIN, origin: str = "https://wx2.qq.com",
            default: bool = True) -> dict[str, Any]:  # fmt: skip
    return {"id": ctx_id, "origin": origin, "auxData": {"frameId": frame, "isDefault": default}}


@dataclass
class TopFrame:
    url: str = "https://wx2.qq.com/?lang=zh_CN"
    parent_frame: Any = None


class FakeSession:
    def __init__(self) -> None:
        self.handlers: dict[str, Callable[[Any], None]] = {}
        self.sent: list[tuple[str, Any]] = []
        self.detached = False

    def on(self, name: str, fn: Callable[[Any], None]) -> None:
        self.handlers[name] = fn

    async def send(self, method: str, params: Any = None) -> Any:
        self.sent.append((method, params))
        return {"frameTree": {"frame": {"id": MAIN}}} if method == "Page.getFrameTree" else {}

    async def detach(self) -> None:
        self.detached = True

    def fire(self, name: str, event: dict[str, Any]) -> None:
        self.handlers[name](event)


class FakeContext:
    def __init__(self, session: FakeSession) -> None:
        self.session = session

    async def new_cdp_session(self, page: Any) -> FakeSession:
        return self.session


class FakePage:
    def __init__(self, session: FakeSession) -> None:
        self.context = FakeContext(session)

    async def expose_binding(self, name: str, fn: Any) -> None:
        self.binding = fn

    async def add_init_script(self, script: str) -> None:
        self.script = script


@pytest.mark.parametrize(
    ("ctx", "trusted"),
    [
        (context(1), True),
        (context(1, origin="https://wx.qq.com"), True),
        (context(1, frame="FRAME-IFRAME"), False),
        (context(1, default=False), False),  # an isolated world
        (context(1, origin="https://evil.example"), False),
        (context(1, origin="http://wx.qq.com"), False),
        ({"id": 1}, False),
    ],
)
def test_only_the_top_frames_main_world_on_a_web_host_is_trusted(
    ctx: dict[str, Any], trusted: bool
) -> None:
    assert is_trusted_context(ctx, MAIN, WEB_HOSTS) is trusted


def envelope_text(seq: int, key: str) -> str:
    return f'{{"v":1,"seq":{seq},"t":1,"kind":"event","name":"message","payload":{{}},"k":"{key}"}}'


async def test_the_bridge_hears_trusted_contexts_through_cdp() -> None:
    session = FakeSession()
    got: list[Envelope] = []
    bridge = Bridge(got.append, fast_lane=True)
    await bridge.attach(FakePage(session), "script")
    assert ("Runtime.addBinding", {"name": CDP_BINDING_NAME}) in session.sent
    session.fire("Runtime.executionContextCreated", {"context": context(7)})
    session.fire("Runtime.executionContextCreated", {"context": context(8, frame="IFRAME")})
    called = "Runtime.bindingCalled"
    session.fire(called, {"name": CDP_BINDING_NAME, "executionContextId": 7,
                          "payload": envelope_text(1, bridge.key)})  # fmt: skip
    session.fire(called, {"name": CDP_BINDING_NAME, "executionContextId": 8,
                          "payload": envelope_text(2, bridge.key)})  # fmt: skip
    session.fire(
        called, {"name": "other", "executionContextId": 7, "payload": envelope_text(3, bridge.key)}
    )
    session.fire("Runtime.executionContextDestroyed", {"executionContextId": 7})
    session.fire(called, {"name": CDP_BINDING_NAME, "executionContextId": 7,
                          "payload": envelope_text(4, bridge.key)})  # fmt: skip
    assert [e.seq for e in got] == [1]
    await bridge.attach(FakePage(FakeSession()), "script")  # a new page: the old session goes
    assert session.detached


async def test_the_fast_lane_is_on_by_default_and_can_be_turned_off() -> None:
    session = FakeSession()
    await Bridge(lambda e: None).attach(FakePage(session), "script")
    assert ("Runtime.addBinding", {"name": CDP_BINDING_NAME}) in session.sent
    off = FakeSession()
    await Bridge(lambda e: None, fast_lane=False).attach(FakePage(off), "script")
    assert off.sent == []


def lane_envelope(seq: int, key: str) -> str:
    return json.dumps({"v": 1, "seq": seq, "t": 1, "kind": "event", "name": "message",
                       "payload": {"n": seq}, "k": key})  # fmt: skip


async def test_envelopes_interleaved_across_the_two_lanes_come_out_in_page_order() -> None:
    # Through the real entry points of both lanes: CDP session events and the exposed binding.
    session = FakeSession()
    got: list[Envelope] = []
    bridge = Bridge(got.append)
    page = FakePage(session)
    await bridge.attach(page, "script")
    session.fire("Runtime.executionContextCreated", {"context": context(7)})
    top = {"frame": TopFrame()}

    def cdp(seq: int) -> None:
        event = {"name": CDP_BINDING_NAME, "executionContextId": 7,
                 "payload": lane_envelope(seq, bridge.key)}  # fmt: skip
        session.fire("Runtime.bindingCalled", event)

    def playwright(seq: int) -> None:
        page.binding(top, lane_envelope(seq, bridge.key))

    playwright(1)
    cdp(3)  # the CDP lane overtakes Playwright's 2
    cdp(4)
    assert [e.seq for e in got] == [1]
    playwright(2)
    assert [e.seq for e in got] == [1, 2, 3, 4]
    cdp(6)
    playwright(5)
    cdp(7)
    assert [e.seq for e in got] == [1, 2, 3, 4, 5, 6, 7] and bridge.last_seq == 7


async def test_a_page_without_cdp_installs_nothing() -> None:
    binding = CdpBinding(lambda text: None, WEB_HOSTS)
    assert await binding.install(object()) is False
