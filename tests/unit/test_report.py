"""The report: counts under 5 hidden, the funnel per office, the charts, the unanswered
questions (anonymised, kept only when allowed and only so long), and the `report` command."""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, insert, select
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine
from sqlalchemy.orm import Session

from bot import clock
from bot.config import ROOT
from bot.content import Catalogue
from bot.offices.models import DailyCount, Office, UnansweredQuestion
from bot.outreach import report
from bot.outreach.unanswered import UnansweredStore, anonymise
from bot.storage import migrate
from bot.storage.urls import async_url, sync_url

DAY = dt.date(2026, 11, 20)


def rows() -> list[report.Row]:
    return [
        report.Row(DAY, "court_7", "shymkent", "kk", "started", 40),
        report.Row(DAY, "court_7", "shymkent", "kk", "language_chosen", 38),
        report.Row(DAY, "court_7", "shymkent", "kk", "screened:eligible", 12),
        report.Row(DAY, "court_7", "shymkent", "kk", "screened:not_eligible", 3),
        report.Row(DAY, "court_7", "shymkent", "kk", "mediator_search", 9),
        report.Row(DAY, "court_7", "shymkent", "kk", "page:cost", 17),
        report.Row(DAY + dt.timedelta(days=1), "", "", "ru", "started", 6),
        report.Row(DAY, "", "", "ru", "heard:internet", 2),
    ]


def test_counts_under_five_are_hidden_and_drawn_as_nothing(catalogue: Catalogue) -> None:
    assert report.shown(4) == "<5"
    assert report.shown(5) == "5"
    assert report.shown(12345, "en") == "12,345"
    assert report.shown(12345, "ru") == "12\xa0345"
    page = report.render(
        rows(), {}, {"shymkent": "Shymkent"}, DAY, DAY + dt.timedelta(days=2),
        catalogue=catalogue, language="en",
    )  # fmt: skip
    assert "&lt;5" in page
    # The not_eligible bar (3) has no length; the eligible one (12) has.
    verdicts = page[page.index("Screening results") :]
    assert re.search(
        r'<text[^>]*>mediation looks not possible</text><rect [^>]*width="0\.0"', verdicts
    )
    assert re.search(r'<text[^>]*>mediation looks possible</text><rect [^>]*width="[1-9]', verdicts)
    assert ">3<" not in page
    assert ">2<" not in page


def _court() -> Office:
    return Office(code="court_7", kind="court", region_id="shymkent", name_kk="Шымкент соты",
                  name_ru="Суд Шымкента", name_en="Shymkent court", language="")  # fmt: skip


def _office_row() -> dict[str, str]:
    court = _court()
    return {
        "code": court.code, "kind": court.kind, "region_id": court.region_id,
        "name_kk": court.name_kk, "name_ru": court.name_ru, "name_en": court.name_en,
    }  # fmt: skip


def test_the_page_has_a_funnel_per_office_and_every_chart(catalogue: Catalogue) -> None:
    page = report.render(
        rows(), {"court_7": _court()}, {"shymkent": "Shymkent"}, DAY, DAY,
        catalogue=catalogue, language="en",
    )  # fmt: skip
    for title in ("Funnel: Shymkent court", "Funnel: Without an office&#x27;s link",
                  "Pages read", "Screening results", "Languages (people who started)",
                  "Starts per day, by region", "Where people heard of the bot",
                  "Questions the bot did not understand", "People who started, by region",
                  "Disputes found eligible for mediation, by region"):  # fmt: skip
        assert title in page, title
    assert page.count("<svg") == 9  # two funnels, five charts and two maps
    # Under every chart its figures as a table (the maps have theirs, always open).
    assert page.count("<details><summary>The figures as a table</summary><table>") == 7
    assert "<td>Shymkent</td>" in page
    assert "<script" not in page
    assert "http" not in page.split("<body>")[1]
    assert ">15<" in page  # checked their dispute: 12 + 3
    # Things are called by their names, not by their codes.
    assert "How much does mediation cost?" in page
    assert "page:cost" not in page


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("ru", ["Kelisim: чего достиг бот", "Воронка: Суд Шымкента", "Воронка: Без ссылки офиса",
                "Начали", "Проверили свой спор", "Сколько стоит медиация?", "Итоги проверки спора",
                "медиация, похоже, возможна", "Интернет, соцсети", "Шымкент",
                "20 ноября 2026\u202fг.", "Вопросы, которые бот не понял", "Қазақша"]),
        ("kk", ["Kelisim: бот не істеді", "Воронка: Шымкент соты", "Бастағандар",
                "Медиация қанша тұрады?", "Бот туралы қайдан білді", "Шымкент",
                "2026\u202fж. 20 қараша"]),
    ],
)  # fmt: skip
def test_the_page_speaks_the_offices_language(
    catalogue: Catalogue, language: str, words: list[str]
) -> None:
    big = [*rows(), report.Row(DAY, "court_7", "shymkent", "kk", "started", 12340)]
    page = report.render(
        big, {"court_7": _court()}, {"shymkent": "Шымкент"}, DAY, DAY,
        catalogue=catalogue, language=language,
    )  # fmt: skip
    assert f'<html lang="{language}">' in page
    for word in words:
        assert word in page, word
    # Not a word of the English page, and Babel's digits: 40 + 12,340 started.
    for english in ("Funnel", "Pages read", "No data", "Started"):
        assert english not in page, english
    assert "12\xa0380" in page


def test_questions_are_anonymised() -> None:
    text = "Мой сосед Ерлан Сериков с улицы Абая 15 не отдаёт 200000, звоните +7 701 123 45 67"
    assert anonymise(text) == (
        "Мой сосед [name] [name] с улицы [place] [number] не отдаёт [number], звоните [number]"
    )
    assert anonymise("write to me@mail.kz or @aida_k, see https://x.kz/a") == (
        "write to [email] or [user], see [link]"
    )
    assert len(anonymise("алименты " * 100)) == 200


async def test_unanswered_questions_are_kept_only_when_allowed(database_url: str) -> None:
    migrate.upgrade(database_url)
    engine = create_async_engine(async_url(database_url))
    sessions = async_sessionmaker(engine, expire_on_commit=False)
    try:
        await UnansweredStore(sessions, keep_days=0).add("ru", "что такое погода")
        async with sessions.begin() as session:
            session.add(UnansweredQuestion(day=clock.today() - dt.timedelta(days=40),
                                           language="kk", text="old"))  # fmt: skip
        await UnansweredStore(sessions, keep_days=30).add("ru", "Как подать на Асель в суд")
    finally:
        await engine.dispose()
    sync = create_engine(sync_url(database_url))
    with Session(sync) as session:
        kept = [(q.language, q.text) for q in session.scalars(select(UnansweredQuestion))]
    sync.dispose()
    assert kept == [("ru", "Как подать на [name] в суд")]


@pytest.mark.slow
def test_the_report_command(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'r.db'}"
    migrate.upgrade(url)
    engine = create_engine(sync_url(url))
    with engine.begin() as conn:
        conn.execute(insert(DailyCount), [
            {"day": r.day, "office": r.office, "region": r.region, "language": r.language,
             "event": r.event, "count": r.count} for r in rows()
        ])  # fmt: skip
        conn.execute(insert(UnansweredQuestion), [{"day": DAY, "language": "en", "text": "x"}])
    engine.dispose()
    env = dict(os.environ, DATABASE_URL=url)
    out = tmp_path / "report.html"
    done = subprocess.run(
        [sys.executable, "-m", "bot", "report", "--since", "2026-11-01", "--until", "2026-11-30",
         "--out", str(out), "--language", "kk"],
        capture_output=True, text=True, cwd=ROOT, env=env, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "made of 8 daily figures" in done.stdout
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!doctype html>")
    assert "<td>x</td>" in page
    assert '<html lang="kk">' in page
    assert "Бот түсінбеген сұрақтар" in page
    assert "Шымкент" in page  # the region's Kazakh name, from the gazetteer
    # One office's report, in the office's own language when none is asked for.
    with engine.begin() as conn:
        conn.execute(insert(Office), [{**_office_row(), "language": "kk"}])
    engine.dispose()
    office = subprocess.run(
        [sys.executable, "-m", "bot", "report", "--since", "2026-11-01", "--until", "2026-11-30",
         "--out", str(out), "--office", "court_7"],
        capture_output=True, text=True, cwd=ROOT, env=env, check=False,
    )  # fmt: skip
    assert office.returncode == 0, office.stderr
    page = out.read_text(encoding="utf-8")
    assert '<html lang="kk">' in page
    assert "Воронка: Шымкент соты" in page
    assert "Кеңсе сілтемесінсіз" not in page  # only this office's counts
    # What people typed (x, above) is the content team's, linked to no office: not here.
    assert "<td>x</td>" not in page
    assert "Бот түсінбеген сұрақтар" not in page
    bad = subprocess.run(
        [sys.executable, "-m", "bot", "report", "--since", "yesterday"],
        capture_output=True, text=True, cwd=ROOT, env=env, check=False,
    )  # fmt: skip
    assert bad.returncode == 1
    assert "YYYY-MM-DD" in bad.stderr


def test_the_translations_stand_in_the_report(catalogue: Catalogue) -> None:
    page = report.render(
        rows(), {}, {}, DAY, DAY, catalogue=catalogue, language="en",
        translations={"kk": {"up to date": 340, "stale": 2, "unknown": 9}},
    )  # fmt: skip
    assert "Translations of the bot" in page
    assert "<tr><td>Қазақша</td><td>340</td><td>2</td><td>0</td><td>9</td></tr>" in page


@pytest.mark.parametrize("since", ["2026-12-01"])
def test_an_empty_period_still_makes_a_page(since: str, catalogue: Catalogue) -> None:
    page = report.render(
        [], {}, {}, dt.date.fromisoformat(since), dt.date(2026, 12, 2),
        catalogue=catalogue, language="en",
    )  # fmt: skip
    assert page.count("No data in this period.") >= 4
