"""The Markdown subset outreach teams write, as Telegram HTML."""

from __future__ import annotations

import pytest

from bot.content import Catalogue
from bot.content.markup import inline, to_html
from bot.text.telegram_html import parse_html


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
        # A query string's & is escaped once in the attribute, not twice.
        ("[q](https://egov.kz/?a=1&b=2)", '<a href="https://egov.kz/?a=1&amp;b=2">q</a>'),
    ],
)
def test_inline(source: str, expected: str) -> None:
    assert inline(source) == expected


def test_blocks() -> None:
    source = "### Title\n\nFirst line\n- one\n* two\n\n\n\nEnd"
    assert to_html(source) == "<b>Title</b>\n\nFirst line\n• one\n• two\n\nEnd"


@pytest.mark.parametrize(
    "value",
    [
        "[Official court portal](https://evil.example/pay)",
        "**shout** and _whisper_",
        "_[x](https://a.example/b_)_",
        "<b>Tom & Jerry</b>",
    ],
)
def test_placeholder_values_are_data_never_markup(catalogue: Catalogue, value: str) -> None:
    """A mediator's name from a CSV file cannot make a link, formatting or broken HTML."""
    text = catalogue.text("en", "dir.more", name=value)
    plain, entities = parse_html(text)  # Telegram would accept it
    assert value in plain
    assert [e["type"] for e in entities] == ["bold"]  # only the template's own bold
