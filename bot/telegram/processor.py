"""Updates from different chats run concurrently; updates from one chat run in order, and one
chat cannot hold up the others (a cap on its queue and a per-person rate limit)."""

from __future__ import annotations

import asyncio
import inspect
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

log = logging.getLogger(__name__)
# Rate buckets kept at most before the full ones are forgotten (memory stays bounded).
_BUCKETS_KEPT = 10_000

# Several updates of one chat waiting is a person tapping fast or pasting a few messages;
# more than this is a flood, and every one of them would cost a Rasa turn.
MAX_QUEUED_PER_CHAT = 5
# A token bucket per chat: a burst as long as a quick run through the questionnaire, then one
# update a second, which no one typing or tapping by hand keeps up for long.
BURST = 20
PER_SECOND = 1.0
# PTB's own semaphore is taken before the chat's lock, so waiting updates would hold its slots
# (the audit's M3). It is made wide enough never to bind; ours is taken after the lock.
_UNBOUNDED = 1_000_000

Refused = Callable[[Update, str], Awaitable[None]]


def _chat_key(update: object) -> int | None:
    if isinstance(update, Update):
        if update.effective_chat is not None:
            return update.effective_chat.id
        if update.effective_user is not None:
            return update.effective_user.id
    return None


@dataclass
class _Bucket:
    tokens: float
    at: float


class PerChatUpdateProcessor(BaseUpdateProcessor):
    """Every update awaits Rasa, so chats must not queue behind each other."""

    def __init__(
        self,
        max_concurrent_updates: int = 256,
        *,
        max_queued_per_chat: int = MAX_QUEUED_PER_CHAT,
        burst: float = BURST,
        per_second: float = PER_SECOND,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(_UNBOUNDED)
        self._running = asyncio.Semaphore(max_concurrent_updates)
        self._max_queued = max_queued_per_chat
        self._burst = burst
        self._per_second = per_second
        self._clock = clock
        self._locks: dict[int, asyncio.Lock] = {}
        self._waiting: dict[int, int] = {}
        self._buckets: dict[int, _Bucket] = {}
        # Told why an update was dropped; set by the application once it exists.
        self.on_refused: Refused | None = None
        self.refused = 0

    def _take_token(self, key: int) -> bool:
        now = self._clock()
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = _Bucket(self._burst, now)
        bucket.tokens = min(self._burst, bucket.tokens + (now - bucket.at) * self._per_second)
        bucket.at = now
        if bucket.tokens < 1:
            return False
        bucket.tokens -= 1
        if len(self._buckets) > _BUCKETS_KEPT:
            self._forget_full_buckets(now)
        return True

    def _forget_full_buckets(self, now: float) -> None:
        """A full bucket is the same as none: drop them so the dict does not grow forever."""
        refill = self._burst / self._per_second if self._per_second else float("inf")
        for key in [k for k, b in self._buckets.items() if now - b.at >= refill]:
            del self._buckets[key]

    async def _refuse(self, update: Update, coroutine: Awaitable[Any], why: str) -> None:
        self.refused += 1
        if inspect.iscoroutine(coroutine):
            coroutine.close()  # never awaited: the update is dropped
        if self.on_refused is not None:
            try:
                await self.on_refused(update, why)
            except Exception:
                log.exception("could not tell a chat its update was dropped")

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = _chat_key(update)
        if key is None:
            async with self._running:
                await coroutine
            return
        assert isinstance(update, Update)
        if self._waiting.get(key, 0) >= self._max_queued:
            await self._refuse(update, coroutine, "queue")
            return
        if not self._take_token(key):
            await self._refuse(update, coroutine, "rate")
            return
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._waiting[key] = self._waiting.get(key, 0) + 1
        try:
            # The chat's lock first: a chat's queued updates wait on it, not on a shared slot.
            async with lock, self._running:
                await coroutine
        finally:
            # Forget idle chats, or the dict would grow with every user ever seen.
            self._waiting[key] -= 1
            if not self._waiting[key]:
                del self._waiting[key]
                del self._locks[key]

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""
