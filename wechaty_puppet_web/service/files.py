"""FileBoxes over the Puppet Service: the ``Upload``/``Download`` streams and the JSON form.

The TypeScript client sends a local file by streaming its bytes to ``Upload`` first and then
naming the returned id in a UUID FileBox; it reads a UUID FileBox the server returns through
``Download``. We keep uploads in memory, bounded in count and bytes, oldest dropped first. What we
return is a BASE64 FileBox, which every client reads without a second call.
"""

from __future__ import annotations

import uuid as uuidlib
from collections import OrderedDict

from ..errors import FileBoxError
from ..filebox import FileBox
from ..interop.filebox_json import fetch_url, filebox_from_json

CHUNK = 256 * 1024  # Download frame size
MAX_UPLOAD = 25 * 1024 * 1024  # the largest file web WeChat sends
MAX_STORED = 64  # uploads kept for their UUID FileBox to name them
MAX_STORED_BYTES = 200 * 1024 * 1024


class UploadStore:
    """Bytes uploaded through ``Upload``, by id."""

    def __init__(self) -> None:
        self._items: OrderedDict[str, bytes] = OrderedDict()

    def put(self, data: bytes) -> str:
        """Keep ``data``; return its id."""
        ident = str(uuidlib.uuid4())
        self._items[ident] = data
        while len(self._items) > MAX_STORED or (
            len(self._items) > 1 and sum(map(len, self._items.values())) > MAX_STORED_BYTES
        ):
            self._items.popitem(last=False)
        return ident

    async def get(self, ident: str) -> bytes:
        """The bytes of an upload.

        Raises:
            FileBoxError: unknown (or expired) id.
        """
        data = self._items.get(ident)
        if data is None:
            raise FileBoxError(f"no upload with id {ident!r} (unknown or expired)")
        return data


async def read_filebox(text: str, uploads: UploadStore) -> FileBox:
    """A FileBox a client sent (JSON of any of the four serialisable types)."""
    return await filebox_from_json(text, resolve_uuid=uploads.get, fetch_url=fetch_url)
