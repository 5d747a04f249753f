"""Pseudonymisation (opt-in): replace names and ids in a whole cassette, consistently.

Two passes over all records: first learn every personal value, then rewrite every string —
URLs, header values, UTF-8 bodies, event payloads — with one mapping, so the same input always
becomes the same output and a replay still matches:

- session UserNames ``@<hex>`` / ``@@<hex>``: the hex part becomes other hex of the same length
  (so it survives percent-encoding, ``@@`` room detection and length checks);
- ``wxid_…`` ids and ``<digits>@chatroom`` ids: same shape, other characters;
- display names (``NickName``, ``RemarkName``, ``DisplayName``, ``Alias``, pinyin fields, topics):
  ``Name1``, ``Name2``… replacing the raw wire spelling, its JSON-escaped spelling and its
  plain-text form (what the puppet's payloads carry), so names inside system messages and events
  follow;
- message texts (``texts=True``): ``Text1``, ``Text2``… for text messages and sent texts.

Binary bodies (media) are left alone.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import replace
from typing import Any

from .cassette import EventRecord, HttpRecord, HttpRequest, HttpResponse, Record

NAME_KEYS = frozenset(
    {
        "NickName",
        "RemarkName",
        "DisplayName",
        "Alias",
        "Topic",
        "NewTopic",
        "PYInitial",
        "PYQuanPin",
        "RemarkPYInitial",
        "RemarkPYQuanPin",
    }
)
_HEX_ID = re.compile(r"(?:@|%40|%2540)(?:@|%40|%2540)?([0-9a-f]{32,})")
_WXID = re.compile(r"wxid_[A-Za-z0-9_-]{3,}")
_CHATROOM = re.compile(r"(?<![0-9])([0-9]{6,})(?=@chatroom|%40chatroom)")
_ROOM_PREFIX = re.compile(r"^@[0-9a-f]{32,}:<br/>")


def _plain(markup: str) -> str:
    try:
        from ..protocol.text import plain_text
    except ImportError:  # pragma: no cover - the parser ships with the package
        return html.unescape(markup)
    return plain_text(markup)


def _json_values(value: Any, keys: frozenset[str]) -> Iterator[tuple[str, Any, Mapping[str, Any]]]:
    if isinstance(value, Mapping):
        for k, v in value.items():
            if k in keys:
                yield k, v, value
            yield from _json_values(v, keys)
    elif isinstance(value, list):
        for v in value:
            yield from _json_values(v, keys)


def _json_keys(value: Any) -> Iterator[str]:
    if isinstance(value, Mapping):
        for k, v in value.items():
            yield str(k)
            yield from _json_keys(v)
    elif isinstance(value, list):
        for v in value:
            yield from _json_keys(v)


def _texts(record: Record) -> Iterator[str]:
    if isinstance(record, EventRecord):
        yield json.dumps(record.payload, ensure_ascii=False)
        return
    if "/cgi-bin/" not in record.request.url:
        return
    yield record.request.url
    for message in (record.request, record.response):
        yield from message.headers.values()
        if message.body:
            try:
                yield message.body.decode("utf-8")
            except UnicodeDecodeError:
                continue


def _is_meaningful_name(name: str) -> bool:
    # a short lower-case ASCII "name" (`sex`, `ok`) would also match protocol words
    if len(name) < 2:
        return False
    return not (name.isascii() and len(name) < 4 and name.islower())


def _name_pattern(name: str) -> str:
    escaped = re.escape(name)
    if name.isascii() and len(name) < 6:
        # a short Latin name ("Eve") only as a whole word, never inside "Everything"
        return rf"(?<![A-Za-z0-9_]){escaped}(?![A-Za-z0-9_])"
    return escaped


class Pseudonymizer:
    """Consistent replacement of personal names and ids across one cassette."""

    def __init__(self, *, texts: bool = False, salt: bytes | None = None) -> None:
        self.texts = texts
        self._salt = salt if salt is not None else os.urandom(16)
        self._ids: dict[str, str] = {}  # hex / wxid / chatroom digits -> replacement
        self._names: dict[str, str] = {}  # any spelling of a name or text -> replacement
        self._keys: set[str] = set()  # JSON keys seen: a contact named "Ret" must not break JSON
        self._pattern: re.Pattern[str] | None = None

    def _digest(self, value: str, length: int) -> str:
        out = ""
        counter = 0
        while len(out) < length:
            data = self._salt + value.encode("utf-8") + counter.to_bytes(4, "big")
            out += hashlib.sha256(data).hexdigest()
            counter += 1
        return out[:length]

    # ------------------------------------------------------------------------------ learning

    def learn(self, records: list[Record]) -> None:
        """Collect every id and name of ``records``."""
        for record in records:
            for text in _texts(record):
                self._learn_ids(text)
                self._learn_json(text)

    def _learn_ids(self, text: str) -> None:
        for hex_part in _HEX_ID.findall(text):
            self._ids.setdefault(hex_part, self._digest(hex_part, len(hex_part)))
        for wxid in _WXID.findall(text):
            self._ids.setdefault(wxid, "wxid_" + self._digest(wxid, len(wxid) - 5))
        for digits in _CHATROOM.findall(text):
            fresh = str(int(self._digest(digits, 12), 16))[: len(digits)].rjust(len(digits), "1")
            self._ids.setdefault(digits, fresh)

    def _learn_json(self, text: str) -> None:
        if not text.startswith(("{", "[")):
            return
        try:
            value = json.loads(text)
        except ValueError:
            return
        self._keys.update(_json_keys(value))
        for _, name, _ in _json_values(value, NAME_KEYS):
            if isinstance(name, str) and _is_meaningful_name(name):
                self._add_name(name, "Name")
        if self.texts:
            for _, content, owner in _json_values(value, frozenset({"Content"})):
                if isinstance(content, str) and owner.get("MsgType", owner.get("Type")) == 1:
                    self._add_name(_ROOM_PREFIX.sub("", content), "Text")

    def _add_name(self, raw: str, prefix: str) -> None:
        if raw in self._names or not _is_meaningful_name(raw):
            return
        fresh = f"{prefix}{sum(1 for v in set(self._names.values()) if v.startswith(prefix)) + 1}"
        plain = _plain(raw)
        for spelling in {raw, plain, html.unescape(raw), html.escape(plain, quote=False)}:
            if _is_meaningful_name(spelling):
                for form in (spelling, json.dumps(spelling)[1:-1]):
                    self._names.setdefault(form, fresh)
                    self._names.setdefault(json.dumps(form)[1:-1], fresh)
        self._pattern = None

    # ------------------------------------------------------------------------------ rewriting

    def _compiled(self) -> re.Pattern[str] | None:
        if self._pattern is None and self._names:
            ordered = [n for n in sorted(self._names, key=len, reverse=True) if n not in self._keys]
            self._pattern = re.compile("|".join(_name_pattern(n) for n in ordered))
        return self._pattern

    def rewrite_text(self, text: str) -> str:
        """``text`` with every learned id and name replaced."""
        if self._ids:
            text = _HEX_ID.sub(
                lambda m: m.group(0).replace(m.group(1), self._ids[m.group(1)]), text
            )
            text = _WXID.sub(lambda m: self._ids.get(m.group(0), m.group(0)), text)
            text = _CHATROOM.sub(lambda m: self._ids.get(m.group(1), m.group(1)), text)
        pattern = self._compiled()
        if pattern is not None:
            text = pattern.sub(lambda m: self._names[m.group(0)], text)
        return text

    def _rewrite_body(self, body: bytes) -> bytes:
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            return body
        return self.rewrite_text(text).encode("utf-8")

    def _rewrite_json(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.rewrite_text(value)
        if isinstance(value, Mapping):
            return {k: self._rewrite_json(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self._rewrite_json(v) for v in value]
        return value

    def rewrite(self, record: Record) -> Record:
        """A pseudonymised copy of ``record``."""
        if isinstance(record, EventRecord):
            return replace(record, payload=self._rewrite_json(dict(record.payload)))
        assert isinstance(record, HttpRecord)
        req, resp = record.request, record.response
        if "/cgi-bin/" not in req.url:
            return record  # static assets (page, scripts, styles) hold no personal data
        headers = {k: self.rewrite_text(v) for k, v in resp.headers.items()}
        return replace(
            record,
            request=HttpRequest(
                method=req.method,
                url=self.rewrite_text(req.url),
                headers={k: self.rewrite_text(v) for k, v in req.headers.items()},
                body=None if req.body is None else self._rewrite_body(req.body),
            ),
            response=HttpResponse(
                status=resp.status,
                headers=headers,
                body=self._rewrite_body(resp.body),
                asset=resp.asset,
            ),
        )

    def apply(self, records: list[Record]) -> list[Record]:
        """Learn from all ``records``, then return them rewritten."""
        self.learn(records)
        return [self.rewrite(r) for r in records]
