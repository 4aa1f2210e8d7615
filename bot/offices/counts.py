"""Anonymous daily counts: "on this day, through this office, in this region and language,
this happened N times". No user id, no text; reports hide counts under 5."""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.offices.models import DailyCount

log = logging.getLogger(__name__)

# What the report's funnel follows; pages and verdicts add their own names ("page:cost",
# "screened:eligible", "heard:akimat").
STARTED = "started"
LANGUAGE_CHOSEN = "language_chosen"
MEDIATOR_SEARCH = "mediator_search"
CONTACTS_SHOWN = "contacts_shown"
HANDOFF = "handoff_prepared"


class Counter:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def add(
        self, event: str, *, office: str = "", region: str = "", language: str = "", n: int = 1
    ) -> None:
        """Add n to today's count; a failure is logged, never shown to the person."""
        values = {
            "day": dt.date.today(), "office": office, "region": region,
            "language": language, "event": event[:80], "count": n,
        }  # fmt: skip
        try:
            async with self._sessions.begin() as session:
                dialect = session.get_bind().dialect.name
                insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
                statement = insert(DailyCount).values(**values)
                statement = statement.on_conflict_do_update(
                    index_elements=["day", "office", "region", "language", "event"],
                    set_={"count": DailyCount.count + n},
                )
                await session.execute(statement)
        except Exception:
            log.exception("could not count %s", event)

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
