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

from ..interop.wechaty_env import INSTALL, check_environment


def _make_puppet_options_hashable() -> None:
    import wechaty_puppet.schemas.puppet as schemas

    if schemas.PuppetOptions.__hash__ is None:
        schemas.PuppetOptions.__hash__ = object.__hash__


check_environment()
_make_puppet_options_hashable()

from .puppet import WechatyPuppetWeb  # noqa: E402  (after the environment is fixed)

__all__ = ["INSTALL", "WechatyPuppetWeb", "check_environment"]
