"""Leases in the database: one holder at a time for work such as sending a broadcast.

Taking a lease is one statement: insert it, or take it over when it ran out (PostgreSQL and
SQLite both have INSERT ... ON CONFLICT DO UPDATE ... WHERE), so two processes asking at the
same moment cannot both get it. The holder renews it while working and releases it when done;
one that dies stops renewing, and the lease is free once `until` has passed.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.storage.models import Lease, utcnow

Sessions = async_sessionmaker[AsyncSession]


async def take(sessions: Sessions, name: str, holder: str, seconds: float) -> bool:
    """The lease for `holder` if it is free, ran out, or is already theirs; False if not."""
    now = utcnow()
    until = now + dt.timedelta(seconds=seconds)
    async with sessions.begin() as session:
        dialect = session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        upsert = (
            insert(Lease)
            .values(name=name, holder=holder, until=until)
            .on_conflict_do_update(
                index_elements=["name"],
                set_={"holder": holder, "until": until},
                where=(Lease.until < now) | (Lease.holder == holder),
            )
            .returning(Lease.holder)
        )
        taken = (await session.execute(upsert)).first()
    return taken is not None


async def renew(sessions: Sessions, name: str, holder: str, seconds: float) -> bool:
    """Longer by `seconds` from now; False if the lease is no longer `holder`'s."""
    until = utcnow() + dt.timedelta(seconds=seconds)
    async with sessions.begin() as session:
        renewed = await session.execute(
            update(Lease)
            .where(Lease.name == name, Lease.holder == holder)
            .values(until=until)
            .returning(Lease.name)
        )
        return renewed.first() is not None


async def release(sessions: Sessions, name: str, holder: str) -> None:
    async with sessions.begin() as session:
        await session.execute(delete(Lease).where(Lease.name == name, Lease.holder == holder))


async def holder_of(sessions: Sessions, name: str) -> tuple[str, dt.datetime] | None:
    """Who holds the lease and until when, if anyone does now."""
    async with sessions() as session:
        lease = await session.get(Lease, name)
    if lease is None:
        return None
    until = lease.until if lease.until.tzinfo else lease.until.replace(tzinfo=dt.UTC)
    return (lease.holder, until) if until >= utcnow() else None
