"""The directory as the bot's event loop sees it: search, one listing, a contact report."""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.directory.models import ContactReport, Listing
from bot.directory.search import Query, Result, search_async

log = logging.getLogger(__name__)


class DirectoryStore:
    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], serve_samples: bool = True
    ) -> None:
        self._sessions = sessions
        # With a real token, made-up listings (fake numbers) must never reach a person.
        self._serve_samples = serve_samples
        self._warned = False

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

    async def report_contact(self, listing_id: int) -> bool:
        """Record "this contact is wrong" for a listing (its id and the day only)."""
        async with self._sessions.begin() as session:
            if await session.get(Listing, listing_id) is None:
                return False
            session.add(ContactReport(listing_id=listing_id, reported_on=dt.date.today()))
            return True
