"""The sandbox's fake ``https://wx.qq.com/``: an AngularJS 1.2 app with the real client's surface.

The backend calls :func:`render_index` for ``GET /`` on every API host and :func:`asset` for static
files. Like the real page, it loads two bundles built at run time from files of this package:

- ``vendor_<hash>.js``: jQuery 1.12 and AngularJS 1.2 as published on npm (see :mod:`.vendor`:
  the wheel carries them, a checkout gets them from ``make setup``; never copied into the
  repository) plus our ``$.xml2json`` plugin;
- ``index_<hash>.js``: the app (services, controllers, bootstrap), ending with
  ``angular.bootstrap(document, ['webwxApp'])``.
"""

from __future__ import annotations

import functools
import hashlib
import html
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ...errors import SandboxAssetError, SandboxError
from .i18n import i18n_table
from .options import PageOptions
from .vendor import PACKAGES, VendorPackage, find_script

__all__ = [
    "RES_PATH",
    "PageOptions",
    "asset",
    "asset_delay",
    "check_assets",
    "render_index",
    "vendor_bundle",
    "vendor_parts",
]

_log = logging.getLogger(__name__)

_HERE = Path(__file__).resolve().parent
RES_PATH = "/zh_CN/htmledition/v2/"
_VENDOR_OWN = "xml2json.js"  # our plugin, appended to the third-party scripts
# Order matters: each file registers on modules created by the ones before it.
_APP_FILES = (
    "conf.js",
    "emoji.js",
    "account.js",
    "contact_model.js",
    "contact.js",
    "message.js",
    "chat.js",
    "session.js",
    "ui.js",
    "login.js",
    "app.js",
)
_JS = "application/javascript; charset=utf-8"
# A script after the app's bundle that the server holds for <ms> (PageOptions.boot_delay).
_LATE_PREFIX, _LATE_SUFFIX = "late_", ".js"
_LATE_BODY = b"/* a late page script: DOMContentLoaded waited for it */\n"
# A transparent 1x1 GIF: the real client's spacer.gif behind every emoji <img>.
_SPACER_GIF = bytes.fromhex(
    "47494638396101000100800000000000ffffff21f90401000000002c00000000010001000002024401003b"
)


@dataclass(frozen=True, slots=True, kw_only=True)
class _Bundle:
    name: str
    body: bytes
    content_type: str


def _read(path: Path) -> str:
    try:
        text = path.read_text("utf-8")
    except FileNotFoundError as exc:
        raise SandboxError(f"sandbox web client file missing: {path}") from exc
    # The npm builds end with a source-map comment that would be wrong inside a bundle.
    return "\n".join(
        line for line in text.splitlines() if not line.startswith("//# sourceMappingURL=")
    )


def _vendor_script(package: VendorPackage) -> Path:
    found = find_script(package)
    if found is None:
        raise SandboxAssetError(
            f"the sandbox page needs {package.title} (npm {package.spec}), which this installation"
            " lacks: install a wheel or sdist of wechaty-puppet-web built from npm (they carry it),"
            " or in a checkout run `make setup`"
        )
    return found


def vendor_parts() -> dict[str, str]:
    """The third-party bundle's parts, name -> sha256 of the file (cassettes record this).

    Raises:
        SandboxAssetError: a third-party script is missing.
    """
    parts = {p.asset_name: p.sha256 for p in PACKAGES if _vendor_script(p)}
    own = (_HERE / _VENDOR_OWN).read_bytes()
    return parts | {_VENDOR_OWN: hashlib.sha256(own).hexdigest()}


def _bundle(stem: str, parts: list[str], ext: str, content_type: str) -> _Bundle:
    body = "\n;\n".join(parts).encode("utf-8")
    digest = hashlib.sha1(body, usedforsecurity=False).hexdigest()[:7]
    return _Bundle(name=f"{stem}_{digest}.{ext}", body=body, content_type=content_type)


@functools.cache
def _bundles() -> dict[str, _Bundle]:
    files = [_vendor_script(p) for p in PACKAGES] + [_HERE / _VENDOR_OWN]
    vendor = _bundle("vendor", [_read(p) for p in files], "js", _JS)
    index = _bundle("index", [_read(_HERE / n) for n in _APP_FILES], "js", _JS)
    css = _bundle("webwx", [_read(_HERE / "webwx.css")], "css", "text/css; charset=utf-8")
    _log.debug("web client bundles: %s %s %s", vendor.name, index.name, css.name)
    return {"vendor": vendor, "index": index, "css": css}


def vendor_bundle() -> tuple[str, bytes]:
    """URL path and bytes of the third-party bundle this installation serves.

    Raises:
        SandboxAssetError: a third-party script is missing.
    """
    bundle = _bundles()["vendor"]
    return RES_PATH + "js/" + bundle.name, bundle.body


def check_assets() -> None:
    """Build the page's bundles now, so a missing file is an error at start, not an HTTP 500.

    Raises:
        SandboxAssetError: a third-party script is missing (the message names the fix).
    """
    _bundles()
    _template()


@functools.cache
def _template() -> str:
    return _read(_HERE / "index.html")


@functools.cache
def _inline_templates() -> str:
    return _read(_HERE / "templates.html")


def _late_scripts(page: PageOptions) -> str:
    if page.boot_delay <= 0:
        return ""
    ms = round(page.boot_delay * 1000)
    return f'<script src="{RES_PATH}js/{_LATE_PREFIX}{ms}{_LATE_SUFFIX}"></script>'


_HEAVY_MARKS = ("scrollbar", "chat_item", "message", "panels")


@functools.cache
def _heavy_sections() -> dict[str, str]:
    """The sections of heavy.html by name (``<!-- section: NAME -->`` starts one)."""
    parts = _read(_HERE / "heavy.html").split("<!-- section: ")[1:]
    sections = {}
    for part in parts:
        name, _, body = part.partition(" -->")
        sections[name.strip()] = body.strip("\n").rstrip()
    missing = set(_HEAVY_MARKS) - set(sections)
    if missing:
        raise SandboxError(f"heavy.html lacks the section(s) {sorted(missing)}")
    return sections


# The real page's stylesheet is about 200 KB: thousands of selectors (sprite icons, an emoji class
# per code point, descendant rules per component and state), so every style recalc after a render
# matches each new element against many rules. The heavy page gets a stylesheet of that shape.
_CONTAINERS = ("main", "panel", "chat_list", "box_bd", "contact_list", "recent", "expression")
_ITEMS = ("chat_item", "message", "contact_item", "recent_item", "bubble", "bubble_cont", "info")
_STATES = ("", ".active", ".me", ".top", ".unread", ":hover")
_PARTS = ("avatar", "img", "nickname", "time", "msg", "ext", "digest", "emoji", "status", "attr")
_TAGS = ("span", "p", "div", "img", "h4")
_ICONS = 240  # sprite icons (web_wechat_*)
_EMOJI = range(0x1F300, 0x1F700)  # one class per emoji code point, as the real sheet has
_QQ_FACES = 105


@functools.cache
def _heavy_style() -> str:
    rules: list[str] = []
    for n in range(_ICONS):
        rules.append(
            f".web_wechat_icon{n}{{display:inline-block;vertical-align:middle;"
            f"background:url(spacer.gif) no-repeat -{n % 16 * 30}px -{n // 16 * 30}px;"
            "background-size:480px 480px;width:30px;height:30px}"
        )
    for n, code in enumerate(_EMOJI):
        rules.append(f".emoji{code:x}{{background-position:-{n % 32 * 20}px -{n // 32 * 20}px}}")
    for n in range(_QQ_FACES):
        rules.append(f".qqemoji{n}{{background-position:-{n % 15 * 24}px -{n // 15 * 24}px}}")
    for box in _CONTAINERS:
        for item in _ITEMS:
            for state in _STATES:
                for part in _PARTS:
                    rules.append(f".{box} .{item}{state} .{part}{{color:#{len(rules) % 4096:03x}}}")
                for tag in _TAGS:
                    rules.append(f".{box} .{item}{state} > {tag}{{margin:{len(rules) % 7}px 0}}")
    return "<style>\n" + "\n".join(rules) + "\n</style>"


def _weight(page: PageOptions) -> dict[str, str]:
    """What fills the page's weight marks: nothing on the light page."""
    heavy = _heavy_sections() if page.weight == "real" else {}
    marks = {f"%%{mark.upper()}%%": heavy.get(mark, "") for mark in _HEAVY_MARKS}
    marks["%%STYLE%%"] = _heavy_style() if page.weight == "real" else ""
    return marks


def _late_ms(name: str) -> int | None:
    if not (name.startswith(_LATE_PREFIX) and name.endswith(_LATE_SUFFIX)):
        return None
    digits = name[len(_LATE_PREFIX) : -len(_LATE_SUFFIX)]
    return int(digits) if digits.isdigit() else None


def render_index(
    *, is_login: bool, lang: str, query: Mapping[str, str], page: PageOptions | None = None
) -> str:
    """HTML of ``https://wx.qq.com/``, with ``window.MMCgi.isLogin`` rendered server-side.

    ``lang`` picks the inline ``_()`` table (zh strings on a zh page). ``page`` sets the page's
    weight and boot speed (:class:`PageOptions`). ``query`` is the page's
    query string; the page reads ``target=t`` (UOS mode) and ``lang`` from ``location`` itself,
    as the real one does, so it is accepted for the contract and otherwise unused.

    Raises:
        SandboxAssetError: a third-party script is missing (see :func:`check_assets`).
    """
    del query  # the client reads its own URL
    options = page or PageOptions()
    bundles = _bundles()
    safe_lang = html.escape(lang or "zh_CN", quote=True)
    replacements = {
        "%%IS_LOGIN%%": '"1"' if is_login else '""',
        "%%LANG%%": safe_lang,
        "%%HTML_LANG%%": safe_lang.replace("_", "-"),
        "%%I18N%%": i18n_table(lang or "zh_CN"),
        "%%RES%%": RES_PATH,
        "%%VENDOR%%": bundles["vendor"].name,
        "%%INDEX%%": bundles["index"].name,
        "%%CSS%%": bundles["css"].name,
        "%%TEMPLATES%%": _inline_templates(),
        "%%LATE_SCRIPTS%%": _late_scripts(options),
        **_weight(options),
    }
    text = _template()
    for key, value in replacements.items():
        text = text.replace(key, value)
    return text


def asset(path: str) -> tuple[bytes, str] | None:
    """Bytes and content type of a static file of the page (matched on its file name), or None.

    Raises:
        SandboxAssetError: a third-party script is missing (see :func:`check_assets`).
    """
    name = _name(path)
    if _late_ms(name) is not None:
        return _LATE_BODY, _JS
    if name == "spacer.gif":
        return _SPACER_GIF, "image/gif"
    for bundle in _bundles().values():
        if bundle.name == name:
            return bundle.body, bundle.content_type
    return None


def asset_delay(path: str) -> float:
    """Seconds the server holds this asset before answering (0 for all but the late script)."""
    ms = _late_ms(_name(path))
    return min(ms, 30_000) / 1000 if ms else 0.0


def _name(path: str) -> str:
    return path.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]
