"""Cassette format: round trip, large bodies beside the file, version and mode checks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from wechaty_puppet_web.errors import CassetteError
from wechaty_puppet_web.recording.cassette import (
    INLINE_LIMIT,
    Cassette,
    EventRecord,
    HttpRecord,
    HttpRequest,
    HttpResponse,
    RecordMode,
    bodies_dir,
    load,
    save,
)


def _cassette() -> Cassette:
    big = bytes(range(256)) * (INLINE_LIMIT // 256 + 10)
    return Cassette(
        meta={"scenario": "unit"},
        records=(
            HttpRecord(
                seq=0,
                t=0.0,
                request=HttpRequest(method="GET", url="https://wx.qq.com/?lang=zh_CN"),
                response=HttpResponse(
                    status=200,
                    headers={"content-type": "text/html", "set-cookie": "a=1\nb=2"},
                    body="<html>微信 😀</html>".encode(),
                ),
            ),
            HttpRecord(
                seq=1,
                t=0.5,
                request=HttpRequest(
                    method="POST",
                    url="https://file.wx.qq.com/cgi-bin/mmwebwx-bin/webwxuploadmedia?f=json",
                    headers={"content-type": "application/octet-stream"},
                    body=b"\xff\xd8\xff\x00binary",
                ),
                response=HttpResponse(status=200, body=big),
            ),
            EventRecord(
                seq=2, t=1.2345, name="message", payload={"message_id": "1", "text": "你好"}
            ),
        ),
    )


def test_round_trip(tmp_path: Path) -> None:
    path = save(tmp_path / "c.jsonl", _cassette())
    again = load(path)
    event = EventRecord(seq=2, t=1.234, name="message", payload={"message_id": "1", "text": "你好"})
    assert again.records == (*_cassette().records[:2], event)
    assert again.meta == {"scenario": "unit"}


def test_line_format(tmp_path: Path) -> None:
    path = save(tmp_path / "c.jsonl", _cassette())
    lines = path.read_text(encoding="utf-8").splitlines()
    header = json.loads(lines[0])
    assert header["format"] == "wpw-cassette" and header["version"] == 1
    first = json.loads(lines[1])
    assert list(first) == sorted(first)
    assert first["v"] == 1 and first["kind"] == "http" and first["seq"] == 0
    assert first["response"]["body"] == {"text": "<html>微信 😀</html>"}
    assert "微信" in lines[1]  # ensure_ascii=False
    assert json.loads(lines[2])["request"]["body"]["base64"]
    assert json.loads(lines[3])["kind"] == "event"


def test_large_body_stored_beside(tmp_path: Path) -> None:
    path = save(tmp_path / "c.jsonl", _cassette())
    ref = json.loads(path.read_text(encoding="utf-8").splitlines()[2])["response"]["body"]
    blob = bodies_dir(path) / ref["ref"]
    assert blob.is_file() and blob.stat().st_size == ref["size"] > INLINE_LIMIT
    blob.write_bytes(b"tampered")
    with pytest.raises(CassetteError, match="sha256"):
        load(path)


def test_older_version_names_both(tmp_path: Path) -> None:
    path = tmp_path / "old.jsonl"
    path.write_text(json.dumps({"format": "wpw-cassette", "version": 0}) + "\n", encoding="utf-8")
    with pytest.raises(CassetteError, match=r"version 0 .*reads version 1"):
        load(path)


def test_record_version_checked(tmp_path: Path) -> None:
    path = save(tmp_path / "c.jsonl", _cassette())
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[1] = lines[1].replace('"v":1', '"v":7')
    path.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(CassetteError, match="record version 7"):
        load(path)


@pytest.mark.parametrize("text", ["", "not json\n", '{"format":"other","version":1}\n'])
def test_not_a_cassette(tmp_path: Path, text: str) -> None:
    path = tmp_path / "x.jsonl"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CassetteError):
        load(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(CassetteError, match="cannot read"):
        load(tmp_path / "nope.jsonl")


def test_record_modes() -> None:
    assert RecordMode("once") is RecordMode.ONCE
    assert RecordMode("ALL") is RecordMode.ALL
    with pytest.raises(CassetteError, match="expected one of none, once, all"):
        RecordMode("onec")


def test_guard_refuses_and_writes_nothing(tmp_path: Path) -> None:
    class Refuse:
        def check_text(self, text: str, where: str) -> None:
            if "微信" in text:
                raise CassetteError(f"secret at {where}")

        def check_bytes(self, data: bytes, where: str) -> None:
            pass

    with pytest.raises(CassetteError, match="line 2"):
        save(tmp_path / "c.jsonl", _cassette(), guard=Refuse())
    assert not (tmp_path / "c.jsonl").exists()
