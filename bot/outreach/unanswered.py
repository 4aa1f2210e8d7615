"""Questions the bot did not understand, and what people typed was missing in an answer, for
outreach teams: anonymised, kept only when
KEEP_UNANSWERED_DAYS is above 0, and deleted after that many days (by the retention sweep,
bot/privacy/retention.py, at start-up and every hour; with 0, all of them)."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging

from sqlalchemy import Delete, delete
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot import clock
from bot.offices.models import UnansweredQuestion
from bot.privacy.anonymiser import MAX_CHARS, anonymise

__all__ = ["MAX_CHARS", "UnansweredStore", "anonymise", "oldest_kept"]

log = logging.getLogger(__name__)


def oldest_kept(keep_days: int, today: dt.date | None = None) -> dt.date | None:
    """The first day whose questions may still be kept; None when none may (keep_days 0)."""
    if keep_days <= 0:
        return None
    return (today or clock.today()) - dt.timedelta(days=keep_days)


class UnansweredStore:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], keep_days: int) -> None:
        self._sessions = sessions
        self.keep_days = keep_days

    @property
    def keeps(self) -> bool:
        """Whether anything typed may be kept at all (KEEP_UNANSWERED_DAYS above 0)."""
        return self.keep_days > 0

    async def add(self, language: str, text: str, subject: str = "") -> None:
        """Keep one question, or what was missing on a `subject` ("page:<id>",
        "verdict:<code>"), when allowed, and drop those older than the limit."""
        if not self.keeps:
            return
        try:
            # The first call builds the vocabulary (under a second): not on the event loop.
            kept = await asyncio.to_thread(anonymise, text)
            async with self._sessions.begin() as session:
                session.add(
                    UnansweredQuestion(
                        day=clock.today(), language=language, text=kept, subject=subject
                    )
                )
                await session.execute(_older_than(self.keep_days))
        except Exception:
            log.exception("could not keep an unanswered question")

    async def prune(self) -> int:
        """Delete the questions older than the limit (all of them when it is 0); how many."""
        async with self._sessions.begin() as session:
            result = await session.execute(_older_than(self.keep_days))
        return int(getattr(result, "rowcount", 0) or 0)


def _older_than(keep_days: int) -> Delete:
    oldest = oldest_kept(keep_days)
    statement = delete(UnansweredQuestion)
    return statement if oldest is None else statement.where(UnansweredQuestion.day < oldest)
