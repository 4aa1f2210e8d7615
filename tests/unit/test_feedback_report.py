"""The report's "Was it helpful?": per page and verdict, 👍, 👎, the rate and the reasons, with
counts under 5 hidden; counted through the daily counts on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import create_engine
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine
from sqlalchemy.orm import Session

from bot import clock
from bot.content import Catalogue
from bot.outreach import report
from bot.outreach.counts import Counter
from bot.outreach.unanswered import UnansweredStore
from bot.storage import migrate
from bot.storage.urls import async_url, sync_url

DAY = dt.date(2026, 11, 20)


def _row(event: str, count: int, language: str = "kk", office: str = "court_7") -> report.Row:
    return report.Row(DAY, office, "shymkent", language, event, count)


def _table(page: str) -> list[list[str]]:
    """The "Was it helpful?" table's rows, cell by cell."""
    table = page[page.index("<table class='helpful'>") :]
    table = table[: table.index("</table>")]
    return [re.findall(r"<td>(.*?)</td>", row) for row in table.split("<tr>")[2:]]


def test_the_helpful_table_per_page_and_verdict_hides_counts_under_five(
    catalogue: Catalogue,
) -> None:
    rows = [
        _row("helpful:page:cost", 9),
        _row("helpful:page:cost", 3, language="ru", office=""),  # 12 in all
        _row("unhelpful:page:cost", 6),
        _row("missing:complicated:page:cost", 5),
        _row("missing:language:page:cost", 1),
        _row("helpful:verdict:eligible", 3),
        _row("unhelpful:verdict:eligible", 1),
        _row("missing:not_mine:verdict:eligible", 1),
        _row("page:cost", 40),
    ]
    page = report.render(rows, {}, {}, DAY, DAY, catalogue=catalogue, language="en")
    assert "<h3>Was it helpful?</h3>" in page
    assert _table(page) == [
        ["How much does mediation cost?", "12", "6", "67%",
         "Қазақша: 9 / 6; Русский: &lt;5 / &lt;5",
         "🤯 Too complicated: 5; 🌐 Wrong language: &lt;5"],
        ["Screening result: mediation looks possible", "&lt;5", "&lt;5", "–",
         "Қазақша: &lt;5 / &lt;5", "🙅 Not my situation: &lt;5"],
    ]  # fmt: skip
    # The pages read are still the pages read: votes are not pages.
    assert "helpful:" not in page


def test_the_helpful_table_in_the_offices_language(catalogue: Catalogue) -> None:
    rows = [_row("helpful:page:cost", 7), _row("unhelpful:page:cost", 7)]
    page = report.render(rows, {}, {}, DAY, DAY, catalogue=catalogue, language="kk")
    assert "Пайдалы болды ма?" in page
    [[title, up, down, rate, _languages, reasons]] = _table(page)
    assert (title, up, down, reasons) == ("Медиация қанша тұрады?", "7", "7", "")
    assert rate.startswith("50")
    empty = report.render([], {}, {}, DAY, DAY, catalogue=catalogue, language="en")
    assert "<h3>Was it helpful?</h3><p class='none'>No data in this period.</p>" in empty


async def test_votes_counted_by_the_bot_reach_the_report(
    database_url: str, catalogue: Catalogue
) -> None:
    migrate.upgrade(database_url)
    engine = create_async_engine(async_url(database_url))
    counter = Counter(async_sessionmaker(engine, expire_on_commit=False))
    try:
        for _ in range(6):
            await counter.add("helpful:page:cost", office="court_7", language="ru")
        await counter.add("unhelpful:page:cost", office="", language="kk", n=2)
        await counter.add("missing:other:page:cost", office="", language="kk", n=2)
    finally:
        await engine.dispose()
    sync = create_engine(sync_url(database_url))
    with Session(sync) as session:
        rows = report.load(session, clock.today(), clock.today())
    sync.dispose()
    page = report.render(
        rows, {}, {}, clock.today(), clock.today(), catalogue=catalogue, language="ru"
    )
    assert _table(page) == [
        [
            "Сколько стоит медиация?", "6", "&lt;5", "–",
            "Қазақша: &lt;5 / &lt;5; Русский: 6 / &lt;5", "✏️ Другое: &lt;5",
        ]
    ]  # fmt: skip


async def test_typed_answers_reach_the_report_apart_from_the_questions(
    database_url: str, catalogue: Catalogue
) -> None:
    migrate.upgrade(database_url)
    engine = create_async_engine(async_url(database_url))
    store = UnansweredStore(async_sessionmaker(engine, expire_on_commit=False), keep_days=30)
    try:
        for _ in range(2):
            await store.add("ru", "Нет примера для Асель", subject="page:cost")
        await store.add("kk", "үлгі жоқ", subject="verdict:eligible")
        await store.add("ru", "что такое погода")  # a question, not an answer
    finally:
        await engine.dispose()
    sync = create_engine(sync_url(database_url))
    with Session(sync) as session:
        said = report.load_missing_texts(session, clock.today(), clock.today())
        asked = report.load_unanswered(session, clock.today(), clock.today())
    sync.dispose()
    assert asked == [("ru", "что такое погода", 1)]
    page = report.render(
        [], {}, {}, clock.today(), clock.today(), catalogue=catalogue, language="en",
        unanswered=asked, missing_texts=said,
    )  # fmt: skip
    table = page[page.index("<table class='missing-texts'>") :]
    rows = [
        re.findall(r"<td>(.*?)</td>", row)
        for row in table[: table.index("</table>")].split("<tr>")[2:]
    ]
    assert rows == [
        ["How much does mediation cost?", "Русский", "Нет примера для [name]", "2"],
        ["Screening result: mediation looks possible", "Қазақша", "үлгі жоқ", "1"],
    ]
    empty = report.render([], {}, {}, DAY, DAY, catalogue=catalogue, language="kk")
    none = catalogue.raw("kk", "report.missing_texts_none")
    assert none.split("KEEP")[0] in empty
