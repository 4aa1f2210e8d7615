"""Where updates wait in Redis, and which stream a chat's updates go to."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import redis.asyncio as aioredis
from redis.exceptions import ResponseError

GROUP = "bot"
# Kinds of update whose chat says whose they are; a callback query without its message, and
# anything else, is the person's (the same key PTB's processor orders by: chat, then user).
_WITH_CHAT = (
    "message",
    "edited_message",
    "channel_post",
    "edited_channel_post",
    "my_chat_member",
    "chat_member",
    "chat_join_request",
)
# Updates waiting in one stream at most (a safety cap; handled updates are deleted at once).
MAX_WAITING = 100_000


class LayoutMismatch(Exception):
    """Redis already holds updates spread over a different number of partitions."""


def chat_of(update: dict[str, Any]) -> int:
    """The chat (or, failing that, the person) an update belongs to; 0 if neither is known."""
    for kind in _WITH_CHAT:
        body = update.get(kind)
        if isinstance(body, dict) and isinstance(body.get("chat"), dict):
            chat = body["chat"].get("id")
            if isinstance(chat, int):
                return chat
    for body in update.values():
        if not isinstance(body, dict):
            continue
        message = body.get("message")
        if isinstance(message, dict) and isinstance(message.get("chat"), dict):
            chat = message["chat"].get("id")
            if isinstance(chat, int):
                return chat
        sender = body.get("from")
        if isinstance(sender, dict) and isinstance(sender.get("id"), int):
            return int(sender["id"])
    return 0


@dataclass(frozen=True)
class Layout:
    """Key names, all under one prefix, for `partitions` streams."""

    partitions: int
    prefix: str = "kelisim"

    def __post_init__(self) -> None:
        if self.partitions < 1:
            raise ValueError("UPDATE_PARTITIONS must be at least 1")

    def partition_of(self, update: dict[str, Any]) -> int:
        return chat_of(update) % self.partitions

    def stream(self, partition: int) -> str:
        return f"{self.prefix}:updates:{partition}"

    def lease(self, partition: int) -> str:
        return f"{self.prefix}:updates:{partition}:lease"

    @property
    def workers(self) -> str:
        """A sorted set: worker name -> when its heartbeat runs out (ms)."""
        return f"{self.prefix}:updates:workers"

    @property
    def sends(self) -> str:
        """The send-rate bucket all workers share (bot/telegram/stream/sends.py)."""
        return f"{self.prefix}:sends"

    @property
    def count_key(self) -> str:
        return f"{self.prefix}:updates:partitions"

    def answered(self, update_id: int) -> str:
        """Set once the update was handled (bot/telegram/stream/worker.py)."""
        return f"{self.prefix}:answered:{update_id}"

    def journal(self, update_id: int) -> str:
        """The Bot API calls made for the update so far (bot/telegram/stream/journal.py)."""
        return f"{self.prefix}:journal:{update_id}"

    def received(self, update_id: int) -> str:
        """Set once the update was queued (bot/telegram/stream/receiver.py)."""
        return f"{self.prefix}:received:{update_id}"

    async def ensure(self, client: aioredis.Redis) -> None:
        """Record the partition count (refusing another one) and make each stream's group."""
        await client.set(self.count_key, self.partitions, nx=True)
        found = int(await client.get(self.count_key) or 0)
        if found != self.partitions:
            raise LayoutMismatch(
                f"Redis holds updates in {found} partitions, UPDATE_PARTITIONS is "
                f"{self.partitions}: every receiver and worker must use the same number "
                f"(to change it, stop them all and delete {self.prefix}:updates:*)"
            )
        for partition in range(self.partitions):
            try:
                # From the stream's start: updates received before any worker ran are kept.
                await client.xgroup_create(self.stream(partition), GROUP, id="0", mkstream=True)
            except ResponseError as exc:
                if "BUSYGROUP" not in str(exc):
                    raise
