"""Build hook (hatchling): fetch the sandbox page's npm scripts into the sdist and the wheel.

pyproject.toml names this file as the build's custom hook; it is not part of the installed package.
Building from a checkout runs ``npm pack`` once (see :mod:`.vendor`); building a wheel from the
sdist finds the files already there (the sdist carries them) and needs no node. An editable
install skips it: ``make setup`` fetches them, and the runtime falls back to ``node_modules``.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


def _load_vendor(root: str) -> ModuleType:
    # loaded by path: importing the package would need its run-time dependencies
    path = Path(root) / "wechaty_puppet_web" / "sandbox" / "webclient" / "vendor.py"
    spec = importlib.util.spec_from_file_location("_wpw_vendor", path)
    if spec is None or spec.loader is None:
        raise RuntimeError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


class VendorHook(BuildHookInterface):  # type: ignore[type-arg]
    """Makes sure ``wechaty_puppet_web/sandbox/webclient/vendor/`` is complete before packing."""

    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        """Fetch the page's npm scripts unless this is an editable install."""
        if version == "editable":
            return
        vendor = _load_vendor(self.root)
        if vendor.fetch():
            self.app.display_info("fetched the sandbox page's scripts from npm")
