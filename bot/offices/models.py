"""Offices that share the bot, and what came of it: counts only, never a person."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, DateTime, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.models import Base, utcnow

# akimat, public service centre, court, NGO, House of Friendship, anything else
KINDS: tuple[str, ...] = ("akimat", "psc", "court", "ngo", "friendship_house", "other")

# The longest event name a daily count keeps (its column's width).
MAX_EVENT_LENGTH = 80


class Office(Base):
    """An office with its own link and poster."""

    __tablename__ = "offices"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    region_id: Mapped[str] = mapped_column(String(64))
    name_kk: Mapped[str] = mapped_column(String(200))
    name_ru: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    language: Mapped[str] = mapped_column(String(2), default="")  # default language, or ""
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    def name(self, language: str) -> str:
        return str({"kk": self.name_kk, "ru": self.name_ru, "en": self.name_en}[language])


class DailyCount(Base):
    """How many times something happened on a day, per office, region and language.

    No user id and no text: a row is a number. `office` is "" for people who came without a
    link, `region` "" when unknown."""

    __tablename__ = "daily_counts"
    __table_args__ = (
        UniqueConstraint("day", "office", "region", "language", "event", name="uq_daily_counts"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    day: Mapped[dt.date] = mapped_column(Date)
    office: Mapped[str] = mapped_column(String(40), default="")
    region: Mapped[str] = mapped_column(String(64), default="")
    language: Mapped[str] = mapped_column(String(2), default="")
    event: Mapped[str] = mapped_column(String(MAX_EVENT_LENGTH))
    count: Mapped[int] = mapped_column(Integer, default=0)


class UnansweredQuestion(Base):
    """A question the bot did not understand, or what was missing in an answer, anonymised,
    kept only when KEEP_UNANSWERED_DAYS allows and only that long: what outreach teams should
    write content for next."""

    __tablename__ = "unanswered_questions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    day: Mapped[dt.date] = mapped_column(Date, index=True)
    language: Mapped[str] = mapped_column(String(2))
    text: Mapped[str] = mapped_column(String(200))
    # "" for a question; "page:<id>" or "verdict:<code>" for what someone typed after
    # 👎 → "something else" on that page or verdict (bot/telegram/handlers/feedback.py).
    subject: Mapped[str] = mapped_column(String(64), default="", server_default="")
