"""Table tests for the Telegram HTML parser shared by the emulator and the content checker."""

from __future__ import annotations

from typing import Any

import pytest

from bot.text.telegram_html import HtmlError, entities_to_html, parse_html, utf16_len

E = dict[str, Any]


def ent(kind: str, offset: int, length: int, **extra: Any) -> E:
    return {"type": kind, "offset": offset, "length": length, **extra}


VALID: list[tuple[str, str, list[E]]] = [
    ("plain text", "plain text", []),
    ("", "", []),
    ("<b>bold</b>", "bold", [ent("bold", 0, 4)]),
    (
        "<strong>x</strong><i>y</i><em>z</em>",
        "xyz",
        [ent("bold", 0, 1), ent("italic", 1, 1), ent("italic", 2, 1)],
    ),
    ("<u>a</u><ins>b</ins>", "ab", [ent("underline", 0, 1), ent("underline", 1, 1)]),
    (
        "<s>a</s><strike>b</strike><del>c</del>",
        "abc",
        [ent("strikethrough", 0, 1), ent("strikethrough", 1, 1), ent("strikethrough", 2, 1)],
    ),
    (
        '<span class="tg-spoiler">s</span><tg-spoiler>t</tg-spoiler>',
        "st",
        [ent("spoiler", 0, 1), ent("spoiler", 1, 1)],
    ),
    ("<B>upper</B>", "upper", [ent("bold", 0, 5)]),
    (
        '<a href="https://example.com/?a=1&amp;b=2">link</a>',
        "link",
        [ent("text_link", 0, 4, url="https://example.com/?a=1&b=2")],
    ),
    ("<a href='http://x.kz'>q</a>", "q", [ent("text_link", 0, 1, url="http://x.kz")]),
    (
        '<a href="tg://user?id=42">me</a>',
        "me",
        [ent("text_mention", 0, 2, user={"id": 42, "is_bot": False, "first_name": ""})],
    ),
    ("<a>https://e.kz</a>", "https://e.kz", [ent("text_link", 0, 12, url="https://e.kz")]),
    # Telegram silently drops links it cannot use instead of failing the message.
    ('<a href="javascript:alert(1)">x</a>', "x", []),
    ("<code>x = 1</code>", "x = 1", [ent("code", 0, 5)]),
    ("<pre>block</pre>", "block", [ent("pre", 0, 5)]),
    (
        '<pre><code class="language-python">print()</code></pre>',
        "print()",
        [ent("pre", 0, 7, language="python")],
    ),
    ("<pre><code>no lang</code></pre>", "no lang", [ent("pre", 0, 7)]),
    ("<blockquote>q</blockquote>", "q", [ent("blockquote", 0, 1)]),
    ("<blockquote expandable>q</blockquote>", "q", [ent("expandable_blockquote", 0, 1)]),
    (
        '<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>',
        "👍",
        [ent("custom_emoji", 0, 2, custom_emoji_id="5368324170671202286")],
    ),
    ("<b>bold <i>both</i></b> plain", "bold both plain", [ent("bold", 0, 9), ent("italic", 5, 4)]),
    ("<b><i>same</i></b>", "same", [ent("bold", 0, 4), ent("italic", 0, 4)]),
    # Nothing may live inside code or pre, and quotes do not nest: Telegram drops the inner one.
    ("<code><b>x</b></code>", "x", [ent("code", 0, 1)]),
    ("<blockquote><blockquote>x</blockquote></blockquote>", "x", [ent("blockquote", 0, 1)]),
    ("<b></b>empty", "empty", []),
    ("&lt;b&gt; &amp; &quot;", '<b> & "', []),
    ("&#65;&#x42;&#x1F600;", "AB😀", []),
    ("a > b", "a > b", []),
    ("<b >spaced</b >", "spaced", [ent("bold", 0, 6)]),
    ("<b>x</>", "x", [ent("bold", 0, 1)]),
    ('<b class="ignored">x</b>', "x", [ent("bold", 0, 1)]),
    # Offsets count UTF-16 code units: an emoji outside the BMP counts twice.
    ("😀 <b>a</b>", "😀 a", [ent("bold", 3, 1)]),
    ("<b>😀😀</b>x<i>y</i>", "😀😀xy", [ent("bold", 0, 4), ent("italic", 5, 1)]),
    ("Сәлем <b>әлем</b>", "Сәлем әлем", [ent("bold", 6, 4)]),
]


@pytest.mark.parametrize(("source", "text", "entities"), VALID)
def test_valid_html(source: str, text: str, entities: list[E]) -> None:
    assert parse_html(source) == (text, entities)


INVALID: list[tuple[str, str]] = [
    ("Hello<foo>", 'Unsupported start tag "foo" at byte offset 5'),
    ("<br/>", 'Unsupported start tag "br/" at byte offset 0'),
    ("<p>x</p>", 'Unsupported start tag "p" at byte offset 0'),
    ("a < b", 'Unsupported start tag "" at byte offset 2'),
    ("x <3", "Unclosed start tag at byte offset 2"),
    ("ends with <", "Unclosed start tag at byte offset 10"),
    ("<b>x", 'Can\'t find end tag corresponding to start tag "b"'),
    ("<b><i>x</b></i>", 'Unmatched end tag at byte offset 7, expected "</i>", found "</b>"'),
    ("x</b>", "Unexpected end tag at byte offset 1"),
    ("<b>x</b", "Unclosed end tag at byte offset 4"),
    ('<a href="x"', "Unclosed start tag at byte offset 0"),
    (
        "<a href>x</a>",
        'Expected equal sign in declaration of an attribute of the tag "a" at byte offset 0',
    ),
    ("<a href=java:x>x</a>", "Unexpected end of name token at byte offset 8"),
    ("<span>x</span>", 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
    ('<span class="other">x</span>', 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
    ('<tg-emoji emoji-id="abc">x</tg-emoji>', "Custom emoji identifier must be non-zero"),
    ("a & b", 'Character "&" must be escaped as "&amp;" at byte offset 2'),
    (
        "Tom&Jerry",
        'Unsupported HTML entity "&Jerry;" at byte offset 3 (only &lt; &gt; &amp; '
        "&quot; and numeric references are allowed)",
    ),
    (
        "&nbsp;",
        'Unsupported HTML entity "&nbsp;" at byte offset 0 (only &lt; &gt; &amp; &quot; '
        "and numeric references are allowed)",
    ),
    (
        "&amp no semicolon",
        'Unsupported HTML entity "&amp;" at byte offset 0 (only &lt; &gt; '
        "&amp; &quot; and numeric references are allowed)",
    ),
    ("&#;", "Invalid numeric character reference at byte offset 0"),
    ("&#0;", "Invalid numeric character reference at byte offset 0"),
    ("&#xD800;", "Invalid numeric character reference at byte offset 0"),
    ("&#x110000;", "Invalid numeric character reference at byte offset 0"),
    ("&#65", "Invalid numeric character reference at byte offset 0"),
    # Byte offsets are UTF-8 bytes, as in Telegram's messages: "ә" takes two bytes.
    ("ә<x>", 'Unsupported start tag "x" at byte offset 2'),
]


@pytest.mark.parametrize(("source", "reason"), INVALID)
def test_invalid_html(source: str, reason: str) -> None:
    with pytest.raises(HtmlError) as caught:
        parse_html(source)
    assert caught.value.reason == reason
    assert caught.value.description == f"Bad Request: can't parse entities: {reason}"
    assert str(caught.value) == caught.value.description


def test_utf16_len() -> None:
    assert utf16_len("abc") == 3
    assert utf16_len("😀") == 2
    assert utf16_len("қазақша") == 7


RENDER: list[tuple[str, list[E], str]] = [
    ("<script>", [], "&lt;script&gt;"),
    ("bold", [ent("bold", 0, 4)], "<b>bold</b>"),
    ("😀 x", [ent("italic", 3, 1)], "😀 <i>x</i>"),
    # Overlapping entities (possible with the explicit entities parameter) still nest properly.
    ("abcdef", [ent("bold", 0, 4), ent("italic", 2, 4)], "<b>ab<i>cd</i></b><i>ef</i>"),
    (
        "x",
        [ent("text_link", 0, 1, url='https://e.kz/"><script>')],
        '<a href="https://e.kz/&quot;&gt;&lt;script&gt;" target="_blank" '
        'rel="noopener noreferrer">x</a>',
    ),
    ("x", [ent("text_link", 0, 1, url="javascript:alert(1)")], '<span class="tg-link">x</span>'),
    (
        "code",
        [ent("pre", 0, 4, language='py"')],
        '<pre><code class="language-py&quot;">code</code></pre>',
    ),
    ("s", [ent("spoiler", 0, 1)], '<span class="tg-spoiler">s</span>'),
    ("out of range", [ent("bold", 50, 3)], "out of range"),
]


@pytest.mark.parametrize(("text", "entities", "expected"), RENDER)
def test_entities_to_html(text: str, entities: list[E], expected: str) -> None:
    assert entities_to_html(text, entities) == expected
