"""Deleting a person's conversation from Rasa's stores, which Rasa itself has no API for.

With Redis (`REDIS_URL`), the tracker and its lock are two keys, `<prefix>:tracker:<pseudonym>`
and `<prefix>:lock:<pseudonym>` (rasa/core/tracker_store.py and lock_store.py, 3.6): deleting
them removes the text at once. Before that, in every store (the in-memory one too), the bot
replaces the conversation's events with none through Rasa's HTTP API (`RasaClient.purge`), and
the salted pseudonym (bot/dialogue/client.py) is renewed, so nothing old can be joined again.
"""

from __future__ import annotations

import logging

import redis.asyncio as redis

from bot.config import Settings

log = logging.getLogger(__name__)


def conversation_keys(prefix: str, pseudonym: str) -> tuple[str, str]:
    return f"{prefix}:tracker:{pseudonym}", f"{prefix}:lock:{pseudonym}"


async def forget_conversation(settings: Settings, pseudonym: str) -> bool:
    """Delete the conversation's keys when Rasa keeps it in Redis; True if any was deleted."""
    if not settings.redis_url:
        return False
    client = redis.Redis.from_url(settings.redis_url)
    try:
        return bool(await client.delete(*conversation_keys(settings.redis_prefix, pseudonym)))
    except redis.RedisError:
        # The rest of /forget still happens; the pseudonym is renewed, so nothing joins it.
        log.exception("could not delete a conversation from Redis")
        return False
    finally:
        await client.aclose()
