"""The directory as the bot's event loop sees it: search, one listing, a contact report."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.directory.models import ContactReport, Listing
from bot.directory.search import Query, Result, search_async


class DirectoryStore:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def search(self, query: Query, want: int) -> Result:
        async with self._sessions() as session:
            return await search_async(session, query, want)

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
