"""Redaction: find the session's secrets in what was recorded and replace them with placeholders.

Secrets are *learned* from the places they are known to live — cookie headers, query strings and
form bodies (``skey``, ``pass_ticket``, ``sid``/``wxsid``, ``uin``/``wxuin``, ``deviceid``,
``synckey``, ``ticket``, ``webwx_data_ticket``, the login ``uuid`` and its QR URLs), the
``BaseRequest`` of JSON bodies (``Sid``, ``Uin``, ``Skey``, ``DeviceID``), ``SKey``/``Ticket``/
``AESKey`` fields, the ``<skey>``/``<wxsid>``/``<wxuin>``/``<pass_ticket>`` of the newloginpage
XML, multipart upload fields and the ``extspam`` header — and then every occurrence of each
learned value is replaced *everywhere* (URLs, headers, bodies of any kind, event payloads), in its
plain, percent-encoded (once and twice), ``+``-encoded and JSON-escaped spellings.

The same secret always gets the same placeholder within a cassette (``REDACTED_skey_1``), so a
replay still matches consistently. Numeric secrets (uins) get numeric placeholders, because the page
and the server treat ``Uin`` as a number. Placeholders use only URL-safe characters, so encoding
cannot change them.

:meth:`Redactor.check_text` / :meth:`Redactor.check_bytes` are the last safety scan before anything
is written: they raise :class:`CassetteError` when a known secret value is still present.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any
from urllib.parse import quote, quote_plus, unquote, urlsplit

from ..errors import CassetteError
from .cassette import EventRecord, HttpRequest, HttpResponse, Record

# Cookies that carry no secret: kept as they are (the page reads some of them, e.g. mm_lang).
BENIGN_COOKIES = frozenset(
    {
        "mm_lang",
        "wxloadtime",
        "MM_WX_NOTIFY_STATE",
        "MM_WX_SOUND_STATE",
        "login_frequency",
        "refreshTimes",
        "pgv_pvi",
        "pgv_si",
    }
)
# Values that look like secrets by position but are not (the browser sends `pass_ticket=undefined`).
NOT_SECRETS = frozenset({"undefined", "null", "true", "false", "none", "0"})
MIN_SECRET_LEN = 5
NUMERIC_PLACEHOLDER_BASE = 9_000_000_000

_KIND_OF = {
    "skey": "skey",
    "sid": "sid",
    "wxsid": "sid",
    "uin": "uin",
    "wxuin": "uin",
    "deviceid": "deviceid",
    "pass_ticket": "pass_ticket",
    "ticket": "ticket",
    "verifyuserticket": "ticket",
    "webwx_data_ticket": "webwx_data_ticket",
    "webwx_auth_ticket": "webwx_auth_ticket",
    "synckey": "synckey",
    "aeskey": "upload_key",
    "extspam": "extspam",
    "uuid": "uuid",
}

_QUERY_RE = re.compile(
    r"(?:^|(?<=[?&;\s\"'(]))(skey|pass_ticket|sid|wxsid|uin|wxuin|deviceid|ticket|"
    r"webwx_data_ticket|synckey|uuid)=([^&\s\"'<>;#]+)",
    re.IGNORECASE,
)
_JSON_RE = re.compile(
    r"\"(Sid|Skey|SKey|skey|DeviceID|Uin|pass_ticket|Ticket|VerifyUserTicket|"
    r"webwx_data_ticket|AESKey)\"\s*:\s*(\"(?:[^\"\\]|\\.)*\"|-?\d+)"
)
# The login uuid names the QR login (and is the key of its /l/ and /qrcode/ URLs): the jslogin
# answer, those URL paths and the `uuid=` queries above.
_UUID_RE = re.compile(
    r"QRLogin\.uuid\s*=\s*\\?\"([^\"\\]+)\\?\"|/(?:qrcode|l)/([A-Za-z0-9_=+-]{8,})"
)
_XML_RE = re.compile(r"<(skey|wxsid|wxuin|pass_ticket)>([^<]*)</\1>")
_MULTIPART_RE = re.compile(
    r"name=\"(webwx_data_ticket|pass_ticket)\"\r?\n(?:[^\r\n]+\r?\n)*?\r?\n([^\r\n]*)"
)


def is_api_url(url: str) -> bool:
    """Whether ``url`` is a protocol endpoint (not a page, script, style or image asset)."""
    path = urlsplit(url).path
    return path.startswith("/cgi-bin/") or path == "/jslogin"


def _kind(name: str) -> str:
    return _KIND_OF.get(name.lower(), name.lower())


def _spellings(value: str) -> set[str]:
    """The ways ``value`` can appear in recorded text."""
    out = {value}
    for v in (value, unquote(value), unquote(unquote(value))):
        out |= {v, quote(v, safe=""), quote(quote(v, safe=""), safe=""), quote_plus(v)}
        out.add(json.dumps(v)[1:-1])
        out.add(v.replace("/", "\\/"))
    return {s for s in out if s}


class Redactor:
    """Learns the secrets of one cassette and replaces them with stable placeholders."""

    def __init__(self) -> None:
        self._placeholders: dict[str, str] = {}  # canonical secret -> placeholder
        self._spelled: dict[str, str] = {}  # any spelling -> placeholder
        self._counts: dict[str, int] = {}
        self._pattern: re.Pattern[str] | None = None

    # ------------------------------------------------------------------------------ learning

    def add(self, value: str, kind: str) -> str | None:
        """Register a secret; returns its placeholder (None when the value is too trivial)."""
        value = value.strip()
        if len(value) < MIN_SECRET_LEN or value.lower() in NOT_SECRETS:
            return None
        if self._is_placeholder(value):
            return value
        canonical = unquote(unquote(value))
        existing = self._placeholders.get(canonical) or self._spelled.get(value)
        if existing is not None:
            return existing
        placeholder = self._new_placeholder(canonical, kind)
        self._placeholders[canonical] = placeholder
        for spelling in _spellings(value):
            self._spelled.setdefault(spelling, placeholder)
        self._pattern = None
        return placeholder

    def _new_placeholder(self, value: str, kind: str) -> str:
        n = self._counts.get(kind, 0) + 1
        self._counts[kind] = n
        if value.isdigit():
            return str(NUMERIC_PLACEHOLDER_BASE + len(self._placeholders) + 1)
        return f"REDACTED_{kind}_{n}"

    def _is_placeholder(self, value: str) -> bool:
        return value.startswith("REDACTED_") or value in self._placeholders.values()

    def learn_text(self, text: str) -> None:
        """Learn every secret found by position in ``text`` (URL, body, header value)."""
        for name, value in _QUERY_RE.findall(text):
            self.add(value, _kind(name))
        for name, raw in _JSON_RE.findall(text):
            value = json.loads(raw) if raw.startswith('"') else raw
            self.add(str(value), _kind(name))
        for name, value in _XML_RE.findall(text):
            self.add(value, _kind(name))
        for name, value in _MULTIPART_RE.findall(text):
            self.add(value, _kind(name))
        for assigned, in_path in _UUID_RE.findall(text):
            self.add(assigned or in_path, "uuid")

    def learn_cookies(self, header: str, *, set_cookie: bool) -> None:
        """Learn the values of a ``cookie`` or (newline-joined) ``set-cookie`` header."""
        pairs = header.split("\n") if set_cookie else header.split(";")
        for pair in pairs:
            first = pair.split(";", 1)[0] if set_cookie else pair
            name, sep, value = first.strip().partition("=")
            if sep and name not in BENIGN_COOKIES:
                self.add(value, _kind(name))

    def learn_headers(self, headers: Mapping[str, str]) -> None:
        """Learn from request/response headers (cookies, extspam, URLs in other headers)."""
        for name, value in headers.items():
            lower = name.lower()
            if lower in ("cookie", "set-cookie"):
                self.learn_cookies(value, set_cookie=lower == "set-cookie")
            elif lower == "extspam":
                self.add(value, "extspam")
            else:
                self.learn_text(value)

    def learn_record(self, record: Record) -> None:
        """Learn every secret of one record."""
        if isinstance(record, EventRecord):
            self.learn_text(json.dumps(record.payload, ensure_ascii=False))
            return
        api = is_api_url(record.request.url)
        for message in (record.request, record.response):
            self.learn_headers(message.headers)
            # only protocol bodies are searched by position: in a script, `;uin=c.Uin` would
            # "teach" a secret and its replacement would then break the code
            if message.body and api:
                self.learn_text(message.body.decode("utf-8", "replace"))
        self.learn_text(record.request.url)

    def secrets(self) -> Iterable[str]:
        """Every known secret spelling (for tests and the safety scan)."""
        return self._spelled.keys()

    # ------------------------------------------------------------------------------ replacing

    def _compiled(self) -> re.Pattern[str] | None:
        if self._pattern is None and self._spelled:
            alternatives = []
            for spelling in sorted(self._spelled, key=len, reverse=True):
                escaped = re.escape(spelling)
                if spelling.isdigit():
                    # a uin inside a longer number (a MsgId, a timestamp) is not that uin
                    escaped = rf"(?<![0-9]){escaped}(?![0-9])"
                alternatives.append(escaped)
            self._pattern = re.compile("|".join(alternatives))
        return self._pattern

    def redact_text(self, text: str) -> str:
        """``text`` with every known secret spelling replaced by its placeholder."""
        pattern = self._compiled()
        if pattern is None:
            return text
        return pattern.sub(lambda m: self._spelled[m.group(0)], text)

    def redact_bytes(self, data: bytes) -> bytes:
        """Like :meth:`redact_text` for bodies of any kind (binary parts stay untouched)."""
        if not self._spelled:
            return data
        try:
            return self.redact_text(data.decode("utf-8")).encode("utf-8")
        except UnicodeDecodeError:
            # latin-1 maps bytes 1:1, so a multipart body with a JPEG in it survives intact
            return self.redact_text(data.decode("latin-1")).encode("latin-1", "replace")

    def redact_headers(self, headers: Mapping[str, str]) -> dict[str, str]:
        """Headers with cookie values and every other secret replaced."""
        out: dict[str, str] = {}
        for name, value in headers.items():
            lower = name.lower()
            if lower in ("cookie", "set-cookie"):
                value = self._redact_cookie_header(value, set_cookie=lower == "set-cookie")
            elif lower == "extspam":
                value = self.add(value, "extspam") or "REDACTED_extspam"
            out[name] = self.redact_text(value)
        return out

    def _redact_cookie_header(self, header: str, *, set_cookie: bool) -> str:
        parts = header.split("\n") if set_cookie else header.split(";")
        out = []
        for part in parts:
            first, sep_attrs, attrs = part.partition(";") if set_cookie else (part, "", "")
            name, sep, value = first.strip().partition("=")
            if sep and name not in BENIGN_COOKIES:
                value = self.add(value, _kind(name)) or f"REDACTED_{_kind(name)}"
            cookie = f"{name}{sep}{value}" + (sep_attrs + attrs if set_cookie else "")
            out.append(cookie)
        return "\n".join(out) if set_cookie else "; ".join(out)

    def redact_record(self, record: Record) -> Record:
        """A copy of ``record`` with every known secret replaced."""
        if isinstance(record, EventRecord):
            return replace(record, payload=self._redact_json(record.payload))
        req, resp = record.request, record.response
        return replace(
            record,
            request=HttpRequest(
                method=req.method,
                url=self.redact_text(req.url),
                headers=self.redact_headers(req.headers),
                body=None if req.body is None else self.redact_bytes(req.body),
            ),
            response=HttpResponse(
                status=resp.status,
                headers=self.redact_headers(resp.headers),
                # a packaged asset is not written, and holds no session data
                body=resp.body if resp.asset else self.redact_bytes(resp.body),
                asset=resp.asset,
            ),
        )

    def _redact_json(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.redact_text(value)
        if isinstance(value, Mapping):
            return {k: self._redact_json(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self._redact_json(v) for v in value]
        if isinstance(value, int) and not isinstance(value, bool):
            text = self.redact_text(str(value))
            if text == str(value):
                return value
            return int(text) if text.lstrip("-").isdigit() else text
        return value

    def redact_all(self, records: Iterable[Record]) -> list[Record]:
        """Learn from all records first, then redact each (a secret seen late is still caught)."""
        materialised = list(records)
        for record in materialised:
            self.learn_record(record)
        return [self.redact_record(r) for r in materialised]

    # ------------------------------------------------------------------------------ safety scan

    def check_text(self, text: str, where: str) -> None:
        """Raise if a known secret is still in ``text`` (the message never shows the secret).

        Raises:
            CassetteError: a secret survived redaction.
        """
        pattern = self._compiled()
        match = pattern.search(text) if pattern is not None else None
        if match is not None:
            placeholder = self._spelled[match.group(0)]
            raise CassetteError(
                f"refusing to write the cassette: {where} still holds the secret that "
                f"{placeholder} stands for"
            )

    def check_bytes(self, data: bytes, where: str) -> None:
        """:meth:`check_text` for a body.

        Raises:
            CassetteError: a secret survived redaction.
        """
        self.check_text(data.decode("latin-1"), where)
        self.check_text(data.decode("utf-8", "replace"), where)
