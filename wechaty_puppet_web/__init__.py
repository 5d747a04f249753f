"""wechaty-puppet-web: act as a WeChat personal account through web WeChat."""

from __future__ import annotations

from .errors import (
    BridgeError,
    BridgeTimeout,
    BrowserError,
    CassetteError,
    CassetteMismatchError,
    InjectionError,
    LaunchError,
    LoginError,
    NotFoundError,
    NotLoggedInError,
    NotSupportedError,
    PageCrashedError,
    ProtocolError,
    PuppetWebError,
    RateLimitedError,
    SandboxError,
    SessionError,
    UploadError,
    WebWxError,
)
from .options import PuppetWebOptions
from .puppet import PuppetWeb

__all__ = [
    "BridgeError",
    "BridgeTimeout",
    "BrowserError",
    "CassetteError",
    "CassetteMismatchError",
    "InjectionError",
    "LaunchError",
    "LoginError",
    "NotFoundError",
    "NotLoggedInError",
    "NotSupportedError",
    "PageCrashedError",
    "ProtocolError",
    "PuppetWeb",
    "PuppetWebError",
    "PuppetWebOptions",
    "RateLimitedError",
    "SandboxError",
    "SessionError",
    "UploadError",
    "WebWxError",
]
