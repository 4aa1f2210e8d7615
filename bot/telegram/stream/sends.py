"""Telegram's ~30 sends a second is for the whole bot, however many workers send: the token
bucket lives in Redis, shared by every worker (bot/telegram/sending.py takes a token before
each send). Redis's own clock fills it, so the workers' clocks need not agree."""

from __future__ import annotations

import asyncio
import logging

import redis.asyncio as aioredis
from redis.exceptions import RedisError

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


class SharedBucket:
    """`per_second` sends for all workers together; waits for its turn instead of refusing."""

    def __init__(self, client: aioredis.Redis, key: str, per_second: float) -> None:
        self._key = key
        self._per_second = per_second
        self._take = client.register_script(_TAKE)

    async def take(self) -> None:
        if self._per_second <= 0:
            return
        while True:
            try:
                wait = int(await self._take(keys=[self._key], args=[self._per_second]))
            except RedisError as exc:
                # Sending matters more than pacing: Telegram's 429s are waited out anyway.
                log.warning("the shared send rate is unavailable (%s): sending", exc)
                return
            if wait <= 0:
                return
            await asyncio.sleep(wait / 1000)
