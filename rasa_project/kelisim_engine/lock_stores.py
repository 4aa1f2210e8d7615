"""Rasa's Redis lock store, with each change to a conversation's lock made atomically.

Rasa's RedisLockStore changes a lock by reading it, changing it in Python and writing it back.
With one Rasa server that is safe (the changes run on one event loop, none awaits between the
read and the write). With several sharing one Redis, two servers changing the same lock at
once lose one change: a ticket issued by one disappears under the other's write, its holder is
never served, and after waiting it fails with LockError when the lock is deleted. That happens
exactly when replicas matter: a bot worker dies with a turn still running in one Rasa, and the
worker that takes over sends the turn again to another (found by the cluster test, issue 16).

Here every change (issue a ticket, drop expired ones, finish serving, clean up) is a Redis
transaction on the lock's key (WATCH, read, MULTI, write, EXEC; again if the key changed in
between), so no change is ever lost.

And a ticket lives as long as the server holding it: Rasa's tickets expire a fixed time after
they were issued (TICKET_LOCK_LIFETIME), whether their turn is still waiting, still running, or
its server died. Short, a dead server frees a conversation soon, but a turn waiting behind a
slow one (an overloaded replica) expires while it waits and fails with LockError, and a slow
turn loses the lock to the next while it still runs. Long, a dead server's conversations wait
that long. So each turn renews its own ticket every third of the lifetime while it waits and
while it runs: a live server's tickets never expire, a dead one's are gone within a lifetime.

bot/stack.py names it in Rasa's endpoints: `lock_store: type:
kelisim_engine.lock_stores.AtomicRedisLockStore`, with the same settings as `type: redis`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator, Callable
from typing import Any, TypeVar

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, RedisLockStore

T = TypeVar("T")
# A lock changed by someone else between our read and our write is read again; a change that
# keeps losing that race this many times in a row is an error, as Rasa reports its own.
MAX_TRIES = 100


class AtomicRedisLockStore(RedisLockStore):
    """RedisLockStore whose every read-change-write of a lock is one Redis transaction."""

    def __init__(self, endpoint_config: Any = None, **kwargs: Any) -> None:
        if endpoint_config is not None:
            kwargs = {"host": endpoint_config.url, **endpoint_config.kwargs, **kwargs}
        super().__init__(**kwargs)

    def _change(
        self,
        conversation_id: str,
        change: Callable[[TicketLock | None], tuple[TicketLock | None, T]],
    ) -> T:
        """Apply `change` to the lock as it is now (None: there is none). It returns the lock
        to keep (None: delete it) and what to return."""
        import redis

        key = self.key_prefix + conversation_id
        with self.red.pipeline() as pipe:
            for _ in range(MAX_TRIES):
                try:
                    pipe.watch(key)
                    raw = pipe.get(key)
                    found = TicketLock.from_dict(json.loads(raw)) if raw else None
                    kept, result = change(found)
                    pipe.multi()
                    if kept is not None:
                        pipe.set(key, kept.dumps())
                    elif raw:
                        pipe.delete(key)
                    pipe.execute()
                    return result
                except redis.WatchError:
                    continue
                except redis.RedisError as exc:
                    raise LockError(f"Error while changing a lock. Error:\n{exc}") from exc
        raise LockError(f"the lock of conversation '{conversation_id}' kept changing")

    @contextlib.asynccontextmanager
    async def lock(
        self,
        conversation_id: str,
        lock_lifetime: float = LOCK_LIFETIME,
        wait_time_in_seconds: float = 1,
    ) -> AsyncIterator[TicketLock]:
        """Rasa's lock, with the turn's ticket renewed while it waits and while it runs."""
        ticket = self.issue_ticket(conversation_id, lock_lifetime)
        keeper = asyncio.create_task(self._keep(conversation_id, ticket, lock_lifetime))
        try:
            yield await self._acquire_lock(conversation_id, ticket, wait_time_in_seconds)
        finally:
            keeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await keeper
            self.cleanup(conversation_id, ticket)

    async def _keep(self, conversation_id: str, ticket: int, lifetime: float) -> None:
        def renew(lock: TicketLock | None) -> tuple[TicketLock | None, None]:
            if lock is not None:
                for held in lock.tickets:
                    if held.number == ticket:
                        held.expires = max(held.expires, time.time() + lifetime)
            return lock, None

        while True:
            await asyncio.sleep(lifetime / 3)
            with contextlib.suppress(LockError):
                self._change(conversation_id, renew)

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        def issue(lock: TicketLock | None) -> tuple[TicketLock | None, int]:
            lock = lock if lock is not None else TicketLock(conversation_id)
            return lock, lock.issue_ticket(lock_lifetime)

        return self._change(conversation_id, issue)

    def update_lock(self, conversation_id: str) -> None:
        def expire(lock: TicketLock | None) -> tuple[TicketLock | None, None]:
            if lock is not None:
                lock.remove_expired_tickets()
            return lock, None

        self._change(conversation_id, expire)

    def finish_serving(self, conversation_id: str, ticket_number: int) -> None:
        def finish(lock: TicketLock | None) -> tuple[TicketLock | None, None]:
            if lock is not None:
                lock.remove_ticket_for(ticket_number)
            return lock, None

        self._change(conversation_id, finish)

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        def finish_and_forget(lock: TicketLock | None) -> tuple[TicketLock | None, None]:
            if lock is None:
                return None, None
            lock.remove_ticket_for(ticket_number)
            return (lock if lock.is_someone_waiting() else None), None

        self._change(conversation_id, finish_and_forget)
