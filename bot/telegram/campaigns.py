"""Scheduled news (`python -m bot broadcast FILE --at "2026-12-10 10:00"`): the campaigns, and
the running bot's task that sends each one when it is due.

A campaign is a row (bot/storage/models.py, `Campaign`): the news' id and messages, its
audience and when it is due (stored in UTC; given and shown in Kazakhstan's time, bot/clock.py).
Every bot process (`serve`, or each stream worker: both run app.py's post_init) runs
`Scheduler.run_forever`, which every CHECK_SECONDS looks for a campaign that is due and not
finished and sends it with broadcast.send:

- under the "broadcast" database lease, so one process sends at a time however many run (the
  others find it held and look again later);
- at the bot's own send rate: each message takes a token from the bucket the bot's answers
  take theirs from (bot/telegram/sending.py; in Redis, shared by every worker, when REDIS_URL
  is set), so TELEGRAM_SENDS_PER_SECOND stays the whole bot's;
- from the journal: a campaign half-sent when the bot stopped goes on where it was after the
  restart, and nobody gets it twice. Each delivery is journalled under its campaign, so two
  campaigns of one news id are counted apart (`campaign_counts`), though nobody gets the news
  twice from them;
- failed deliveries (certainly not delivered: 5xx, no connection, Telegram's "retry after" more
  often than the sender waits) are tried again by later runs, RETRY_PAUSES apart (the time of
  the next is in the row, so a restart changes nothing); what still fails after the last is
  "failed", apart from "blocked";
- `cancel` works at any moment, from any process: a campaign being sent stops before its next
  message (the sender asks before each one), and `cancel` waits until it has stopped, so the
  counts it gives are final.

What came of each news id, or each campaign (delivered, blocked, unsubscribed through its
button, failed, unknown), is counted from the journal, with no person named.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import logging
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, case, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import QueryableAttribute
from sqlalchemy.sql.elements import ColumnElement
from telegram import Bot

from bot import clock
from bot.storage import leases
from bot.storage.models import BroadcastDelivery, Campaign, utcnow
from bot.telegram import broadcast
from bot.telegram.broadcast import Audience
from bot.telegram.sending import Bucket

log = logging.getLogger(__name__)

CHECK_SECONDS = 30.0
SCHEDULED, SENDING, DONE, CANCELLED = "scheduled", "sending", "done", "cancelled"
# At shutdown, how long the task waits for the message being sent (never cut off mid-send).
STOP_GRACE = 10.0
# Tries of one message within a run, when it certainly did not arrive (the command makes
# broadcast.ATTEMPTS): fewer, since later runs try it again, and a person Telegram keeps
# failing holds up everyone after them for a second, then two, and no longer.
ATTEMPTS = 3
# The pauses before each retry of a campaign's failed deliveries: three more runs, 1, 5 and
# 25 minutes after the one before (half an hour in all: longer than Telegram's outages
# usually last); then they are "failed" for good (send the file by hand to try again).
RETRY_PAUSES: tuple[float, ...] = (60.0, 300.0, 1500.0)
# How long `cancel` waits for a campaign's sender to stop: the message it sends may wait for
# Telegram's answer (broadcast.BroadcastRequest, 30 s) and for a retry.
CANCEL_WAIT = 45.0


class CampaignError(ValueError):
    """What cannot be done with a campaign, in words for the person running the command."""


@dataclass(frozen=True)
class Counts:
    """What came of one news id, from the journal; no person named."""

    delivered: int = 0
    blocked: int = 0
    unsubscribed: int = 0  # through the button under this news
    failed: int = 0
    unknown: int = 0  # the answer was lost: it may have arrived

    def line(self) -> str:
        return (
            f"delivered {self.delivered}, blocked {self.blocked}, unsubscribed "
            f"{self.unsubscribed}, failed {self.failed}, unknown {self.unknown}"
        )


def parse_due(text: str) -> dt.datetime:
    """ "2026-12-10 10:00" (or 2026-12-10T10:00) in Kazakhstan's time, aware."""
    try:
        due = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise CampaignError(
            f'--at {text!r}: write the date and time in Kazakhstan as "2026-12-10 10:00"'
        ) from None
    if due.tzinfo is None:
        due = due.replace(tzinfo=clock.KAZAKHSTAN)
    return due


def _joined(values: Iterable[str]) -> str:
    return ",".join(sorted(values))


def _split(value: str) -> frozenset[str]:
    return frozenset(v for v in value.split(",") if v)


def audience_of(campaign: Campaign) -> Audience:
    return Audience(_split(campaign.regions), _split(campaign.offices), _split(campaign.languages))


async def schedule(
    sessions: async_sessionmaker[AsyncSession],
    news_id: str,
    messages: Mapping[str, str],
    audience: Audience,
    due: dt.datetime,
) -> int:
    """Store the campaign; its number (for --cancel)."""
    campaign = Campaign(
        news_id=news_id,
        messages=json.dumps(dict(messages), ensure_ascii=False),
        regions=_joined(audience.regions),
        offices=_joined(audience.offices),
        languages=_joined(audience.languages),
        due=due.astimezone(dt.UTC),
        status=SCHEDULED,
    )
    async with sessions.begin() as session:
        session.add(campaign)
        await session.flush()
        return campaign.id


@dataclass(frozen=True)
class Cancelled:
    """What `cancel` did. `started`: it was being sent (or waited for a retry); `stopped`: its
    sender has stopped, so `counts` are final (False: its last message still waits for
    Telegram's answer, and nothing after that message is sent)."""

    started: bool
    stopped: bool
    counts: Counts


async def cancel(
    sessions: async_sessionmaker[AsyncSession], campaign_id: int, wait: float | None = None
) -> Cancelled:
    """No more of the campaign, from any process: one scheduled is never sent; one being sent
    stops before its next message (its sender asks before each), and this waits until it has
    (at most `wait` seconds, CANCEL_WAIT by default). CampaignError if it is over already."""
    async with sessions.begin() as session:
        campaign = await session.get(Campaign, campaign_id)
        if campaign is None:
            raise CampaignError(f"no campaign {campaign_id} (broadcast --list shows them)")
        was = campaign.status
        if was not in (SCHEDULED, SENDING):
            raise CampaignError(
                f"campaign {campaign_id} is {was} already: only one scheduled or being sent can "
                "be cancelled"
            )
        # Only from the status just read: the sender may have finished it meanwhile.
        changed = await session.execute(
            update(Campaign)
            .where(Campaign.id == campaign_id, Campaign.status == was)
            .values(status=CANCELLED, finished_at=utcnow(), retry_at=None)
            .returning(Campaign.id)
        )
        if changed.first() is None:
            raise CampaignError(f"campaign {campaign_id} has just finished: see broadcast --list")
    started = was == SENDING
    stopped = not started or await _sender_stopped(sessions, campaign_id, wait)
    counted = await campaign_counts(sessions, [campaign_id])
    return Cancelled(started, stopped, counted.get(campaign_id, Counts()))


async def _sender_stopped(
    sessions: async_sessionmaker[AsyncSession], campaign_id: int, wait: float | None
) -> bool:
    """Whether no run of the campaign holds the broadcast lease, waiting up to `wait` seconds
    for it to let go. Any run that takes the lease later asks before its first message, and
    finds the campaign cancelled: whatever it was doing, no message of it goes out any more."""
    mark = f"{broadcast.CAMPAIGN_HOLDER}{campaign_id}"
    deadline = time.monotonic() + (CANCEL_WAIT if wait is None else wait)
    while True:
        held = await leases.holder_of(sessions, broadcast.LEASE)
        if held is None or not held[0].endswith(mark):
            return True
        if time.monotonic() >= deadline:
            return False
        await asyncio.sleep(0.2)


async def listing(sessions: async_sessionmaker[AsyncSession]) -> list[Campaign]:
    """Every campaign, the next due first, then the past ones, newest first."""
    async with sessions() as session:
        rows = await session.scalars(select(Campaign).order_by(Campaign.due.desc()))
        return list(rows)


def _counted(by: QueryableAttribute[Any]) -> Select[Any]:
    """Delivered, blocked, unsubscribed, failed, unknown, grouped `by` a journal column."""
    status = BroadcastDelivery.status

    def of(value: str) -> ColumnElement[int]:
        return func.sum(case((status == value, 1), else_=0))

    return select(
        by,
        of(broadcast.SENT),
        of(broadcast.BLOCKED),
        func.sum(case((BroadcastDelivery.unsubscribed.is_(True), 1), else_=0)),
        of(broadcast.FAILED),
        of(broadcast.SENDING),
    ).group_by(by)


async def counts(
    sessions: async_sessionmaker[AsyncSession], news_ids: Iterable[str] | None = None
) -> dict[str, Counts]:
    """Per news id (all when None), over every run and campaign of it: delivered, blocked,
    unsubscribed, failed, unknown."""
    query = _counted(BroadcastDelivery.broadcast)
    if news_ids is not None:
        query = query.where(BroadcastDelivery.broadcast.in_(sorted(set(news_ids))))
    async with sessions() as session:
        rows = (await session.execute(query)).all()
    return {str(news): Counts(*(int(n or 0) for n in numbers)) for news, *numbers in rows}


async def campaign_counts(
    sessions: async_sessionmaker[AsyncSession], campaign_ids: Iterable[int]
) -> dict[int, Counts]:
    """Per campaign, its own deliveries only (another campaign of the same news id, or a run
    by hand, counts apart): delivered, blocked, unsubscribed, failed, unknown."""
    query = _counted(BroadcastDelivery.campaign).where(
        BroadcastDelivery.campaign.in_(sorted(set(campaign_ids)))
    )
    async with sessions() as session:
        rows = (await session.execute(query)).all()
    return {int(number): Counts(*(int(n or 0) for n in numbers)) for number, *numbers in rows}


async def sent_by_hand(
    sessions: async_sessionmaker[AsyncSession],
) -> list[tuple[str, dt.datetime, Counts]]:
    """News sent at once by the broadcast command (no campaign): per news id, when it was
    first sent and its counts, the latest first."""
    first = func.min(BroadcastDelivery.at)
    query = (
        _counted(BroadcastDelivery.broadcast)
        .add_columns(first)
        .where(BroadcastDelivery.campaign.is_(None))
        .order_by(first.desc())
    )
    async with sessions() as session:
        rows = (await session.execute(query)).all()
    return [(str(news), at, Counts(*(int(n or 0) for n in numbers))) for news, *numbers, at in rows]


async def holders_of(sessions: async_sessionmaker[AsyncSession], news_id: str) -> int:
    """How many have this news already (or may have it), whoever sent it to them."""
    async with sessions() as session:
        found = await session.scalar(
            select(func.count())
            .select_from(BroadcastDelivery)
            .where(
                BroadcastDelivery.broadcast == news_id,
                BroadcastDelivery.status.in_((broadcast.SENT, broadcast.SENDING)),
            )
        )
    return int(found or 0)


def kazakhstan_time(moment: dt.datetime) -> str:
    """ "2026-12-10 10:00", in Kazakhstan's time (a naive value is UTC, as SQLite gives it)."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
    return f"{aware.astimezone(clock.KAZAKHSTAN):%Y-%m-%d %H:%M}"


def what_happened(campaign: Campaign, counted: Counts) -> str:
    """The campaign's story in a few words, for --list (its counts go beside it); never a
    ';', which separates --list's fields."""
    reached = counted.delivered + counted.blocked + counted.failed + counted.unknown
    finished = kazakhstan_time(campaign.finished_at) if campaign.finished_at else "?"
    if campaign.status == SCHEDULED:
        return "not sent yet"
    if campaign.status == CANCELLED:
        if not reached:
            return f"cancelled {finished}, before anything was sent"
        return (
            f"cancelled {finished} while being sent: it stopped after {counted.delivered} "
            "delivered, nobody else gets it"
        )
    if campaign.status == SENDING:
        if campaign.retry_at is not None:
            return (
                f"{counted.failed} failed (not blocked): tried again at "
                f"{kazakhstan_time(campaign.retry_at)}, retry {campaign.retries} of "
                f"{len(RETRY_PAUSES)}"
            )
        return "being sent (or resumed by the running bot)"
    if not counted.failed:
        return f"done {finished}"
    tries = f"after {campaign.retries} retries" if campaign.retries else "and not retried"
    return (
        f"done {finished}, {counted.failed} failed for good {tries} (Telegram refused or could "
        "not be reached, they had not blocked the bot): send the file by hand to try them again"
    )


class Scheduler:
    """The running bot's task: every `every` seconds, the campaign due, if any, sent."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        make_bot: Callable[[], Bot],
        labels: Callable[[], Mapping[str, str]],
        every: float = CHECK_SECONDS,
        rate: float = broadcast.DEFAULT_RATE,
        *,
        bucket: Bucket | None = None,
        retry_pauses: Sequence[float] | None = None,
    ) -> None:
        self._sessions = sessions
        self._make_bot = make_bot
        self._labels = labels
        self._every = every
        self._rate = rate
        # The bot's own send rate (app.py gives the one its answers take from).
        self.bucket = bucket
        self._retry_pauses = RETRY_PAUSES if retry_pauses is None else tuple(retry_pauses)
        self._backoff = broadcast.BACKOFF_SECONDS  # read here: a test makes it shorter
        self._bot: Bot | None = None
        self._stop = asyncio.Event()

    async def run_forever(self) -> None:
        """Until cancelled; a cancel waits for the message being sent, then stops."""
        try:
            while True:
                inner = asyncio.create_task(self._tick_logged())
                try:
                    await asyncio.shield(inner)
                except asyncio.CancelledError:
                    self._stop.set()  # between two messages: none is cut off mid-send
                    with contextlib.suppress(Exception, asyncio.CancelledError):
                        await asyncio.wait_for(inner, STOP_GRACE)
                    raise
                await asyncio.sleep(self._every)
        finally:
            if self._bot is not None:
                with contextlib.suppress(Exception):
                    await self._bot.shutdown()

    async def _tick_logged(self) -> None:
        try:
            await self.tick()
        except Exception:
            # The database or Telegram down: the campaign waits for the next look.
            log.exception("scheduled news: will try again in %.0f s", self._every)

    async def _due(self) -> Campaign | None:
        now = utcnow()
        async with self._sessions() as session:
            found: Campaign | None = await session.scalar(
                select(Campaign)
                .where(
                    Campaign.status.in_((SCHEDULED, SENDING)),
                    Campaign.due <= now,
                    or_(Campaign.retry_at.is_(None), Campaign.retry_at <= now),
                )
                .order_by(Campaign.due, Campaign.id)
                .limit(1)
            )
            return found

    async def _set(self, campaign_id: int, old: str, new: str) -> None:
        finished = utcnow() if new == DONE else None
        async with self._sessions.begin() as session:
            await session.execute(
                update(Campaign)
                .where(Campaign.id == campaign_id, Campaign.status == old)
                .values(status=new, finished_at=finished, retry_at=None)
            )

    async def _retry_later(self, campaign: Campaign) -> dt.datetime:
        """The next round of retries, in the row (a restart keeps it); when it is due."""
        at = utcnow() + dt.timedelta(seconds=self._retry_pauses[campaign.retries])
        async with self._sessions.begin() as session:
            await session.execute(
                update(Campaign)
                .where(Campaign.id == campaign.id, Campaign.status == SENDING)
                .values(retries=campaign.retries + 1, retry_at=at)
            )
        return at

    async def _still_sending(self, campaign_id: int) -> bool:
        async with self._sessions() as session:
            status = await session.scalar(select(Campaign.status).where(Campaign.id == campaign_id))
        return status == SENDING

    async def tick(self) -> broadcast.Progress | None:
        """Send the campaign that is due, if any and if no one else sends now; its progress."""
        campaign = await self._due()
        if campaign is None or self._stop.is_set():
            return None
        await self._set(campaign.id, SCHEDULED, SENDING)
        if self._bot is None:
            bot = self._make_bot()
            await bot.initialize()
            self._bot = bot
        number = campaign.id
        run = broadcast.CampaignRun(
            number, lambda: self._still_sending(number), retry=campaign.retry_at is not None
        )
        try:
            progress = await broadcast.send(
                self._bot, self._sessions, campaign.news_id, json.loads(campaign.messages),
                self._rate, stop_labels=self._labels(), audience=audience_of(campaign),
                stop=self._stop, attempts=ATTEMPTS, backoff=self._backoff, bucket=self.bucket,
                campaign=run,
            )  # fmt: skip
        except broadcast.BroadcastError as exc:
            log.info("scheduled news %d waits: %s", number, exc)
            return None
        log.info("scheduled news %d (%s): %s", number, campaign.news_id, broadcast.bar(progress))
        await self._after(campaign, progress)
        return progress

    async def _after(self, campaign: Campaign, progress: broadcast.Progress) -> None:
        """Done, or its failures tried again later; as it was if the run was cut short."""
        if progress.cancelled:
            log.info("scheduled news %d was cancelled while being sent: stopped", campaign.id)
        elif progress.interrupted:
            pass  # the next look (after the restart, or once the lease is back) goes on
        elif progress.failed and campaign.retries < len(self._retry_pauses):
            at = await self._retry_later(campaign)
            log.info(
                "scheduled news %d: %d failed, tried again at %s (Kazakhstan)",
                campaign.id, progress.failed, kazakhstan_time(at),
            )  # fmt: skip
        else:
            await self._set(campaign.id, SENDING, DONE)
            if progress.failed:
                log.warning(
                    "scheduled news %d: %d failed for good after %d retries",
                    campaign.id, progress.failed, campaign.retries,
                )  # fmt: skip

    @staticmethod
    def due_text(campaign: Campaign) -> str:
        """When it is due, in Kazakhstan's time."""
        return kazakhstan_time(campaign.due)
