"""The cassette format: a recorded web session, one JSON object per line.

A cassette is UTF-8 text. Every line is one JSON object serialised with ``sort_keys=True`` and
``ensure_ascii=False`` (so a diff of two recordings is readable). The first line is the header::

    {"created": "2026-01-01T00:00:00Z", "format": "wpw-cassette", "generator": "...",
     "meta": {...}, "pseudonymized": false, "redacted": true, "version": 1}

Every following line is a record with ``v`` (the record version, 1), ``seq`` (0, 1, 2… in the order
things happened), ``t`` (seconds since the recording started, millisecond precision) and ``kind``:

``"http"`` — one exchange the page made::

    {"kind": "http", "seq": 3, "t": 0.412, "v": 1,
     "request":  {"method": "POST", "url": "https://wx.qq.com/cgi-bin/...",
                  "headers": {"content-type": "..."}, "body": BODY | null},
     "response": {"status": 200, "headers": {"content-type": "...", "set-cookie": "a=1\\nb=2"},
                  "body": BODY}}

An optional ``events_sent`` (an int) counts the puppet events recorded before the request was
sent, and ``events_before`` those recorded before its response was seen. A replay with a puppet
attached serves the response once the puppet emitted ``events_sent`` events (they cannot depend
on this answer) and, while the puppet keeps emitting, ``events_before``: so events keep their
recorded order however fast the replay runs. ``events_before`` is only a soft bound because the
recorder sees a response late, possibly after events the response itself caused.

``"event"`` — one event the puppet emitted, as its ``to_json()``::

    {"kind": "event", "name": "message", "payload": {...}, "seq": 9, "t": 1.007, "v": 1}

``BODY`` is ``{"text": str}`` for UTF-8 content, ``{"base64": str}`` for other bytes,
``{"ref": sha256, "size": n}`` for a body larger than :data:`INLINE_LIMIT` bytes, stored raw in the
directory ``<stem>.bodies/<sha256>`` beside the cassette (the page's own app bundle is one), or
``{"asset": "vendor", "sha256": …, "size": n, "parts": {name: sha256}}`` for the sandbox web
client's third-party bundle: jQuery and AngularJS as published on npm (named
``jquery@1.12.4/dist/jquery.min.js``…) plus the package's ``xml2json.js``. Third-party code is never
copied into a cassette: a replay serves the bundle of the installed package (which carries the npm
files), so a cassette recorded on one machine replays on any other, with or without node.
Header names are lower case; several ``set-cookie`` headers are joined with a newline
(Playwright's convention).

Nothing is written before it is redacted (see :mod:`.redact`): :func:`save` takes a ``guard`` whose
``check_text``/``check_bytes`` refuse any line or body in which a known secret survived.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import logging
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit

from ..errors import CassetteError, PuppetWebError

_log = logging.getLogger(__name__)

FORMAT = "wpw-cassette"
VERSION = 1
INLINE_LIMIT = 64 * 1024


class RecordMode(StrEnum):
    """When to record (vcrpy's modes): NONE never, ONCE only a missing cassette, ALL always.

    A misspelt mode raises :class:`CassetteError` listing the valid ones.
    """

    NONE = "none"
    ONCE = "once"
    ALL = "all"

    @classmethod
    def _missing_(cls, value: object) -> RecordMode:
        if isinstance(value, str) and value.lower() in {m.value for m in cls}:
            return cls(value.lower())
        valid = ", ".join(m.value for m in cls)
        raise CassetteError(f"unknown record mode {value!r}: expected one of {valid}")


@dataclass(frozen=True, slots=True, kw_only=True)
class HttpRequest:
    """A request as the page sent it (headers: a lower-case subset)."""

    method: str
    url: str
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class HttpResponse:
    """A response as the page received it (body already decoded from any content-encoding)."""

    status: int
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""
    asset: str | None = None  # the packaged asset the body is (written as a reference)


@dataclass(frozen=True, slots=True, kw_only=True)
class HttpRecord:
    """One HTTP exchange."""

    seq: int
    t: float
    request: HttpRequest
    response: HttpResponse
    # puppet events recorded before the response was seen (a soft bound: see the module doc)
    events_before: int | None = None
    # puppet events recorded before the request was sent (a hard bound)
    events_sent: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class EventRecord:
    """One puppet event: its Wechaty name and its ``to_json()``."""

    seq: int
    t: float
    name: str
    payload: Mapping[str, Any]


Record = HttpRecord | EventRecord


@dataclass(frozen=True, slots=True, kw_only=True)
class Cassette:
    """A whole cassette in memory."""

    records: tuple[Record, ...]
    meta: Mapping[str, Any] = field(default_factory=dict)
    redacted: bool = True
    pseudonymized: bool = False
    created: str = ""

    @property
    def http(self) -> tuple[HttpRecord, ...]:
        """The HTTP exchanges, in order."""
        return tuple(r for r in self.records if isinstance(r, HttpRecord))

    @property
    def events(self) -> tuple[EventRecord, ...]:
        """The puppet events, in order."""
        return tuple(r for r in self.records if isinstance(r, EventRecord))


class Guard(Protocol):
    """What :func:`save` asks before writing anything (the redactor's safety scan)."""

    def check_text(self, text: str, where: str) -> None:
        """Raise :class:`CassetteError` if ``text`` still holds a secret."""

    def check_bytes(self, data: bytes, where: str) -> None:
        """Raise :class:`CassetteError` if ``data`` still holds a secret."""


def bodies_dir(path: Path) -> Path:
    """Where the large bodies of the cassette at ``path`` live."""
    return path.with_name(path.stem + ".bodies")


def dump_line(obj: Mapping[str, Any]) -> str:
    """One cassette line (without the newline): stable key order, real characters."""
    return json.dumps(obj, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def now_iso() -> str:
    """The current UTC time as the header's ``created`` value."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# ---------------------------------------------------------------------------------------- writing


class _BlobSink:
    """Collects large bodies to write beside the cassette."""

    def __init__(self) -> None:
        self.blobs: dict[str, bytes] = {}

    def encode(self, data: bytes) -> dict[str, Any]:
        if len(data) > INLINE_LIMIT:
            digest = hashlib.sha256(data).hexdigest()
            self.blobs[digest] = data
            return {"ref": digest, "size": len(data)}
        try:
            return {"text": data.decode("utf-8")}
        except UnicodeDecodeError:
            return {"base64": base64.b64encode(data).decode("ascii")}


VENDOR_ASSET = "vendor"


def _current_vendor() -> tuple[str, bytes, dict[str, str]]:
    """Path, bytes and parts (name -> sha256) of the installed sandbox's third-party bundle.

    Raises:
        SandboxAssetError: the installation lacks a third-party script.
    """
    from ..sandbox.webclient import vendor_bundle, vendor_parts

    path, body = vendor_bundle()
    return path, body, vendor_parts()


def packaged_asset(url: str, body: bytes) -> str | None:
    """:data:`VENDOR_ASSET` when ``body`` is the sandbox's third-party bundle, else None."""
    path = urlsplit(url).path
    if not path.rsplit("/", 1)[-1].startswith("vendor_"):
        return None
    try:
        current = _current_vendor()
    except (ImportError, PuppetWebError):
        return None
    return VENDOR_ASSET if current[1] == body else None


def _resolve_asset(obj: Mapping[str, Any], path: Path, where: str) -> bytes:
    if obj["asset"] != VENDOR_ASSET:
        raise CassetteError(f"{path}: {where}: unknown asset {obj['asset']!r}")
    try:
        _, body, parts = _current_vendor()
    except PuppetWebError as exc:
        raise CassetteError(f"{path}: {where}: cannot serve the page's scripts: {exc}") from exc
    if hashlib.sha256(body).hexdigest() != obj.get("sha256"):
        recorded = obj.get("parts")
        changed = (
            sorted(n for n in set(recorded) | set(parts) if recorded.get(n) != parts.get(n))
            if isinstance(recorded, Mapping)
            else ["the bundle"]
        )
        # same npm releases + a changed helper still serve the page; say what differs
        _log.warning(
            "%s: %s: the page's third-party bundle differs from the recording: %s",
            path,
            where,
            ", ".join(changed),
        )
    return body


def _encode_response_body(response: HttpResponse, sink: _BlobSink) -> dict[str, Any]:
    if response.asset is not None:
        digest = hashlib.sha256(response.body).hexdigest()
        ref = {"asset": response.asset, "sha256": digest, "size": len(response.body)}
        try:
            current = _current_vendor()
        except PuppetWebError:
            return ref
        return ref | {"parts": current[2]} if current[1] == response.body else ref
    return sink.encode(response.body)


def _encode_record(record: Record, sink: _BlobSink) -> dict[str, Any]:
    base: dict[str, Any] = {"v": VERSION, "seq": record.seq, "t": round(record.t, 3)}
    if isinstance(record, EventRecord):
        return base | {"kind": "event", "name": record.name, "payload": dict(record.payload)}
    req, resp = record.request, record.response
    if record.events_before is not None:
        base["events_before"] = record.events_before
    if record.events_sent is not None:
        base["events_sent"] = record.events_sent
    return base | {
        "kind": "http",
        "request": {
            "method": req.method,
            "url": req.url,
            "headers": dict(req.headers),
            "body": None if req.body is None else sink.encode(req.body),
        },
        "response": {
            "status": resp.status,
            "headers": dict(resp.headers),
            "body": _encode_response_body(resp, sink),
        },
    }


def encode_lines(cassette: Cassette) -> tuple[list[str], dict[str, bytes]]:
    """The cassette's lines (header first) and its large bodies by sha256."""
    header = {
        "format": FORMAT,
        "version": VERSION,
        "created": cassette.created or now_iso(),
        "generator": "wechaty-puppet-web",
        "redacted": cassette.redacted,
        "pseudonymized": cassette.pseudonymized,
        "meta": dict(cassette.meta),
    }
    sink = _BlobSink()
    lines = [dump_line(header)]
    lines.extend(dump_line(_encode_record(r, sink)) for r in cassette.records)
    return lines, sink.blobs


def save(path: str | os.PathLike[str], cassette: Cassette, *, guard: Guard | None = None) -> Path:
    """Write ``cassette`` to ``path`` (and its large bodies beside it), atomically.

    Raises:
        CassetteError: the guard found a secret; nothing is written then.
    """
    target = Path(path)
    lines, blobs = encode_lines(cassette)
    if guard is not None:
        for number, line in enumerate(lines):
            guard.check_text(line, f"line {number + 1}")
        for digest, data in blobs.items():
            guard.check_bytes(data, f"body {digest[:12]}")
    # A cassette holds a person's messages and contacts even when redacted: owner-only, like
    # the session file (folders we create 0700, files 0600 whatever the umask).
    target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    if blobs:
        store = bodies_dir(target)
        store.mkdir(mode=0o700, exist_ok=True)
        os.chmod(store, 0o700)
        for digest, data in blobs.items():
            _write_private(store / digest, data)
    tmp = target.with_name(target.name + ".tmp")
    _write_private(tmp, "".join(line + "\n" for line in lines).encode("utf-8"))
    tmp.replace(target)
    return target


def _write_private(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` with mode 0600 (an existing file is narrowed too)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        os.fchmod(handle.fileno(), 0o600)
        handle.write(data)


# ---------------------------------------------------------------------------------------- reading


def _decode_body(obj: Any, path: Path, where: str) -> bytes:
    if not isinstance(obj, Mapping):
        raise CassetteError(f"{path}: {where}: a body must be an object, got {obj!r:.60}")
    try:
        if "text" in obj:
            return str(obj["text"]).encode("utf-8")
        if "base64" in obj:
            return base64.b64decode(obj["base64"], validate=True)
        if "ref" in obj:
            return _read_blob(path, str(obj["ref"]), where)
        if "asset" in obj:
            return _resolve_asset(obj, path, where)
    except (binascii.Error, ValueError) as exc:
        raise CassetteError(f"{path}: {where}: bad body: {exc}") from exc
    raise CassetteError(f"{path}: {where}: a body needs 'text', 'base64' or 'ref'")


def _read_blob(path: Path, digest: str, where: str) -> bytes:
    blob = bodies_dir(path) / digest
    try:
        data = blob.read_bytes()
    except OSError as exc:
        raise CassetteError(f"{path}: {where}: missing body file {blob}") from exc
    if hashlib.sha256(data).hexdigest() != digest:
        raise CassetteError(f"{path}: {where}: body file {blob} does not match its sha256")
    return data


def _decode_http(obj: Mapping[str, Any], path: Path, where: str) -> HttpRecord:
    req, resp = obj["request"], obj["response"]
    body = req.get("body")
    resp_body = resp.get("body", {"text": ""})
    asset = resp_body.get("asset") if isinstance(resp_body, Mapping) else None
    events_before, events_sent = obj.get("events_before"), obj.get("events_sent")
    return HttpRecord(
        seq=int(obj["seq"]),
        t=float(obj["t"]),
        events_before=None if events_before is None else int(events_before),
        events_sent=None if events_sent is None else int(events_sent),
        request=HttpRequest(
            method=str(req["method"]),
            url=str(req["url"]),
            headers={str(k): str(v) for k, v in req.get("headers", {}).items()},
            body=None if body is None else _decode_body(body, path, where),
        ),
        response=HttpResponse(
            status=int(resp["status"]),
            headers={str(k): str(v) for k, v in resp.get("headers", {}).items()},
            body=_decode_body(resp_body, path, where),
            asset=None if asset is None else str(asset),
        ),
    )


def _decode_record(obj: Any, path: Path, where: str) -> Record:
    if not isinstance(obj, Mapping):
        raise CassetteError(f"{path}: {where}: a record must be a JSON object")
    if obj.get("v") != VERSION:
        raise CassetteError(
            f"{path}: {where}: record version {obj.get('v')!r}; this version of "
            f"wechaty-puppet-web reads record version {VERSION}"
        )
    try:
        if obj.get("kind") == "http":
            return _decode_http(obj, path, where)
        if obj.get("kind") == "event":
            payload = obj.get("payload") or {}
            return EventRecord(
                seq=int(obj["seq"]), t=float(obj["t"]), name=str(obj["name"]), payload=payload
            )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise CassetteError(f"{path}: {where}: malformed record: {exc!r}") from exc
    raise CassetteError(f"{path}: {where}: unknown record kind {obj.get('kind')!r}")


def check_header(header: Any, path: Path) -> Mapping[str, Any]:
    """Validate a header line's object.

    Raises:
        CassetteError: not a cassette, or another format version (the message names both).
    """
    if not isinstance(header, Mapping) or header.get("format") != FORMAT:
        raise CassetteError(f"{path}: not a {FORMAT} file (the first line is not its header)")
    version = header.get("version")
    if version != VERSION:
        raise CassetteError(
            f"{path}: cassette format version {version!r} is not supported: this version of "
            f"wechaty-puppet-web reads version {VERSION}; re-record the cassette "
            "(fixtures/record_all.py does it for the fixtures)"
        )
    return header


def _parse_lines(path: Path, lines: Sequence[str]) -> list[Any]:
    objs = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            objs.append(json.loads(line))
        except json.JSONDecodeError as exc:
            raise CassetteError(f"{path}: line {number}: not JSON ({exc.msg})") from exc
    return objs


def load(path: str | os.PathLike[str]) -> Cassette:
    """Read a cassette.

    Raises:
        CassetteError: missing, malformed, or of another format version.
    """
    source = Path(path)
    try:
        text = source.read_text(encoding="utf-8")
    except OSError as exc:
        raise CassetteError(f"cannot read cassette {source}: {exc.strerror}") from exc
    objs = _parse_lines(source, text.splitlines())
    if not objs:
        raise CassetteError(f"{source}: empty file, not a {FORMAT}")
    header = check_header(objs[0], source)
    records = tuple(
        _decode_record(obj, source, f"record {i}") for i, obj in enumerate(objs[1:], start=1)
    )
    return Cassette(
        records=records,
        meta=dict(header.get("meta") or {}),
        redacted=bool(header.get("redacted", True)),
        pseudonymized=bool(header.get("pseudonymized", False)),
        created=str(header.get("created", "")),
    )
