"""A printable A4 poster per language: what the bot does, the QR code and the link.

The words come from content/<lang>/strings.yml (poster.*), so outreach teams edit them like
any other text. DejaVu Sans (bundled, see fonts/LICENSE-DejaVu.txt) covers Kazakh letters.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from bot.content import Catalogue

FONTS = Path(__file__).resolve().parent / "fonts"
_TAGS = re.compile(r"<[^>]+>")


def _plain(html_text: str) -> str:
    return html.unescape(_TAGS.sub("", html_text))


def _para(pdf: FPDF, size: float, text: str, bold: bool = False, align: str = "C") -> None:
    """A paragraph across the page, then the cursor back at the left margin below it."""
    pdf.set_font("DejaVu", "B" if bold else "", size)
    height = size * 0.5
    pdf.multi_cell(0, height, text, align=align, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def write_poster(
    catalogue: Catalogue,
    languages: Sequence[str],
    office_names: dict[str, str],
    link: str,
    qr_png: Path,
    out: Path,
) -> Path:
    """One A4 page per language, in the order given."""
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_margins(20, 20, 20)
    pdf.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    pdf.set_title("Kelisim")
    for language in languages:

        def say(key: str) -> str:
            return _plain(catalogue.text(language, key))  # noqa: B023 (used at once)

        pdf.add_page()
        pdf.set_y(24)
        _para(pdf, 34, say("poster.title"), bold=True)
        _para(pdf, 16, say("poster.subtitle"))
        pdf.ln(8)
        pdf.set_left_margin(30)
        for n in (1, 2, 3):
            _para(pdf, 15, "•  " + say(f"poster.line{n}"), align="L")
            pdf.ln(3)
        pdf.set_left_margin(20)
        size = 95
        top = pdf.get_y() + 6
        pdf.image(str(qr_png), x=(pdf.w - size) / 2, y=top, w=size, h=size)
        pdf.set_y(top + size + 6)
        _para(pdf, 13, say("poster.scan"))
        _para(pdf, 15, link, bold=True)
        pdf.set_y(pdf.h - 40)
        _para(pdf, 12, office_names[language])
        pdf.ln(2)
        _para(pdf, 9, say("poster.disclaimer"))
    out.parent.mkdir(parents=True, exist_ok=True)
    pdf.output(str(out))
    return out
