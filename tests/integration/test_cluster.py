"""Kelisim as replicas (issue 16): the emulator delivers to the webhook receiver as Telegram
does; two bot workers, two Rasa servers (Redis tracker and lock stores) and two action servers
behind balancers, PostgreSQL and Redis, each a real process (bot/cluster/runner.py). Fifty
people talk at once while one worker, one Rasa server and one action server are killed with
SIGKILL and started again. Every person's transcript must equal the reference one: every
message answered exactly once, in order, by a conversation that kept its state."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import pytest
import redis

from bot.cluster.runner import Cluster, Shape, free_base_port
from bot.directory.loading import ensure_samples
from bot.places.gazetteer import default as gazetteer
from bot.storage import migrate
from bot.telegram.stream.layout import GROUP, Layout
from tests.support.databases import database_at
from tests.support.people import Outcome, Script, person, record, transcript
from tests.support.stack import REDIS_URL, delete_keys

pytestmark = [pytest.mark.integration, pytest.mark.postgresql, pytest.mark.cluster]

PEOPLE = 50
LANGUAGES = ("kk", "ru", "en")
KILLED = ("worker-1", "rasa-1", "actions-1")
# Talking goes on this long once everything killed runs again.
AFTER_RECOVERY = 15.0


@pytest.fixture(scope="module")
def cluster(trained_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    tmp = tmp_path_factory.mktemp("cluster")
    with database_at("postgresql", tmp) as database_url:
        migrate.upgrade(database_url)
        ensure_samples(database_url, gazetteer())
        prefix = f"kelisimcluster{uuid.uuid4().hex[:8]}"
        running = Cluster(
            shape=Shape(workers=2, rasa=2, actions=2),
            base_port=free_base_port(),
            log_dir=tmp / "log",
            redis_prefix=prefix,
            env={
                "DATABASE_URL": database_url,
                "REDIS_URL": REDIS_URL,
                "KELISIM_VAR_DIR": str(tmp),
                "SENDER_ID_SECRET": "cluster-tests",
                # As shipped: a Rasa killed mid-turn holds the conversation's lock 5 s.
                "RASA_TIMEOUT": "10",
                # Telegram's 30 a second, for the two workers together (shared in Redis).
                "TELEGRAM_SENDS_PER_SECOND": "30",
                "UPDATE_PARTITIONS": "8",
            },
        )
        running.start()
        try:
            yield running
        finally:
            running.stop()
            delete_keys(prefix)


async def test_fifty_people_are_each_answered_once_in_order_while_parts_die(
    cluster: Cluster,
) -> None:
    timeout = aiohttp.ClientTimeout(total=120)
    connector = aiohttp.TCPConnector(limit=PEOPLE * 3)
    async with aiohttp.ClientSession(timeout=timeout, connector=connector) as http:
        base = cluster.emulator_url
        scripts = {lang: await record(http, base, lang) for lang in LANGUAGES}
        assert all(len(s.steps) > 8 for s in scripts.values())
        finished = asyncio.Event()
        people = [
            asyncio.create_task(person(http, base, scripts[LANGUAGES[i % 3]], finished.is_set))
            for i in range(PEOPLE)
        ]
        await asyncio.sleep(5)
        killed: dict[str, int] = {}
        for name in KILLED:
            killed[name] = await asyncio.to_thread(cluster.kill, name)
            await asyncio.sleep(3)
        for name, pid in killed.items():
            await asyncio.to_thread(cluster.wait_running_again, name, pid)
        back = time.monotonic()
        await asyncio.sleep(AFTER_RECOVERY)
        finished.set()
        outcomes: list[Outcome] = await asyncio.gather(*people)
        # Late answers (a repeat would come now) have time to arrive before transcripts are read.
        await asyncio.sleep(3)
        different = await _differences(http, base, scripts, outcomes)
    assert [f for o in outcomes for f in o.failures] == []
    assert different == []
    steps = sum(o.steps for o in outcomes)
    # Conversations gone through to the end (each person's last one was cut short when talking
    # stopped): as many as there are people at least, with the kills in the middle of them.
    completed = sum(len(o.chats) - 1 for o in outcomes)
    assert completed >= PEOPLE
    assert steps > PEOPLE * 10
    assert time.monotonic() - back >= AFTER_RECOVERY
    _nothing_left_waiting(cluster)


async def _differences(
    http: aiohttp.ClientSession, base: str, scripts: dict[str, Script], outcomes: list[Outcome]
) -> list[str]:
    """Each chat's transcript against the reference: a full round must equal it, the last
    (cut short when talking stopped) must be its beginning."""
    found: list[str] = []
    for index, outcome in enumerate(outcomes):
        reference = scripts[LANGUAGES[index % 3]].transcript
        for number, user_id in enumerate(outcome.chats):
            seen = await transcript(http, base, user_id)
            last = number == len(outcome.chats) - 1
            if seen == reference or (last and seen == reference[: len(seen)]):
                continue
            first = next(
                (i for i, (a, b) in enumerate(zip(seen, reference, strict=False)) if a != b),
                min(len(seen), len(reference)),
            )
            found.append(
                f"person {index} chat {user_id}: {len(seen)} lines vs {len(reference)}, "
                f"first difference at {first}: {seen[first : first + 2]!r}"
            )
    return found


def _nothing_left_waiting(cluster: Cluster) -> None:
    """Every update was acknowledged and deleted: nothing pending, nothing in the streams."""
    client = redis.Redis.from_url(REDIS_URL)
    try:
        layout = Layout(8, cluster.redis_prefix)
        for partition in range(layout.partitions):
            stream = layout.stream(partition)
            assert client.xlen(stream) == 0, stream
            assert client.xpending(stream, GROUP)["pending"] == 0, stream
    finally:
        client.close()
