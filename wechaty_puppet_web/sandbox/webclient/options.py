"""How heavy and how slow the sandbox page is (``Sandbox(page=PageOptions(...))``, ``sb.page``).

The real web client boots far heavier than ours (a vendor bundle of jQuery, AngularJS and plugins,
a 590 KB app bundle, about 30 inline ng-templates) and renders far more per message (its chat
list and message templates carry many more bindings, so every digest runs many more watchers).
Hooks that pass against a light page can fail on the real one: these knobs make the sandbox page
behave like it where that matters.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from ...errors import SandboxError

Weight = Literal["light", "real"]
WEIGHTS: tuple[Weight, ...] = ("light", "real")
MAX_BOOT_DELAY = 30.0


@dataclass(frozen=True, slots=True, kw_only=True)
class PageOptions:
    """The page's weight and boot speed.

    - ``weight``: ``"light"`` (the default: the templates, watchers and rendering the surface
      needs) or ``"real"`` (the chat list, conversation and panels of the real page, with its
      bindings and its stylesheet's size: about as many watchers per digest, as much rendering
      and style work per message, a contact list whose cost grows with the contacts);
    - ``boot_delay``: seconds the server holds a script placed after the app's bundle. The app
      boots (webwxinit, then the contact paging) while ``DOMContentLoaded`` waits for that
      script, as on the real page, whose later scripts load from res.wx.qq.com.

    Raises:
        SandboxError: an unknown weight or a delay out of range.
    """

    weight: Weight = "light"
    boot_delay: float = 0.0

    def __post_init__(self) -> None:
        if self.weight not in WEIGHTS:
            raise SandboxError(f"page weight must be one of {WEIGHTS}, not {self.weight!r}")
        if not 0.0 <= self.boot_delay <= MAX_BOOT_DELAY:
            raise SandboxError(f"page boot_delay must be within 0..{MAX_BOOT_DELAY} s")
