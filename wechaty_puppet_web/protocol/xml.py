"""Safe reading of the XML that web WeChat puts in message ``Content``.

App messages, stickers, cards, friend requests and recalls carry XML that the server escaped
once more, with newlines as ``<br/>`` (protocol §5.3). ``defusedxml`` is not available, so
documents with a DOCTYPE or ENTITY declaration are refused outright (no entity-expansion bombs,
no external entities).
"""

from __future__ import annotations

import functools
import logging
import re
import xml.etree.ElementTree as ET

from .text import unescape_once

__all__ = ["MAX_XML_CHARS", "attr", "child_text", "content_xml", "parse_xml"]

_log = logging.getLogger(__name__)

#: Larger documents are not parsed (real appmsg XML is a few KB).
MAX_XML_CHARS = 512 * 1024

_BR = re.compile(r"<br\s*/?>", re.IGNORECASE)
_DECLARATION = re.compile(r"<!\s*(?:DOCTYPE|ENTITY)", re.IGNORECASE)


def content_xml(content: str) -> str:
    """The XML text inside a message Content: ``<br/>`` → newline, unescaped once if escaped."""
    text = _BR.sub("\n", content).strip()
    if text.startswith("&lt;"):
        text = unescape_once(text).strip()
    return text


def parse_xml(content: str) -> ET.Element | None:
    """Parse message Content (escaped or not) into an element; None when it is not safe XML.

    The element may be shared between callers (results are cached): never mutate it.
    """
    if not isinstance(content, str) or len(content) > MAX_XML_CHARS:
        return None
    return _parse_cached(content)


# One message is looked at several times (kind, text, filename, extractors): parse it once.
@functools.lru_cache(maxsize=64)
def _parse_cached(content: str) -> ET.Element | None:
    text = content_xml(content)
    start = text.find("<")
    if start < 0:
        return None
    text = text[start:]
    if _DECLARATION.search(text):
        _log.debug("refusing XML with a DOCTYPE/ENTITY declaration")
        return None
    try:
        return ET.fromstring(text)
    except (ET.ParseError, ValueError):
        return None


def child_text(root: ET.Element | None, path: str) -> str:
    """Text of the first element at ``path`` (ElementTree path), stripped; "" when absent."""
    if root is None:
        return ""
    node = root if path in ("", ".") else root.find(path)
    if node is None or node.text is None:
        return ""
    return node.text.strip()


def attr(root: ET.Element | None, path: str, name: str) -> str:
    """Attribute ``name`` of the first element at ``path``; "" when absent."""
    if root is None:
        return ""
    node = root if path in ("", ".") else root.find(path)
    if node is None:
        return ""
    return node.get(name, "")
