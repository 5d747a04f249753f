"""Terminal QR codes: render a login URL as text, save it as PNG, and read rendered text back.

``render_qr`` returns a string (printing is the CLI's job). Terminals usually draw light text on a
dark background, so by default the *light* modules are inked (``invert=True``): the quiet zone is a
frame of full blocks and the phone camera sees dark modules on a light square.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import qrcode
from PIL import Image

__all__ = ["decode_rendered_qr", "qr_matrix", "render_qr", "save_qr_png"]

_QUIET_ZONE = 4  # modules, as the QR spec asks
_FULL, _UPPER, _LOWER, _EMPTY = "█", "▀", "▄", " "


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


def render_qr(text: str, *, compact: bool = True, invert: bool = True) -> str:
    """Draw ``text`` as a QR code with block characters and a quiet zone.

    ``compact`` packs two module rows into one text row with half blocks (▀▄█); otherwise each
    module is two characters wide. ``invert`` inks light modules (for dark terminals).
    """
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


def decode_rendered_qr(rendered: str) -> str:
    """Read the text back from :func:`render_qr` output (used by tests), via Pillow and zbar.

    Raises:
        ValueError: no QR code could be read.
    """
    from pyzbar import pyzbar  # optional (dev) dependency: only tests decode

    ink = _rendered_ink(rendered)
    if not ink or not ink[0]:
        raise ValueError("empty rendering")
    inverted = ink[0][0]  # the quiet zone is light, so an inked corner means light was inked
    dark = [[cell != inverted for cell in row] for row in ink]
    # Pad with extra light modules so the compact mode's odd last row still has a quiet zone.
    pad = [[False] * (len(dark[0]) + 8) for _ in range(4)]
    framed = pad + [[False] * 4 + row + [False] * 4 for row in dark] + pad
    results = pyzbar.decode(_matrix_image(framed, 8))
    if not results:
        raise ValueError("no QR code found in the rendering")
    data: bytes = results[0].data
    return data.decode("utf-8")
