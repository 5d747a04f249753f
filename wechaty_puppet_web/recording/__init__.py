"""Record web sessions to cassettes and replay them offline (:mod:`.cassette` has the format)."""

from __future__ import annotations

from .cassette import (
    Cassette,
    EventRecord,
    HttpRecord,
    HttpRequest,
    HttpResponse,
    RecordMode,
    load,
    save,
)
from .matching import Matcher, RequestKey, request_key
from .pseudonym import Pseudonymizer
from .recorder import Recorder
from .redact import Redactor
from .replayer import Replayer

__all__ = [
    "Cassette",
    "EventRecord",
    "HttpRecord",
    "HttpRequest",
    "HttpResponse",
    "Matcher",
    "Pseudonymizer",
    "RecordMode",
    "Recorder",
    "Redactor",
    "Replayer",
    "RequestKey",
    "load",
    "request_key",
    "save",
]
