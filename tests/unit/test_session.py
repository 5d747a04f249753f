"""SessionStore: 0600 atomic writes, expiry, corrupt files, no secrets in logs."""

from __future__ import annotations

import json
import logging
import os
import stat
from pathlib import Path
from typing import Any

import pytest

from wechaty_puppet_web.browser.session import SessionStore
from wechaty_puppet_web.errors import SessionError

NOW = 1_700_000_000.0
SECRET = "5YpLHmVgWwH5LxN1"


def cookies(expires: float = NOW + 3600) -> list[dict[str, Any]]:
    return [
        {
            "name": "wxuin",
            "value": "176666155",
            "domain": "wx.qq.com",
            "path": "/",
            "expires": expires,
            "httpOnly": False,
            "secure": True,
            "sameSite": "Lax",
        },
        {
            "name": "wxsid",
            "value": SECRET,
            "domain": "wx.qq.com",
            "path": "/",
            "expires": expires,
            "httpOnly": False,
            "secure": True,
            "sameSite": "Lax",
        },
        {
            "name": "webwx_data_ticket",
            "value": "gSc2",
            "domain": ".qq.com",
            "path": "/",
            "expires": -1,
            "httpOnly": False,
            "secure": True,
            "sameSite": "Lax",
            "extra": "dropped",
        },
    ]


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_save_load_round_trip(tmp_path: Path) -> None:
    store = SessionStore(tmp_path / "sub" / "session.json")
    store.save(cookies(), host="wx2.qq.com", uin="176666155", now=NOW)
    loaded = store.load(now=NOW)
    assert loaded is not None
    assert [c["name"] for c in loaded] == ["wxuin", "wxsid", "webwx_data_ticket"]
    assert "extra" not in loaded[2]
    info = store.info(now=NOW)
    assert info is not None
    assert (info.host, info.url, info.uin, info.saved_at) == ("wx2.qq.com", None, "176666155", NOW)
    document = json.loads(store.path.read_text("utf-8"))
    assert document["host"] == "wx2.qq.com"
    assert document["saved_at"] == NOW
    assert document["format"] == "wpw-session"


@pytest.mark.parametrize("umask", [0o000, 0o022, 0o077])
def test_file_is_0600_whatever_the_umask(tmp_path: Path, umask: int) -> None:
    old = os.umask(umask)
    try:
        store = SessionStore(tmp_path / "session.json")
        store.save(cookies(), now=NOW)
        store.save(cookies(), now=NOW + 1)  # overwriting keeps the mode
    finally:
        os.umask(old)
    assert mode(store.path) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["session.json"]  # no temp files left


def test_overwrite_replaces_a_world_readable_file(tmp_path: Path) -> None:
    path = tmp_path / "session.json"
    path.write_text("{}")
    path.chmod(0o644)
    SessionStore(path).save(cookies(), now=NOW)
    assert mode(path) == 0o600


def test_missing_file(tmp_path: Path) -> None:
    assert SessionStore(tmp_path / "nope.json").load() is None
    assert SessionStore(tmp_path / "nope.json").load(strict=True) is None


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"not json",
        b"\xff\xfe",
        b"[]",
        b'{"format": "other", "version": 1, "cookies": []}',
        b'{"format": "wpw-session", "version": 99, "cookies": []}',
        b'{"format": "wpw-session", "version": 1, "cookies": "x"}',
        b'{"format": "wpw-session", "version": 1, "cookies": [{"name": 1}]}',
    ],
)
def test_corrupt_file(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "session.json"
    path.write_bytes(content)
    store = SessionStore(path)
    assert store.load() is None
    with pytest.raises(SessionError):
        store.load(strict=True)


def test_expired_session_cookie(tmp_path: Path) -> None:
    store = SessionStore(tmp_path / "s.json")
    store.save(cookies(expires=NOW - 1), now=NOW - 100)
    assert store.load(now=NOW) is None


def test_max_age(tmp_path: Path) -> None:
    store = SessionStore(tmp_path / "s.json", max_age=60)
    store.save(cookies(), now=NOW)
    assert store.load(now=NOW + 30) is not None
    assert store.load(now=NOW + 61) is None


def test_expired_non_session_cookies_are_dropped(tmp_path: Path) -> None:
    jar = cookies()
    jar.append(
        {"name": "old", "value": "x", "domain": "wx.qq.com", "path": "/", "expires": NOW - 5}
    )
    store = SessionStore(tmp_path / "s.json")
    store.save(jar, now=NOW)
    loaded = store.load(now=NOW)
    assert loaded is not None and "old" not in [c["name"] for c in loaded]


def test_empty_jar_is_no_session(tmp_path: Path) -> None:
    store = SessionStore(tmp_path / "s.json")
    store.save([], now=NOW)
    assert store.load(now=NOW) is None


def test_malformed_cookie_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SessionError):
        SessionStore(tmp_path / "s.json").save([{"name": "x"}])


def test_clear(tmp_path: Path) -> None:
    store = SessionStore(tmp_path / "s.json")
    store.save(cookies(), now=NOW)
    store.clear()
    assert not store.path.exists()
    store.clear()  # idempotent


def test_unwritable_directory_raises_session_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(SessionError):
        SessionStore(blocker / "s.json").save(cookies())


def test_secrets_never_logged(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    path = tmp_path / "s.json"
    store = SessionStore(path)
    store.save(cookies(), now=NOW)
    path.chmod(0o644)
    store.load(now=NOW)
    path.write_text(
        json.dumps({"format": "wpw-session", "version": 1, "cookies": [{"value": SECRET}]})
    )
    store.load()
    store.clear()
    assert caplog.records  # it did log something
    assert SECRET not in caplog.text
    assert "176666155" not in caplog.text


def test_url_metadata_and_foreign_writer(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    SessionStore(path).save(cookies(), url="https://wx2.qq.com/", now=NOW)
    info = SessionStore(path).info(now=NOW)
    assert info is not None and info.url == "https://wx2.qq.com/"
    # A file of the same format written without the optional metadata still loads.
    path.write_text(json.dumps({"format": "wpw-session", "version": 1, "cookies": cookies()}))
    info = SessionStore(path).info(now=NOW)
    assert info is not None
    assert (info.host, info.url, info.saved_at, len(info.cookies)) == ("", None, None, 3)
    assert SessionStore(path, max_age=60).load(now=NOW) is None  # no saved_at: treated as too old
