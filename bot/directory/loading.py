"""Putting sample listings into the database (the playground's default, and benchmarks)."""

from __future__ import annotations

from itertools import islice

from sqlalchemy import delete, exists, func, insert, select
from sqlalchemy.orm import Session

from bot import clock
from bot.directory import samples
from bot.directory.models import Listing
from bot.directory.tidy import tidy
from bot.places.gazetteer import Gazetteer

_BATCH = 5000


def load_samples(session: Session, gazetteer: Gazetteer, count: int | None = None) -> int:
    """Replace every sample listing (real ones stay) with a fresh set; the number added."""
    today = clock.today()
    rows = samples.many(gazetteer, count, today) if count else samples.playground(gazetteer, today)
    added = 0
    if session.in_transaction():
        session.rollback()  # a read before (has_listings) must not block this transaction
    with session.begin():
        session.execute(delete(Listing).where(Listing.sample.is_(True)))
        while batch := list(islice(rows, _BATCH)):
            session.execute(insert(Listing), batch)
            added += len(batch)
    tidy(session)
    return added


def has_listings(session: Session) -> bool:
    return bool(session.scalar(select(exists().where(Listing.id.is_not(None)))))


def ensure_samples(database_url: str, gazetteer: Gazetteer) -> int:
    """An empty directory gets the sample listings, so the playground can find mediators."""
    from bot.storage.urls import sync_engine

    engine = sync_engine(database_url)
    try:
        with Session(engine) as session:
            if has_listings(session):
                return 0
            return load_samples(session, gazetteer)
    finally:
        engine.dispose()


def remove_samples(session: Session) -> int:
    """Delete every sample listing (real ones stay); the number removed."""
    if session.in_transaction():
        session.rollback()
    with session.begin():
        removed = session.scalar(select(func.count()).where(Listing.sample.is_(True))) or 0
        session.execute(delete(Listing).where(Listing.sample.is_(True)))
    tidy(session)
    return int(removed)
