"""media: send plans, chunked upload and streamed download against a small fake page."""

from __future__ import annotations

import base64
import hashlib
import os
from collections.abc import Awaitable, Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

from wechaty_puppet_web.errors import (
    NotFoundError,
    NotSupportedError,
    ProtocolError,
    RateLimitedError,
    UploadError,
    WebWxError,
)
from wechaty_puppet_web.filebox import FileBox
from wechaty_puppet_web.payloads import UrlLinkPayload
from wechaty_puppet_web.protocol.raw import RawMessage
from wechaty_puppet_web.puppet.media import (
    CHUNK_SIZE,
    MAX_UPLOAD_BYTES,
    Download,
    chunk_count,
    download_bytes,
    download_to_path,
    filename_from_disposition,
    plan_send,
    upload,
    url_link_xml,
)
from wechaty_puppet_web.puppet.messaging import MessagingMixin


class FakePage:
    """Plays media.js: assembles uploads, serves one download in ≤ 786432-byte reads."""

    def __init__(self, *, body: bytes = b"", headers: Mapping[str, str] | None = None) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.received = bytearray()
        self.failures: list[UploadError] = []
        self.body = body
        self.headers = dict(headers or {})
        self.pos = 0
        self.closed = False

    async def call(
        self, name: str, args: Mapping[str, Any] | None = None, *, timeout: float | None = None
    ) -> Any:
        a = dict(args or {})
        self.calls.append((name, a))
        if name == "media.uploadChunk":
            if self.failures:
                raise self.failures.pop(0)
            self.received += base64.b64decode(a["data"])
            last = a["chunk"] == a["chunks"] - 1
            return {"MediaId": "@crypt_media" if last else "", "EncryFileName": a["name"]}
        if name == "media.download.open":
            return {
                "handle": 7,
                "contentType": self.headers.get("type", ""),
                "disposition": self.headers.get("disposition", ""),
            }
        if name == "media.download.read":
            part = self.body[self.pos : self.pos + 786432]
            self.pos += len(part)
            return {"data": base64.b64encode(part).decode(), "done": self.pos >= len(self.body)}
        if name == "media.download.close":
            self.closed = True
            return True
        raise AssertionError(name)


@pytest.mark.parametrize(
    ("name", "size", "msg_type", "mediatype"),
    [
        ("a.jpg", 10, 3, "pic"),
        ("a.JPEG", 10, 3, "pic"),
        ("a.png", 10, 3, "pic"),
        ("a.bmp", 10, 3, "pic"),
        ("a.mp4", 10, 43, "video"),
        ("a.mp4", 20 * 1024 * 1024, 49, "doc"),  # 20 MB and more: the client sends a file
        ("a.gif", 10, 47, "doc"),
        ("a.pdf", 10, 49, "doc"),
        ("noext", 10, 49, "doc"),
    ],
)
def test_plan_send(tmp_path: Path, name: str, size: int, msg_type: int, mediatype: str) -> None:
    path = tmp_path / "f"
    with path.open("wb") as fh:
        fh.truncate(size)
    plan = plan_send(FileBox.from_path(path, name=name, mimetype="application/octet-stream"))
    assert (plan.msg_type, plan.mediatype) == (msg_type, mediatype)


def test_plan_refuses_too_large_and_empty(tmp_path: Path) -> None:
    path = tmp_path / "big"
    with path.open("wb") as fh:
        fh.truncate(MAX_UPLOAD_BYTES + 1)
    with pytest.raises(UploadError, match="at most"):
        plan_send(FileBox.from_path(path, name="big.zip"))
    with pytest.raises(UploadError, match="empty"):
        plan_send(FileBox.from_bytes(b"", "e.txt"))


def test_chunk_count() -> None:
    assert [chunk_count(n) for n in (0, 1, CHUNK_SIZE, CHUNK_SIZE + 1, 3 * CHUNK_SIZE)] == [
        1,
        1,
        1,
        2,
        3,
    ]


async def test_upload_in_chunks() -> None:
    data = os.urandom(3 * CHUNK_SIZE + 17)
    fb = FileBox.from_bytes(data, "big.bin")
    page = FakePage()
    done = await upload(page, fb, plan_send(fb), "@peer")
    assert done.media_id == "@crypt_media"
    assert bytes(page.received) == data
    chunks = [a for n, a in page.calls if n == "media.uploadChunk"]
    assert [a["chunk"] for a in chunks] == [0, 1, 2, 3]
    assert {a["chunks"] for a in chunks} == {4}
    assert {a["md5"] for a in chunks} == {hashlib.md5(data).hexdigest()}
    assert {a["size"] for a in chunks} == {len(data)}
    assert len({a["clientMediaId"] for a in chunks}) == 1
    assert all(a["to"] == "@peer" and a["mediatype"] == "doc" for a in chunks)


async def test_upload_retries_transport_failures_only() -> None:
    fb = FileBox.from_bytes(b"x" * 10, "a.txt")
    page = FakePage()
    page.failures = [UploadError("webwxuploadmedia", -502, "HTTP 502")]
    assert (await upload(page, fb, plan_send(fb), "@p")).media_id == "@crypt_media"
    page = FakePage()
    page.failures = [UploadError("webwxuploadmedia", 1, "refused")]
    with pytest.raises(UploadError, match="refused"):
        await upload(page, fb, plan_send(fb), "@p")
    page = FakePage()
    page.failures = [UploadError("webwxuploadmedia", -1, "network")] * 3
    with pytest.raises(UploadError, match="network"):
        await upload(page, fb, plan_send(fb), "@p")


async def test_upload_without_media_id_is_an_error() -> None:
    class NoMediaId(FakePage):
        async def call(
            self, name: str, args: Mapping[str, Any] | None = None, *, timeout: float | None = None
        ) -> Any:
            await super().call(name, args, timeout=timeout)
            return {"MediaId": ""}

    fb = FileBox.from_bytes(b"abc", "a.txt")
    with pytest.raises(UploadError, match="no MediaId"):
        await upload(NoMediaId(), fb, plan_send(fb), "@p")


async def test_download_bytes_streams_several_reads() -> None:
    body = os.urandom(2 * 786432 + 5)
    page = FakePage(
        body=body, headers={"disposition": 'attachment; filename="r%C3%A9sum%C3%A9.pdf"'}
    )
    fb = await download_bytes(page, Download(kind="file", msg_id="1"), "1")
    assert fb.data == body and fb.name == "résumé.pdf" and fb.mimetype == "application/pdf"
    assert [n for n, _ in page.calls].count("media.download.read") == 3
    assert page.closed


async def test_download_to_path(tmp_path: Path) -> None:
    body = b"\xff\xd8\xff\xe0" + os.urandom(1_000_000)
    page = FakePage(body=body, headers={"type": "image/jpeg"})
    fb = await download_to_path(page, Download(kind="image", msg_id="9"), tmp_path / "o", "9.jpg")
    assert fb.path == tmp_path / "o" and (tmp_path / "o").read_bytes() == body
    assert fb.name == "9.jpg" and fb.mimetype == "image/jpeg"
    assert page.closed


async def test_download_uses_served_type_as_last_resort() -> None:
    page = FakePage(body=b"\x01\x02", headers={"type": "audio/amr; x=1"})
    fb = await download_bytes(page, Download(kind="voice", msg_id="3"), "3")
    assert fb.mimetype == "audio/amr"


async def test_download_open_without_handle() -> None:
    class Broken(FakePage):
        async def call(
            self, name: str, args: Mapping[str, Any] | None = None, *, timeout: float | None = None
        ) -> Any:
            return {"nope": 1}

    with pytest.raises(ProtocolError):
        await download_bytes(Broken(), Download(kind="image", msg_id="1"), "1.jpg")


@pytest.mark.parametrize(
    ("header", "name"),
    [
        ('attachment; filename="a b.txt"', "a b.txt"),
        ("attachment; filename=plain.zip", "plain.zip"),
        ("attachment; filename*=UTF-8''%E4%B8%AD.txt", "中.txt"),
        ('attachment; filename="../../etc/passwd"', "passwd"),
        ("inline", ""),
        ("", ""),
    ],
)
def test_filename_from_disposition(header: str, name: str) -> None:
    assert filename_from_disposition(header) == name


def test_url_link_xml_escapes() -> None:
    xml = url_link_xml(
        UrlLinkPayload(
            title="A & <B>", url="https://x.test/?a=1&b=2", description="d", thumbnail_url=""
        )
    )
    assert "<title>A &amp; &lt;B&gt;</title>" in xml
    assert "<url>https://x.test/?a=1&amp;b=2</url>" in xml
    assert "<type>5</type>" in xml


async def test_made_up_name_follows_the_bytes() -> None:
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40
    page = FakePage(body=png, headers={"type": "image/jpeg"})
    fb = await download_bytes(page, Download(kind="image", msg_id="9"), "9.jpg")
    assert (fb.name, fb.mimetype) == ("9.png", "image/png")
    page = FakePage(body=png, headers={"disposition": 'attachment; filename="keep.jpg"'})
    fb = await download_bytes(page, Download(kind="file", msg_id="9"), "9")
    assert fb.name == "keep.jpg"


async def test_concurrent_uploads_get_distinct_client_media_ids() -> None:
    page = FakePage()
    fb = FileBox.from_bytes(b"abc", "a.txt")
    for _ in range(5):
        await upload(page, fb, plan_send(fb), "@p")
    ids = [a["clientMediaId"] for n, a in page.calls if n == "media.uploadChunk"]
    assert len(set(ids)) == 5 and ids == sorted(ids)


# ---- MessagingMixin without a browser ----------------------------------------------------------

SELF = "@self"


class ScriptedPage(FakePage):
    """FakePage plus scripted answers for the send / recall / read-mark handlers."""

    def __init__(self, answers: dict[str, list[Any]], **kw: Any) -> None:
        super().__init__(**kw)
        self.answers = answers

    async def call(
        self, name: str, args: Mapping[str, Any] | None = None, *, timeout: float | None = None
    ) -> Any:
        if name in self.answers:
            self.calls.append((name, dict(args or {})))
            answer = self.answers[name].pop(0)
            if isinstance(answer, Exception):
                raise answer
            return answer
        return await super().call(name, args, timeout=timeout)


class Puppet(MessagingMixin):
    """The least a PuppetWeb provides to the mixin (see the cross-helper contract)."""

    def __init__(self, page: FakePage, messages: Sequence[RawMessage] = ()) -> None:
        self._bridge = page
        self.messages = {str(m["MsgId"]): m for m in messages}
        self.retries = 0

    def _require_login(self) -> str:
        return SELF

    def _raw_message(self, message_id: str) -> RawMessage:
        if message_id not in self.messages:
            raise NotFoundError("message", message_id)
        return self.messages[message_id]

    async def _remember_sent(self, raw: RawMessage) -> str:
        self.messages[str(raw["MsgId"])] = raw
        return str(raw["MsgId"])

    async def _retry_rate_limited(self, op: str, fn: Callable[[], Awaitable[Any]]) -> Any:
        for attempt in range(3):
            try:
                return await fn()
            except RateLimitedError:
                self.retries += 1
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")


def raw(msg_id: str, msg_type: int, **kw: Any) -> RawMessage:
    out: dict[str, Any] = {"MsgId": msg_id, "MsgType": msg_type, "FromUserName": "@alice",
                           "ToUserName": SELF, "Content": "", "CreateTime": 1}  # fmt: skip
    out.update(kw)
    return out  # type: ignore[return-value]


async def test_cards_cannot_be_sent() -> None:
    with pytest.raises(NotSupportedError, match="contact card"):
        await Puppet(FakePage()).message_send_contact("@alice", "@bob")


async def test_too_large_send_touches_no_page(tmp_path: Path) -> None:
    path = tmp_path / "big.zip"
    with path.open("wb") as fh:
        fh.truncate(MAX_UPLOAD_BYTES + 1)
    page = FakePage()
    with pytest.raises(UploadError):
        await Puppet(page).message_send_file("@alice", FileBox.from_path(path))
    assert page.calls == []


async def test_send_file_uploads_then_sends_and_remembers() -> None:
    sent = {"MsgId": "900", "MsgType": 3, "FromUserName": SELF, "ToUserName": "@alice"}
    page = ScriptedPage({"media.sendMedia": [sent]})
    puppet = Puppet(page)
    msg_id = await puppet.message_send_file("@alice", FileBox.from_bytes(b"\xff\xd8\xff1", "a.jpg"))
    assert msg_id == "900" and "900" in puppet.messages
    send = next(a for n, a in page.calls if n == "media.sendMedia")
    assert (send["msgType"], send["mediaId"], send["fileExt"]) == (3, "@crypt_media", "jpg")


async def test_rate_limited_send_is_retried_then_raised() -> None:
    limited = RateLimitedError("webwxsendmsgimg", 1205)
    page = ScriptedPage({"media.sendUrl": [limited, limited, limited]})
    puppet = Puppet(page)
    with pytest.raises(RateLimitedError):
        await puppet.message_send_url("@alice", UrlLinkPayload(title="t", url="https://u/"))
    assert puppet.retries == 3


async def test_recall_outcomes() -> None:
    answers = [{"ret": 0}, {"ret": -1, "errMsg": "late"}] + [{"ret": 1205}] * 3
    page = ScriptedPage({"media.recall": answers})
    puppet = Puppet(page, [raw("5", 1)])
    assert await puppet.message_recall("5") is True
    assert await puppet.message_recall("5") is False
    with pytest.raises(RateLimitedError):
        await puppet.message_recall("5")
    with pytest.raises(NotFoundError):
        await puppet.message_recall("404")


async def test_read_mark() -> None:
    page = ScriptedPage({"media.readMark": [{"ret": 0}, {"ret": 1101, "errMsg": "x"}]})
    puppet = Puppet(page)
    await puppet.conversation_read_mark("@alice")
    with pytest.raises(WebWxError):
        await puppet.conversation_read_mark("@alice")
    with pytest.raises(NotSupportedError):
        await puppet.conversation_read_mark("@alice", has_read=False)


async def test_forward_rules() -> None:
    page = ScriptedPage({"media.forward": [{"refused": "placeholder only"}]})
    puppet = Puppet(page, [raw("34", 34), raw("1", 1, Content="hi")])
    with pytest.raises(NotSupportedError, match="AUDIO"):
        await puppet.message_forward("@bob", "34")
    with pytest.raises(NotSupportedError, match="placeholder"):
        await puppet.message_forward("@bob", "1")


async def test_forward_falls_back_to_a_new_upload_when_media_is_refused() -> None:
    jpeg = b"\xff\xd8\xff\xe0" + b"1" * 100
    sent = {"MsgId": "77", "MsgType": 3, "FromUserName": SELF, "ToUserName": "@bob"}
    page = ScriptedPage(
        {"media.forward": [WebWxError("webwxsendmsgimg", 1)], "media.sendMedia": [sent]},
        body=jpeg,
    )
    puppet = Puppet(page, [raw("3", 3)])
    assert await puppet.message_forward("@bob", "3") == "77"
    assert bytes(page.received) == jpeg  # the original's bytes went up again


async def test_message_file_kinds() -> None:
    page = FakePage(body=b"ID3\x03" + b"0" * 10)
    puppet = Puppet(page, [raw("34", 34), raw("1", 1, Content="text")])
    voice = await puppet.message_file("34")
    assert voice.mimetype == "audio/mpeg" and voice.name.endswith(".mp3")
    opened = next(a for n, a in page.calls if n == "media.download.open")
    assert (opened["kind"], opened["msgId"]) == ("voice", "34")
    with pytest.raises(ProtocolError):
        await puppet.message_file("1")
    with pytest.raises(ProtocolError):
        await puppet.message_image("34")
