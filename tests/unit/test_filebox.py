"""FileBox: construction, type guessing, digests, read/save."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

import pytest

from wechaty_puppet_web.filebox import FileBox, extension_for, guess_mimetype

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32
GIF = b"GIF89a" + b"\x00" * 32
MP4 = b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 32


@pytest.mark.parametrize(
    ("name", "head", "expected"),
    [
        ("a.png", PNG, "image/png"),
        ("noext", JPEG, "image/jpeg"),
        ("sticker.jpg", GIF, "image/gif"),  # the bytes win for media: stickers come as "jpeg"
        ("clip", MP4, "video/mp4"),
        ("report.pdf", b"%PDF-1.4", "application/pdf"),
        (
            "doc.docx",
            b"PK\x03\x04",
            ("application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ),
        ("archive", b"PK\x03\x04", "application/zip"),
        ("notes.txt", b"hello", "text/plain"),
        ("blob", b"\x01\x02\x03", "application/octet-stream"),
        ("song.mp3", b"ID3\x03", "audio/mpeg"),
    ],
)
def test_guess_mimetype(name: str, head: bytes, expected: str) -> None:
    assert guess_mimetype(name, head) == expected


def test_extension_from_name_then_type() -> None:
    assert extension_for("Photo.JPG", "image/jpeg") == "jpg"
    assert extension_for("photo", "image/png") == "png"
    assert extension_for("x", "application/x-unheard-of") == ""


def test_from_bytes_size_and_digests() -> None:
    fb = FileBox.from_bytes(PNG, "p.png")
    assert fb.mimetype == "image/png"
    assert fb.size == len(PNG)
    assert fb.sha256 == hashlib.sha256(PNG).hexdigest()
    assert fb.md5 == hashlib.md5(PNG).hexdigest()
    assert fb.extension == "png"


def test_explicit_mimetype_is_kept() -> None:
    assert FileBox.from_bytes(b"abc", "x.bin", "application/x-custom").mimetype == (
        "application/x-custom"
    )


def test_from_base64_round_trip() -> None:
    fb = FileBox.from_base64(base64.b64encode(GIF).decode(), "g.gif")
    assert fb.data == GIF and fb.mimetype == "image/gif"


def test_from_base64_rejects_garbage() -> None:
    with pytest.raises(ValueError):
        FileBox.from_base64("not base64 !!", "x")


def test_exactly_one_source_and_a_name() -> None:
    with pytest.raises(ValueError):
        FileBox(name="x", mimetype="text/plain")
    with pytest.raises(ValueError):
        FileBox(name="x", mimetype="text/plain", data=b"1", path=Path("/tmp"))
    with pytest.raises(ValueError):
        FileBox(name="", mimetype="text/plain", data=b"1")


async def test_path_backed_read_save_and_chunks(tmp_path: Path) -> None:
    src = tmp_path / "big.bin"
    content = bytes(range(256)) * 5000  # 1.28 MB
    src.write_bytes(content)
    fb = FileBox.from_path(src)
    assert fb.name == "big.bin" and fb.size == len(content)
    assert fb.sha256 == hashlib.sha256(content).hexdigest()
    assert await fb.read() == content
    chunks = [c async for c in fb.iter_chunks(524288)]
    assert [len(c) for c in chunks] == [524288, 524288, len(content) - 2 * 524288]
    out = await fb.save(tmp_path / "copy.bin")
    assert out.read_bytes() == content
    assert await fb.to_base64() == base64.b64encode(content).decode()


async def test_save_into_directory_and_no_silent_overwrite(tmp_path: Path) -> None:
    fb = FileBox.from_bytes(b"hello", "../../evil.txt")
    target = await fb.save(tmp_path)
    assert target == tmp_path / "evil.txt" and target.read_bytes() == b"hello"
    with pytest.raises(FileExistsError):
        await fb.save(target)
    await FileBox.from_bytes(b"again", "x.txt").save(target, overwrite=True)
    assert target.read_bytes() == b"again"


async def test_memory_chunks() -> None:
    fb = FileBox.from_bytes(b"abcdefg", "x")
    assert [c async for c in fb.iter_chunks(3)] == [b"abc", b"def", b"g"]


def test_from_path_missing(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        FileBox.from_path(tmp_path / "nope")
