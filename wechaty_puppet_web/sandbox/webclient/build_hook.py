"""Build hook (hatchling): what the build fetches from npm into the sdist and the wheel.

pyproject.toml names this file as the build's custom hook; it is not part of the installed package.
Two things come in, each by ``npm pack`` pinned by sha256: the sandbox page's scripts (see
:mod:`.vendor`) and the Puppet Service's gRPC stubs, generated from npm ``wechaty-grpc``'s protos
with grpcio-tools (see ``service/protogen.py``). grpcio-tools is a build requirement only while
the stubs are missing, at the version the ``dev`` extra pins (it decides the protobuf runtime the
stubs need). Building a wheel from the sdist finds both already there (the sdist carries them) and
needs neither node nor grpcio-tools. An editable install skips it: ``make setup`` fetches them.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


def _load(root: str, *parts: str) -> ModuleType:
    # loaded by path: importing the package would need its run-time dependencies
    path = Path(root, "wechaty_puppet_web", *parts)
    spec = importlib.util.spec_from_file_location("_wpw_" + path.stem, path)
    if spec is None or spec.loader is None:
        raise RuntimeError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


class VendorHook(BuildHookInterface):  # type: ignore[type-arg]
    """Makes sure the page's ``vendor/`` and the service's ``stubs/`` are complete to pack."""

    PLUGIN_NAME = "custom"

    def dependencies(self) -> list[str]:
        """grpcio-tools, pinned as in the ``dev`` extra, while the stubs are still to generate."""
        if _load(self.root, "service", "protogen.py").is_complete():
            return []
        dev = self.metadata.core.optional_dependencies.get("dev", [])
        pins = [r for r in dev if r.replace(" ", "").startswith("grpcio-tools==")]
        if len(pins) != 1:
            raise RuntimeError("the dev extra must pin grpcio-tools exactly once (grpcio-tools==X)")
        return pins

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        """Fetch the page's scripts and generate the stubs unless this is an editable install."""
        if version == "editable":
            return
        if _load(self.root, "sandbox", "webclient", "vendor.py").fetch():
            self.app.display_info("fetched the sandbox page's scripts from npm")
        if _load(self.root, "service", "protogen.py").fetch():
            self.app.display_info("generated the Puppet Service's gRPC stubs from npm wechaty-grpc")
