"""Scheduled news (`python -m bot broadcast FILE --at "2026-12-10 10:00"`): the campaigns, and
the running bot's task that sends each one when it is due.

A campaign is a row (bot/storage/models.py, `Campaign`): the news' id and messages, its
audience and when it is due (stored in UTC; given and shown in Kazakhstan's time, bot/clock.py).
Every bot process (`serve`, or each stream worker: both run app.py's post_init) runs
`Scheduler.run_forever`, which every CHECK_SECONDS looks for a campaign that is due and not
finished and sends it with broadcast.send. That takes the "broadcast" database lease, so one
process sends at a time however many run (the others find it held and look again later), and
it reads the journal first, so a campaign half-sent when the bot stopped goes on where it was
after the restart, and nobody gets it twice. A campaign is done after a run that was not
interrupted (failed deliveries are counted, not retried); cancelled, it is never sent.

What came of each news id (delivered, blocked, unsubscribed through its button, failed,
unknown) is counted from the journal, with no person named: `counts`.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy import case, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.sql.elements import ColumnElement
from telegram import Bot

from bot import clock
from bot.storage.models import BroadcastDelivery, Campaign, utcnow
from bot.telegram import broadcast
from bot.telegram.broadcast import Audience

log = logging.getLogger(__name__)

CHECK_SECONDS = 30.0
SCHEDULED, SENDING, DONE, CANCELLED = "scheduled", "sending", "done", "cancelled"
# At shutdown, how long the task waits for the message being sent (never cut off mid-send).
STOP_GRACE = 10.0


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


async def cancel(sessions: async_sessionmaker[AsyncSession], campaign_id: int) -> None:
    """A scheduled campaign is never sent; CampaignError if it is not waiting to be sent."""
    async with sessions.begin() as session:
        campaign = await session.get(Campaign, campaign_id)
        if campaign is None:
            raise CampaignError(f"no campaign {campaign_id} (broadcast --list shows them)")
        if campaign.status != SCHEDULED:
            raise CampaignError(
                f"campaign {campaign_id} is {campaign.status}: only one still scheduled can be "
                "cancelled"
            )
        campaign.status = CANCELLED
        campaign.finished_at = utcnow()


async def listing(sessions: async_sessionmaker[AsyncSession]) -> list[Campaign]:
    """Every campaign, the next due first, then the past ones, newest first."""
    async with sessions() as session:
        rows = await session.scalars(select(Campaign).order_by(Campaign.due.desc()))
        return list(rows)


async def counts(
    sessions: async_sessionmaker[AsyncSession], news_ids: Iterable[str] | None = None
) -> dict[str, Counts]:
    """Per news id (all when None): delivered, blocked, unsubscribed, failed, unknown."""
    status = BroadcastDelivery.status

    def of(value: str) -> ColumnElement[int]:
        return func.sum(case((status == value, 1), else_=0))

    query = select(
        BroadcastDelivery.broadcast,
        of(broadcast.SENT),
        of(broadcast.BLOCKED),
        func.sum(case((BroadcastDelivery.unsubscribed.is_(True), 1), else_=0)),
        of(broadcast.FAILED),
        of(broadcast.SENDING),
    ).group_by(BroadcastDelivery.broadcast)
    if news_ids is not None:
        query = query.where(BroadcastDelivery.broadcast.in_(sorted(set(news_ids))))
    async with sessions() as session:
        rows = (await session.execute(query)).all()
    return {str(news): Counts(*(int(n or 0) for n in numbers)) for news, *numbers in rows}


class Scheduler:
    """The running bot's task: every `every` seconds, the campaign due, if any, sent."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        make_bot: Callable[[], Bot],
        labels: Callable[[], Mapping[str, str]],
        every: float = CHECK_SECONDS,
        rate: float = broadcast.DEFAULT_RATE,
    ) -> None:
        self._sessions = sessions
        self._make_bot = make_bot
        self._labels = labels
        self._every = every
        self._rate = rate
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
        async with self._sessions() as session:
            found: Campaign | None = await session.scalar(
                select(Campaign)
                .where(Campaign.status.in_((SCHEDULED, SENDING)), Campaign.due <= utcnow())
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
                .values(status=new, finished_at=finished)
            )

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
        try:
            progress = await broadcast.send(
                self._bot, self._sessions, campaign.news_id, json.loads(campaign.messages),
                self._rate, stop_labels=self._labels(), audience=audience_of(campaign),
                stop=self._stop,
            )  # fmt: skip
        except broadcast.BroadcastError as exc:
            log.info("scheduled news %d waits: %s", campaign.id, exc)
            return None
        if not progress.interrupted:
            await self._set(campaign.id, SENDING, DONE)
        log.info(
            "scheduled news %d (%s): %s", campaign.id, campaign.news_id, broadcast.bar(progress)
        )
        return progress

    @staticmethod
    def due_text(campaign: Campaign) -> str:
        """When it is due, in Kazakhstan's time."""
        due = campaign.due if campaign.due.tzinfo else campaign.due.replace(tzinfo=dt.UTC)
        return f"{due.astimezone(clock.KAZAKHSTAN):%Y-%m-%d %H:%M}"
