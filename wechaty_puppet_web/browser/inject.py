"""Build the init script: a JSON config preamble plus the injected_js files, in contract order.

Where the files come from: the repository keeps them at the top level in ``injected_js/``. A wheel
carries them inside the package as ``wechaty_puppet_web/injected/`` (pyproject maps the directory
there at build time). :func:`script_dir` prefers the packaged copy and falls back to the source
tree, so an editable install and a wheel load the very same files with no copy step and no symlink.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from ..errors import InjectionError

# bridge.js first (the global + binding), glue.js (the only angular reader), then the users of glue;
# helper F's media.js is optional so the puppet still works while it is absent.
CORE_FILES: tuple[str, ...] = (
    "bridge.js",
    "glue.js",
    "hooks.js",
    "netwatch.js",
    "guard.js",
    "actions.js",
)
OPTIONAL_FILES: tuple[str, ...] = ("media.js",)

_SOURCE_DIR = Path(__file__).resolve().parents[2] / "injected_js"


def script_dir() -> Traversable:
    """The directory holding the injected scripts (packaged copy first, then the source tree).

    Raises:
        InjectionError: neither location has ``bridge.js``.
    """
    try:
        packaged = resources.files("wechaty_puppet_web").joinpath("injected")
        if packaged.joinpath("bridge.js").is_file():
            return packaged
    except (ModuleNotFoundError, FileNotFoundError):  # pragma: no cover - odd installs
        pass
    if (_SOURCE_DIR / "bridge.js").is_file():
        return _SOURCE_DIR
    raise InjectionError("injected_js/bridge.js not found (package data missing?)")


@cache
def _read(name: str) -> str | None:
    entry = script_dir().joinpath(name)
    if not entry.is_file():
        return None
    return entry.read_text("utf-8")


def build_init_script(
    config: Mapping[str, object], *, extra_files: Sequence[str] = OPTIONAL_FILES
) -> str:
    """Return the whole init script: config preamble, the files, then ``__wpw.ready()``.

    Everything is wrapped in one function so ``__WPW_CONFIG__`` is not a page global.

    Raises:
        InjectionError: a core file is missing.
    """
    parts = [f"var __WPW_CONFIG__ = {json.dumps(dict(config), ensure_ascii=True)};"]
    for name in CORE_FILES:
        text = _read(name)
        if text is None:
            raise InjectionError(f"injected script {name} is missing")
        parts.append(f"// ---- {name}\n{text}")
    for name in extra_files:
        text = _read(name)
        if text is not None:
            parts.append(f"// ---- {name}\n{text}")
    parts.append("if (window.__wpw) { window.__wpw.ready(); }")
    body = "\n;\n".join(parts)
    return f"(function () {{\n{body}\n}})();\n"
