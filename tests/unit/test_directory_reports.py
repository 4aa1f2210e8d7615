"""Wrong-contact reports: recorded by the bot's store (the listing and the day, nobody's id),
listed and cleared by `python -m bot mediators reports`, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys

from sqlalchemy import create_engine, func, select
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine
from sqlalchemy.orm import Session

from bot.config import ROOT
from bot.directory.gazetteer import default as gazetteer
from bot.directory.loading import ensure_samples
from bot.directory.models import Listing
from bot.directory.store import DirectoryStore
from bot.storage import migrate
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
        assert await store.report_contact(first.id)
        assert await store.report_contact(first.id)
        assert await store.report_contact(second.id)
        assert not await store.report_contact(999_999_999)  # a forged id records nothing
        found = await store.listing(first.id)
        assert found is not None and found.name == first.name
    finally:
        await async_engine.dispose()

    listed = run(database_url)
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()
    today = dt.date.today().isoformat()
    assert lines[1].startswith(f"2;{today};{first.register};{first.entry};{first.name};")
    assert lines[2].startswith(f"1;{today};{second.register};{second.entry};")

    cleared = run(database_url, "--clear", first.register, first.entry)
    assert "2 report(s) cleared" in cleared.stdout
    assert f";{first.entry};" not in run(database_url).stdout


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
        assert playground.hits and all(h.listing.sample for h in playground.hits)
        real = await DirectoryStore(sessions, serve_samples=False).search(astana, 5)
        assert real.hits == () and real.radius_km == 0.0  # "nothing found", never a fake number
    finally:
        await async_engine.dispose()
    removed = _remove_samples(database_url)
    assert "sample listings removed" in removed.stdout
    engine = create_engine(sync_url(database_url))
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(Listing)) == 0
    engine.dispose()
