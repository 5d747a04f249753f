"""python-wechaty in one process: a ``wechaty_puppet.Puppet`` over PuppetWeb, no gRPC.

::

    from wechaty_puppet_web.adapter import WechatyPuppetWeb   # import before `wechaty`
    from wechaty import Wechaty, WechatyOptions

    bot = Wechaty(WechatyOptions(puppet=WechatyPuppetWeb(PuppetWebOptions(...))))

Install with ``pip install wechaty-puppet-web[wechaty]`` (python-wechaty 0.10.7 with the pins it
needs: ``pyee<12``, ``urllib3<2``). Importing this module checks the environment and raises
:class:`~wechaty_puppet_web.errors.WechatyEnvironmentError` naming what is wrong, instead of a
traceback from deep inside python-wechaty. It also fixes one trap itself: on Python 3.11 and later
python-wechaty's ``WechatyOptions`` dataclass cannot even be defined (its ``PuppetOptions()``
default is refused as mutable because the class is unhashable), so ``PuppetOptions`` gets the
identity hash before ``wechaty`` is imported; importing ``wechaty`` first fails with the original
error, which is why this module must come first.
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


def _make_puppet_options_hashable() -> None:
    import wechaty_puppet.schemas.puppet as schemas

    if schemas.PuppetOptions.__hash__ is None:
        schemas.PuppetOptions.__hash__ = object.__hash__


check_environment()
_make_puppet_options_hashable()

from .puppet import WechatyPuppetWeb  # noqa: E402  (after the environment is fixed)

__all__ = ["WechatyPuppetWeb", "check_environment"]
