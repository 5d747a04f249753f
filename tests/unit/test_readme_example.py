"""The README's bot-author example is, to the byte, the project CI runs from the installed wheel."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
AUTHOR = ROOT / "tests" / "wheel" / "author"


@pytest.mark.parametrize(
    ("name", "lang"), [("bot.py", "python"), ("test_bot.py", "python"), ("pytest.ini", "ini")]
)
def test_the_readme_shows_the_tested_file(name: str, lang: str) -> None:
    text = (AUTHOR / name).read_text("utf-8")
    readme = (ROOT / "README.md").read_text("utf-8")
    assert f"`{name}`" in readme and f"```{lang}\n{text}```" in readme
