"""The Markdown subset outreach teams write, as Telegram HTML."""

from __future__ import annotations

import pytest

from bot.content.markup import inline, to_html


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("plain", "plain"),
        ("a < b & c > d", "a &lt; b &amp; c &gt; d"),
        ("**bold** and _italic_", "<b>bold</b> and <i>italic</i>"),
        ("[adilet](https://adilet.zan.kz/x)", '<a href="https://adilet.zan.kz/x">adilet</a>'),
        ("call [1414](tel:1414)", 'call <a href="tel:1414">1414</a>'),
        ("snake_case_word stays", "snake_case_word stays"),
        ("<script>", "&lt;script&gt;"),
        ("[x](javascript:alert(1))", "[x](javascript:alert(1))"),
    ],
)
def test_inline(source: str, expected: str) -> None:
    assert inline(source) == expected


def test_blocks() -> None:
    source = "### Title\n\nFirst line\n- one\n* two\n\n\n\nEnd"
    assert to_html(source) == "<b>Title</b>\n\nFirst line\n• one\n• two\n\nEnd"
