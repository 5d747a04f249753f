"""plain_text and the safe XML reader: emoji, entities, hostile and huge input."""

from __future__ import annotations

import time

import pytest

from wechaty_puppet_web.protocol.text import emoji_chars, fix_surrogates, plain_text
from wechaty_puppet_web.protocol.xml import child_text, content_xml, parse_xml

SPAN = '<span class="emoji emoji{}"></span>'
IMG = (
    '<img class="emoji emoji{}" text="\ue415_web" src="/zh_CN/htmledition/v2/images/spacer.gif" />'
)


@pytest.mark.parametrize(
    ("markup", "expected"),
    [
        ("plain", "plain"),
        ("", ""),
        ("a<br/>b<br>c<BR />d", "a\nb\nc\nd"),
        (SPAN.format("1f604"), "\U0001f604"),
        (IMG.format("1f604") + "Bob", "\U0001f604Bob"),
        (SPAN.format("2600"), "\u2600"),  # 4 hex digits
        (SPAN.format("1f1e81f1f3"), "\U0001f1e8\U0001f1f3"),  # 10 digits: a flag
        (SPAN.format("002320e3"), "#\u20e3"),  # 8 digits: a keycap
        (SPAN.format("1f44d1f3fb")[:-7], "\U0001f44d\U0001f3fb"),  # broken `</span` at the end
        ('x<span class="emoji emoji1f450"></spany', "x\U0001f450y"),  # broken `</span` mid-text
        (
            SPAN.format("1f63c") + SPAN.format("1f639") + SPAN.format("1f4ab"),
            "\U0001f601\U0001f602\U0001f616",
        ),
        (
            SPAN.format("1f63a") + SPAN.format("1f64d") + SPAN.format("1f63b"),
            "\U0001f603\U0001f614\U0001f60d",
        ),
        (
            SPAN.format("1f63d") + SPAN.format("1f64e") + SPAN.format("1f63f"),
            "\U0001f618\U0001f621\U0001f622",
        ),
        (SPAN.format("zzzz"), ""),  # not hex: dropped
        (SPAN.format("d83d"), ""),  # a surrogate code point is not an emoji
        (
            '<img class="qqemoji qqemoji0" text="[微笑]_web" src="/x/spacer.gif" />!',
            "[微笑]!",
        ),
        ("[微笑]", "[微笑]"),
        ("&lt;b&gt;x&lt;/b&gt;", "<b>x</b>"),
        ("&amp;lt;", "&lt;"),  # exactly one level
        ("&amp;amp;", "&amp;"),
        ("&quot;q&quot; &#39;s&#39; &#x1F600; &#128512;", "\"q\" 's' \U0001f600 \U0001f600"),
        ("&#55357;", "\ufffd"),  # a numeric reference to a surrogate
        ("<script>alert(1)</script>", "alert(1)"),
        ('<a href="javascript:x()" onclick="y()">link</a>', "link"),
        ("a < b and c > d", "a  d"),  # unescaped angle brackets read as a tag (the server escapes)
        ("1 < 2", "1 < 2"),
        ("\ud83d", "\ufffd"),
        ("a\udc00b", "a\ufffdb"),
        ("\ud83d\ude00", "\U0001f600"),  # a split surrogate pair is joined
        (None, ""),
        (42, "42"),
    ],
)
def test_plain_text(markup: object, expected: str) -> None:
    assert plain_text(markup) == expected


def test_plain_text_output_is_encodable() -> None:
    out = plain_text("x\ud800y" + SPAN.format("1f604") + "&#xD800;")
    out.encode("utf-8")


@pytest.mark.parametrize(
    "markup",
    [
        "<" * 100_000,
        "<a " * 40_000,
        "</span" * 20_000,
        (SPAN.format("1f604") + "text<br/>&amp;") * 2_000,
        "&" * 100_000,
        '<img class="' + "emoji " * 20_000,
        "x" * 100_000,
    ],
    ids=["lt", "open-tags", "broken-spans", "mixed", "amps", "unclosed-attr", "plain"],
)
def test_plain_text_100kb_is_fast(markup: str) -> None:
    start = time.perf_counter()
    plain_text(markup)
    assert time.perf_counter() - start < 0.5


@pytest.mark.parametrize(
    ("code", "chars"), [("1f604", "\U0001f604"), ("1F604", "\U0001f604"), ("", ""), ("1" * 11, "")]
)
def test_emoji_chars(code: str, chars: str) -> None:
    assert emoji_chars(code) == chars


def test_fix_surrogates_keeps_valid_text() -> None:
    text = "ok \U0001f600 中文"
    assert fix_surrogates(text) is text


APPMSG = '&lt;msg&gt;&lt;appmsg appid=""&gt;&lt;title&gt;A &amp;amp; B&lt;/title&gt;<br/>\t&lt;url&gt;http://x/?a=1&amp;amp;b=2&lt;/url&gt;&lt;/appmsg&gt;&lt;/msg&gt;'


def test_content_xml_unescapes_once() -> None:
    assert (
        content_xml(APPMSG)
        == '<msg><appmsg appid="">'
        + "<title>A &amp; B</title>\n\t<url>http://x/?a=1&amp;b=2</url></appmsg></msg>"
    )


def test_parse_xml_escaped_content() -> None:
    root = parse_xml(APPMSG)
    assert child_text(root, "appmsg/title") == "A & B"
    assert child_text(root, "appmsg/url") == "http://x/?a=1&b=2"


def test_parse_xml_unescaped_content_with_declaration() -> None:
    root = parse_xml('<?xml version="1.0"?><br/><msg username="v1_x@stranger" />')
    assert root is not None and root.get("username") == "v1_x@stranger"


@pytest.mark.parametrize(
    "content",
    [
        '<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]><msg>&b;</msg>',
        '&lt;!DOCTYPE x [&lt;!ENTITY e SYSTEM "file:///etc/passwd"&gt;]&gt;&lt;msg&gt;&amp;e;&lt;/msg&gt;',
        "<msg><unclosed></msg>",
        "&lt;msg&gt;&lt;appmsg",
        "@0a1b2c3d",
        "",
        "<" * 10,
        "<msg>" * 600_000,  # over the size limit
    ],
    ids=[
        "entity-bomb",
        "external-entity",
        "mismatched",
        "truncated",
        "token",
        "empty",
        "lts",
        "huge",
    ],
)
def test_parse_xml_refuses_bad_input(content: str) -> None:
    assert parse_xml(content) is None
