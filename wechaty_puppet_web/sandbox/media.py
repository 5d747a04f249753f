"""Uploaded media, kept by MediaId so bot sends reach the world with the same bytes."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from . import ids


@dataclass(frozen=True, slots=True, kw_only=True)
class StoredMedia:
    """One uploaded file."""

    media_id: str
    data: bytes
    name: str
    mime: str
    md5: str


@dataclass(slots=True)
class _Partial:
    chunks: dict[int, bytes] = field(default_factory=dict)
    total: int = 0


class MediaStore:
    """Finished uploads by MediaId plus chunked uploads in progress."""

    def __init__(self) -> None:
        self._media: dict[str, StoredMedia] = {}
        self._partial: dict[tuple[str, ...], _Partial] = {}

    def put(self, data: bytes, *, name: str, mime: str, media_id: str | None = None) -> StoredMedia:
        """Store a whole file; returns its record (a new ``@crypt_…`` MediaId unless given)."""
        rec = StoredMedia(
            media_id=media_id or ids.media_id(),
            data=data,
            name=name,
            mime=mime,
            md5=hashlib.md5(data).hexdigest(),
        )
        self._media[rec.media_id] = rec
        return rec

    def get(self, media_id: str) -> StoredMedia | None:
        """A finished upload."""
        return self._media.get(media_id)

    def by_md5(self, md5: str) -> StoredMedia | None:
        """A finished upload with this MD5 (checkupload's "already on the server")."""
        for rec in self._media.values():
            if rec.md5 == md5:
                return rec
        return None

    def add_chunk(self, key: tuple[str, ...], index: int, count: int, data: bytes) -> bytes | None:
        """Record chunk ``index`` of ``count``; the whole file once every chunk is in."""
        part = self._partial.setdefault(key, _Partial(total=count))
        part.chunks[index] = data
        if len(part.chunks) < part.total:
            return None
        del self._partial[key]
        return b"".join(part.chunks[i] for i in range(part.total) if i in part.chunks)
