"""The fleet file: one TOML file listing the accounts a fleet runs.

::

    status_file = "fleet.status.json"   # default: <this file>.status.json
    metrics = "127.0.0.1:9464"          # a Prometheus endpoint (host:port); none by default
    endpoint = "ws://10.0.0.5:3000/x"   # a browser server shared by all (default: a local Chromium)
    sandbox = "https://127.0.0.1:8443"  # run every account against this sandbox
    qr_dir = "qr"                       # QR codes as <qr_dir>/<name>.png (else in the terminal)
    backoff = [1.0, 60.0]               # restart back-off: first and longest wait, seconds

    [[accounts]]
    name = "support-1"
    session = "sessions/support-1.json"
    bot = "bots/support.py"             # a module with on_<event> handlers (as `wechaty-web run`)
    endpoint = "ws://…"                 # optional: this account's own browser

    [[accounts]]
    name = "sdk-1"                      # served to a Wechaty SDK as a Puppet Service instead
    session = "sessions/sdk-1.json"
    service = { endpoint = "0.0.0.0:8788", token = "insecure_sdk-1" }
    # with TLS: tls_cert = "cert.pem", tls_key = "key.pem" inside the table (else plain HTTP/2)

Relative paths are relative to the fleet file. An account has a ``bot``, a ``service``, or both.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import FleetError

__all__ = ["AccountConfig", "FleetConfig", "ServiceConfig", "load_fleet"]

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")  # also a file name (QR PNG) and a label
_TOP_KEYS = {"status_file", "metrics", "endpoint", "sandbox", "qr_dir", "backoff", "headless",
             "accounts"}  # fmt: skip
_ACCOUNT_KEYS = {"name", "session", "bot", "endpoint", "service"}


@dataclass(frozen=True, slots=True, kw_only=True)
class ServiceConfig:
    """Serve the account as a Puppet Service (``wechaty-web serve``'s server)."""

    host: str
    port: int
    token: str
    tls_cert: Path | None = None
    tls_key: Path | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class AccountConfig:
    """One account of the fleet."""

    name: str
    session: Path
    bot: Path | None = None
    endpoint: str | None = None
    service: ServiceConfig | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class FleetConfig:
    """The whole fleet file."""

    path: Path
    accounts: tuple[AccountConfig, ...]
    status_file: Path
    metrics: tuple[str, int] | None = None
    endpoint: str | None = None
    sandbox: str | None = None
    qr_dir: Path | None = None
    backoff: tuple[float, float] = (1.0, 60.0)
    headless: bool = True


def load_fleet(path: str | Path) -> FleetConfig:
    """Read and check a fleet file.

    Raises:
        FleetError: unreadable file, bad TOML, unknown keys, missing or duplicate names, bad values.
    """
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise FleetError(f"cannot read the fleet file {str(path)!r}: {exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise FleetError(f"{path}: not valid TOML: {exc}") from exc
    return parse_fleet(data, path)


def parse_fleet(data: dict[str, Any], path: Path) -> FleetConfig:
    """Check parsed TOML (see :func:`load_fleet`)."""
    _no_unknown(data, _TOP_KEYS, str(path))
    base = path.parent
    raw_accounts = data.get("accounts")
    if not isinstance(raw_accounts, list) or not raw_accounts:
        raise FleetError(f"{path}: no [[accounts]]")
    accounts = tuple(
        _account(a, base, f"{path}: account {i + 1}") for i, a in enumerate(raw_accounts)
    )
    names = [a.name for a in accounts]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise FleetError(f"{path}: account names must be unique: {', '.join(dupes)}")
    sessions = [a.session.resolve() for a in accounts]
    if len(set(sessions)) != len(sessions):
        raise FleetError(f"{path}: two accounts share a session file")
    status = _path(data.get("status_file"), base, "status_file") or path.with_suffix(".status.json")
    return FleetConfig(
        path=path,
        accounts=accounts,
        status_file=status,
        metrics=_address(data.get("metrics"), path),
        endpoint=_text(data.get("endpoint"), "endpoint"),
        sandbox=_text(data.get("sandbox"), "sandbox"),
        qr_dir=_path(data.get("qr_dir"), base, "qr_dir"),
        backoff=_backoff(data.get("backoff", [1.0, 60.0]), path),
        headless=bool(data.get("headless", True)),
    )


def _account(raw: object, base: Path, where: str) -> AccountConfig:
    if not isinstance(raw, dict):
        raise FleetError(f"{where}: not a table")
    _no_unknown(raw, _ACCOUNT_KEYS, where)
    name = raw.get("name")
    if not isinstance(name, str) or not _NAME.match(name):
        raise FleetError(f"{where}: name must be 1-64 letters, digits, '_', '-' or '.'")
    bot = _path(raw.get("bot"), base, "bot")
    session = _path(raw.get("session"), base, "session")
    service = _service(raw.get("service"), base, f"{where} ({name})")
    if session is None or (bot is None and service is None):
        raise FleetError(f"{where} ({name}): needs a `session`, and a `bot` or a `service`")
    return AccountConfig(
        name=name,
        session=session,
        bot=bot,
        endpoint=_text(raw.get("endpoint"), "endpoint"),
        service=service,
    )


def _service(raw: object, base: Path, where: str) -> ServiceConfig | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise FleetError(f"{where}: service must be a table {{endpoint, token}}")
    _no_unknown(raw, {"endpoint", "token", "tls_cert", "tls_key"}, f"{where} service")
    host, port = _address(raw.get("endpoint"), Path(where)) or ("", -1)
    token = raw.get("token")
    if port < 0 or not isinstance(token, str) or not token:
        raise FleetError(f'{where}: service needs endpoint = "host:port" and a token')
    cert, key = (
        _path(raw.get("tls_cert"), base, "tls_cert"),
        _path(raw.get("tls_key"), base, "tls_key"),
    )
    if (cert is None) != (key is None):
        raise FleetError(f"{where}: service TLS needs both tls_cert and tls_key")
    return ServiceConfig(host=host, port=port, token=token, tls_cert=cert, tls_key=key)


def _no_unknown(table: dict[str, Any], known: set[str], where: str) -> None:
    unknown = sorted(set(table) - known)
    if unknown:
        raise FleetError(f"{where}: unknown key(s) {', '.join(unknown)}")


def _text(value: object, key: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value:
        raise FleetError(f"{key} must be a non-empty string")
    return value


def _path(value: object, base: Path, key: str) -> Path | None:
    text = _text(value, key)
    return None if text is None else (base / Path(text).expanduser())


def _address(value: object, path: Path) -> tuple[str, int] | None:
    if value is None:
        return None
    host, sep, port = str(value).rpartition(":")
    if not sep or not port.isdigit() or int(port) > 65535:
        raise FleetError(f"{path}: an address must be host:port, not {value!r}")
    return host or "127.0.0.1", int(port)


def _backoff(value: object, path: Path) -> tuple[float, float]:
    if isinstance(value, list) and len(value) == 2:
        nums = [v for v in value if isinstance(v, (int, float)) and not isinstance(v, bool)]
        if len(nums) == 2 and 0 < nums[0] <= nums[1]:
            return float(nums[0]), float(nums[1])
    raise FleetError(f"{path}: backoff must be [first, longest] seconds with 0 < first <= longest")
