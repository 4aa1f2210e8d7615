"""The one sending layer: every Bot API call the bot makes passes through here.

PTB hands each request to the bot's rate limiter (`BaseRateLimiter.process_request`), so this
is the single place where Telegram's limits and failures are handled, not each call site:

- sends stay under Telegram's ~30 messages a second for the whole bot (a token bucket);
- 429 (`RetryAfter`) pauses every send for as long as Telegram asks, then tries again;
- a 5xx or a refused connection is retried with backoff; a request that may have arrived (a
  read timeout, a connection dropped mid-way) is retried only when doing it twice is harmless
  (a second `sendMessage` would be a duplicate);
- 403 (`Forbidden`: the person blocked the bot) marks them blocked, so news stops for them.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
from collections.abc import Awaitable, Callable, Coroutine
from contextvars import ContextVar
from typing import Any, Protocol

from telegram.error import (
    BadRequest,
    Forbidden,
    NetworkError,
    RetryAfter,
    TimedOut,
)
from telegram.ext import BaseRateLimiter

from bot.telegram.transport import certainly_not_sent

log = logging.getLogger(__name__)

JSONResult = bool | dict[str, Any] | list[dict[str, Any]]
Blocked = Callable[[int], Awaitable[None]]

# Telegram's documented bulk limit for one bot.
PER_SECOND = 30.0
MAX_RETRIES = 3
# Past this a person has long stopped waiting: give up and let the error handler apologise.
MAX_WAIT_SECONDS = 60.0
BACKOFF_SECONDS = 0.5
# Methods that change nothing when done twice: safe to repeat after a timeout.
_REPEATABLE_PREFIXES = ("get", "answer", "set", "delete", "edit", "leave")
# Long polling has its own retry loop in PTB's updater; adding ours would only hide its errors.
_NOT_OURS = frozenset({"getUpdates"})


class Recorder(Protocol):
    """Makes a call or gives its recorded result (bot/telegram/stream/journal.py)."""

    async def call(
        self, endpoint: str, make: Callable[[], Awaitable[JSONResult]]
    ) -> JSONResult: ...

    async def remember(self, name: str, read: Callable[[], Awaitable[Any]]) -> Any:
        """What `read` gave the first time this update was handled (JSON values)."""
        ...


# Set by a stream worker around the update it handles; None everywhere else.
RECORDER: ContextVar[Recorder | None] = ContextVar("kelisim_recorder", default=None)


def _seconds(value: int | float | dt.timedelta) -> float:
    return value.total_seconds() if isinstance(value, dt.timedelta) else float(value)


def _is_send(endpoint: str) -> bool:
    return endpoint.startswith(("send", "copy", "forward"))


class Bucket(Protocol):
    """Waits until a send may go out."""

    async def take(self) -> None: ...


class _Bucket:
    """A token bucket that makes callers wait for their turn instead of refusing them."""

    def __init__(self, per_second: float, clock: Callable[[], float]) -> None:
        self._per_second = per_second
        self._clock = clock
        self._tokens = per_second
        self._at = clock()
        self._lock = asyncio.Lock()

    async def take(self) -> None:
        if self._per_second <= 0:
            return
        async with self._lock:
            while True:
                now = self._clock()
                self._tokens = min(
                    self._per_second, self._tokens + (now - self._at) * self._per_second
                )
                self._at = now
                if self._tokens >= 1:
                    self._tokens -= 1
                    return
                await asyncio.sleep((1 - self._tokens) / self._per_second)


class Delivery(BaseRateLimiter[None]):
    """Throttles sends, honours 429, retries what is safe to retry, notes who blocked us."""

    def __init__(
        self,
        per_second: float = PER_SECOND,
        *,
        max_retries: int = MAX_RETRIES,
        max_wait: float = MAX_WAIT_SECONDS,
        backoff: float = BACKOFF_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        # Replaced by a bucket shared in Redis when several workers send for one bot.
        self.bucket: Bucket = _Bucket(per_second, clock)
        self._max_retries = max_retries
        self._max_wait = max_wait
        self._backoff = backoff
        self._clock = clock
        # Set after a 429: no request goes out before this moment.
        self._paused_until = 0.0
        self.on_blocked: Blocked | None = None
        self.retried = 0

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""

    async def _wait_for_pause(self) -> None:
        delay = self._paused_until - self._clock()
        if delay > 0:
            await asyncio.sleep(delay)

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, JSONResult]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: None,
    ) -> JSONResult:
        if endpoint in _NOT_OURS:
            return await callback(*args, **kwargs)
        recorder = RECORDER.get()
        if recorder is not None and not endpoint.startswith("get"):
            return await recorder.call(
                endpoint, lambda: self._deliver(callback, args, kwargs, endpoint, data)
            )
        return await self._deliver(callback, args, kwargs, endpoint, data)

    async def _deliver(
        self,
        callback: Callable[..., Coroutine[Any, Any, JSONResult]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
    ) -> JSONResult:
        started = self._clock()
        attempt = 0
        while True:
            await self._wait_for_pause()
            if _is_send(endpoint):
                await self.bucket.take()
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as error:
                wait = _seconds(error.retry_after)
                self._paused_until = max(self._paused_until, self._clock() + wait)
                if not self._may_retry(attempt, started, wait):
                    raise
                log.warning("Telegram asked to wait %.1f s (%s)", wait, endpoint)
            except Forbidden:
                await self._blocked(data)
                raise
            except (TimedOut, NetworkError) as error:
                if isinstance(error, BadRequest):
                    raise  # our request was wrong; sending it again will not make it right
                # Retry what certainly did not arrive, or what is harmless to do twice; a send
                # that may have arrived is never repeated (the person would read it twice).
                if not (certainly_not_sent(error) or endpoint.startswith(_REPEATABLE_PREFIXES)):
                    raise
                if not self._may_retry(attempt, started, self._pause(attempt)):
                    raise
                log.warning("Bot API %s failed (%s); retrying", endpoint, error.message)
                await asyncio.sleep(self._pause(attempt))
            attempt += 1
            self.retried += 1

    def _pause(self, attempt: int) -> float:
        return float(self._backoff * 2**attempt)

    def _may_retry(self, attempt: int, started: float, wait: float) -> bool:
        waited = self._clock() - started
        return attempt < self._max_retries and waited + wait <= self._max_wait

    async def _blocked(self, data: dict[str, Any]) -> None:
        chat_id = data.get("chat_id")
        # Only a private chat (a positive id) is a person; groups are left, not marked.
        if self.on_blocked is None or not isinstance(chat_id, int) or chat_id <= 0:
            return
        try:
            await self.on_blocked(chat_id)
        except Exception:
            log.exception("could not mark a user who blocked the bot")
