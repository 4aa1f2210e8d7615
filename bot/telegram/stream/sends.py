"""Telegram's ~30 sends a second is for the whole bot, however many processes send: the token
bucket lives in Redis, shared by every worker, a `serve` process and the broadcast command
alike when REDIS_URL is set (bot/telegram/sending.py takes a token before each send, and the
news take theirs from the same bucket: bot/telegram/broadcast.py). Redis's own clock fills it,
so the processes' clocks need not agree."""

from __future__ import annotations

import asyncio
import logging

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from bot.telegram.sending import Bucket
from bot.telegram.stream.layout import Layout

log = logging.getLogger(__name__)

# Returns 0 when a token was taken, else the milliseconds until one will be there.
_TAKE = """
local rate = tonumber(ARGV[1])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1]) or rate
local at = tonumber(state[2]) or now
tokens = math.min(rate, tokens + (now - at) / 1000 * rate)
local wait = 0
if tokens >= 1 then
  tokens = tokens - 1
else
  wait = math.ceil((1 - tokens) / rate * 1000)
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', now)
redis.call('PEXPIRE', KEYS[1], 60000)
return wait
"""


# Redis answers a take in well under a millisecond: one that does not answer within this
# long is down, and the send goes on at this process's own pace.
_TIMEOUT_SECONDS = 2.0


class SharedBucket:
    """`per_second` sends for all processes together; waits for its turn instead of refusing.
    While Redis fails, `fallback` (this process's own bucket) paces the sends, if given."""

    def __init__(
        self,
        client: aioredis.Redis,
        key: str,
        per_second: float,
        fallback: Bucket | None = None,
    ) -> None:
        self._client = client
        self._key = key
        self._per_second = per_second
        self._take = client.register_script(_TAKE)
        self._fallback = fallback
        self._failing = False

    async def take(self) -> None:
        if self._per_second <= 0:
            return
        while True:
            try:
                wait = int(await self._take(keys=[self._key], args=[self._per_second]))
            except (RedisError, OSError) as exc:
                # Sending matters more than pacing: Telegram's 429s are waited out anyway.
                if not self._failing:
                    log.warning("the shared send rate is unavailable (%s): sending", exc)
                self._failing = True
                if self._fallback is not None:
                    await self._fallback.take()
                return
            if self._failing:
                log.info("the shared send rate is back")
                self._failing = False
            if wait <= 0:
                return
            await asyncio.sleep(wait / 1000)

    async def close(self) -> None:
        """Its connections to Redis closed."""
        await self._client.aclose()


def shared_bucket(
    redis_url: str, prefix: str, per_second: float, fallback: Bucket | None = None
) -> SharedBucket:
    """The whole bot's bucket, on its own connections to Redis: the key every worker, `serve`
    process and broadcast command of this deployment (the same RASA_REDIS_PREFIX) shares."""
    client = aioredis.Redis.from_url(
        redis_url, socket_timeout=_TIMEOUT_SECONDS, socket_connect_timeout=_TIMEOUT_SECONDS
    )
    return SharedBucket(client, Layout(1, prefix).sends, per_second, fallback)
