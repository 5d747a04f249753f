"""The puppet's view of its session file, on top of :class:`~.browser.session.SessionStore`.

Besides the cookies the puppet needs the API host the session lives on (a login may move the
page from wx.qq.com to wx2.qq.com, and the cookies only work there); the store keeps it as
``host`` but has no reader for it, so :func:`load_session` reads that one field itself.
Cookie values are secrets: nothing here logs them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .browser.session import SessionStore


@dataclass(frozen=True, slots=True, kw_only=True)
class SavedSession:
    """What a usable session file holds."""

    cookies: list[dict[str, Any]]
    host: str = ""


def load_session(path: Path | None) -> SavedSession | None:
    """The saved session, or ``None`` (no file, expired, corrupt: a scan follows)."""
    if path is None:
        return None
    cookies = SessionStore(path).load()
    if not cookies:
        return None
    host = ""
    try:
        document = json.loads(path.read_text("utf-8"))
        host = str(document.get("host") or "") if isinstance(document, dict) else ""
    except (OSError, ValueError):
        host = ""
    return SavedSession(cookies=cookies, host=host)


def save_session(
    path: Path, cookies: list[dict[str, Any]], *, host: str = "", uin: str = ""
) -> None:
    """Write the session (mode 0600, atomically).

    Raises:
        SessionError: the file could not be written.
    """
    SessionStore(path).save(cookies, host=host, uin=uin)


def clear_session(path: Path | None) -> None:
    """Delete the session file if there is one."""
    if path is not None:
        SessionStore(path).clear()
