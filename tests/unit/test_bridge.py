"""The bridge without a browser: envelopes, frame checks, call results and error mapping."""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
from dataclasses import dataclass
from typing import Any

import pytest
from playwright.async_api import Error as PlaywrightError

from wechaty_puppet_web.browser.bridge import (
    Bridge,
    Envelope,
    is_trusted_frame,
    parse_envelope,
)
from wechaty_puppet_web.browser.inject import CORE_FILES, build_init_script
from wechaty_puppet_web.errors import (
    BridgeError,
    BridgeTimeout,
    InjectionError,
    RateLimitedError,
    UploadError,
    WebWxError,
)


@dataclass
class FakeFrame:
    url: str
    parent_frame: Any = None


class FakePage:
    """Answers ``evaluate`` with a canned reply (or never, to test timeouts); speaks the wire
    form of ``__wpw.callText``: args and reply are JSON text (``calls`` holds them decoded)."""

    def __init__(self, reply: Any = None, *, hang: bool = False) -> None:
        self.reply = reply
        self.hang = hang
        self.calls: list[Any] = []
        self.raw_args: list[Any] = []

    async def evaluate(self, expression: str, arg: Any = None) -> Any:
        self.raw_args.append(arg)
        self.calls.append([arg[0], json.loads(arg[1])] if isinstance(arg, list) else arg)
        if self.hang:
            await asyncio.Event().wait()
        return None if self.reply is None else json.dumps(self.reply)

    async def expose_binding(self, name: str, fn: Any) -> None:
        self.binding = (name, fn)

    async def add_init_script(self, script: str) -> None:
        self.script = script


def envelope(name: str = "message", seq: int = 1, payload: Any = None, key: str = "") -> str:
    body = {"v": 1, "seq": seq, "t": 1700000000000, "kind": "event", "name": name, "k": key}
    body["payload"] = payload if payload is not None else {"MsgId": "1"}
    return json.dumps(body)


def test_parse_envelope_accepts_the_contract_shape() -> None:
    env = parse_envelope(envelope("scan", 7, {"code": 0}))
    assert env == Envelope(v=1, seq=7, t=1700000000000.0, kind="event", name="scan",
                           payload={"code": 0})  # fmt: skip


@pytest.mark.parametrize(
    "text",
    [None, 42, "", "not json", "[]", '{"v":2,"seq":1,"kind":"event","name":"x"}',
     '{"v":1,"seq":"1","kind":"event","name":"x"}', '{"v":1,"seq":1,"kind":"event"}'],
)  # fmt: skip
def test_parse_envelope_rejects_malformed(text: Any) -> None:
    assert parse_envelope(text) is None


@pytest.mark.parametrize(
    ("url", "parent", "trusted"),
    [
        ("https://wx.qq.com/?target=t", None, True),
        ("https://wx2.qq.com/", None, True),
        ("https://web.wechat.com/", None, True),
        ("https://wx.qq.com/", FakeFrame("https://wx.qq.com/"), False),  # an iframe
        ("https://evil.example/", None, False),
        ("https://wx.qq.com.evil.example/", None, False),
        ("http://wx.qq.com/", None, False),
        ("https://file.wx.qq.com/", None, False),
        ("about:blank", None, False),
    ],
)
def test_only_the_web_wechat_main_frame_is_trusted(url: str, parent: Any, trusted: bool) -> None:
    assert is_trusted_frame(FakeFrame(url, parent)) is trusted


def test_binding_delivers_trusted_and_drops_the_rest() -> None:
    got: list[Envelope] = []
    bridge = Bridge(got.append)
    main = FakeFrame("https://wx.qq.com/")
    key = bridge.key
    bridge._on_binding({"frame": main}, envelope(seq=1, key=key))
    bridge._on_binding({"frame": FakeFrame("https://x.example/")}, envelope(seq=2, key=key))
    bridge._on_binding({"frame": FakeFrame("https://wx.qq.com/", main)}, envelope(seq=3, key=key))
    bridge._on_binding({"frame": main}, "garbage")
    bridge._on_binding({}, envelope(seq=4, key=key))
    bridge._on_binding({"frame": main}, envelope(seq=5))  # unsigned: a page script forging
    wrong = key[:-1] + ("y" if key.endswith("x") else "x")  # never the key itself
    bridge._on_binding({"frame": main}, envelope(seq=6, key=wrong))
    assert [e.seq for e in got] == [1]


def test_a_failing_sink_does_not_escape_the_binding() -> None:
    def sink(env: Envelope) -> None:
        raise RuntimeError("boom")

    bridge = Bridge(sink)
    bridge._on_binding({"frame": FakeFrame("https://wx.qq.com/")}, envelope(key=bridge.key))


async def test_call_returns_the_value_and_passes_name_and_args() -> None:
    page = FakePage({"ok": True, "value": {"a": 1}})
    bridge = Bridge(lambda e: None)
    await bridge.attach(page, "script")
    assert await bridge.call("contact.get", {"ids": ["x"]}) == {"a": 1}
    assert page.calls == [["contact.get", {"ids": ["x"]}]]
    assert page.binding[0] == "__wpw_emit" and "\nscript\n" in page.script
    assert json.dumps(bridge.key) in page.script  # the page's secret rides in the init script


async def test_args_and_reply_cross_as_json_text() -> None:
    page = FakePage({"ok": True, "value": {"members": [{"UserName": "@a"}] * 3}})
    bridge = Bridge(lambda e: None)
    await bridge.attach(page, "")
    assert await bridge.call("room.members", {"id": "@@r", "t": "\ud800 ok"}) == {
        "members": [{"UserName": "@a"}] * 3
    }
    name, text = page.raw_args[0]
    assert (name, type(text)) == ("room.members", str)
    assert text.isascii() and json.loads(text) == {"id": "@@r", "t": "\ud800 ok"}


async def test_args_that_are_not_json_fail_before_the_page() -> None:
    page = FakePage({"ok": True, "value": None})
    bridge = Bridge(lambda e: None)
    await bridge.attach(page, "")
    with pytest.raises(BridgeError, match="not plain JSON"):
        await bridge.call("op", {"x": object()})
    assert page.calls == []


async def test_a_reply_that_is_not_json_is_an_injection_error() -> None:
    page = FakePage()
    page.evaluate = lambda expression, arg=None: asyncio.sleep(0, "{not json")  # type: ignore[method-assign]
    bridge = Bridge(lambda e: None)
    await bridge.attach(page, "")
    with pytest.raises(InjectionError):
        await bridge.call("op")


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        ({"kind": "webwx", "op": "webwxsendmsg", "ret": 1205, "errMsg": ""}, RateLimitedError),
        ({"kind": "webwx", "op": "webwxsendmsg", "ret": -1, "errMsg": "x"}, WebWxError),
        ({"kind": "upload", "op": "webwxuploadmedia", "ret": 1, "errMsg": ""}, UploadError),
        ({"kind": "missing", "message": "no handler"}, InjectionError),
        ({"kind": "js", "message": "TypeError"}, BridgeError),
        ("a string", BridgeError),
    ],
)
async def test_page_errors_map_onto_the_error_tree(error: Any, expected: type) -> None:
    bridge = Bridge(lambda e: None)
    await bridge.attach(FakePage({"ok": False, "error": error}), "")
    with pytest.raises(expected) as info:
        await bridge.call("op")
    assert type(info.value) is expected
    if isinstance(info.value, WebWxError) and isinstance(error, dict):
        assert info.value.ret == error["ret"]


async def test_no_bridge_in_the_page_is_an_injection_error() -> None:
    bridge = Bridge(lambda e: None)
    await bridge.attach(FakePage(None), "")
    with pytest.raises(InjectionError):
        await bridge.call("ding")


async def test_call_times_out() -> None:
    bridge = Bridge(lambda e: None)
    await bridge.attach(FakePage(hang=True), "")
    with pytest.raises(BridgeTimeout):
        await bridge.call("heartbeat", timeout=0.05)


async def test_call_before_attach_fails() -> None:
    with pytest.raises(BridgeError):
        await Bridge(lambda e: None).call("ding")


async def test_ding_round_trips() -> None:
    bridge = Bridge(lambda e: None)
    await bridge.attach(FakePage({"ok": True, "value": {"data": "hello", "t": 1}}), "")
    assert await bridge.ding("hello") == "hello"


def test_init_script_has_config_then_files_in_order_then_ready() -> None:
    script = build_init_script({"uos": True, "lang": "zh_CN"})
    assert script.startswith("(function () {\nvar __WPW_CONFIG__ = {")
    positions = [script.index(f"// ---- {name}") for name in CORE_FILES]
    assert positions == sorted(positions)
    assert script.rstrip().endswith("})();")
    assert script.index("window.__wpw.ready()") > positions[-1]


def test_init_script_config_is_one_json_literal() -> None:
    config = {"lang": 'x"; alert(1); var y="\u2028'}
    preamble = build_init_script(config).splitlines()[1]
    assert "\u2028" not in preamble  # a raw U+2028 would end the JS line in old engines
    literal = preamble.removeprefix("var __WPW_CONFIG__ = ").removesuffix(";")
    assert json.loads(literal) == config


def test_init_script_is_valid_javascript(tmp_path: Any) -> None:
    path = tmp_path / "init.js"
    path.write_text(build_init_script({"uos": False}), "utf-8")
    node = shutil.which("node") or "/usr/bin/node"  # installed by `make setup` (npm)
    result = subprocess.run([node, "--check", str(path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


class NavigatingPage(FakePage):
    """Its first evaluate dies with the document (a navigation), later ones answer."""

    def __init__(self) -> None:
        super().__init__()
        self.first_failed = asyncio.Event()

    async def evaluate(self, expression: str, arg: Any = None) -> Any:
        self.calls.append(arg)
        if len(self.calls) == 1:
            self.first_failed.set()
            raise PlaywrightError("Execution context was destroyed")
        return {"ok": True, "value": {"data": json.loads(arg[1]), "t": 1}}


def say_hello(bridge: Bridge) -> None:
    frame = FakeFrame("https://wx2.qq.com/")
    hello = envelope("hello", payload={"url": "https://wx2.qq.com"}, key=bridge.key)
    bridge._on_binding({"frame": frame}, hello)


async def test_handshake_dings_again_when_the_next_document_says_hello() -> None:
    page = NavigatingPage()
    bridge = Bridge(lambda e: None)
    await bridge.attach(page, "")
    handshake = asyncio.create_task(bridge.handshake(5.0))
    say_hello(bridge)  # the first document
    await asyncio.wait_for(page.first_failed.wait(), 5.0)
    assert not handshake.done()  # waiting for the new document, not retrying blindly
    say_hello(bridge)  # the document after the navigation
    assert await asyncio.wait_for(handshake, 5.0) == "start"
    assert [c[0] for c in page.calls] == ["ding", "ding"]


async def test_handshake_without_a_hello_times_out_without_calling() -> None:
    page = FakePage({"ok": True, "value": {"data": "start"}})
    bridge = Bridge(lambda e: None)
    await bridge.attach(page, "")
    with pytest.raises(BridgeTimeout):
        await bridge.handshake(0.05)
    assert page.calls == []
