"""The project's one exception tree.

::

    PuppetWebError
    ├── BrowserError ............ the browser could not be used
    │   ├── LaunchError           no Chromium found / it would not start
    │   └── PageCrashedError      the page or the browser died
    ├── BridgeError ............. page <-> Python transport failed
    │   ├── BridgeTimeout         a call into the page got no answer in time
    │   └── InjectionError        the injected script is missing or broken
    ├── ProtocolError ........... raw data did not have the expected shape (``raw`` attached)
    ├── LoginError .............. the server refused the login (``ret``, ``message``)
    ├── NotLoggedInError ........ a call that needs a session was made before ``login``
    ├── NotFoundError ........... an unknown contact / room / message / friendship id
    ├── NotSupportedError ....... web WeChat itself cannot do this
    ├── WebWxError .............. the server answered BaseResponse.Ret != 0 (``ret``, ``err_msg``)
    │   ├── RateLimitedError      Ret 1205, after the retries were spent
    │   └── UploadError           an upload was rejected (too large, empty, refused)
    ├── SessionError ............ a session file could not be read or written
    ├── CassetteError ........... a cassette is malformed / of another format version
    │   └── CassetteMismatchError a replayed request matched nothing (names the nearest)
    ├── SandboxError ............ the sandbox could not start or was misused
    │   └── SandboxAssetError     a file of the sandbox page is missing from this installation
    ├── UsageError .............. the command line was given something it cannot use
    │   ├── BotModuleError        a bot module failed to import or handles no event
    │   └── OutputPathError       an output file cannot be written (checked before starting)
    ├── ServiceError ............ the Puppet Service (``wechaty-web serve``) could not start
    │   └── FileBoxError          a serialised FileBox (JSON) that cannot be read
    ├── WechatyEnvironmentError . python-wechaty is missing or cannot work in this environment
    └── FleetError .............. a fleet file is malformed / asks what this version cannot do
"""

from __future__ import annotations

from typing import Any


class PuppetWebError(Exception):
    """Base class of every error this package raises on purpose."""


class BrowserError(PuppetWebError):
    """The browser could not be launched or used."""


class LaunchError(BrowserError):
    """No usable Chromium, or it failed to start."""


class PageCrashedError(BrowserError):
    """The page or the browser process died."""


class BridgeError(PuppetWebError):
    """The page <-> Python bridge failed."""


class BridgeTimeout(BridgeError):
    """A call into the page got no answer within its timeout."""

    def __init__(self, op: str, timeout: float | None = None) -> None:
        self.op = op
        self.timeout = timeout
        suffix = f" after {timeout:g} s" if timeout is not None else ""
        super().__init__(f"bridge call {op!r} timed out{suffix}")


class InjectionError(BridgeError):
    """The injected script is missing, broken, or the page surface is not what it expects."""


class ProtocolError(PuppetWebError):
    """Raw data from the page or the server did not have the expected shape."""

    def __init__(self, message: str, raw: Any = None) -> None:
        self.raw = raw
        super().__init__(message)


class LoginError(PuppetWebError):
    """The server refused the login (e.g. ``<ret>1203</ret>``)."""

    def __init__(self, message: str, ret: int | None = None) -> None:
        self.ret = ret
        self.message = message
        super().__init__(f"login refused (ret={ret}): {message}" if ret is not None else message)


class NotLoggedInError(PuppetWebError):
    """A method that needs a logged-in session was called before ``login``."""


class NotFoundError(PuppetWebError):
    """An id that the puppet does not know."""

    def __init__(self, kind: str, ident: str) -> None:
        self.kind = kind
        self.ident = ident
        super().__init__(f"unknown {kind} id {ident!r}")


class NotSupportedError(PuppetWebError):
    """Web WeChat itself cannot do this; the message names the method."""

    def __init__(self, method: str, why: str = "web WeChat has no way to do this") -> None:
        self.method = method
        super().__init__(f"{method}: not supported ({why})")


class WebWxError(PuppetWebError):
    """The server answered with ``BaseResponse.Ret != 0``."""

    def __init__(self, op: str, ret: int, err_msg: str = "") -> None:
        self.op = op
        self.ret = ret
        self.err_msg = err_msg
        detail = f": {err_msg}" if err_msg else ""
        super().__init__(f"{op} failed with Ret {ret}{detail}")


class RateLimitedError(WebWxError):
    """Ret 1205 (operating too often), raised only after back-off retries were spent."""


class SyncBackoffError(WebWxError):
    """synccheck or webwxsync answered an error code that is not a logout (1205 among them).

    The page then waits before polling again (exponential, capped, with jitter); this is reported
    once per episode, as an ``error`` event, and delivery resumes by itself when the server does.
    """

    def __init__(self, op: str, ret: int, delay: float) -> None:
        self.delay = delay
        super().__init__(op, ret, f"backing off (next poll in {delay:.1f} s)")


class UploadError(WebWxError):
    """A media upload was rejected: too large, empty or refused by the server."""


class SessionError(PuppetWebError):
    """A session file could not be read or written."""


class CassetteError(PuppetWebError):
    """A cassette is malformed or of an unsupported format version."""


class CassetteMismatchError(CassetteError):
    """A replayed request matched no recorded one; the message names the nearest."""


class SandboxError(PuppetWebError):
    """The sandbox could not start, or its scripting API was misused."""


class UsageError(PuppetWebError):
    """The command line was given something it cannot use (``wechaty-web`` exits 2)."""


class BotModuleError(UsageError):
    """A bot module failed to import, or defines no ``on_<event>`` handler."""


class OutputPathError(UsageError):
    """An output file (session, cassette, QR image) cannot be written where it was asked."""


class ServiceError(PuppetWebError):
    """The Puppet Service could not start (no stubs, bad TLS files, port in use)."""


class FileBoxError(ServiceError):
    """A serialised FileBox (Wechaty's JSON form) that cannot be read: bad JSON, unknown type,
    unknown upload id, or a URL that could not be fetched."""


class WechatyEnvironmentError(PuppetWebError):
    """python-wechaty is not installed, or installed in a form the adapter cannot drive."""


class FleetError(PuppetWebError):
    """A fleet file is malformed, or the fleet runner cannot do what it asks."""


class SandboxAssetError(SandboxError):
    """A file of the sandbox page is missing from this installation; the message names the fix."""
