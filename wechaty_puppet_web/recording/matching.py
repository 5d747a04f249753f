"""Request matching for replay: which recorded exchange answers a request the page makes now.

A request is reduced to a :class:`RequestKey`: method, host, path, the query without volatile
parameters, and the body flattened to ``path → value`` pairs without volatile fields. Volatile means
"differs between two runs of the same session": cache busters (``r``, ``_``, ``rr``), the random
``DeviceID``, client-generated ``LocalID``/``ClientMsgId``/``ClientMediaId``, timestamps, the
session's secrets (their placeholders), ``SyncKey``/``synckey`` and the multipart boundary.

Requests with equal keys are answered in recorded order: the n-th ``synccheck`` gets the n-th
recorded ``synccheck`` response. A request whose key was never recorded raises
:class:`CassetteMismatchError` naming the nearest recorded request and what differs.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from ..errors import CassetteMismatchError
from .cassette import HttpRecord, HttpRequest

VOLATILE_QUERY = frozenset(
    {
        "r",
        "_",
        "rr",
        "pass_ticket",
        "skey",
        "sid",
        "uin",
        "deviceid",
        "synckey",
        "ticket",
        "webwx_data_ticket",
    }
)
VOLATILE_FIELDS = frozenset(
    {
        "BaseRequest",
        "DeviceID",
        "LocalID",
        "ClientMsgId",
        "ClientMediaId",
        "rr",
        "SyncKey",
        "Sid",
        "Skey",
        "skey",
        "Uin",
        "pass_ticket",
        "webwx_data_ticket",
        "lastModifiedDate",
        "id",  # multipart WU_FILE_<n>: a per-page counter
    }
)
# Telemetry whose body is timing noise: matched on the URL alone.
BODY_IGNORED_PATHS = ("/webwxstatreport", "/webwxreport")
LONG_POLL_PATHS = ("/cgi-bin/mmwebwx-bin/synccheck", "/cgi-bin/mmwebwx-bin/login")
# Reads that the page may repeat more often than while recording (the client re-POSTs webwxinit,
# refetches contacts): answering a repeat with the last recorded answer changes nothing.
REUSABLE_POST_PATHS = (
    "/webwxinit",
    "/webwxgetcontact",
    "/webwxbatchgetcontact",
    "/webwxstatusnotify",
    "/webwxstatreport",
    "/webwxreport",
)

Pairs = tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class RequestKey:
    """What identifies a request for matching."""

    method: str
    host: str
    path: str
    query: Pairs
    body: Pairs

    @property
    def is_long_poll(self) -> bool:
        """A login poll or synccheck: the server may hold these for ~25 s."""
        return self.path.endswith(LONG_POLL_PATHS)

    @property
    def is_reusable(self) -> bool:
        """A GET or a read-only POST: a repeat beyond the recording may get the last answer."""
        return self.method in ("GET", "HEAD") or self.path.endswith(REUSABLE_POST_PATHS)

    def describe(self) -> str:
        """``METHOD https://host/path?stable=query`` for error messages."""
        query = "&".join(f"{k}={v}" for k, v in self.query)
        return f"{self.method} https://{self.host}{self.path}" + (f"?{query}" if query else "")


# Empty means absent: the client sends `ChatRoomId: ""` or `EncryChatRoomId: ""` for the same
# contact depending on which code path queued the batch fetch.
EMPTY_MEANS_ABSENT = frozenset({"ChatRoomId", "EncryChatRoomId"})


def _flatten(value: Any, prefix: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(value, Mapping):
        for k, v in value.items():
            if str(k) in VOLATILE_FIELDS or (str(k) in EMPTY_MEANS_ABSENT and v == ""):
                continue
            yield from _flatten(v, f"{prefix}.{k}" if prefix else str(k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _flatten(v, f"{prefix}[{i}]")
    else:
        yield prefix, json.dumps(value, ensure_ascii=False)


def _json_pairs(text: str, prefix: str = "") -> Pairs | None:
    try:
        value = json.loads(text)
    except ValueError:
        return None
    if not isinstance(value, dict | list):
        return None
    return tuple(_flatten(value, prefix))


def _multipart_pairs(body: bytes, content_type: str) -> Pairs | None:
    boundary = content_type.partition("boundary=")[2].strip().strip('"')
    if not boundary:
        return None
    pairs: list[tuple[str, str]] = []
    for part in body.split(b"--" + boundary.encode("latin-1")):
        head, sep, data = part.partition(b"\r\n\r\n")
        if not sep:
            continue
        disposition = head.decode("latin-1")
        name = disposition.partition('name="')[2].partition('"')[0]
        data = data.removesuffix(b"\r\n")
        if not name or name in VOLATILE_FIELDS:
            continue
        if "filename=" in disposition:
            pairs.append((name, "sha256:" + hashlib.sha256(data).hexdigest()))
            continue
        text = data.decode("utf-8", "replace")
        pairs.extend(_json_pairs(text, name) or ((name, text),))
    return tuple(pairs)


def body_pairs(body: bytes | None, content_type: str, path: str) -> Pairs:
    """The body of a request as stable ``(field path, value)`` pairs."""
    if not body or path.endswith(BODY_IGNORED_PATHS):
        return ()
    if "multipart/form-data" in content_type:
        pairs = _multipart_pairs(body, content_type)
        if pairs is not None:
            return pairs
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return (("<bytes>", "sha256:" + hashlib.sha256(body).hexdigest()),)
    json_pairs = _json_pairs(text)
    if json_pairs is not None:
        return json_pairs
    if "x-www-form-urlencoded" in content_type or ("=" in text and " " not in text):
        return tuple(
            (k, v) for k, v in parse_qsl(text, keep_blank_values=True) if k not in VOLATILE_QUERY
        )
    return (("<text>", text),)


def request_key(request: HttpRequest) -> RequestKey:
    """Reduce a request to its :class:`RequestKey`."""
    parts = urlsplit(request.url)
    query = tuple(
        sorted(
            (k, v)
            for k, v in parse_qsl(parts.query, keep_blank_values=True)
            if k.lower() not in VOLATILE_QUERY
        )
    )
    content_type = next((v for k, v in request.headers.items() if k.lower() == "content-type"), "")
    return RequestKey(
        method=request.method.upper(),
        host=(parts.hostname or "").lower(),
        path=parts.path or "/",
        query=query,
        body=body_pairs(request.body, content_type, parts.path),
    )


def _pair_diffs(label: str, recorded: Pairs, got: Pairs) -> list[str]:
    rec, now = dict(recorded), dict(got)
    diffs = []
    for name in sorted(set(rec) | set(now)):
        if rec.get(name) != now.get(name):
            before = rec.get(name, "(absent)")
            after = now.get(name, "(absent)")
            diffs.append(f"{label} {name}: recorded {before[:80]}, got {after[:80]}")
    return diffs


def differences(recorded: RequestKey, got: RequestKey) -> list[str]:
    """Human-readable differences between two keys (recorded first)."""
    diffs = [
        f"{name}: recorded {a}, got {b}"
        for name, a, b in (
            ("method", recorded.method, got.method),
            ("host", recorded.host, got.host),
            ("path", recorded.path, got.path),
        )
        if a != b
    ]
    return (
        diffs
        + _pair_diffs("query", recorded.query, got.query)
        + _pair_diffs("body", recorded.body, got.body)
    )


def _distance(recorded: RequestKey, got: RequestKey) -> int:
    score = 1000 * (recorded.path != got.path) + 500 * (recorded.method != got.method)
    score += 100 * (recorded.host != got.host)
    score += 10 * len(_pair_diffs("q", recorded.query, got.query))
    return score + len(_pair_diffs("b", recorded.body, got.body))


@dataclass(frozen=True, slots=True, kw_only=True)
class Match:
    """The outcome of :meth:`Matcher.match`: a record to serve, or why there is none."""

    key: RequestKey
    record: HttpRecord | None
    served: int  # how many responses of this key were served before this one
    recorded: int  # how many were recorded


class Matcher:
    """Serves recorded exchanges to requests, in recorded order per :class:`RequestKey`."""

    def __init__(self, records: Sequence[HttpRecord]) -> None:
        self._by_key: dict[RequestKey, list[HttpRecord]] = {}
        for record in records:
            self._by_key.setdefault(request_key(record.request), []).append(record)
        self._served: dict[RequestKey, int] = {}

    def match(self, request: HttpRequest) -> Match:
        """The next unserved record for ``request`` (``record`` None when none is left).

        Raises:
            CassetteMismatchError: nothing like this request was ever recorded.
        """
        key = request_key(request)
        candidates = self._by_key.get(key)
        if candidates is None:
            raise self.mismatch(key)
        served = self._served.get(key, 0)
        if served >= len(candidates):
            return Match(key=key, record=None, served=served, recorded=len(candidates))
        self._served[key] = served + 1
        return Match(key=key, record=candidates[served], served=served, recorded=len(candidates))

    def last(self, key: RequestKey) -> HttpRecord:
        """The last recorded exchange of ``key`` (for idempotent repeats beyond the recording)."""
        return self._by_key[key][-1]

    def unserved(self) -> list[HttpRecord]:
        """Recorded exchanges the replay has not asked for (yet)."""
        left: list[HttpRecord] = []
        for key, records in self._by_key.items():
            left.extend(records[self._served.get(key, 0) :])
        return sorted(left, key=lambda r: r.seq)

    def mismatch(self, key: RequestKey) -> CassetteMismatchError:
        """The error for a request nothing matches, naming the nearest recorded request."""
        if not self._by_key:
            return CassetteMismatchError(
                f"no recorded response for {key.describe()}: empty cassette"
            )
        nearest_key = min(self._by_key, key=lambda k: _distance(k, key))
        nearest = self._by_key[nearest_key][0]
        diffs = differences(nearest_key, key)
        return CassetteMismatchError(
            f"no recorded response for {key.describe()}\n"
            f"  nearest recorded request: {nearest_key.describe()} (seq {nearest.seq})\n"
            + "".join(f"  - {d}\n" for d in diffs[:8])
        )

    def exhausted(self, match: Match) -> CassetteMismatchError:
        """The error for a request whose recorded responses were all served already."""
        seqs = ", ".join(str(r.seq) for r in self._by_key[match.key])
        return CassetteMismatchError(
            f"no recorded response left for {match.key.describe()}: all {match.recorded} "
            f"recorded response(s) (seq {seqs}) were already served"
        )
