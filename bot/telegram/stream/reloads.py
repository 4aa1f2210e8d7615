"""/reload on one worker reloads the content on every worker.

Each worker reads the content from its own directory (the same files: one image, or one shared
volume). A /reload handled by one worker is announced on a Redis channel; every other worker
reloads the same way when it hears it, so people get the same words whichever worker answers.
A worker that misses the announcement (it was restarting) read the files at start-up anyway.
Edits on a shared volume need no announcement: each worker's watcher sees them (CONTENT_WATCH).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from bot.content.live import LiveContent, ReloadResult

log = logging.getLogger(__name__)


def channel(prefix: str) -> str:
    return f"{prefix}:content-reload"


def announcer(client: aioredis.Redis, prefix: str, me: str) -> Callable[[], Awaitable[None]]:
    """For Services.reloaded: tell the other workers."""

    async def announce() -> None:
        try:
            await client.publish(channel(prefix), me)
        except RedisError as exc:
            log.warning("could not tell the other workers to reload (%s)", exc)

    return announce


async def listen(
    client: aioredis.Redis,
    prefix: str,
    me: str,
    content: LiveContent,
    on_result: Callable[[ReloadResult], Awaitable[None]],
) -> None:
    """Reload whenever another worker announces it did; until cancelled."""
    while True:
        try:
            async with client.pubsub() as pubsub:
                await pubsub.subscribe(channel(prefix))
                async for message in pubsub.listen():
                    if message.get("type") != "message":
                        continue
                    sender = message.get("data")
                    if isinstance(sender, bytes) and sender.decode() == me:
                        continue
                    result = await asyncio.to_thread(content.reload)
                    log.info("content reloaded as another worker asked: %s", result.ok)
                    with contextlib.suppress(Exception):
                        await on_result(result)
        except RedisError as exc:
            log.warning("content announcements unavailable (%s); listening again in 2 s", exc)
            await asyncio.sleep(2.0)
