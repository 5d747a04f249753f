"""Text encodings of the wire: HTML escaping, ``<br/>`` newlines, emoji ``<span>`` markup."""

from __future__ import annotations

import functools
import html
import re

# Code point ranges the real server turns into `<span class="emoji emojiXXXX"></span>`.
_EMOJI_RE = re.compile("[\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff\u2190-\u21ff]")
_JOINERS_RE = re.compile("[\u200d\ufe0f]")


def emoji_span(ch: str) -> str:
    """The span for one emoji character."""
    return f'<span class="emoji emoji{ord(ch):x}"></span>'


def emojify(text: str) -> str:
    """Replace emoji characters by the server's span markup (variation selectors dropped)."""
    if text.isascii():
        return text
    return _EMOJI_RE.sub(lambda m: emoji_span(m.group(0)), _JOINERS_RE.sub("", text))


def wire_text(text: str) -> str:
    """A user text as the server sends it: HTML-escaped, ``<br/>`` newlines, emoji spans."""
    escaped = html.escape(text, quote=False)
    return emojify(escaped).replace("\r\n", "<br/>").replace("\n", "<br/>")


@functools.lru_cache(maxsize=65536)
def wire_name(name: str) -> str:
    """A nickname / topic on the wire (escaped, emoji spans)."""
    return emojify(html.escape(name, quote=False))


def wire_xml(xml: str) -> str:
    """An XML payload inside ``Content``: escaped once more, newlines as ``<br/>``."""
    return html.escape(xml, quote=False).replace("\n", "<br/>")


def xml_text(value: str) -> str:
    """Escape a value for XML element text (quotes stay literal)."""
    return html.escape(value, quote=False)


def xml_attr(value: str) -> str:
    """Escape a value for an XML attribute."""
    return html.escape(value, quote=True)


_SPAN_RE = re.compile(r'<span class="emoji emoji([0-9a-f]+)"></span>')


def plain(text: str) -> str:
    """The inverse of :func:`wire_text` (used to read what the bot sent)."""
    text = _SPAN_RE.sub(lambda m: chr(int(m.group(1), 16)), text)
    text = text.replace("<br/>", "\n")
    return html.unescape(text)


@functools.lru_cache(maxsize=65536)
def initials(name: str) -> tuple[str, str]:
    """``(PYInitial, PYQuanPin)`` for a name: real pinyin needs a dictionary, so ASCII only."""
    words = re.findall(r"[A-Za-z0-9]+", name)
    if not words:
        return "", ""
    return "".join(w[0] for w in words).upper(), "".join(words).lower()
