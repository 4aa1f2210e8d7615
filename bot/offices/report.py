"""`python -m bot report`: one self-contained HTML page of what the bot achieved, per office.

Counts only (bot/offices/counts.py); any number under 5 is shown as "<5" and drawn as nothing,
so that no bar points at a person. Charts are inline SVG: the file opens in any browser,
offline, and can be mailed as it is.
"""

from __future__ import annotations

import datetime as dt
import html
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.offices import counts
from bot.offices.models import DailyCount, Office

HIDE_BELOW = 5
FUNNEL: tuple[tuple[str, str], ...] = (
    (counts.STARTED, "Started"),
    (counts.LANGUAGE_CHOSEN, "Chose a language"),
    ("screened", "Checked their dispute"),
    (counts.MEDIATOR_SEARCH, "Searched for a mediator"),
    (counts.CONTACTS_SHOWN, "Mediator listings shown"),
    (counts.HANDOFF, "Summaries prepared for a mediator"),
)
_COLOURS = ("#2f6f9f", "#d08c2e", "#4d9a5b", "#b04a4a", "#7a5ea8", "#5c8a8a", "#9a7b4d")


@dataclass(frozen=True)
class Row:
    day: dt.date
    office: str
    region: str
    language: str
    event: str
    count: int


def shown(value: int) -> str:
    return f"{value:,}".replace(",", " ") if value >= HIDE_BELOW else f"<{HIDE_BELOW}"


def _family(event: str) -> str:
    """`screened:eligible` counts as `screened` in the funnel."""
    return event.split(":", 1)[0] if event.startswith("screened:") else event


def load(session: Session, since: dt.date, until: dt.date) -> list[Row]:
    found = session.scalars(
        select(DailyCount).where(DailyCount.day >= since, DailyCount.day <= until)
    )
    return [Row(r.day, r.office, r.region, r.language, r.event, r.count) for r in found]


def _svg_open(title: str, width: int, height: int) -> str:
    label = html.escape(title)
    return f'<svg role="img" aria-label="{label}" width="{width}" height="{height}">'


def _prefixed(rows: Iterable[Row], prefix: str) -> list[tuple[str, int]]:
    """Events that start with `prefix`, without it, the biggest first."""
    found = {
        e.removeprefix(prefix): v for e, v in _sum(rows, "event").items() if e.startswith(prefix)
    }
    return sorted(found.items(), key=lambda kv: (-kv[1], kv[0]))


def _office_name(offices: dict[str, Office], code: str) -> str:
    if code in offices:
        return offices[code].name_en
    return "Without an office's link" if code == "" else code


def _bars(items: Sequence[tuple[str, int]], title: str, colour: str = _COLOURS[0]) -> str:
    """A horizontal bar chart; hidden counts get no bar."""
    if not items:
        return f"<h3>{html.escape(title)}</h3><p class='none'>No data in this period.</p>"
    width, label_w, bar_h = 720, 260, 22
    top = max((v for _, v in items if v >= HIDE_BELOW), default=1)
    height = bar_h * len(items) + 10
    parts = [
        f'<svg role="img" aria-label="{html.escape(title)}" width="{width}" height="{height}">'
    ]
    for i, (label, value) in enumerate(items):
        y = 5 + i * bar_h
        length = (width - label_w - 70) * value / top if value >= HIDE_BELOW else 0
        parts.append(
            f'<text x="{label_w - 8}" y="{y + 15}" text-anchor="end">{html.escape(label)}</text>'
            f'<rect x="{label_w}" y="{y + 3}" width="{length:.1f}" height="{bar_h - 6}" '
            f'fill="{colour}"/>'
            f'<text x="{label_w + length + 6:.1f}" y="{y + 15}">{shown(value)}</text>'
        )
    parts.append("</svg>")
    return f"<h3>{html.escape(title)}</h3>" + "".join(parts)


def _lines(series: dict[str, dict[dt.date, int]], days: list[dt.date], title: str) -> str:
    """Daily lines, one per series; a hidden day is drawn at zero."""
    if not series or not days:
        return f"<h3>{html.escape(title)}</h3><p class='none'>No data in this period.</p>"
    width, height, left, bottom = 720, 240, 40, 30
    top = max((v for s in series.values() for v in s.values() if v >= HIDE_BELOW), default=1)
    step = (width - left - 150) / max(len(days) - 1, 1)
    parts = [
        f'<svg role="img" aria-label="{html.escape(title)}" width="{width}" height="{height}">'
    ]
    parts.append(
        f'<line x1="{left}" y1="{height - bottom}" x2="{width - 150}" y2="{height - bottom}" '
        'stroke="#999"/>'
    )
    for n, (name, values) in enumerate(series.items()):
        colour = _COLOURS[n % len(_COLOURS)]
        points = []
        for i, day in enumerate(days):
            value = values.get(day, 0)
            value = value if value >= HIDE_BELOW else 0
            y = height - bottom - (height - bottom - 10) * value / top
            points.append(f"{left + i * step:.1f},{y:.1f}")
        line = " ".join(points)
        parts.append(
            f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{line}"/>'
            f'<text x="{width - 140}" y="{20 + n * 18}" fill="{colour}">{html.escape(name)}</text>'
        )
    parts.append(
        f'<text x="{left}" y="{height - 8}">{days[0].isoformat()}</text>'
        f'<text x="{width - 150}" y="{height - 8}" text-anchor="end">{days[-1].isoformat()}</text>'
    )
    parts.append("</svg>")
    return f"<h3>{html.escape(title)}</h3>" + "".join(parts)


def _sum(rows: Iterable[Row], key: str) -> dict[str, int]:
    totals: dict[str, int] = defaultdict(int)
    for row in rows:
        totals[str(getattr(row, key))] += row.count
    return totals


def render(
    rows: list[Row],
    offices: dict[str, Office],
    region_names: dict[str, str],
    since: dt.date,
    until: dt.date,
    unanswered: Sequence[tuple[str, str, int]] = (),
) -> str:
    """The whole page. `unanswered`: (language, anonymised question, times asked)."""
    sections = []
    by_office: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        by_office[row.office].append(row)
    for code in sorted(by_office, key=lambda c: (c == "", c)):
        funnel: dict[str, int] = defaultdict(int)
        for event, value in _sum(by_office[code], "event").items():
            funnel[_family(event)] += value
        items = [(label, funnel.get(event, 0)) for event, label in FUNNEL]
        sections.append(_bars(items, f"Funnel: {_office_name(offices, code)}"))
    sections.append(_bars(_prefixed(rows, "page:")[:12], "Pages read", _COLOURS[1]))
    sections.append(_bars(_prefixed(rows, "screened:"), "Screening verdicts", _COLOURS[2]))
    started = [r for r in rows if r.event == counts.STARTED]
    languages = sorted(_sum(started, "language").items(), key=lambda kv: -kv[1])
    sections.append(_bars(languages, "Languages (people who started)", _COLOURS[3]))
    days = [since + dt.timedelta(days=n) for n in range((until - since).days + 1)]
    regions: dict[str, dict[dt.date, int]] = defaultdict(lambda: defaultdict(int))
    for row in started:
        regions[region_names.get(row.region, row.region) or "Unknown"][row.day] += row.count
    busiest = sorted(regions, key=lambda r: -sum(regions[r].values()))[:6]
    sections.append(_lines({r: regions[r] for r in busiest}, days, "Starts per day, by region"))
    heard = _prefixed(rows, "heard:")
    sections.append(_bars(heard, "Where people heard of the bot", _COLOURS[4]))
    if unanswered:
        table = "".join(
            f"<tr><td>{html.escape(lang)}</td><td>{html.escape(text)}</td><td>{times}</td></tr>"
            for lang, text, times in unanswered
        )
        sections.append(
            "<h3>Questions the bot did not understand</h3>"
            "<p>Write content for these next. Anonymised: numbers, addresses and names removed.</p>"
            f"<table><tr><th>Language</th><th>Question</th><th>Times</th></tr>{table}</table>"
        )
    else:
        sections.append(
            "<h3>Questions the bot did not understand</h3><p class='none'>None kept: collecting "
            "them is off (KEEP_UNANSWERED_DAYS=0) or none were asked in this period.</p>"
        )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Kelisim report {since} – {until}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2em auto; max-width: 760px; color: #222; }}
h1 {{ font-size: 1.6em; }} h3 {{ margin-top: 2em; }} svg text {{ font-size: 13px; }}
.none {{ color: #777; }} table {{ border-collapse: collapse; }}
td, th {{ border: 1px solid #ccc; padding: 4px 8px; text-align: left; }}
</style></head><body>
<h1>Kelisim: what the bot achieved</h1>
<p>{since.isoformat()} to {until.isoformat()}. Counts only, no person can be told apart:
any number under {HIDE_BELOW} is shown as "&lt;{HIDE_BELOW}" and drawn as nothing.</p>
{"".join(sections)}
</body></html>
"""
