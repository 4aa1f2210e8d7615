"""Tables. Keep them minimal: mediation is confidential, so we store no message text."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy import BigInteger, Boolean, DateTime, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def utcnow() -> datetime:
    return datetime.now(UTC)


def this_month() -> datetime:
    """The first day of the current month (UTC): when a person's row was made or changed, no
    finer, so it cannot be joined with a day's counts (security review L7)."""
    return utcnow().replace(day=1, hour=0, minute=0, second=0, microsecond=0)


class Base(DeclarativeBase):
    pass


class User(Base):
    """A Telegram user's preferences; the Telegram id is needed to answer them at all."""

    __tablename__ = "users"

    telegram_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    language: Mapped[str] = mapped_column(String(2))
    # The office whose link brought them, and its region: for the anonymous counts and to
    # start the mediator search in the right region. "" when they came some other way.
    office: Mapped[str] = mapped_column(String(40), default="")
    region: Mapped[str] = mapped_column(String(64), default="")
    news: Mapped[bool] = mapped_column(Boolean, default=False)  # opted in with /subscribe
    blocked: Mapped[bool] = mapped_column(Boolean, default=False)  # a broadcast found it so
    # Part of the pseudonym Rasa sees (bot/dialogue/client.py): a new one after /forget, so an
    # old conversation can never be joined to the new one. "" until the first message.
    salt: Mapped[str] = mapped_column(String(32), default="")
    # What this conversation has shown so far (bot/storage/db.py, `Flag`), comma-separated:
    # kept here, not in one bot process, so any worker answers the next message alike; cleared
    # when the conversation is purged (bot/privacy/retention.py) and by /forget.
    flags: Mapped[str] = mapped_column(String(200), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=this_month)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=this_month, onupdate=this_month
    )
    # When the person last talked to the dialogue, written at most once an hour (so up to an
    # hour behind): their conversation in Rasa is purged a retention period later, and this
    # is NULL again (bot/privacy/retention.py). NULL: no conversation to purge.
    last_seen: Mapped[datetime | None] = mapped_column(
        DateTime(timezone=True), nullable=True, index=True, default=None
    )


class BroadcastDelivery(Base):
    """One news message to one subscriber: "sending" is committed before the message goes out,
    then the outcome, so that a broadcast run again never sends twice (a row left "sending"
    means nobody knows; it is not sent again). /forget deletes these too."""

    __tablename__ = "broadcast_deliveries"

    broadcast: Mapped[str] = mapped_column(String(64), primary_key=True)
    telegram_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    status: Mapped[str] = mapped_column(String(16))  # "sending", "sent", "blocked", "failed"
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # The button under this news message was pressed: the person left the news through it.
    unsubscribed: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sa.false())
    # The campaign that last tried this person (NULL: sent by hand): a news id sent by two
    # campaigns is counted per campaign, its unsubscribes too (the button names the news, and
    # a person has one delivery of it).
    campaign: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True, default=None)


class Campaign(Base):
    """A broadcast scheduled to be sent by the running bot (`broadcast FILE --at`), and what
    came of it. Its messages are the news itself, written for everyone; no person is named.
    Who got it is the journal's (broadcast_deliveries, under `news_id`)."""

    __tablename__ = "campaigns"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    news_id: Mapped[str] = mapped_column(String(64), index=True)  # the file's id:
    messages: Mapped[str] = mapped_column(Text)  # JSON {language: Telegram HTML}
    # The audience, comma lists ("" none): region ids, office codes, languages.
    regions: Mapped[str] = mapped_column(String(1000), default="")
    offices: Mapped[str] = mapped_column(String(1000), default="")
    languages: Mapped[str] = mapped_column(String(20), default="")
    due: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    # scheduled, sending (started; resumed after a restart; or waiting for `retry_at`), done,
    # cancelled (before it was sent, or while it was: `finished_at` says when)
    status: Mapped[str] = mapped_column(String(16), default="scheduled")
    # Rounds of retries of its failed deliveries scheduled so far, and when the next is due.
    retries: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    retry_at: Mapped[datetime | None] = mapped_column(
        DateTime(timezone=True), nullable=True, default=None
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(
        DateTime(timezone=True), nullable=True, default=None
    )


class Lease(Base):
    """Work that one process at a time may do (the broadcast sender): its holder and when the
    lease runs out unless renewed. A holder that dies stops renewing; the next takes over."""

    __tablename__ = "leases"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    holder: Mapped[str] = mapped_column(String(128))
    until: Mapped[datetime] = mapped_column(DateTime(timezone=True))
