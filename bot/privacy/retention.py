"""Retention on a schedule: what the bot promises to delete is deleted on time, whether or not
anyone writes again (security review H1 and M9).

One sweep, run by the bot at start-up and then every hour (`Retention.run_forever`):

- unanswered questions older than KEEP_UNANSWERED_DAYS are deleted, all of them when it is 0;
- a conversation in Rasa is purged CONVERSATION_RETENTION_HOURS (24) after the person's last
  message, in memory as in Redis, the way /forget purges it (events replaced through Rasa's
  HTTP API, the Redis keys deleted). The bot notes when a person talks to the dialogue in
  `users.last_seen` (`note_seen`, at most one write an hour per person); the sweep purges the
  conversations whose last_seen is old enough and sets it back to NULL.

Timing. last_seen may lag the last message by up to `interval` (it is written at most that
often) and the sweep runs every `interval`; purging whoever was last seen more than
`period - interval` ago makes every conversation go no later than `period` after its last
message, and no sooner than `period - 2 * interval` (22 to 24 hours by default).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import time
from collections.abc import MutableMapping
from dataclasses import dataclass
from typing import Any

import redis.asyncio as redis
from sqlalchemy import select, update

from bot.config import Settings
from bot.dialogue.client import RasaClient, sender_id
from bot.dialogue.forget import conversation_keys
from bot.outreach.unanswered import UnansweredStore
from bot.storage.db import Database
from bot.storage.models import User

log = logging.getLogger(__name__)

HOUR = dt.timedelta(hours=1)
# Conversations purged per database round trip.
BATCH = 100
# Purges that fail one after the other before a sweep gives up until the next one (Rasa or
# Redis is down: better than waiting for each person's timeout in turn).
GIVE_UP_AFTER = 3
# user_data: when this process last wrote the person's last_seen (time.monotonic()).
_SEEN_KEY = "seen_at"


def period(settings: Settings) -> dt.timedelta:
    """How long a conversation is kept after the person's last message."""
    return dt.timedelta(hours=settings.conversation_retention_hours)


def interval(settings: Settings) -> dt.timedelta:
    """How often the sweep runs and last_seen is written: hourly, or a quarter of a shorter
    period (a period of a minute in the tests)."""
    return min(HOUR, period(settings) / 4)


async def note_seen(
    db: Database,
    settings: Settings,
    user_data: MutableMapping[Any, Any] | None,
    telegram_id: int,
) -> None:
    """The person is talking to the dialogue: note it, at most once an `interval`.

    Remembered in user_data, so most turns cost no database statement at all; the UPDATE
    itself also skips a last_seen that is recent enough (other replicas, a restarted bot).
    Call it once the person's row exists (after their pseudonym's salt is made)."""
    every = interval(settings)
    now = time.monotonic()
    last = user_data.get(_SEEN_KEY) if user_data is not None else None
    if isinstance(last, float) and now - last < every.total_seconds():
        return
    try:
        await db.seen(telegram_id, every)
    except Exception:
        # The answer matters more; the next turn tries again.
        log.exception("could not note when a person was last seen")
        return
    if user_data is not None:
        user_data[_SEEN_KEY] = now


@dataclass
class Sweep:
    """What one sweep did."""

    questions: int = 0  # unanswered questions deleted
    conversations: int = 0  # conversations purged
    failed: int = 0  # conversations that could not be purged (tried again next time)


class Retention:
    """Every retention sweep of the bot, once (`run_once`) or on a schedule (`run_forever`)."""

    def __init__(
        self,
        settings: Settings,
        db: Database,
        rasa: RasaClient,
        unanswered: UnansweredStore,
    ) -> None:
        self.settings = settings
        self.db = db
        self.rasa = rasa
        self.unanswered = unanswered
        self._warned = False

    @property
    def period(self) -> dt.timedelta:
        return period(self.settings)

    @property
    def interval(self) -> dt.timedelta:
        return interval(self.settings)

    async def run_forever(self, every: float | None = None) -> None:
        """Sweep now, then every `every` seconds (default: `interval`), until cancelled.
        A failing sweep is logged and tried again next time; it never ends the loop."""
        seconds = self.interval.total_seconds() if every is None else every
        loop = asyncio.get_running_loop()
        while True:
            # On a fixed beat: a slow sweep must not push the next one later (see Timing).
            next_sweep = loop.time() + seconds
            try:
                await self.run_once()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("retention sweep failed; trying again in %.0f s", seconds)
            await asyncio.sleep(max(0.0, next_sweep - loop.time()))

    async def run_once(self, now: dt.datetime | None = None) -> Sweep:
        """Every sweep, once; each one's failure is logged and does not stop the others."""
        sweep = Sweep()
        try:
            sweep.questions = await self.unanswered.prune()
        except Exception:
            log.exception("could not delete old unanswered questions")
        try:
            sweep.conversations, sweep.failed = await self.purge_conversations(now)
        except Exception:
            log.exception("could not purge old conversations")
        if sweep.questions or sweep.conversations or sweep.failed:
            log.info(
                "retention: %d unanswered questions deleted, %d conversations purged, "
                "%d left for the next sweep",
                sweep.questions,
                sweep.conversations,
                sweep.failed,
            )
        return sweep

    async def purge_conversations(self, now: dt.datetime | None = None) -> tuple[int, int]:
        """Purge the conversations of people last seen more than `period - interval` ago;
        (purged, failed)."""
        if not (self.settings.rasa_api_token or self.settings.redis_url):
            if not self._warned:
                self._warned = True
                log.warning(
                    "conversations cannot be purged on schedule: neither RASA_API_TOKEN nor "
                    "REDIS_URL is set (`make run` and `python -m bot stack` set them)"
                )
            return 0, 0
        cutoff = (now or dt.datetime.now(dt.UTC)) - (self.period - self.interval)
        store = redis.Redis.from_url(self.settings.redis_url) if self.settings.redis_url else None
        purged = failed = in_a_row = 0
        after = None
        try:
            while in_a_row < GIVE_UP_AFTER:
                rows = await self._due(cutoff, after)
                if not rows:
                    break
                for telegram_id, salt, seen in rows:
                    after = telegram_id
                    pseudonym = sender_id(self.settings.sender_secret, telegram_id, salt)
                    if await self._erase(pseudonym, store):
                        purged += 1
                        in_a_row = 0
                        await self._mark_purged(telegram_id, seen)
                    else:
                        failed += 1
                        in_a_row += 1
                        if in_a_row >= GIVE_UP_AFTER:
                            log.warning("conversations cannot be purged now; next sweep")
                            break
        finally:
            if store is not None:
                await store.aclose()
        return purged, failed

    async def _due(
        self, cutoff: dt.datetime, after: int | None
    ) -> list[tuple[int, str, dt.datetime]]:
        query = (
            select(User.telegram_id, User.salt, User.last_seen)
            .where(User.last_seen.is_not(None), User.last_seen < cutoff)
            .order_by(User.telegram_id)
            .limit(BATCH)
        )
        if after is not None:
            query = query.where(User.telegram_id > after)
        async with self.db.sessions() as session:
            rows = (await session.execute(query)).all()
        return [(int(r[0]), str(r[1] or ""), r[2]) for r in rows if r[2] is not None]

    async def _erase(self, pseudonym: str, store: redis.Redis | None) -> bool:
        """Whether the conversation is gone from every store the bot can reach."""
        purged = await self.rasa.purge(pseudonym)  # the events, in memory or in Redis
        if store is None:
            return purged
        try:
            # Rasa's Redis store merges a save into what it holds: only DEL is sure.
            await store.delete(*conversation_keys(self.settings.redis_prefix, pseudonym))
        except redis.RedisError as exc:
            log.warning("could not delete a conversation from Redis: %s", exc)
            return False
        return True

    async def _mark_purged(self, telegram_id: int, seen: dt.datetime) -> None:
        """last_seen back to NULL, and what the conversation showed (its flags) gone with it,
        unless the person wrote again meanwhile (then it moved, and the new conversation is
        purged in its own time)."""
        async with self.db.sessions.begin() as session:
            await session.execute(
                update(User)
                .where(User.telegram_id == telegram_id, User.last_seen == seen)
                .values(last_seen=None, flags="")
            )


async def stop(task: asyncio.Task[None] | None) -> None:
    """Cancel a running `run_forever` and wait for it to end."""
    if task is None or task.done():
        return
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
