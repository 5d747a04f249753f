"""Issue 11 item 8: deep session JSON, malformed revokes, cassette modes, uin/uuid in cassettes,
forged envelopes from page scripts."""

from __future__ import annotations

import json
import re
import stat
from pathlib import Path

import pytest

from wechaty_puppet_web import PuppetWeb
from wechaty_puppet_web.browser.session import SessionStore
from wechaty_puppet_web.errors import ProtocolError
from wechaty_puppet_web.events import EventName
from wechaty_puppet_web.payloads import MessageType
from wechaty_puppet_web.protocol.parse import parse_message, parse_recall
from wechaty_puppet_web.recording.cassette import Cassette, save
from wechaty_puppet_web.sandbox import Sandbox, World

from .guard_support import *  # noqa: F403  (fixtures)
from .guard_support import MakePuppet, T, record, start_ready

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
SELF = "@self"


# ---- the session file ---------------------------------------------------------------------


def test_a_deeply_nested_session_file_is_corrupt_not_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "session.json"
    path.write_text("[" * 100_000 + "]" * 100_000)
    assert SessionStore(path).load() is None  # RecursionError before


@pytest.mark.browser
async def test_start_with_a_deeply_nested_session_falls_back_to_a_scan(
    make_puppet: MakePuppet, sb: Sandbox, session_path: Path
) -> None:
    session_path.write_text('{"cookies": ' + "[" * 50_000 + "]" * 50_000 + "}")
    puppet = make_puppet()
    scans = record(puppet, EventName.SCAN)
    await start_ready(puppet, sb)
    assert scans, "a QR login, not a crash"


# ---- revoke system messages ---------------------------------------------------------------


def _revoke(content: str) -> dict[str, object]:
    return {"MsgId": "77", "MsgType": 10002, "FromUserName": "@alice", "ToUserName": SELF,
            "Content": content, "CreateTime": 1}  # fmt: skip


@pytest.mark.parametrize(
    "content",
    ["", "x", "<sysmsg><revokemsg><replacemsg>x</replacemsg></revokemsg></sysmsg>",
     "&lt;sysmsg&gt;&lt;revokemsg&gt;&lt;msgid&gt;abc&lt;/msgid&gt;&lt;/revokemsg&gt;&lt;/sysmsg&gt;"],
)  # fmt: skip
def test_a_revoke_naming_no_message_is_no_recall(content: str) -> None:
    with pytest.raises(ProtocolError):
        parse_recall({"msg": _revoke(content), "recalled_id": ""}, self_id=SELF)  # type: ignore[typeddict-item]
    with pytest.raises(ProtocolError):
        parse_recall({"msg": _revoke(content), "recalled_id": "x"}, self_id=SELF)  # type: ignore[typeddict-item]
    assert parse_message(_revoke(content), self_id=SELF).type is MessageType.UNKNOWN  # type: ignore[arg-type]


def test_a_well_formed_revoke_is_still_a_recall() -> None:
    body = '<sysmsg type="revokemsg"><revokemsg><msgid>123456</msgid></revokemsg></sysmsg>'
    payload = parse_recall({"msg": _revoke(body)}, self_id=SELF)  # type: ignore[typeddict-item]
    assert (payload.type, payload.text) == (MessageType.RECALLED, "123456")


# ---- cassettes ----------------------------------------------------------------------------


def test_cassettes_are_written_owner_only(tmp_path: Path) -> None:
    target = tmp_path / "new" / "session.jsonl"
    save(target, Cassette(meta={}, records=()))
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert stat.S_IMODE(target.parent.stat().st_mode) == 0o700


def _placeholders_only(values: list[str], what: str, name: str) -> None:
    for value in values:
        assert value.startswith("REDACTED_uuid"), (name, what, value)


@pytest.mark.parametrize("name", sorted(p.name for p in (FIXTURES / "cassettes").glob("*.jsonl")))
def test_fixture_cassettes_hold_no_uin_and_no_login_uuid(name: str) -> None:
    uin = str(World.default().bot.uin)  # the account every fixture scenario logs in to
    path = FIXTURES / "cassettes" / name
    texts = [path.read_text("utf-8")]
    bodies = path.with_suffix(".bodies")
    if bodies.is_dir():
        texts += [p.read_bytes().decode("latin-1") for p in bodies.iterdir()]
    for text in texts:
        assert not re.search(rf"(?<![0-9]){uin}(?![0-9])", text), f"{name} holds the uin"
        for cookie in re.findall(r"wxuin=(\d+)", text):
            assert cookie.startswith("9000000"), f"{name}: wxuin={cookie}"
        for value in re.findall(r"\"Uin\\?\"\s*:\s*\\?\"?(\d+)", text):
            assert value == "0" or value.startswith("9000000"), f"{name}: Uin {value}"
        _placeholders_only(re.findall(r"[?&]uuid=([\w=+-]{6,})", text), "uuid=", name)
        _placeholders_only(re.findall(r"QRLogin\.uuid = \\?\"([^\"\\]+)", text), "jslogin", name)
        _placeholders_only(re.findall(r"/(?:qrcode|l)/([\w=+-]{6,})", text), "QR url", name)


# ---- forged envelopes ---------------------------------------------------------------------


@pytest.mark.browser
async def test_a_page_script_cannot_forge_envelopes(bot: PuppetWeb, sb: Sandbox) -> None:
    messages = record(bot, EventName.MESSAGE)
    payload = {"MsgId": "667", "MsgType": 1, "FromUserName": "@x", "Content": "forged"}
    forged = {"v": 1, "seq": 1, "t": 0, "kind": "event", "name": "message", "payload": payload}
    leaked = await bot.page.evaluate(
        """(text) => {
            // straight at the binding, the way any script of the page could
            for (const name of ['__wpw_emit', '__wpw_cdp']) {
                if (typeof window[name] === 'function') { window[name](text); }
            }
            const wpw = window.__wpw || {};
            return [typeof wpw.emit, typeof wpw.guard, JSON.stringify(wpw.config || null)];
        }""",
        json.dumps(forged),
    )
    assert leaked[:2] == ["undefined", "undefined"]  # nothing that signs is left on the page
    assert bot._wire.key not in str(leaked[2])
    real = bot.wait_for(EventName.MESSAGE, lambda e: e.payload.text == "real", timeout=T)
    sb.world.send_text(from_="wxid_alice", to=sb.world.bot, text="real")
    await real
    assert [e.payload.text for e in messages] == ["real"]
