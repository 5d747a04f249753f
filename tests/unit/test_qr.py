"""Terminal QR rendering: round trips through Pillow + zbar, in every mode."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from PIL import Image
from pyzbar import pyzbar

from wechaty_puppet_web.qr import decode_rendered_qr, qr_matrix, render_qr, save_qr_png

LOGIN_URL = "https://login.weixin.qq.com/l/gbyKnbsmqQ=="


@pytest.mark.parametrize("compact", [True, False])
@pytest.mark.parametrize("invert", [True, False])
@pytest.mark.parametrize("text", [LOGIN_URL, "https://login.weixin.qq.com/l/A_1_xxxw==", "中文 ✓"])
def test_round_trip(text: str, compact: bool, invert: bool) -> None:
    rendered = render_qr(text, compact=compact, invert=invert)
    assert decode_rendered_qr(rendered) == text


def test_only_block_characters_and_quiet_zone() -> None:
    rendered = render_qr(LOGIN_URL)
    assert set(rendered) <= {"█", "▀", "▄", " ", "\n"}
    lines = rendered.split("\n")
    size = len(qr_matrix(LOGIN_URL))
    assert all(len(line) == size for line in lines)
    assert len(lines) == (size + 1) // 2
    assert set(lines[0]) == {"█"}  # inverted: the light quiet zone is inked
    assert set(render_qr(LOGIN_URL, invert=False).split("\n")[0]) == {" "}


def test_wide_mode_is_twice_as_wide() -> None:
    size = len(qr_matrix(LOGIN_URL))
    lines = render_qr(LOGIN_URL, compact=False).split("\n")
    assert len(lines) == size
    assert all(len(line) == 2 * size for line in lines)


def test_save_png(tmp_path: Path) -> None:
    path = save_qr_png(LOGIN_URL, tmp_path / "qr.png")
    with Image.open(path) as image:
        assert image.format == "PNG"
        assert pyzbar.decode(image)[0].data.decode() == LOGIN_URL
    assert stat.S_ISREG(path.stat().st_mode)


@pytest.mark.parametrize("junk", ["", "\n\n", "hello\nworld", "█ █\n █ "])
def test_decode_junk_raises(junk: str) -> None:
    with pytest.raises(ValueError):
        decode_rendered_qr(junk)
