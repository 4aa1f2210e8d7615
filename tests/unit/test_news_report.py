"""The report's "News" table: per piece of news first sent in the period, delivered, blocked and
unsubscribed through its button, from the broadcast journal (SQLite and PostgreSQL); counts
under 5 hidden, no person named."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from bot import clock
from bot.content import Catalogue
from bot.outreach import report
from bot.storage import migrate
from bot.storage.models import BroadcastDelivery
from bot.storage.urls import sync_url

SINCE, UNTIL = dt.date(2026, 11, 1), dt.date(2026, 11, 30)


def _kz(day: int, hour: int = 12) -> dt.datetime:
    return dt.datetime(2026, 11, day, hour, tzinfo=clock.KAZAKHSTAN).astimezone(dt.UTC)


def test_each_news_of_the_period_with_what_came_of_it(database_url: str) -> None:
    migrate.upgrade(database_url)
    engine = create_engine(sync_url(database_url))
    try:
        with Session(engine) as session, session.begin():
            person = 700000000
            for news, at, sent, blocked, unsubscribed in (
                ("rooms", _kz(3), 12, 2, 6),
                ("fees", _kz(30, 23), 5, 0, 0),  # 23:00 on the 30th in Kazakhstan: inside
                ("old", _kz(1, 1) - dt.timedelta(days=1), 9, 0, 0),  # 31 October: outside
            ):
                for n in range(sent + blocked):
                    person += 1
                    session.add(
                        BroadcastDelivery(
                            broadcast=news, telegram_id=person, at=at,
                            status="sent" if n < sent else "blocked",
                            unsubscribed=n < unsubscribed,
                        )
                    )  # fmt: skip
        with Session(engine) as session:
            found = report.load_news(session, SINCE, UNTIL)
    finally:
        engine.dispose()
    assert found == [
        report.NewsRow("rooms", dt.date(2026, 11, 3), 12, 2, 6),
        report.NewsRow("fees", dt.date(2026, 11, 30), 5, 0, 0),
    ]


def test_the_news_table_hides_small_counts(catalogue: Catalogue) -> None:
    news = [report.NewsRow("2027-03-rooms", dt.date(2026, 11, 3), 120, 3, 7)]
    for language in ("kk", "ru", "en"):
        page = report.render(
            [], {}, {}, SINCE, UNTIL, catalogue=catalogue, language=language, news=news
        )
        assert catalogue.label(language, "report.news.title") in page
        assert "<td>2027-03-rooms</td>" in page
        assert "<td>120</td>" in page
        assert "<td>&lt;5</td>" in page  # 3 blocked: hidden
        assert "<td>7</td>" in page
    empty = report.render([], {}, {}, SINCE, UNTIL, catalogue=catalogue, language="en")
    assert catalogue.label("en", "report.news.none") in empty
