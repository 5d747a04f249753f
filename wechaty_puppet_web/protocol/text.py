"""Turning web WeChat's HTML-ish text into plain text.

Names and message texts reach us as HTML: entities escaped once, newlines as ``<br/>``, emoji as
``<span class="emoji emoji1f604"></span>`` (server) or
``<img class="emoji emoji1f604" text="…_web" …/>`` (after the client's transformSpanToImg),
QQ faces as ``<img class="qqemoji …" text="[微笑]_web" …/>``.
Every regex here is linear (no nested quantifiers), so 100 KB inputs stay fast.
"""

from __future__ import annotations

import html
import re

__all__ = ["emoji_chars", "fix_surrogates", "plain_text", "unescape_once"]

# Server quirk (protocol §5.3): some emoji arrive with a wrong code point that clients patch.
_WRONG_EMOJI = {
    "1f63c": "1f601",
    "1f639": "1f602",
    "1f63a": "1f603",
    "1f4ab": "1f616",
    "1f64d": "1f614",
    "1f63b": "1f60d",
    "1f63d": "1f618",
    "1f64e": "1f621",
    "1f63f": "1f622",
}

# `<span class="emoji emoji1f450"></span` sometimes lacks its `>` (protocol §5.3): close it first.
_BROKEN_SPAN_CLOSE = re.compile(r"</span(?!\s*>)", re.IGNORECASE)
_TAG = re.compile(r"<[^<>]*>")
_TAG_NAME = re.compile(r"^<\s*(/?)\s*([a-zA-Z][a-zA-Z0-9]*)")
_CLASS_ATTR = re.compile(r"""\bclass\s*=\s*["']([^"']*)["']""", re.IGNORECASE)
_TEXT_ATTR = re.compile(r"""\btext\s*=\s*["']([^"']*)["']""", re.IGNORECASE)
_EMOJI_CLASS = re.compile(r"(?:^|\s)emoji([0-9a-fA-F]{2,10})(?:\s|$)")


def fix_surrogates(text: str) -> str:
    """Join surrogate pairs and replace lone surrogates with U+FFFD."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    return text


def _code_point(hexcode: str) -> str:
    try:
        value = int(hexcode, 16)
    except ValueError:
        return ""
    if value > 0x10FFFF or 0xD800 <= value <= 0xDFFF or value == 0:
        return ""
    return chr(value)


def emoji_chars(hexcode: str) -> str:
    """The character(s) for an emoji class suffix: 4 to 5 hex digits one code point, 8 to 10 two.

    Returns "" for a code that is not a valid emoji code.
    """
    code = hexcode.lower()
    code = _WRONG_EMOJI.get(code, code)
    n = len(code)
    if n <= 6:
        return _code_point(code)
    if n == 8:
        first = 4
    elif n == 10:
        first = 5
    elif n == 9:
        # 5+4 (e.g. a keycap after a plane-1 char) or 4+5; plane-1 code points start with "1".
        first = 5 if code.startswith("1") else 4
    else:
        return ""
    head, tail = _code_point(code[:first]), _code_point(code[first:])
    return head + tail if head and tail else ""


def _replace_tag(match: re.Match[str]) -> str:
    tag = match.group(0)
    name_match = _TAG_NAME.match(tag)
    if name_match is None:
        return ""
    closing, name = name_match.group(1), name_match.group(2).lower()
    if name == "br":
        return "\n"
    if closing or name not in ("span", "img"):
        return ""
    class_match = _CLASS_ATTR.search(tag)
    classes = class_match.group(1) if class_match else ""
    if "qqemoji" in classes:
        text_match = _TEXT_ATTR.search(tag)
        face = text_match.group(1) if text_match else ""
        return face.removesuffix("_web")
    emoji = _EMOJI_CLASS.search(classes)
    return emoji_chars(emoji.group(1)) if emoji else ""


def unescape_once(text: str) -> str:
    """Decode exactly one level of HTML entities (``&amp;lt;`` becomes ``&lt;``)."""
    return html.unescape(text) if "&" in text else text


def plain_text(markup: object) -> str:
    """Plain text from web WeChat HTML; never raises.

    Emoji markup becomes the characters, QQ faces their ``[name]``, ``<br/>`` a newline, other tags
    are dropped, entities are decoded one level, and lone surrogates become U+FFFD.
    """
    if not isinstance(markup, str):
        return "" if markup is None else str(markup)
    try:
        text = fix_surrogates(markup)
        if "<" in text:
            text = _BROKEN_SPAN_CLOSE.sub("</span>", text)
            text = _TAG.sub(_replace_tag, text)
        # Decoding may produce surrogates from numeric references; html.unescape maps those to
        # U+FFFD itself, so no second surrogate pass is needed.
        return unescape_once(text)
    except Exception:  # the contract is "never raises"; keep what we can
        return fix_surrogates(markup) if isinstance(markup, str) else ""
