"""Questions the bot did not understand, for outreach teams: anonymised, kept only when
KEEP_UNANSWERED_DAYS is above 0, and deleted after that many days."""

from __future__ import annotations

import datetime as dt
import logging
import re

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.offices.models import UnansweredQuestion

log = logging.getLogger(__name__)

_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"https?://\S+|www\.\S+"), "[link]"),
    (re.compile(r"\S+@\S+\.\S+"), "[email]"),
    (re.compile(r"@\w+"), "[user]"),
    (re.compile(r"\+?\d[\d\s()-]{5,}\d"), "[number]"),
    (re.compile(r"\d+"), "[number]"),
    # A capitalised word after the first is most often a name (a person, a street, a firm).
    (re.compile(r"(?<=[\w,;:] )[A-ZА-ЯЁӘҒҚҢӨҰҮҺІ][\w'-]+"), "[name]"),
)
MAX_CHARS = 200


def anonymise(text: str) -> str:
    """What was asked, without numbers, contacts, links or names."""
    out = " ".join(text.split())
    for pattern, replacement in _PATTERNS:
        out = pattern.sub(replacement, out)
    return out[:MAX_CHARS]


class UnansweredStore:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], keep_days: int) -> None:
        self._sessions = sessions
        self.keep_days = keep_days

    async def add(self, language: str, text: str) -> None:
        """Keep one question (when allowed) and drop those older than the limit."""
        if self.keep_days <= 0:
            return
        today = dt.date.today()
        try:
            async with self._sessions.begin() as session:
                session.add(UnansweredQuestion(day=today, language=language, text=anonymise(text)))
                cutoff = today - dt.timedelta(days=self.keep_days)
                await session.execute(
                    delete(UnansweredQuestion).where(UnansweredQuestion.day < cutoff)
                )
        except Exception:
            log.exception("could not keep an unanswered question")
