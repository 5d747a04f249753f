"""Answering contact batch lookups from everything a cassette's lookups returned.

The web client batches ``webwxbatchgetcontact`` lookups by timing: while recording it may ask for
``[room]`` and later ``[fmessage]``, while replaying ``[room, fmessage]`` at once. A replay then has
no recorded request to match, but it has every contact those lookups returned; the answer is
composed from them, in the server's shape (``BaseResponse``, ``Count``, ``ContactList``).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from .cassette import HttpRecord

BATCH_PATH = "/cgi-bin/mmwebwx-bin/webwxbatchgetcontact"


def _json(data: bytes | None) -> Any:
    try:
        return json.loads(data or b"")
    except ValueError:
        return None


class ContactDirectory:
    """Contacts returned by a cassette's batch lookups, by UserName."""

    def __init__(self, records: Sequence[HttpRecord]) -> None:
        self._contacts: dict[str, Any] = {}
        self._template: HttpRecord | None = None
        for record in records:
            if not record.request.url.split("?", 1)[0].endswith(BATCH_PATH):
                continue
            data = _json(record.response.body)
            if isinstance(data, dict):
                self._template = record
                for contact in data.get("ContactList") or ():
                    if isinstance(contact, dict) and contact.get("UserName"):
                        self._contacts[str(contact["UserName"])] = contact

    @property
    def template(self) -> HttpRecord | None:
        """A recorded lookup (its status and headers are reused)."""
        return self._template

    def answer(self, request_body: bytes | None) -> bytes | None:
        """A lookup answer for the requested UserNames (None when none of them is known)."""
        data = _json(request_body)
        wanted = data.get("List") if isinstance(data, dict) else None
        if not isinstance(wanted, list):
            return None
        names = [str(item.get("UserName", "")) for item in wanted if isinstance(item, dict)]
        found = [self._contacts[n] for n in names if n in self._contacts]
        if not found:
            return None
        body = {
            "BaseResponse": {"Ret": 0, "ErrMsg": ""},
            "Count": len(found),
            "ContactList": found,
        }
        return json.dumps(body, ensure_ascii=False).encode("utf-8")
