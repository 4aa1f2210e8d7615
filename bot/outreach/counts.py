"""Anonymous daily counts: "on this day, through this office, in this region and language,
this happened N times". No user id, no text; reports hide counts under 5."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot import clock
from bot.offices.models import MAX_EVENT_LENGTH, DailyCount

log = logging.getLogger(__name__)

# What the report's funnel follows; pages and verdicts add their own names ("page:cost",
# "screened:eligible", "heard:akimat").
STARTED = "started"
LANGUAGE_CHOSEN = "language_chosen"
MEDIATOR_SEARCH = "mediator_search"
CONTACTS_SHOWN = "contacts_shown"
HANDOFF = "handoff_prepared"


# The bot adds counts to memory and writes them together this often: a turn then costs no
# write at all, and a busy second costs one transaction instead of one per answered page.
FLUSH_SECONDS = 1.0
# What the bot holds while the database is down; past it new counts are dropped (and logged).
MAX_PENDING = 10_000

_Key = tuple[dt.date, str, str, str, str]


class Counter:
    """Adds to the daily counts: at once, or, once `run_forever` runs (the bot), in memory and
    written every FLUSH_SECONDS. A count still in memory when the process is killed is lost:
    a second's worth of anonymous counts at most, never a person's answer."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions
        self._pending: dict[_Key, int] = {}
        self._batching = False
        self._dropped = 0

    async def add(
        self, event: str, *, office: str = "", region: str = "", language: str = "", n: int = 1
    ) -> None:
        """Add n to today's count; a failure is logged, never shown to the person."""
        key = (clock.today(), office, region, language, event[:MAX_EVENT_LENGTH])
        if key not in self._pending and len(self._pending) >= MAX_PENDING:
            self._dropped += 1
            if self._dropped == 1:
                log.error("the database has not taken counts for a while; dropping new ones")
            return
        self._pending[key] = self._pending.get(key, 0) + n
        if not self._batching:
            await self.flush()

    async def flush(self) -> None:
        """Write what is pending in one transaction; on failure keep it for the next try."""
        if not self._pending:
            return
        pending, self._pending = self._pending, {}
        rows = [
            {"day": day, "office": office, "region": region, "language": language,
             "event": event, "count": n}
            for (day, office, region, language, event), n in pending.items()
        ]  # fmt: skip
        try:
            async with self._sessions.begin() as session:
                dialect = session.get_bind().dialect.name
                insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
                statement = insert(DailyCount)
                statement = statement.on_conflict_do_update(
                    index_elements=["day", "office", "region", "language", "event"],
                    set_={"count": DailyCount.count + statement.excluded.count},
                )
                await session.execute(statement, rows)
        except Exception:
            log.exception("could not write %d counts; keeping them for the next try", len(rows))
            for key, n in pending.items():
                self._pending[key] = self._pending.get(key, 0) + n
            return
        self._dropped = 0

    async def run_forever(self, every: float = FLUSH_SECONDS) -> None:
        """Batch from now on, writing every `every` seconds until cancelled; what is still
        pending is written when it is (the bot's shutdown)."""
        self._batching = True
        writing: asyncio.Future[None] | None = None
        try:
            while True:
                await asyncio.sleep(every)
                # Shielded: a cancel (the bot stopping) lets the write in progress finish, or
                # the batch it took out of memory would be lost (a fresh clone's run found it).
                writing = asyncio.ensure_future(self.flush())
                await asyncio.shield(writing)
        finally:
            self._batching = False
            if writing is not None and not writing.done():
                await asyncio.shield(writing)
            await asyncio.shield(self.flush())

    async def totals(self, since: dt.date) -> dict[tuple[str, str], int]:
        """(office, event) → count since a day; verdicts add up under "screened"."""
        async with self._sessions() as session:
            rows = await session.execute(
                select(DailyCount.office, DailyCount.event, func.sum(DailyCount.count))
                .where(DailyCount.day >= since)
                .group_by(DailyCount.office, DailyCount.event)
            )
            found: dict[tuple[str, str], int] = {}
            for office, event, total in rows:
                key = (office, "screened" if event.startswith("screened:") else event)
                found[key] = found.get(key, 0) + int(total or 0)
            return found
