"""Small sample media made with code (no binary files needed): JPEG, GIF, MP3/MP4 blobs, avatars."""

from __future__ import annotations

import functools
import hashlib
import io

from PIL import Image, ImageDraw


@functools.cache
def jpeg(width: int = 64, height: int = 48, color: str = "#3a7") -> bytes:
    """A small solid JPEG with a stripe."""
    img = Image.new("RGB", (width, height), color)
    ImageDraw.Draw(img).rectangle((0, height // 3, width, height // 2), fill="#fff")
    out = io.BytesIO()
    img.save(out, "JPEG", quality=80)
    return out.getvalue()


@functools.cache
def gif() -> bytes:
    """A tiny two-frame GIF (stickers)."""
    frames = [Image.new("P", (32, 32), i * 40) for i in range(2)]
    out = io.BytesIO()
    frames[0].save(out, "GIF", save_all=True, append_images=frames[1:], duration=200, loop=0)
    return out.getvalue()


def mp3(seconds: float = 2.0) -> bytes:
    """Opaque bytes that start like an MP3 file (an ID3 header and MPEG frame headers)."""
    frame = b"\xff\xfb\x90\x64" + bytes(413)
    return b"ID3\x03\x00\x00\x00\x00\x00\x00" + frame * max(1, int(seconds * 38))


def mp4(size: int = 40_000) -> bytes:
    """Opaque bytes that start like an MP4 file (an ``ftyp`` box), ``size`` long."""
    head = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"
    body = hashlib.sha256(b"video").digest() * (size // 32 + 1)
    return (head + body)[:size]


@functools.cache
def avatar(key: str, size: int = 132) -> bytes:
    """A deterministic avatar JPEG for a contact or room id."""
    digest = hashlib.md5(key.encode()).hexdigest()
    return jpeg(size, size, "#" + digest[:6])


def thumbnail(data: bytes, max_side: int = 120) -> bytes:
    """A JPEG thumbnail of an image, or the bytes unchanged when they are not an image."""
    try:
        img = Image.open(io.BytesIO(data))
        img.thumbnail((max_side, max_side))
        out = io.BytesIO()
        img.convert("RGB").save(out, "JPEG", quality=70)
        return out.getvalue()
    except Exception:  # opaque blobs (not decodable) are served as they are
        return data


def image_size(data: bytes) -> tuple[int, int]:
    """(width, height) of an image, or (0, 0)."""
    try:
        with Image.open(io.BytesIO(data)) as img:
            return img.size
    except Exception:  # not an image
        return 0, 0
