"""`python -m bot report`: one self-contained HTML page of what the bot achieved, per office.

Counts only (bot/outreach/counts.py); any number under 5 is shown as "<5" and drawn as nothing,
so that no bar points at a person. Charts are inline SVG: the file opens in any browser,
offline, and can be mailed as it is. Every word comes from content/<lang>/ (`report.*`, page
titles, verdicts, sources, language and region names) and numbers and dates are formatted with
Babel, so an akimat gets the page in Kazakh or Russian.
"""

from __future__ import annotations

import datetime as dt
import html
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from babel.dates import format_date
from babel.numbers import format_decimal, format_percent
from sqlalchemy import case, func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from bot import clock
from bot.content.catalogue import Catalogue
from bot.languages import LANGUAGES
from bot.offices.models import DailyCount, Office, UnansweredQuestion
from bot.outreach import counts, region_map
from bot.storage.models import BroadcastDelivery

HIDE_BELOW = 5
# Funnel steps in order; each is worded by `report.step.<step>` in content/<lang>/strings.yml.
FUNNEL: tuple[tuple[str, str], ...] = (
    (counts.STARTED, "started"),
    (counts.LANGUAGE_CHOSEN, "language_chosen"),
    ("screened", "screened"),
    (counts.MEDIATOR_SEARCH, "mediator_search"),
    (counts.CONTACTS_SHOWN, "contacts_shown"),
    (counts.HANDOFF, "handoff"),
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


def shown(value: int, language: str = "en") -> str:
    """The count in the locale's digits, or "<5" for a count too small to show."""
    if value >= HIDE_BELOW:
        return format_decimal(value, locale=language)
    return "<" + format_decimal(HIDE_BELOW, locale=language)


@dataclass(frozen=True)
class Words:
    """The report's words in one language, from the content catalogue."""

    catalogue: Catalogue
    language: str

    def html(self, key: str, **args: object) -> str:
        """A `report.*` string as HTML (the catalogue's Telegram HTML is valid HTML)."""
        return self.catalogue.text(self.language, f"report.{key}", **args)

    def plain(self, key: str) -> str:
        """Any string as plain text, for SVG labels (escaped where it is written)."""
        return self.catalogue.label(self.language, key)

    def number(self, value: int) -> str:
        return shown(value, self.language)

    def date(self, day: dt.date, form: str = "long") -> str:
        return format_date(day, format=form, locale=self.language)

    def page_title(self, page_id: str) -> str:
        return (
            self.catalogue.page(self.language, page_id).title
            if self.catalogue.has_page(page_id)
            else page_id
        )

    def known(self, key: str, fallback: str) -> str:
        """A label from the catalogue when it has one; counts may name things it no longer has."""
        return self.plain(key) if self.catalogue.has(self.language, key) else fallback


def _family(event: str) -> str:
    """`screened:eligible` counts as `screened` in the funnel."""
    return event.split(":", 1)[0] if event.startswith("screened:") else event


def load(session: Session, since: dt.date, until: dt.date) -> list[Row]:
    """The daily counts from `since` to `until`, both included."""
    found = session.scalars(
        select(DailyCount).where(DailyCount.day >= since, DailyCount.day <= until)
    )
    return [Row(r.day, r.office, r.region, r.language, r.event, r.count) for r in found]


def load_offices(session: Session) -> dict[str, Office]:
    """Every office, by code (the report names them)."""
    return {o.code: o for o in session.scalars(select(Office))}


# Unanswered questions the report lists, the most asked first.
UNANSWERED_SHOWN = 200


def load_unanswered(session: Session, since: dt.date, until: dt.date) -> list[tuple[str, str, int]]:
    """(language, question, times asked) of the kept unanswered questions, most asked first."""
    asked = session.execute(
        select(UnansweredQuestion.language, UnansweredQuestion.text, func.count())
        .where(UnansweredQuestion.day >= since, UnansweredQuestion.day <= until)
        .where(UnansweredQuestion.subject == "")
        .group_by(UnansweredQuestion.language, UnansweredQuestion.text)
        .order_by(func.count().desc(), UnansweredQuestion.text)
        .limit(UNANSWERED_SHOWN)
    ).all()
    return [(language, text, int(times)) for language, text, times in asked]


@dataclass(frozen=True)
class MissingText:
    """What people typed was missing on a page or verdict, after 👎 → "something else"."""

    subject: str  # "page:<id>" or "verdict:<code>"
    language: str
    text: str  # anonymised
    times: int


def load_missing_texts(session: Session, since: dt.date, until: dt.date) -> list[MissingText]:
    """The kept typed answers to "what was missing?", most often written first."""
    said = session.execute(
        select(
            UnansweredQuestion.subject,
            UnansweredQuestion.language,
            UnansweredQuestion.text,
            func.count(),
        )
        .where(UnansweredQuestion.day >= since, UnansweredQuestion.day <= until)
        .where(UnansweredQuestion.subject != "")
        .group_by(UnansweredQuestion.subject, UnansweredQuestion.language, UnansweredQuestion.text)
        .order_by(func.count().desc(), UnansweredQuestion.subject, UnansweredQuestion.text)
        .limit(UNANSWERED_SHOWN)
    ).all()
    return [MissingText(subject, lang, text, int(n)) for subject, lang, text, n in said]


def _svg_open(title: str, width: int, height: int) -> str:
    label = html.escape(title)
    return f'<svg role="img" aria-label="{label}" width="{width}" height="{height}">'


def _data_table(headers: Sequence[str], rows: Sequence[Sequence[str]], words: Words) -> str:
    """The chart's figures as a table under it: for screen readers, and to copy into a memo."""
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(cell)}</td>" for cell in row) + "</tr>" for row in rows
    )
    return (
        f"<details><summary>{html.escape(words.plain('report.table.show'))}</summary>"
        f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></details>"
    )


def _prefixed(rows: Iterable[Row], prefix: str) -> list[tuple[str, int]]:
    """Events that start with `prefix`, without it, the biggest first."""
    found = {
        e.removeprefix(prefix): v for e, v in _sum(rows, "event").items() if e.startswith(prefix)
    }
    return sorted(found.items(), key=lambda kv: (-kv[1], kv[0]))


def _office_name(offices: dict[str, Office], code: str, words: Words) -> str:
    if code in offices:
        return offices[code].name(words.language)
    return words.plain("report.no_office") if code == "" else code


def _bars(
    items: Sequence[tuple[str, int]], title: str, words: Words, colour: str = _COLOURS[0]
) -> str:
    """A horizontal bar chart; hidden counts get no bar."""
    if not items:
        return f"<h3>{html.escape(title)}</h3><p class='none'>{words.html('no_data')}</p>"
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
            f'<text x="{label_w + length + 6:.1f}" y="{y + 15}">'
            f"{html.escape(words.number(value))}</text>"
        )
    parts.append("</svg>")
    table = _data_table(
        [words.plain("report.table.what"), words.plain("report.table.count")],
        [(label, words.number(value)) for label, value in items],
        words,
    )
    return f"<h3>{html.escape(title)}</h3>" + "".join(parts) + table


def _lines(
    series: dict[str, dict[dt.date, int]], days: list[dt.date], title: str, words: Words
) -> str:
    """Daily lines, one per series; a hidden day is drawn at zero."""
    if not series or not days:
        return f"<h3>{html.escape(title)}</h3><p class='none'>{words.html('no_data')}</p>"
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
        f'<text x="{left}" y="{height - 8}">{html.escape(words.date(days[0], "medium"))}</text>'
        f'<text x="{width - 150}" y="{height - 8}" text-anchor="end">'
        f"{html.escape(words.date(days[-1], 'medium'))}</text>"
    )
    parts.append("</svg>")
    table = _data_table(
        [words.plain("report.table.day"), *series],
        [
            (words.date(day, "medium"), *(words.number(v.get(day, 0)) for v in series.values()))
            for day in days
        ],
        words,
    )
    return f"<h3>{html.escape(title)}</h3>" + "".join(parts) + table


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
    *,
    catalogue: Catalogue,
    language: str,
    news: Sequence[NewsRow] = (),
    translations: Mapping[str, Mapping[str, int]] | None = None,
    missing_texts: Sequence[MissingText] = (),
    typed_texts: bool = True,
) -> str:
    """The whole page in `language`. `region_names`: region id -> name in that language;
    `unanswered`: (language, anonymised question, times asked). Without `typed_texts` (an
    office's report) the sections of what people typed are left out altogether."""
    words = Words(catalogue, language)
    sections = []
    by_office: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        by_office[row.office].append(row)
    for code in sorted(by_office, key=lambda c: (c == "", c)):
        funnel: dict[str, int] = defaultdict(int)
        for event, value in _sum(by_office[code], "event").items():
            funnel[_family(event)] += value
        items = [
            (words.plain(f"report.step.{step}"), funnel.get(event, 0)) for event, step in FUNNEL
        ]
        title = words.plain("report.funnel").format(office=_office_name(offices, code, words))
        sections.append(_bars(items, title, words))
    pages = [(words.page_title(p), n) for p, n in _prefixed(rows, "page:")[:12]]
    sections.append(_bars(pages, words.plain("report.pages"), words, _COLOURS[1]))
    verdicts = [(words.known(f"dir.verdict.{v}", v), n) for v, n in _prefixed(rows, "screened:")]
    sections.append(_bars(verdicts, words.plain("report.verdicts"), words, _COLOURS[2]))
    sections.append(_helpful(rows, words))
    if typed_texts:
        sections.append(_missing_texts(missing_texts, words))
    started = [r for r in rows if r.event == counts.STARTED]
    languages = [
        (words.known(f"lang.name.{code}", code), n)
        for code, n in sorted(_sum(started, "language").items(), key=lambda kv: -kv[1])
    ]
    sections.append(_bars(languages, words.plain("report.languages"), words, _COLOURS[3]))
    days = [since + dt.timedelta(days=n) for n in range((until - since).days + 1)]
    regions: dict[str, dict[dt.date, int]] = defaultdict(lambda: defaultdict(int))
    unknown = words.plain("report.unknown_region")
    for row in started:
        regions[region_names.get(row.region, row.region) or unknown][row.day] += row.count
    busiest = sorted(regions, key=lambda r: -sum(regions[r].values()))[:6]
    sections.append(
        _lines({r: regions[r] for r in busiest}, days, words.plain("report.regions"), words)
    )
    eligible = [r for r in rows if r.event == "screened:eligible"]
    for title, chosen in (("report.map_starts", started), ("report.map_eligible", eligible)):
        sections.append(
            region_map.tile_map(
                dict(_sum(chosen, "region")),
                region_names,
                words.plain(title),
                words.plain("report.table.region"),
                words.plain("report.table.count"),
                words.number,
                HIDE_BELOW,
            )
        )
    heard = [
        (
            words.plain("report.heard_code")
            if source == "code"
            else words.known(f"btn.source.{source}", source),
            n,
        )
        for source, n in _prefixed(rows, "heard:")
    ]
    sections.append(_bars(heard, words.plain("report.heard"), words, _COLOURS[4]))
    if typed_texts:
        sections.append(_unanswered(unanswered, words))
    sections.append(_news(news, words))
    sections.append(_translations(translations, words))
    period = {"since": words.date(since), "until": words.date(until)}
    hidden = words.number(0)  # how a hidden count reads: "<5"
    return f"""<!doctype html>
<html lang="{html.escape(language)}"><head><meta charset="utf-8">
<title>{html.escape(words.plain("report.html_title").format(**period))}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2em auto; max-width: 760px; color: #222; }}
h1 {{ font-size: 1.6em; }} h3 {{ margin-top: 2em; }} svg text {{ font-size: 13px; }}
.none {{ color: #777; }} table {{ border-collapse: collapse; }}
td, th {{ border: 1px solid #ccc; padding: 4px 8px; text-align: left; }}
</style></head><body>
<h1>{words.html("title")}</h1>
<p>{words.html("intro", **period, limit=HIDE_BELOW, hidden=hidden)}</p>
{"".join(sections)}
</body></html>
"""


def _unanswered(unanswered: Sequence[tuple[str, str, int]], words: Words) -> str:
    heading = f"<h3>{words.html('unanswered')}</h3>"
    if not unanswered:
        return heading + f"<p class='none'>{words.html('unanswered_off')}</p>"
    table = "".join(
        f"<tr><td>{html.escape(words.known(f'lang.name.{lang}', lang))}</td>"
        f"<td>{html.escape(text)}</td><td>{format_decimal(times, locale=words.language)}</td></tr>"
        for lang, text, times in unanswered
    )
    columns = "".join(
        f"<th>{words.html(f'column.{c}')}</th>" for c in ("language", "question", "times")
    )
    return (
        heading
        + f"<p>{words.html('unanswered_note')}</p>"
        + f"<table><tr>{columns}</tr>{table}</table>"
    )


# "Was this helpful?" (bot/telegram/handlers/feedback.py): the reasons shown per page or verdict.
REASONS_SHOWN = 3


@dataclass
class _Votes:
    """One page's or verdict's 👍, 👎 and reasons after a 👎."""

    up: int = 0
    down: int = 0
    reasons: dict[str, int] = field(default_factory=dict)
    # Per language the person read it in: [👍, 👎] (a translation that helps less shows here).
    by_language: dict[str, list[int]] = field(default_factory=dict)


def _votes(rows: Iterable[Row]) -> dict[str, _Votes]:
    """Subject ("page:cost", "verdict:eligible") -> its votes, from `helpful:<subject>`,
    `unhelpful:<subject>` and `missing:<reason>:<subject>`."""
    found: dict[str, _Votes] = defaultdict(_Votes)
    for row in rows:
        family, _, rest = row.event.partition(":")
        if family in ("helpful", "unhelpful"):
            pair = found[rest].by_language.setdefault(row.language, [0, 0])
            pair[family == "unhelpful"] += row.count
    for event, n in _sum(rows, "event").items():
        family, _, rest = event.partition(":")
        if family == "helpful":
            found[rest].up += n
        elif family == "unhelpful":
            found[rest].down += n
        elif family == "missing":
            reason, _, subject = rest.partition(":")
            reasons = found[subject].reasons
            reasons[reason] = reasons.get(reason, 0) + n
    return found


def _lang_order(language: str) -> int:
    return LANGUAGES.index(language) if language in LANGUAGES else len(LANGUAGES)


def _subject_name(subject: str, words: Words) -> str:
    kind, _, name = subject.partition(":")
    if kind == "verdict":
        result = words.known(f"dir.verdict.{name}", name)
        return words.plain("report.helpful_result").format(result=result)
    return words.page_title(name)


def _rate(votes: _Votes, words: Words) -> str:
    """The share of 👍, only when both counts are shown (else it would tell a hidden one)."""
    if votes.up < HIDE_BELOW or votes.down < HIDE_BELOW:
        return "–"
    return format_percent(votes.up / (votes.up + votes.down), locale=words.language)


def _helpful(rows: Iterable[Row], words: Words) -> str:
    """The "Was it helpful?" table: per page and verdict, 👍, 👎, the helpful rate and the
    reasons most given after a 👎; counts under 5 hidden."""
    heading = f"<h3>{words.html('helpful')}</h3>"
    votes = _votes(rows)
    if not votes:
        return heading + f"<p class='none'>{words.html('no_data')}</p>"
    lines = []
    for subject, v in sorted(votes.items(), key=lambda kv: (-kv[1].up - kv[1].down, kv[0])):
        top = sorted(v.reasons.items(), key=lambda kv: (-kv[1], kv[0]))[:REASONS_SHOWN]
        reasons = "; ".join(
            f"{words.known(f'btn.feedback.{reason}', reason)}: {words.number(n)}"
            for reason, n in top
        )
        languages = "; ".join(
            f"{words.known(f'lang.name.{lang}', lang)}: {words.number(up)} / {words.number(down)}"
            for lang, (up, down) in sorted(v.by_language.items(), key=lambda kv: _lang_order(kv[0]))
        )
        cells = (
            _subject_name(subject, words), words.number(v.up), words.number(v.down),
            _rate(v, words), languages, reasons,
        )  # fmt: skip
        lines.append("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in cells) + "</tr>")
    columns = "".join(
        f"<th>{words.html(f'column.{c}')}</th>"
        for c in ("subject", "up", "down", "rate", "by_language", "reasons")
    )
    return (
        heading
        + f"<p>{words.html('helpful_note')}</p>"
        + f"<table class='helpful'><tr>{columns}</tr>{''.join(lines)}</table>"
    )


def _missing_texts(said: Sequence[MissingText], words: Words) -> str:
    """What people typed was missing, by page or verdict (kept only when KEEP_UNANSWERED_DAYS
    allows; anonymised; a text is not a person, so no count is hidden)."""
    heading = f"<h3>{words.html('missing_texts')}</h3>"
    if not said:
        return heading + f"<p class='none'>{words.html('missing_texts_none')}</p>"
    lines = []
    for item in said:
        cells = (
            _subject_name(item.subject, words),
            words.known(f"lang.name.{item.language}", item.language),
            item.text,
            format_decimal(item.times, locale=words.language),
        )
        lines.append("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in cells) + "</tr>")
    columns = "".join(
        f"<th>{words.html(f'column.{c}')}</th>" for c in ("subject", "language", "said", "times")
    )
    return (
        heading
        + f"<p>{words.html('missing_texts_note')}</p>"
        + f"<table class='missing-texts'><tr>{columns}</tr>{''.join(lines)}</table>"
    )


# --- News (python -m bot broadcast) ---------------------------------------------------------


@dataclass(frozen=True)
class NewsRow:
    """What came of one piece of news: counts only, no person."""

    news: str  # the news file's id
    first_sent: dt.date  # in Kazakhstan
    delivered: int
    blocked: int
    unsubscribed: int  # through the button under it


def load_news(session: Session, since: dt.date, until: dt.date) -> list[NewsRow]:
    """Each piece of news first sent in the period (Kazakhstan's days), from the journal."""
    start, end = (
        dt.datetime.combine(day, dt.time(), clock.KAZAKHSTAN).astimezone(dt.UTC)
        for day in (since, until + dt.timedelta(days=1))
    )
    journal = BroadcastDelivery
    first = func.min(journal.at)

    def of(condition: ColumnElement[bool]) -> ColumnElement[int]:
        return func.sum(case((condition, 1), else_=0))

    rows = session.execute(
        select(
            journal.broadcast,
            first,
            # The journal's statuses (bot/telegram/broadcast.py): "sent", "blocked".
            of(journal.status == "sent"),
            of(journal.status == "blocked"),
            of(journal.unsubscribed.is_(True)),
        )
        .group_by(journal.broadcast)
        .order_by(first)
    ).all()
    found = []
    for news, sent_at, delivered, blocked, unsubscribed in rows:
        at = sent_at if sent_at.tzinfo else sent_at.replace(tzinfo=dt.UTC)
        if start <= at < end:
            day = at.astimezone(clock.KAZAKHSTAN).date()
            found.append(NewsRow(news, day, int(delivered), int(blocked), int(unsubscribed)))
    return found


def _news(news: Sequence[NewsRow], words: Words) -> str:
    heading = f"<h3>{words.html('news.title')}</h3>"
    if not news:
        return heading + f"<p class='none'>{words.html('news.none')}</p>"
    columns = "".join(
        f"<th>{words.html(f'news.column.{c}')}</th>"
        for c in ("news", "sent", "delivered", "blocked", "unsubscribed")
    )
    table = "".join(
        f"<tr><td>{html.escape(row.news)}</td><td>{words.date(row.first_sent)}</td>"
        + "".join(
            f"<td>{html.escape(words.number(n))}</td>"
            for n in (row.delivered, row.blocked, row.unsubscribed)
        )
        + "</tr>"
        for row in news
    )
    note = f"<p>{words.html('news.note')}</p>"
    return f"{heading}{note}<table><tr>{columns}</tr>{table}</table>"


def _translations(table: Mapping[str, Mapping[str, int]] | None, words: Words) -> str:
    """How the content's translations stand per language (`python -m bot content status`)."""
    heading = f"<h3>{words.html('translations.title')}</h3>"
    if not table:
        return heading + f"<p class='none'>{words.html('no_data')}</p>"
    statuses = ("up to date", "stale", "missing", "unknown")
    headers = [
        words.plain("report.column.language"),
        *(words.plain(f"report.translations.{s.replace(' ', '_')}") for s in statuses),
    ]
    rows = [
        (words.known(f"lang.name.{lang}", lang), *(str(counts_.get(s, 0)) for s in statuses))
        for lang, counts_ in table.items()
    ]
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in rows
    )
    return (
        heading
        + f"<p>{words.html('translations.note')}</p>"
        + f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    )
