"""The package's public surface is declared, sorted and importable (README examples rely on it)."""

from __future__ import annotations

import wechaty_puppet_web as wpw


def test_public_api_is_declared() -> None:
    assert wpw.__all__ == sorted(wpw.__all__, key=str.casefold)
    assert all(hasattr(wpw, name) for name in wpw.__all__)


def test_readme_names_are_public() -> None:
    for name in ("PuppetWeb", "PuppetWebOptions", "MessageEvent", "MessageType", "FileBox"):
        assert name in wpw.__all__
