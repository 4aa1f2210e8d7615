"""Wrong-contact reports: recorded by the bot's store (the listing and the day, nobody's id),
once a day per person and listing and for a few listings a day per person, listed and cleared
by `python -m bot mediators reports`, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys

import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine
from sqlalchemy.orm import Session

from bot import clock
from bot.config import ROOT
from bot.directory.loading import ensure_samples
from bot.directory.models import ContactReport, Listing
from bot.directory.store import MAX_REPORTS_PER_DAY, DirectoryStore
from bot.places.gazetteer import default as gazetteer
from bot.storage import migrate
from bot.storage.daily import DailyMarks
from bot.storage.urls import async_url, sync_url


def _remove_samples(database_url: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", "mediators", "remove-samples"],
        env={**os.environ, "DATABASE_URL": database_url},
        capture_output=True, text=True, check=True, cwd=ROOT,
    )  # fmt: skip


def run(database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, DATABASE_URL=database_url)
    return subprocess.run(
        [sys.executable, "-m", "bot", "mediators", "reports", *args],
        capture_output=True, text=True, env=env, cwd=ROOT, check=False,
    )  # fmt: skip


@pytest.mark.slow
async def test_reports_are_recorded_listed_and_cleared(database_url: str) -> None:
    migrate.upgrade(database_url)
    ensure_samples(database_url, gazetteer())
    engine = create_engine(sync_url(database_url))
    with Session(engine) as session:
        first, second = session.scalars(select(Listing).order_by(Listing.id).limit(2))
    engine.dispose()

    async_engine = create_async_engine(async_url(database_url))
    store = DirectoryStore(async_sessionmaker(async_engine, expire_on_commit=False))
    try:
        assert await store.report_contact(first.id, 7001)
        assert await store.report_contact(first.id, 7002)
        assert await store.report_contact(second.id, 7001)
        assert not await store.report_contact(999_999_999, 7001)  # a forged id records nothing
        found = await store.listing(first.id)
        assert found is not None
        assert found.name == first.name
    finally:
        await async_engine.dispose()

    listed = run(database_url)
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()
    today = clock.today().isoformat()
    assert lines[1].startswith(f"2;{today};{first.register};{first.entry};{first.name};")
    assert lines[2].startswith(f"1;{today};{second.register};{second.entry};")

    cleared = run(database_url, "--clear", first.register, first.entry)
    assert "2 report(s) cleared" in cleared.stdout
    assert f";{first.entry};" not in run(database_url).stdout


@pytest.mark.slow
async def test_sample_listings_never_reach_real_users_and_can_be_removed(
    database_url: str,
) -> None:
    """With a real token the store drops made-up listings (security review M7)."""
    from bot.directory.search import Query

    migrate.upgrade(database_url)
    ensure_samples(database_url, gazetteer())
    astana = Query(lat=51.1694, lon=71.4491)
    async_engine = create_async_engine(async_url(database_url))
    sessions = async_sessionmaker(async_engine, expire_on_commit=False)
    try:
        playground = await DirectoryStore(sessions, serve_samples=True).search(astana, 5)
        assert playground.hits
        assert all(h.listing.sample for h in playground.hits)
        real = await DirectoryStore(sessions, serve_samples=False).search(astana, 5)
        assert real.hits == ()
        assert real.radius_km == 0.0
    finally:
        await async_engine.dispose()
    removed = _remove_samples(database_url)
    assert "sample listings removed" in removed.stdout
    engine = create_engine(sync_url(database_url))
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(Listing)) == 0
    engine.dispose()


async def test_a_replayed_or_forged_report_counts_once_and_names_nobody(database_url: str) -> None:
    """Security review L8: `xy:<id>` pressed again and again, or forged for many listings."""
    migrate.upgrade(database_url)
    ensure_samples(database_url, gazetteer())
    engine = create_engine(sync_url(database_url))
    with Session(engine) as session:
        listings = list(session.scalars(select(Listing.id).order_by(Listing.id).limit(6)))
    day = [dt.date(2027, 3, 1)]
    marks = DailyMarks(today=lambda: day[0])
    async_engine = create_async_engine(async_url(database_url))
    store = DirectoryStore(async_sessionmaker(async_engine, expire_on_commit=False), marks=marks)

    def reports() -> dict[int, int]:
        with Session(engine) as session:
            rows = session.execute(
                select(ContactReport.listing_id, func.count()).group_by(ContactReport.listing_id)
            )
            return dict(rows.tuples().all())

    try:
        for _ in range(5):  # one person, the same button five times
            assert await store.report_contact(listings[0], 7001)
        assert reports() == {listings[0]: 1}
        for listing_id in listings[1:]:  # the same person, every listing in sight
            assert await store.report_contact(listing_id, 7001)
        assert reports() == dict.fromkeys(listings[:MAX_REPORTS_PER_DAY], 1)
        assert await store.report_contact(listings[0], 7002)  # someone else: a report more
        assert reports()[listings[0]] == 2
        assert marks.held() <= 2 * MAX_REPORTS_PER_DAY + 2  # bounded, whatever is pressed

        day[0] += dt.timedelta(days=1)  # the marks are gone with the day
        assert marks.held() == 0
        assert await store.report_contact(listings[0], 7001)
        assert reports()[listings[0]] == 3
    finally:
        await async_engine.dispose()
        engine.dispose()
    # The table still says which listing and when, and nothing about who.
    assert set(ContactReport.__table__.columns.keys()) == {"id", "listing_id", "reported_on"}


def test_the_daily_marks_hold_no_telegram_id_and_forget_at_midnight() -> None:
    day = [dt.date(2027, 3, 1)]
    marks = DailyMarks(today=lambda: day[0])
    assert marks.first("heard", 8_000_000_001)
    assert not marks.first("heard", 8_000_000_001)
    assert marks.first("heard", 8_000_000_002)
    assert marks.seen("heard", 8_000_000_001)
    assert not marks.seen("screened", 8_000_000_001)
    assert [marks.tally("reports", 5) for _ in range(3)] == [1, 2, 3]
    held = repr(vars(marks))
    assert "8000000001" not in held
    assert "heard" not in held
    day[0] += dt.timedelta(days=1)
    assert marks.first("heard", 8_000_000_001)
    assert marks.tally("reports", 5) == 1
