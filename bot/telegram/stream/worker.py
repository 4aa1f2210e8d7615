"""A bot worker: serves its share of the partition streams, one worker per stream at a time.

Each worker beats a heartbeat into Redis every second; the live workers, sorted by name, share
the partitions out (partition p goes to the worker at index p mod n). A worker serves a
partition only while it holds the partition's lease (a Redis key with its name, renewed with
every beat and gone LEASE_MS after its last renewal): a worker that dies stops renewing, its
heartbeat runs out, and the next beat of the others gives its partitions to them.

Taking a partition over starts with what the one before had read but not acknowledged
(XAUTOCLAIM, in stream order), then goes on with what nobody read. Updates go to PTB in stream
order, and PTB's per-chat processor (bot/telegram/processor.py) keeps one chat's updates in
that order while other chats run alongside.

An update is acknowledged and deleted from the stream once handled (it holds what the person
wrote: it waits in Redis only until then), and marked answered for a day: an update delivered
again (a worker killed after answering, Telegram repeating a delivery) is acknowledged without
being answered twice. One whose worker died half way through its answer is handled again with
its journal (journal.py): the calls already made are not made again. Rasa applies a turn it
already applied once (kelisim_engine/once.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import socket
import time
from collections.abc import Awaitable, Callable
from typing import Any

import redis.asyncio as aioredis
from redis.exceptions import RedisError
from telegram import Update

from bot.telegram.sending import RECORDER
from bot.telegram.services import KelisimApplication
from bot.telegram.stream.journal import Journal, parse
from bot.telegram.stream.layout import GROUP, Layout

log = logging.getLogger(__name__)

# A beat a second; a worker not heard from for HEARTBEAT_MS is gone, and so is its lease.
BEAT_EVERY = 1.0
HEARTBEAT_MS = 5_000
LEASE_MS = 5_000
# Entries read at once, and how long a read waits for new ones (the beat runs meanwhile).
READ_COUNT = 64
READ_BLOCK_MS = 1_000
# An update handled again within this long is recognised (Telegram stops redelivering after a
# day, and a stream is never a day behind).
ANSWERED_SECONDS = 86_400
# Updates being handled at once by one worker (each mostly waits for Rasa).
AT_ONCE = 256
# On a stop: at most this long for the updates being handled to finish.
DRAIN_SECONDS = 10.0

_RENEW = """
if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('pexpire', KEYS[1], ARGV[2])
end
return 0
"""
_RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('del', KEYS[1])
end
return 0
"""

Handle = Callable[[Update], Awaitable[None]]


def worker_name() -> str:
    """Unique among the workers now and later (a restarted worker is a new one)."""
    return f"{socket.gethostname()}-{os.getpid()}-{os.urandom(3).hex()}"


def share(me: str, live: list[str], partitions: int) -> set[int]:
    """The partitions `me` should serve among the live workers."""
    workers = sorted({*live, me})
    index, count = workers.index(me), len(workers)
    return {p for p in range(partitions) if p % count == index}


class Worker:
    """Leases, heartbeat and reading for one worker; `handle` answers one update."""

    def __init__(
        self,
        client: aioredis.Redis,
        layout: Layout,
        handle: Handle,
        decode: Callable[[dict[str, Any]], Update],
        *,
        name: str = "",
        at_once: int = AT_ONCE,
    ) -> None:
        self.client = client
        self.layout = layout
        self.name = name or worker_name()
        self._handle_update = handle
        self._decode = decode
        self._slots = asyncio.Semaphore(at_once)
        # Partitions whose lease this worker holds; of those, the ones it reads from.
        self.held: set[int] = set()
        self.reading: set[int] = set()
        # Held, but what its last worker left is still to be claimed before reading on.
        self._to_claim: set[int] = set()
        self._in_flight: dict[int, int] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._renew = client.register_script(_RENEW)
        self._release = client.register_script(_RELEASE)
        self.last_read: float | None = None
        self.handled = 0
        self.repeats = 0
        self.calls_not_repeated = 0

    # -- the partitions ---------------------------------------------------------------------

    async def beat(self) -> None:
        """Heartbeat, renew what is held, let go of what is no longer ours, take our share."""
        # Redis's clock, not ours: the workers' machines need not agree on the time.
        seconds, micros = await self.client.time()
        now = seconds * 1000 + micros // 1000
        await self.client.zadd(self.layout.workers, {self.name: now + HEARTBEAT_MS})
        await self.client.zremrangebyscore(self.layout.workers, "-inf", now)
        members: list[Any] = list(await self.client.zrange(self.layout.workers, 0, -1))
        live = [m.decode() if isinstance(m, bytes) else str(m) for m in members]
        wanted = share(self.name, live, self.layout.partitions)
        for partition in sorted(self.held):
            renewed = await self._renew(
                keys=[self.layout.lease(partition)], args=[self.name, LEASE_MS]
            )
            if not renewed:
                log.warning("lost the lease of partition %d", partition)
                self.held.discard(partition)
                self.reading.discard(partition)
                self._to_claim.discard(partition)
        for partition in sorted(self.held - wanted):
            # Another worker's share now: stop reading, and let go once nothing is in flight.
            self.reading.discard(partition)
            self._to_claim.discard(partition)
            if not self._in_flight.get(partition):
                await self._let_go(partition)
        for partition in sorted(wanted - self.held):
            taken = await self.client.set(
                self.layout.lease(partition), self.name, nx=True, px=LEASE_MS
            )
            if taken:
                # Taken over by the reading loop: this one must keep beating whatever happens.
                self.held.add(partition)
                self._to_claim.add(partition)

    async def _let_go(self, partition: int) -> None:
        await self._release(keys=[self.layout.lease(partition)], args=[self.name])
        self.held.discard(partition)

    async def _take_over(self, partition: int) -> None:
        """What the partition's last worker read but did not acknowledge, in stream order."""
        stream = self.layout.stream(partition)
        start = "0-0"
        while True:
            found = await self.client.xautoclaim(
                stream, GROUP, self.name, min_idle_time=0, start_id=start, count=READ_COUNT
            )
            start_raw, entries = found[0], found[1]
            if entries:
                log.info("partition %d: %d updates taken over", partition, len(entries))
                await self._dispatch(partition, stream, entries)
            start = start_raw.decode() if isinstance(start_raw, bytes) else str(start_raw)
            if start == "0-0":
                return

    # -- the updates ------------------------------------------------------------------------

    async def read_once(self) -> None:
        """One read over every partition this worker reads; each entry handed on in order.
        A partition just taken is first cleared of what its last worker left."""
        for partition in sorted(self._to_claim):
            if partition in self.held:
                await self._take_over(partition)
                self.reading.add(partition)
            self._to_claim.discard(partition)
        if not self.reading:
            # Nothing of ours to read (more workers than partitions, or all leases still
            # held by others): alive all the same, for the health endpoint.
            await asyncio.sleep(READ_BLOCK_MS / 1000)
            self.last_read = time.monotonic()
            return
        streams: dict[Any, Any] = {self.layout.stream(p): ">" for p in sorted(self.reading)}
        found: Any = await self.client.xreadgroup(
            GROUP, self.name, streams, count=READ_COUNT, block=READ_BLOCK_MS
        )
        self.last_read = time.monotonic()
        # A list of [stream, entries] pairs (RESP2, the client's default), a dict with RESP3.
        pairs = found.items() if isinstance(found, dict) else found or []
        for stream_raw, entries in pairs:
            stream = stream_raw.decode() if isinstance(stream_raw, bytes) else str(stream_raw)
            partition = int(stream.rsplit(":", 1)[1])
            await self._dispatch(partition, stream, entries)

    async def _dispatch(
        self, partition: int, stream: str, entries: list[tuple[bytes, dict[bytes, bytes]]]
    ) -> None:
        """Start handling `entries` in their order (a chat's order is kept from here on)."""
        raws: list[dict[str, Any] | None] = []
        for _, fields in entries:
            try:
                raw = json.loads(fields[b"u"])
                raws.append(raw if isinstance(raw, dict) else None)
            except (KeyError, ValueError):
                raws.append(None)
        # Asked for the whole batch before any is started: waiting for each apart would let
        # a later update of a chat overtake an earlier one.
        ids = [raw.get("update_id") if raw else None for raw in raws]
        async with self.client.pipeline(transaction=False) as pipe:
            for update_id in ids:
                known = update_id if isinstance(update_id, int) else 0
                pipe.exists(self.layout.answered(known))
                pipe.lrange(self.layout.journal(known), 0, -1)
            found = await pipe.execute()
        answered, journals = found[0::2], found[1::2]
        for (entry_id, _), raw, done, calls in zip(entries, raws, answered, journals, strict=True):
            self._in_flight[partition] = self._in_flight.get(partition, 0) + 1
            await self._slots.acquire()
            update = None
            if raw is None or not isinstance(raw.get("update_id"), int):
                log.warning("partition %d: an entry that is not an update, dropped", partition)
            elif done:
                self.repeats += 1
                log.info("update %s was answered before: not again", raw["update_id"])
            else:
                try:
                    update = self._decode(raw)
                except Exception:
                    log.warning("update %s could not be read: not handled", raw["update_id"])
            journal = None
            if update is not None:
                key = self.layout.journal(update.update_id)
                journal = Journal(self.client, key, parse(calls))
            task = asyncio.create_task(self._finish(partition, stream, entry_id, update, journal))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _finish(
        self,
        partition: int,
        stream: str,
        entry_id: bytes,
        update: Update | None,
        journal: Journal | None,
    ) -> None:
        try:
            if update is not None:
                token = RECORDER.set(journal)
                try:
                    await self._handle_update(update)
                finally:
                    RECORDER.reset(token)
                    # Marked even when handling failed: the error handler told the person.
                    await self._mark(update.update_id)
                self.handled += 1
                if journal is not None and journal.replayed:
                    self.calls_not_repeated += journal.replayed
            await self._acknowledge(stream, entry_id)
        except Exception:
            log.exception("partition %d: an update could not be finished", partition)
        finally:
            self._in_flight[partition] -= 1
            self._slots.release()

    async def _mark(self, update_id: int) -> None:
        """Answered: the marker set and the journal (what the bot said) gone."""
        with contextlib.suppress(RedisError):
            async with self.client.pipeline(transaction=True) as pipe:
                pipe.set(self.layout.answered(update_id), 1, ex=ANSWERED_SECONDS)
                pipe.delete(
                    self.layout.journal(update_id), self.layout.journal(update_id) + ":memo"
                )
                await pipe.execute()

    async def _acknowledge(self, stream: str, entry_id: bytes) -> None:
        """Acknowledged and deleted (what the person wrote leaves Redis); tried a few times."""
        for attempt in range(3):
            try:
                async with self.client.pipeline(transaction=True) as pipe:
                    pipe.xack(stream, GROUP, entry_id)
                    pipe.xdel(stream, entry_id)
                    await pipe.execute()
                return
            except RedisError:
                if attempt == 2:
                    raise
                await asyncio.sleep(0.5)

    # -- running ----------------------------------------------------------------------------

    async def run(self, stop: asyncio.Event) -> None:
        """Beat and read until `stop`; then finish what is in flight and let everything go."""
        beats = asyncio.create_task(self._beat_forever(stop), name="stream-beat")
        try:
            while not stop.is_set():
                try:
                    await self.read_once()
                except RedisError as exc:
                    log.warning("reading updates failed (%s); again in 1 s", exc)
                    await asyncio.sleep(1.0)
        finally:
            beats.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await beats
            await self.drain()

    async def _beat_forever(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await self.beat()
            except RedisError as exc:
                log.warning("heartbeat failed (%s)", exc)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), BEAT_EVERY)

    async def drain(self) -> None:
        """Finish the updates in flight (at most DRAIN_SECONDS), then leave: leases released
        and the heartbeat removed, so the others take the partitions over at their next beat."""
        self.reading.clear()
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=DRAIN_SECONDS)
        with contextlib.suppress(RedisError):
            for partition in sorted(self.held):
                if not self._in_flight.get(partition):
                    await self._let_go(partition)
            await self.client.zrem(self.layout.workers, self.name)

    def report(self) -> dict[str, Any]:
        """For the health endpoint: serving means a read came back within the last 15 s."""
        age = None if self.last_read is None else round(time.monotonic() - self.last_read, 1)
        return {
            "ok": age is not None and age <= 15.0,
            "mode": "stream",
            "worker": self.name,
            "partitions": sorted(self.held),
            "last_read_seconds_ago": age,
            "handled": self.handled,
            "repeats_skipped": self.repeats,
            "calls_not_repeated": self.calls_not_repeated,
        }


def application_handler(application: KelisimApplication) -> Handle:
    """PTB handles the update as it would one it fetched: through its update processor."""

    async def handle(update: Update) -> None:
        await application.update_processor.process_update(
            update, application.process_update(update)
        )

    return handle
