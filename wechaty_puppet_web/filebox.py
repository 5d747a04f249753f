"""FileBox: a named blob of bytes (in memory or on disk) that the puppet sends and receives.

A FileBox is what ``message_send_file`` takes and what ``message_file`` / ``message_image`` /
``contact_avatar`` return. It knows its name and MIME type; the type is guessed from the bytes
(magic numbers) for media and from the name otherwise, because WeChat serves stickers as
``image/jpeg`` even when the bytes are a GIF.
"""

from __future__ import annotations

import base64
import hashlib
import mimetypes
import os
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path, PurePath

import aiofiles

__all__ = ["FileBox", "extension_for", "guess_mimetype"]

_READ_BLOCK = 1 << 20
OCTET_STREAM = "application/octet-stream"

# Our own table first: the system's mime.types differs between machines and tests must not.
_BY_EXT: dict[str, str] = {
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "gif": "image/gif",
    "bmp": "image/bmp",
    "webp": "image/webp",
    "mp4": "video/mp4",
    "mp3": "audio/mpeg",
    "amr": "audio/amr",
    "silk": "audio/silk",
    "txt": "text/plain",
    "pdf": "application/pdf",
    "zip": "application/zip",
    "json": "application/json",
    "doc": "application/msword",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
_EXT_BY_TYPE: dict[str, str] = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/gif": "gif",
    "image/bmp": "bmp",
    "image/webp": "webp",
    "video/mp4": "mp4",
    "audio/mpeg": "mp3",
    "application/pdf": "pdf",
    "application/zip": "zip",
    "text/plain": "txt",
}


def _sniff(head: bytes) -> str | None:
    """The MIME type the first bytes announce, or None when they say nothing we trust."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if head.startswith(b"BM") and len(head) >= 14:
        return "image/bmp"
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "image/webp"
    if head[4:8] == b"ftyp":
        return "video/mp4"
    if head.startswith(b"ID3") or head[:2] in (b"\xff\xfb", b"\xff\xf3", b"\xff\xf2"):
        return "audio/mpeg"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"PK\x03\x04"):
        return "application/zip"
    return None


def _by_name(name: str) -> str | None:
    ext = PurePath(name).suffix.lower().lstrip(".")
    if not ext:
        return None
    return _BY_EXT.get(ext) or mimetypes.guess_type(f"x.{ext}", strict=False)[0]


def guess_mimetype(name: str, head: bytes = b"") -> str:
    """Guess a MIME type from a file name and the file's first bytes.

    Media magic (image/video/audio) wins over the name; for other files the name wins (a .docx
    is a zip inside), then any magic, then ``application/octet-stream``.
    """
    sniffed = _sniff(head)
    if sniffed is not None and sniffed.split("/")[0] in ("image", "video", "audio"):
        return sniffed
    return _by_name(name) or sniffed or OCTET_STREAM


def extension_for(name: str, mimetype: str) -> str:
    """The lower-case extension (no dot) of ``name``, else the usual one for ``mimetype``."""
    ext = PurePath(name).suffix.lower().lstrip(".")
    if ext:
        return ext
    return _EXT_BY_TYPE.get(mimetype) or (mimetypes.guess_extension(mimetype) or "").lstrip(".")


@dataclass(frozen=True, slots=True, kw_only=True)
class FileBox:
    """A named file held in memory (``data``) or on disk (``path``); exactly one is set."""

    name: str
    mimetype: str
    data: bytes | None = field(default=None, repr=False)
    path: Path | None = None

    def __post_init__(self) -> None:
        if (self.data is None) == (self.path is None):
            raise ValueError("a FileBox holds either data or a path, not both or neither")
        if not self.name:
            raise ValueError("a FileBox needs a name")

    @classmethod
    def from_bytes(cls, data: bytes, name: str, mimetype: str | None = None) -> FileBox:
        """A FileBox over bytes in memory; the type is guessed when not given."""
        return cls(name=name, mimetype=mimetype or guess_mimetype(name, data[:64]), data=data)

    @classmethod
    def from_base64(cls, b64: str, name: str, mimetype: str | None = None) -> FileBox:
        """A FileBox over base64 text (no ``data:`` URL prefix).

        Raises:
            ValueError: the text is not valid base64.
        """
        return cls.from_bytes(base64.b64decode(b64, validate=True), name, mimetype)

    @classmethod
    def from_path(
        cls, path: str | os.PathLike[str], name: str | None = None, mimetype: str | None = None
    ) -> FileBox:
        """A FileBox over a file on disk, read lazily; the name defaults to the file's.

        Raises:
            FileNotFoundError: there is no such file.
        """
        p = Path(path)
        with p.open("rb") as fh:
            head = fh.read(64)
        label = name or p.name
        return cls(name=label, mimetype=mimetype or guess_mimetype(label, head), path=p)

    @property
    def size(self) -> int:
        """Size in bytes."""
        if self.data is not None:
            return len(self.data)
        assert self.path is not None
        return self.path.stat().st_size

    @property
    def extension(self) -> str:
        """Lower-case extension without the dot (from the name, else from the type)."""
        return extension_for(self.name, self.mimetype)

    @property
    def sha256(self) -> str:
        """Hex SHA-256 of the content (reads a path-backed file in blocks)."""
        return self._digest("sha256")

    @property
    def md5(self) -> str:
        """Hex MD5 of the content: the upload form's ``FileMd5`` needs it."""
        return self._digest("md5")

    def _digest(self, algo: str) -> str:
        h = hashlib.new(algo)
        if self.data is not None:
            h.update(self.data)
            return h.hexdigest()
        assert self.path is not None
        with self.path.open("rb") as fh:
            while block := fh.read(_READ_BLOCK):
                h.update(block)
        return h.hexdigest()

    async def read(self) -> bytes:
        """The whole content."""
        if self.data is not None:
            return self.data
        assert self.path is not None
        async with aiofiles.open(self.path, "rb") as fh:
            return await fh.read()

    async def iter_chunks(self, chunk_size: int) -> AsyncIterator[bytes]:
        """Yield the content in blocks of ``chunk_size`` bytes (the last may be shorter)."""
        if self.data is not None:
            for start in range(0, len(self.data), chunk_size):
                yield self.data[start : start + chunk_size]
            return
        assert self.path is not None
        async with aiofiles.open(self.path, "rb") as fh:
            while block := await fh.read(chunk_size):
                yield block

    async def save(self, path: str | os.PathLike[str], *, overwrite: bool = False) -> Path:
        """Write the content to ``path`` (a directory means ``path/name``); return the file.

        Raises:
            FileExistsError: the target exists and ``overwrite`` is false.
        """
        target = Path(path)
        if target.is_dir():
            target = target / PurePath(self.name).name
        if target.exists() and not overwrite:
            raise FileExistsError(f"{target} exists (pass overwrite=True to replace it)")
        async with aiofiles.open(target, "wb") as out:
            if self.data is not None:
                await out.write(self.data)
            else:
                assert self.path is not None
                async with aiofiles.open(self.path, "rb") as src:
                    while block := await src.read(_READ_BLOCK):
                        await out.write(block)
        return target

    async def to_base64(self) -> str:
        """The content as base64 text."""
        return base64.b64encode(await self.read()).decode("ascii")
