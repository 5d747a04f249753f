"""Whether python-wechaty can work in this environment (the adapter checks it on import).

Kept apart from :mod:`wechaty_puppet_web.adapter`, which imports python-wechaty itself, so the
check can run (and be tested) where python-wechaty is absent or broken.
"""

from __future__ import annotations

from importlib import metadata

from ..errors import WechatyEnvironmentError

# distribution -> (the versions python-wechaty 0.10.7 works with, why)
_PINS = {
    "pyee": ((11,), (12,), "python-wechaty imports pyee.AsyncIOEventEmitter, gone in pyee 12"),
    "urllib3": ((1,), (2,), "python-wechaty's requests pin breaks with urllib3 2"),
}
INSTALL = "pip install 'wechaty-puppet-web[wechaty]'"


def _major(version: str) -> tuple[int, ...]:
    head = version.split(".")[0]
    return (int(head),) if head.isdigit() else (0,)


def check_environment() -> None:
    """Raise :class:`WechatyEnvironmentError` when python-wechaty cannot work here."""
    try:
        found = metadata.version("wechaty")
    except metadata.PackageNotFoundError:
        raise WechatyEnvironmentError(f"python-wechaty is not installed: {INSTALL}") from None
    if not found.startswith("0.10."):
        raise WechatyEnvironmentError(
            f"python-wechaty {found} is installed; the adapter is made for 0.10.x: {INSTALL}"
        )
    for dist, (low, high, why) in _PINS.items():
        try:
            version = metadata.version(dist)
        except metadata.PackageNotFoundError:
            continue
        if not low <= _major(version) < high:
            raise WechatyEnvironmentError(f"{dist} {version} is installed: {why} ({INSTALL})")
