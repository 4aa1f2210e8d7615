"""Offices as the bot's event loop reads them."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.offices.models import Office


class OfficeStore:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def get(self, code: str) -> Office | None:
        async with self._sessions() as session:
            return await session.get(Office, code.lower())
