"""Terminal QR rendering: round trips through Pillow + zbar, in every mode."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from PIL import Image
from pyzbar import pyzbar

from wechaty_puppet_web.qr import QrTheme, decode_rendered_qr, qr_matrix, render_qr, save_qr_png

LOGIN_URL = "https://login.weixin.qq.com/l/gbyKnbsmqQ=="


@pytest.mark.parametrize("compact", [True, False])
@pytest.mark.parametrize("invert", [True, False])
@pytest.mark.parametrize("text", [LOGIN_URL, "https://login.weixin.qq.com/l/A_1_xxxw==", "中文 ✓"])
def test_round_trip(text: str, compact: bool, invert: bool) -> None:
    rendered = render_qr(text, compact=compact, invert=invert)
    assert decode_rendered_qr(rendered) == text


def test_only_block_characters_and_quiet_zone() -> None:
    rendered = render_qr(LOGIN_URL, theme="dark")
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


@pytest.mark.parametrize("compact", [True, False])
@pytest.mark.parametrize("terminal", ["dark", "light"])
def test_each_theme_reads_on_its_terminal(terminal: str, compact: bool) -> None:
    # decoded as a camera sees it: ink is light on a dark terminal, dark on a light one, and the
    # terminal's own background frames the drawing
    rendered = render_qr(LOGIN_URL, theme=terminal, compact=compact)
    assert decode_rendered_qr(rendered, terminal=terminal) == LOGIN_URL
    other = "light" if terminal == "dark" else "dark"
    with pytest.raises(ValueError):  # why the option exists: a mismatch shows a negative
        decode_rendered_qr(rendered, terminal=other)


@pytest.mark.parametrize(
    ("colorfgbg", "theme"),
    [("15;0", "dark"), ("0;15", "light"), ("0;default;7", "light"), ("", "dark"), ("x", "dark")],
)
def test_auto_theme_from_colorfgbg(
    monkeypatch: pytest.MonkeyPatch, colorfgbg: str, theme: str
) -> None:
    assert QrTheme.AUTO.resolve({"COLORFGBG": colorfgbg}) is QrTheme(theme)
    monkeypatch.setenv("COLORFGBG", colorfgbg)
    assert decode_rendered_qr(render_qr(LOGIN_URL), terminal=theme) == LOGIN_URL


def test_cli_draws_the_chosen_theme(capsys: pytest.CaptureFixture[str]) -> None:
    from wechaty_puppet_web.commands.puppet_cli import show_scan
    from wechaty_puppet_web.events import ScanEvent
    from wechaty_puppet_web.payloads import ScanStatus

    for theme in (QrTheme.DARK, QrTheme.LIGHT):
        show_scan(ScanEvent(status=ScanStatus.WAITING, qrcode=LOGIN_URL), None, theme)
        drawing = capsys.readouterr().out.split("\nScan with WeChat")[0]
        assert decode_rendered_qr(drawing, terminal=theme) == LOGIN_URL
