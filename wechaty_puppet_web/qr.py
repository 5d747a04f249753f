"""Terminal QR codes: render a login URL as text, save it as PNG, and read rendered text back.

``render_qr`` returns a string (printing is the CLI's job). A phone reads dark modules on a light
square, so the theme says which the terminal's ink is: on a dark terminal (light text, the usual
default) the *light* modules and the quiet zone are inked, on a light terminal the dark modules
are. ``QrTheme.AUTO`` reads ``$COLORFGBG`` (set by many terminals) and falls back to dark.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from enum import StrEnum
from pathlib import Path

import qrcode
from PIL import Image

__all__ = ["QrTheme", "decode_rendered_qr", "qr_matrix", "render_qr", "save_qr_png"]

_QUIET_ZONE = 4  # modules, as the QR spec asks
_FULL, _UPPER, _LOWER, _EMPTY = "█", "▀", "▄", " "


class QrTheme(StrEnum):
    """The terminal a QR is drawn for: its background colour (AUTO: guess from the environment)."""

    AUTO = "auto"
    DARK = "dark"
    LIGHT = "light"

    def resolve(self, env: Mapping[str, str] | None = None) -> QrTheme:
        """DARK or LIGHT; AUTO from ``$COLORFGBG`` ("fg;bg", bg 7 or 9-15 is light), else DARK."""
        if self is not QrTheme.AUTO:
            return self
        background = (os.environ if env is None else env).get("COLORFGBG", "").rpartition(";")[2]
        if background.isdigit() and (int(background) == 7 or 9 <= int(background) <= 15):
            return QrTheme.LIGHT
        return QrTheme.DARK


def qr_matrix(text: str) -> list[list[bool]]:
    """The module matrix of ``text`` (True = dark), quiet zone included."""
    code = qrcode.QRCode(border=_QUIET_ZONE, error_correction=qrcode.constants.ERROR_CORRECT_L)
    code.add_data(text)
    code.make(fit=True)
    return [[bool(cell) for cell in row] for row in code.get_matrix()]


def _half_block(top: bool, bottom: bool) -> str:
    if top and bottom:
        return _FULL
    if top:
        return _UPPER
    return _LOWER if bottom else _EMPTY


def render_qr(
    text: str,
    *,
    compact: bool = True,
    theme: QrTheme | str = QrTheme.AUTO,
    invert: bool | None = None,
) -> str:
    """Draw ``text`` as a QR code with block characters and a quiet zone.

    ``compact`` packs two module rows into one text row with half blocks (▀▄█); otherwise each
    module is two characters wide. ``theme`` is the terminal's background; ``invert`` (inking
    the light modules, as for a dark terminal) overrides it.
    """
    if invert is None:
        invert = QrTheme(theme).resolve() is QrTheme.DARK
    ink = [[cell != invert for cell in row] for row in qr_matrix(text)]
    if not compact:
        return "\n".join("".join(_FULL * 2 if cell else "  " for cell in row) for row in ink)
    if len(ink) % 2:
        ink.append([False] * len(ink[0]))
    lines = [
        "".join(_half_block(top, bottom) for top, bottom in zip(upper, lower, strict=True))
        for upper, lower in zip(ink[::2], ink[1::2], strict=True)
    ]
    return "\n".join(lines)


def save_qr_png(text: str, path: str | os.PathLike[str], *, box_size: int = 10) -> Path:
    """Save ``text`` as a black-on-white PNG QR code; returns the path."""
    target = Path(path)
    _matrix_image(qr_matrix(text), box_size).save(target, format="PNG")
    return target


def _matrix_image(dark: Sequence[Sequence[bool]], scale: int) -> Image.Image:
    size_y, size_x = len(dark), len(dark[0]) if dark else 0
    image = Image.new("L", (size_x, size_y), 255)
    image.putdata([0 if cell else 255 for row in dark for cell in row])
    return image.resize((size_x * scale, size_y * scale), Image.Resampling.NEAREST)


def _rendered_ink(rendered: str) -> list[list[bool]]:
    lines = [line for line in rendered.split("\n") if line]
    width = max((len(line) for line in lines), default=0)
    lines = [line.ljust(width) for line in lines]
    if any(ch in (_UPPER, _LOWER) for line in lines for ch in line):
        ink: list[list[bool]] = []
        for line in lines:
            ink.append([ch in (_FULL, _UPPER) for ch in line])
            ink.append([ch in (_FULL, _LOWER) for ch in line])
        return ink
    # Wide mode: two characters per module.
    return [[line[i] == _FULL for i in range(0, width, 2)] for line in lines]


def decode_rendered_qr(rendered: str, terminal: QrTheme | str = QrTheme.AUTO) -> str:
    """Read the text back from :func:`render_qr` output (used by tests), via Pillow and zbar.

    ``terminal`` is the background it is shown on: on a light one the ink is dark, on a dark one
    the ink is light, as a phone camera would see it. AUTO assumes the rendering's corner (the
    quiet zone) looks light.

    Raises:
        ValueError: no QR code could be read.
    """
    from pyzbar import pyzbar  # optional (dev) dependency: only tests decode

    ink = _rendered_ink(rendered)
    if not ink or not ink[0]:
        raise ValueError("empty rendering")
    seen_on = QrTheme(terminal)
    # AUTO: the quiet zone is light, so an inked corner means light was inked
    inverted = ink[0][0] if seen_on is QrTheme.AUTO else seen_on is QrTheme.DARK
    dark = [[cell != inverted for cell in row] for row in ink]
    # Frame it in the terminal's background (light when unknown, so the compact mode's odd last
    # row still has a quiet zone).
    bg = seen_on is QrTheme.DARK
    pad = [[bg] * (len(dark[0]) + 8) for _ in range(4)]
    framed = pad + [[bg] * 4 + row + [bg] * 4 for row in dark] + pad
    results = pyzbar.decode(_matrix_image(framed, 8))
    if not results:
        raise ValueError("no QR code found in the rendering")
    data: bytes = results[0].data
    return data.decode("utf-8")
