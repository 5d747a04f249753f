"""The committed fixture cassettes: current format, redacted, no third-party code inside."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from wechaty_puppet_web.recording import load
from wechaty_puppet_web.recording.cassette import bodies_dir

CASSETTES = sorted((Path(__file__).resolve().parents[2] / "fixtures" / "cassettes").glob("*.jsonl"))
SESSION_COOKIE = re.compile(
    r"\b(wxsid|wxuin|webwx_data_ticket|webwx_auth_ticket|webwxuvid)=([^;\\\s]+)"
)


def test_every_scenario_has_a_cassette() -> None:
    names = {p.stem for p in CASSETTES}
    assert {"login", "messages", "rooms", "friendship", "pseudonymized"} <= names


@pytest.mark.parametrize("path", CASSETTES, ids=lambda p: p.stem)
def test_fixture_is_current_and_redacted(path: Path) -> None:
    cassette = load(path)
    assert cassette.redacted and cassette.events and cassette.http
    # both order bounds of the current recorder (request sent, response seen)
    assert all(r.events_sent is not None and r.events_before is not None for r in cassette.http)
    assert all(r.events_sent <= r.events_before for r in cassette.http)  # type: ignore[operator]
    text = path.read_text(encoding="utf-8")
    for name, value in SESSION_COOKIE.findall(text):
        assert value.startswith("REDACTED_") or (value.isdigit() and value.startswith("9")), name
    for tag in ("skey", "wxsid", "pass_ticket"):
        for value in re.findall(rf"<{tag}>([^<]*)</{tag}>", text):
            assert value.startswith("REDACTED_"), tag
    assert json.loads(text.splitlines()[0])["pseudonymized"] is (path.stem == "pseudonymized")


@pytest.mark.parametrize("path", CASSETTES, ids=lambda p: p.stem)
def test_third_party_bundle_is_a_reference(path: Path) -> None:
    vendor = [
        json.loads(line)["response"]["body"]
        for line in path.read_text(encoding="utf-8").splitlines()[1:]
        if "/vendor_" in json.loads(line).get("request", {}).get("url", "")
    ]
    assert vendor and all("asset" in body and "sha256" in body for body in vendor)
    blobs = [blob.read_bytes() for blob in bodies_dir(path).glob("*")]
    for data in [path.read_bytes(), *blobs]:
        assert b"AngularJS v1." not in data and b"jQuery JavaScript Library v1." not in data


@pytest.mark.parametrize("path", CASSETTES, ids=lambda p: p.stem)
def test_fixture_follows_the_wx2_host_switch(path: Path) -> None:
    """Recorded as the real client logs in: QR on wx.qq.com, the session on wx2.qq.com."""
    cassette = load(path)
    hosts = [r.request.url.split("/")[2] for r in cassette.http]
    assert hosts[0] == "wx.qq.com"
    assert "wx2.qq.com" in hosts and "webpush.wx2.qq.com" in hosts
    assert "webpush.wx.qq.com" not in hosts  # no session traffic stayed on the first host
    events = [(e.name, e.payload.get("status")) for e in cassette.events]
    login = events.index(("login", None))
    assert events[login - 1] == ("scan", 4)  # CONFIRMED just before login after the switch
