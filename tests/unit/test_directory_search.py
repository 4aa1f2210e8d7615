"""Nearest-first search with filters, checked against brute force, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, insert, select
from sqlalchemy.orm import Session

from bot.directory import samples
from bot.directory.csvio import split
from bot.directory.models import FREE_KINDS, Listing
from bot.directory.search import Query, great_circle_km, search
from bot.places.gazetteer import default as gazetteer
from bot.storage import migrate
from bot.storage.urls import sync_url

SHYMKENT = (42.3417, 69.5901)


@pytest.fixture(scope="module")
def session(module_database_url: str) -> Iterator[Session]:
    """3,000 listings, made once a module: the tests that use them only search."""
    migrate.upgrade(module_database_url)
    engine = create_engine(sync_url(module_database_url))
    with Session(engine) as s:
        with s.begin():
            rows = list(samples.many(gazetteer(), 3000, dt.date(2026, 11, 26)))
            s.execute(insert(Listing), rows)
        yield s
    engine.dispose()


def brute_force(session: Session, query: Query, want: int) -> list[tuple[int, float]]:
    found = []
    for row in session.scalars(select(Listing)):
        kind = query.dispute_type
        if kind and kind not in split(row.dispute_types):
            continue
        if query.language and query.language not in split(row.languages):
            continue
        if query.kind == "free" and row.kind not in FREE_KINDS:
            continue
        if query.kind == "professional" and row.kind != "professional":
            continue
        if query.online and not row.online:
            continue
        found.append((row.id, great_circle_km(query.lat, query.lon, row.lat, row.lon)))
    return sorted(found, key=lambda f: (f[1], f[0]))[:want]


@pytest.mark.parametrize(
    "query",
    [
        Query(*SHYMKENT),
        Query(*SHYMKENT, dispute_type="labour", language="kk"),
        Query(49.95, 82.61, dispute_type="family", language="ru", kind="free"),
        Query(47.1, 51.9, dispute_type="criminal", language="en", kind="professional"),
        Query(51.17, 71.45, online=True, dispute_type="commercial"),
        Query(45.0, 60.0, dispute_type="inheritance"),  # the steppe: far from everyone
    ],
)
def test_nearest_first_matches_brute_force(session: Session, query: Query) -> None:
    result = search(session, query, want=10)
    expected = brute_force(session, query, 10)
    assert [h.listing.id for h in result.hits] == [i for i, _ in expected]
    assert [round(h.km, 6) for h in result.hits] == [round(km, 6) for _, km in expected]
    assert all(h.km <= result.radius_km for h in result.hits)


def test_the_radius_widens_only_as_far_as_needed(session: Session) -> None:
    near = search(session, Query(*SHYMKENT), want=5)
    rare = search(
        session,
        Query(*SHYMKENT, language="en", kind="free", online=True, dispute_type="criminal"),
        want=5,
    )
    assert near.radius_km <= 25
    assert rare.radius_km > near.radius_km


def test_an_empty_directory_gives_nothing_and_says_so(database_url: str) -> None:
    migrate.upgrade(database_url)
    engine = create_engine(sync_url(database_url))
    with Session(engine) as s:
        result = search(s, Query(*SHYMKENT), want=5)
    engine.dispose()
    assert result.hits == ()
    assert result.radius_km == 0.0


def test_the_screenings_administrative_categories_find_administrative_mediators(
    session: Session,
) -> None:
    for category in ("administrative_offence", "public_law"):
        result = search(session, Query(*SHYMKENT, dispute_type=category), want=3)
        assert result.hits
        assert all("administrative" in split(h.listing.dispute_types) for h in result.hits)


@pytest.mark.parametrize(
    "query",
    [Query(*SHYMKENT, dispute_type="labour", language="kk"), Query(47.1, 51.9, online=True)],
)
async def test_the_async_search_gives_the_same_answer(
    session: Session, module_database_url: str, query: Query
) -> None:
    from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

    from bot.directory.search import search_async
    from bot.storage.urls import async_url

    engine = create_async_engine(async_url(module_database_url))
    try:
        async with async_sessionmaker(engine)() as async_session:
            found = await search_async(async_session, query, want=12)
    finally:
        await engine.dispose()
    expected = search(session, query, want=12)
    assert [(h.listing.id, h.km) for h in found.hits] == [
        (h.listing.id, h.km) for h in expected.hits
    ]
    assert found.radius_km == expected.radius_km
