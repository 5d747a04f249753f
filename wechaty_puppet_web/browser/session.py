"""A saved web WeChat session: the browser's cookies plus a little metadata, in a 0600 JSON file.

The file is written atomically (a temp file created with ``O_CREAT | O_EXCL`` and mode 0600, then
renamed over the target) so a crash never leaves a half-written or world-readable session, whatever
the umask. Cookie values are secrets: nothing here logs them (only counts and the path).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import secrets
import stat
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import SessionError

__all__ = ["FORMAT", "SESSION_COOKIES", "SavedSession", "SessionStore"]

_log = logging.getLogger(__name__)

FORMAT = "wpw-session"
_VERSION = 1
#: Without these the saved cookies cannot resume a login (protocol §1.3).
SESSION_COOKIES = frozenset({"wxuin", "wxsid"})
_COOKIE_KEYS = ("name", "value", "domain", "path", "expires", "httpOnly", "secure", "sameSite")


def _clean_cookie(cookie: Mapping[str, Any]) -> dict[str, Any]:
    """Keep the keys Playwright's ``add_cookies`` accepts; raise on a cookie without name/value."""
    if not isinstance(cookie.get("name"), str) or not isinstance(cookie.get("value"), str):
        raise SessionError("a cookie needs a string name and value")
    return {k: cookie[k] for k in _COOKIE_KEYS if k in cookie}


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


@dataclass(frozen=True, slots=True, kw_only=True)
class SavedSession:
    """A usable saved session: its live cookies and the metadata saved with them."""

    cookies: tuple[dict[str, Any], ...]
    host: str = ""
    url: str | None = None
    uin: str = ""
    saved_at: float | None = None


def _expired(cookie: Mapping[str, Any], now: float) -> bool:
    expires = cookie.get("expires", -1)
    # Playwright uses -1 for a browser-session cookie; those live as long as the file does.
    return isinstance(expires, (int, float)) and 0 < expires <= now


class SessionStore:
    """Saves and restores the cookies of one web WeChat session.

    Args:
        path: the session file.
        max_age: seconds after which a saved session counts as expired (None: only the
            cookies' own expiry times count).
    """

    def __init__(self, path: str | os.PathLike[str], *, max_age: float | None = None) -> None:
        self.path = Path(path)
        self.max_age = max_age

    def save(
        self,
        cookies: Iterable[Mapping[str, Any]],
        *,
        host: str = "",
        url: str | None = None,
        uin: str = "",
        now: float | None = None,
    ) -> None:
        """Write the session atomically with mode 0600.

        ``host`` is the API host the session belongs to (wx.qq.com, wx2.qq.com…) and ``url``
        the page URL to reopen; ``uin`` the account's uin, stored as given (no hash) so a restart
        can tell accounts apart.

        Raises:
            SessionError: a cookie is malformed or the file cannot be written.
        """
        jar = [_clean_cookie(c) for c in cookies]
        document = {
            "format": FORMAT,
            "version": _VERSION,
            "saved_at": time.time() if now is None else now,
            "host": host,
            "url": url,
            "uin": uin,
            "cookies": jar,
        }
        data = json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8")
        try:
            self._write_atomic(data)
        except OSError as exc:
            raise SessionError(f"cannot write session file {self.path}: {exc.strerror}") from exc
        _log.info("session saved to %s (%d cookies)", self.path, len(jar))

    def _write_atomic(self, data: bytes) -> None:
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.fchmod(fd, 0o600)  # the umask may have narrowed it; never widened, but be explicit
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                tmp.unlink()
            raise

    def load(
        self, *, strict: bool = False, now: float | None = None
    ) -> list[dict[str, Any]] | None:
        """The saved cookies, or None when there is no usable session.

        None when the file is missing, expired (``max_age``, or a session cookie past its
        expiry), or corrupt. With ``strict=True`` a corrupt file raises instead.

        Raises:
            SessionError: only with ``strict=True``, when the file is unreadable or malformed.
        """
        info = self.info(strict=strict, now=now)
        return None if info is None else list(info.cookies)

    def info(self, *, strict: bool = False, now: float | None = None) -> SavedSession | None:
        """Like :meth:`load`, with the metadata (host, url, uin, saved_at) as well.

        Raises:
            SessionError: only with ``strict=True``, when the file is unreadable or malformed.
        """
        current = time.time() if now is None else now
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            self._corrupt(f"cannot read: {exc.strerror}", strict)
            return None
        self._warn_if_readable_by_others()
        try:
            document = json.loads(raw.decode("utf-8"))
            cookies = self._validate(document)
        except (ValueError, SessionError) as exc:
            self._corrupt(str(exc), strict)
            return None
        except RecursionError:
            # json.loads recurses per nesting level: "[[[[…" a few thousand deep is corrupt too.
            self._corrupt("nested too deeply", strict)
            return None
        live = self._fresh(document, cookies, current)
        if live is None:
            return None
        return SavedSession(
            cookies=tuple(live),
            host=_text(document.get("host")),
            url=_text(document.get("url")) or None,
            uin=_text(document.get("uin")),
            saved_at=document["saved_at"] if _is_number(document.get("saved_at")) else None,
        )

    def _fresh(
        self, document: dict[str, Any], cookies: list[dict[str, Any]], now: float
    ) -> list[dict[str, Any]] | None:
        saved_at = document.get("saved_at")
        if self.max_age is not None and (
            not isinstance(saved_at, (int, float)) or now - saved_at > self.max_age
        ):
            _log.info("saved session %s is older than %ss", self.path, self.max_age)
            return None
        if any(c["name"] in SESSION_COOKIES and _expired(c, now) for c in cookies):
            _log.info("saved session %s has expired cookies", self.path)
            return None
        live = [c for c in cookies if not _expired(c, now)]
        return live or None

    @staticmethod
    def _validate(document: Any) -> list[dict[str, Any]]:
        if not isinstance(document, dict) or document.get("format") != FORMAT:
            raise SessionError("not a session file")
        if document.get("version") != _VERSION:
            raise SessionError(f"unsupported session version {document.get('version')!r}")
        cookies = document.get("cookies")
        if not isinstance(cookies, list) or not all(isinstance(c, dict) for c in cookies):
            raise SessionError("cookies are not a list of objects")
        return [_clean_cookie(c) for c in cookies]

    def _corrupt(self, why: str, strict: bool) -> None:
        if strict:
            raise SessionError(f"corrupt session file {self.path}: {why}")
        _log.warning("ignoring corrupt session file %s: %s", self.path, why)

    def _warn_if_readable_by_others(self) -> None:
        with contextlib.suppress(OSError):
            mode = stat.S_IMODE(self.path.stat().st_mode)
            if mode & 0o077:
                _log.warning("session file %s has mode %o; expected 0600", self.path, mode)

    def clear(self) -> None:
        """Delete the session file (no error when it is already gone)."""
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()
            _log.info("session file %s removed", self.path)
