"""The Bot API calls made for one update, kept in Redis until it is done, so an update handled
again after its worker died does not say again what the person has already read.

A worker killed in the middle of an answer (the first of two messages sent, say) leaves the
update unacknowledged; the worker that takes the partition over handles it again. Rasa gives
the same answer (kelisim_engine/once.py), so the handler makes the same calls in the same
order: each call already made is not made again, its recorded result is returned instead (the
handler goes on with the real message ids). Should the second run take another path (the first
run changed what the handler reads), the recording stops being used from there on.

The handler's first read of the person's row is remembered the same way (`remember`): a first
run that got as far as writing (the language chosen, a flag taken) would otherwise send the
second run down another path (a menu instead of the welcome).

What is left to chance is the instant between Telegram accepting a call and its result being
written here: a worker killed exactly then repeats that one message.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import redis.asyncio as aioredis

from bot.telegram.sending import JSONResult

log = logging.getLogger(__name__)
# As long as the answered marker: a journal outlives no update it could serve.
KEEP_SECONDS = 86_400


def parse(raw: list[Any]) -> list[tuple[str, JSONResult]]:
    """The calls recorded so far, as LRANGE returns them."""
    calls: list[tuple[str, JSONResult]] = []
    for item in raw:
        try:
            endpoint, result = json.loads(item)
        except (ValueError, TypeError):
            break
        calls.append((str(endpoint), result))
    return calls


class Journal:
    """One update's calls: replayed from `earlier` while they match, recorded from then on."""

    def __init__(
        self, client: aioredis.Redis, key: str, earlier: list[tuple[str, JSONResult]]
    ) -> None:
        self._client = client
        self.key = key
        self._earlier = earlier
        self._next = 0
        self.replayed = 0

    async def call(self, endpoint: str, make: Callable[[], Awaitable[JSONResult]]) -> JSONResult:
        """The call's result: as recorded if this call was made before, else made and recorded."""
        index = self._next
        self._next += 1
        if index < len(self._earlier):
            recorded_endpoint, result = self._earlier[index]
            if recorded_endpoint == endpoint:
                self.replayed += 1
                return result
            # Another path this time: nothing recorded from here on applies.
            log.info("update handled again took another path at call %d", index)
            self._earlier = self._earlier[:index]
            await self._client.ltrim(self.key, 0, index - 1)
        result = await make()
        entry: Any = json.dumps([endpoint, result])
        async with self._client.pipeline(transaction=False) as pipe:
            pipe.rpush(self.key, entry)
            pipe.expire(self.key, KEEP_SECONDS)
            await pipe.execute()
        return result

    @property
    def memo_key(self) -> str:
        return f"{self.key}:memo"

    async def remember(self, name: str, read: Callable[[], Awaitable[Any]]) -> Any:
        """What `read` gave when this update was first handled; read and kept if never."""
        kept = await self._client.hget(self.memo_key, name)
        if kept is not None:
            self.replayed += 1
            return json.loads(kept)
        value = await read()
        async with self._client.pipeline(transaction=False) as pipe:
            pipe.hset(self.memo_key, name, json.dumps(value))
            pipe.expire(self.memo_key, KEEP_SECONDS)
            await pipe.execute()
        return value
