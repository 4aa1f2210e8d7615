"""The directory as the bot's event loop sees it: search, one listing, a contact report."""

from __future__ import annotations

import logging

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot import clock
from bot.directory.models import ContactReport, Listing
from bot.directory.search import Query, Result, search_async
from bot.storage.daily import DailyMarks

log = logging.getLogger(__name__)

# Someone may well find a few wrong numbers in a day; beyond that, presses are not reports.
MAX_REPORTS_PER_DAY = 3


class DirectoryStore:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        serve_samples: bool = True,
        marks: DailyMarks | None = None,
    ) -> None:
        self._sessions = sessions
        # With a real token, made-up listings (fake numbers) must never reach a person.
        self._serve_samples = serve_samples
        self._warned = False
        # Who reported what today stays out of the table: only this process knows, for a day.
        self._marks = marks if marks is not None else DailyMarks()

    async def search(self, query: Query, want: int) -> Result:
        async with self._sessions() as session:
            result = await search_async(session, query, want)
        if self._serve_samples or not any(h.listing.sample for h in result.hits):
            return result
        if not self._warned:
            log.warning(
                "the directory holds sample listings; they are not shown to real users. "
                "Remove them with `python -m bot mediators remove-samples`."
            )
            self._warned = True
        hits = tuple(h for h in result.hits if not h.listing.sample)
        return Result(hits, result.radius_km if hits else 0.0)

    async def listing(self, listing_id: int) -> Listing | None:
        async with self._sessions() as session:
            return await session.get(Listing, listing_id)

    async def report_contact(self, listing_id: int, person: int) -> bool:
        """Record "this contact is wrong" for a listing (its id and the day only, never who):
        once a day per person and listing, for at most MAX_REPORTS_PER_DAY listings a day per
        person, so that a replayed or forged button cannot pile reports on a listing. Presses
        beyond that change nothing (the person is thanked all the same). False if there is no
        such listing."""
        async with self._sessions.begin() as session:
            if await session.get(Listing, listing_id) is None:
                return False
            if self._marks.seen("report", person, listing_id):
                return True
            if self._marks.tally("reports", person) > MAX_REPORTS_PER_DAY:
                return True
            self._marks.first("report", person, listing_id)
            session.add(ContactReport(listing_id=listing_id, reported_on=clock.today()))
            return True
