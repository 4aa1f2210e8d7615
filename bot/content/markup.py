"""A small Markdown subset, as outreach teams write it, turned into Telegram HTML."""

from __future__ import annotations

import html
import re

_LINK = re.compile(r"\[([^\]\n]+)\]\((https?://[^)\s]+|tel:[+\d]+)\)")
_BOLD = re.compile(r"\*\*(.+?)\*\*")
_ITALIC = re.compile(r"(?<![\w*])_(?!\s)(.+?)(?<!\s)_(?!\w)")


def inline(text: str) -> str:
    """Escape HTML, then apply **bold**, _italic_ and [links](url)."""
    out = html.escape(text, quote=False)
    # The URL was escaped with the rest of the text: unescape it first, so "a=1&b=2" becomes
    # "a=1&amp;b=2" in the attribute, not "&amp;amp;".
    out = _LINK.sub(
        lambda m: f'<a href="{html.escape(html.unescape(m.group(2)))}">{m.group(1)}</a>', out
    )
    out = _BOLD.sub(r"<b>\1</b>", out)
    return _ITALIC.sub(r"<i>\1</i>", out)


def to_html(markdown: str) -> str:
    """Render paragraphs, '- ' bullets and '### ' headings; Telegram has no block tags."""
    lines_out: list[str] = []
    for raw in markdown.strip().splitlines():
        line = raw.rstrip()
        stripped = line.lstrip()
        if stripped.startswith("### "):
            lines_out.append(f"<b>{inline(stripped[4:].strip())}</b>")
        elif stripped.startswith(("- ", "* ")):
            lines_out.append(f"• {inline(stripped[2:].strip())}")
        else:
            lines_out.append(inline(line))
    text = "\n".join(lines_out)
    # Collapse runs of blank lines: a phone screen has no room for them.
    return re.sub(r"\n{3,}", "\n\n", text)
