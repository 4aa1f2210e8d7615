"""Run in Rasa's environment by tests/unit/test_lock_store.py; prints RESULT {json}.

Two lock stores on one Redis stand for two Rasa servers; threads of each issue tickets for one
conversation, are served in turn and clean up, as Rasa's agent does for every turn. Never two
inside the lock at once, every turn served, none failing with LockError. Run for our atomic
store and, for comparison, for Rasa's own RedisLockStore.

    python tests/support/lock_store_check.py REDIS_PORT KEY_PREFIX
"""

from __future__ import annotations

import asyncio
import json
import sys
import threading
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT / "rasa_project"), str(ROOT)]

THREADS = 6
TURNS = 25


def hammer(kind: str, port: int, prefix: str) -> dict[str, Any]:
    """THREADS threads, half on each store, TURNS turns each, a short wait inside the lock."""
    import time

    from kelisim_engine.lock_stores import AtomicRedisLockStore
    from rasa.core.lock_store import LockError, RedisLockStore

    cls = AtomicRedisLockStore if kind == "atomic" else RedisLockStore
    stores = [cls(host="127.0.0.1", port=port, db=0, key_prefix=f"{prefix}{kind}") for _ in "ab"]
    guard = threading.Lock()
    counts = {"served": 0, "failed": 0, "inside_at_once": 0}
    inside = 0

    def turns(index: int) -> None:
        store = stores[index % 2]

        async def run() -> None:
            nonlocal inside
            for _ in range(TURNS):
                try:
                    # A lifetime of 2 s: a ticket lost by a race frees the lock soon after.
                    async with store.lock("someone", lock_lifetime=2, wait_time_in_seconds=0.01):
                        with guard:
                            inside += 1
                            counts["inside_at_once"] = max(counts["inside_at_once"], inside)
                        # A turn's work: blocking on purpose, so the threads interleave here.
                        time.sleep(0.002)  # noqa: ASYNC251
                        with guard:
                            inside -= 1
                            counts["served"] += 1
                except LockError:
                    with guard:
                        counts["failed"] += 1

        asyncio.run(run())

    started = time.monotonic()
    threads = [threading.Thread(target=turns, args=(i,), daemon=True) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:  # 15 s in all: Rasa's own store may leave threads waiting
        thread.join(timeout=max(0.0, started + 15 - time.monotonic()))
    return {
        **counts,
        "still_waiting": sum(thread.is_alive() for thread in threads),
        "seconds": round(time.monotonic() - started, 1),
        "left": stores[0].red.get(stores[0].key_prefix + "someone") is not None,
    }


def slow_and_dead(port: int, prefix: str) -> dict[str, Any]:
    """Our store with a lifetime of 1 s: a turn running 3 s keeps the lock (the one waiting
    behind it neither gets in early nor fails); a ticket whose server died (issued, never
    renewed nor cleaned up) stops blocking the conversation about a lifetime later."""
    import time

    from kelisim_engine.lock_stores import AtomicRedisLockStore

    stores = [
        AtomicRedisLockStore(host="127.0.0.1", port=port, db=0, key_prefix=f"{prefix}slow")
        for _ in "ab"
    ]
    order: list[str] = []

    async def slow() -> None:
        async with stores[0].lock("c", lock_lifetime=1, wait_time_in_seconds=0.05):
            order.append("slow in")
            await asyncio.sleep(3)
            order.append("slow out")

    async def next_one() -> None:
        await asyncio.sleep(0.3)
        async with stores[1].lock("c", lock_lifetime=1, wait_time_in_seconds=0.05):
            order.append("next in")

    async def both() -> None:
        await asyncio.gather(slow(), next_one())

    asyncio.run(both())
    stores[0].issue_ticket("dead", 1)  # a server that died holding the conversation
    started = time.monotonic()

    async def after_the_dead() -> None:
        async with stores[1].lock("dead", lock_lifetime=1, wait_time_in_seconds=0.05):
            order.append("after the dead")

    asyncio.run(after_the_dead())
    return {"order": order, "waited_for_the_dead": round(time.monotonic() - started, 1)}


if __name__ == "__main__":
    port, prefix = int(sys.argv[1]), sys.argv[2]
    result: dict[str, Any] = {kind: hammer(kind, port, prefix) for kind in ("atomic", "rasa")}
    result["slow_and_dead"] = slow_and_dead(port, prefix)
    print("RESULT " + json.dumps(result))
