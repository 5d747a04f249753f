"""``PuppetWebOptions``: everything a PuppetWeb can be told at construction."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from playwright.async_api import Browser, BrowserContext

DEFAULT_SESSION_FILE = Path("~/.wechaty-web/session.json")
# Captured desktop-client value in circulation since 2022 (protocol doc §2.5): an opaque blob that
# clients replay; nobody generates it. Override with ``extspam=`` when the server wants another.
DEFAULT_EXTSPAM = (
    "Go8FCIkFEokFCggwMDAwMDAwMRAGGvAESySibk50w5Wb3uTl2c2h64jVVrV7gNs06GFlWplHQbY/5FfiO++1yH4ykCyN"
    "PWKXmco+wfQzK5R98D3so7rJ5LmGFvBLjGceleySrc3SOf2Pc1gVehzJgODeS0lDL3/I/0S2SSE98YgKleq6Uqx6ndTy"
    "9yaL9qFxJL7eiA/R3SEfTaW1SBoSITIu+EEkXff+Pv8NHOk7N57rcGk1w0ZzRrQDkXTOXFN2iHYIzAAZPIOY45Lsh+A4"
    "slpgnDiaOvRtlQYCt97nmPLuTipOJ8Qc5pM7ZsOsAPPrCQL7nK0I7aPrFDF0q4ziUUKettzW8MrAaiVfmbD1/VkmLNVq"
    "qZVvBCtRblXb5FHmtS8FxnqCzYP4WFvz3T0TcrOqwLX1M/DQvcHaGGw0B0y4bZMs7lVScGBFxMj3vbFi2SRKbKhaitxH"
    "fYHAOAa0X7/MSS0RNAjdwoyGHeOepXOKY+h3iHeqCvgOH6LOifdHf/1aaZNwSkGotYnYScW8Yx63LnSwba7+hESrtPa/"
    "huRmB9KWvMCKbDThL/nne14hnL277EDCSocPu3rOSYjuB9gKSOdVmWsj9Dxb/iZIe+S6AiG29Esm+/eUacSba0k8wn5H"
    "hHg9d4tIcixrxveflc8vi2/wNQGVFNsGO6tB5WF0xf/plngOvQ1/ivGV/C1Qpdhzznh0ExAVJ6dwzNg7qIEBaw+BzTJT"
    "UuRcPk92Sn6QDn2Pu3mpONaEumacjW4w6ipPnPw+g2TfywJjeEcpSZaP4Q3YV5HG8D6UjWA4GSkBKculWpdCMadx0usM"
    "omsSS/74QgpYqcPkmamB4nVv1JxczYITIqItIKjD35IGKAUwAA=="
)


@dataclass(frozen=True, slots=True, kw_only=True)
class PuppetWebOptions:
    """How a :class:`~wechaty_puppet_web.PuppetWeb` finds its browser, page and session.

    Browser, in order of precedence: ``context`` (a caller's BrowserContext, used as is: the
    recorder/replayer install their routes on it), ``browser`` (a caller's Browser; the puppet makes
    its own context), ``endpoint`` (a remote Playwright/CDP URL), else a local Chromium
    (``executable_path`` or the launcher's search).

    ``sandbox`` is the one option that points the puppet at a running sandbox
    (e.g. ``"https://127.0.0.1:8443"``): the launched Chromium maps ``*.qq.com`` onto it and
    certificate errors are ignored, in sandbox mode only.
    """

    executable_path: str | None = None
    headless: bool = True
    endpoint: str | None = None
    browser: Browser | None = None
    context: BrowserContext | None = None
    sandbox: str | None = None
    session_file: Path | str | None = DEFAULT_SESSION_FILE
    uos: bool = True
    extspam: str = DEFAULT_EXTSPAM
    client_version: str = "2.0.0"
    heartbeat_interval: float = 5.0
    call_timeout: float = 15.0
    login_timeout: float | None = None
    lang: str = "zh_CN"
    rate_limit_retries: int = 3
    rate_limit_backoff: float = 1.0

    def session_path(self) -> Path | None:
        """The expanded session file path, or ``None`` when sessions are disabled."""
        if self.session_file is None:
            return None
        return Path(self.session_file).expanduser()

    def start_url(self) -> str:
        """The URL the page opens (``target=t`` selects the desktop/UOS login)."""
        url = f"https://wx.qq.com/?lang={self.lang}"
        return f"{url}&target=t" if self.uos else url

    def sandbox_args(self) -> list[str]:
        """Chromium flags that send every WeChat host to the sandbox (empty without one)."""
        if not self.sandbox:
            return []
        parts = urlsplit(self.sandbox)
        host = parts.hostname or "127.0.0.1"
        port = parts.port or 443
        target = f"{host}:{port}"
        rules = ", ".join(
            f"MAP {pattern} {target}" for pattern in ("*.qq.com", "*.wechat.com", "qq.com")
        )
        return [f"--host-resolver-rules={rules}", "--ignore-certificate-errors"]
