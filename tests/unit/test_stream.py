"""Updates through Redis Streams (bot/telegram/stream/): the receiver queues each update once on
its chat's partition; workers share the partitions, keep each chat's order, take over what a
dead worker left, and never handle an answered update again. Against the local Redis."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import redis.asyncio as aioredis
from aiohttp.test_utils import TestClient, TestServer
from telegram import Update

from bot.cli import news as news_cli
from bot.config import ROOT, Settings
from bot.content.live import LiveContent, ReloadResult
from bot.telegram import app as telegram_app
from bot.telegram.content_manifest import uses
from bot.telegram.sending import RECORDER, Delivery, JSONResult
from bot.telegram.stream import receiver, reloads
from bot.telegram.stream.journal import Journal, parse
from bot.telegram.stream.layout import GROUP, Layout, LayoutMismatch, chat_of
from bot.telegram.stream.sends import SharedBucket
from bot.telegram.stream.worker import Worker, share
from tests.support.settings import settings_for

pytestmark = pytest.mark.slow

REDIS = "redis://127.0.0.1:6379/0"
SECRET = "s3cret"


def _message(update_id: int, chat: int, text: str = "hi") -> dict[str, Any]:
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": 0,
            "chat": {"id": chat, "type": "private"},
            "from": {"id": chat, "is_bot": False, "first_name": "A"},
            "text": text,
        },
    }


def test_an_update_belongs_to_its_chat_or_else_its_sender() -> None:
    assert chat_of(_message(1, 42)) == 42
    press: dict[str, Any] = {
        "update_id": 2,
        "callback_query": {"id": "x", "from": {"id": 7}, "data": "a"},
    }
    assert chat_of(press) == 7
    press["callback_query"]["message"] = {"chat": {"id": 9}}
    assert chat_of(press) == 9
    assert chat_of({"update_id": 3, "my_chat_member": {"chat": {"id": -100}}}) == -100
    assert chat_of({"update_id": 4}) == 0
    assert Layout(16).partition_of(_message(1, -100)) == (-100) % 16


def test_the_partitions_are_shared_out_whole_and_apart() -> None:
    live = ["b", "a", "c"]
    shares = [share(name, live, 16) for name in live]
    assert set().union(*shares) == set(range(16))
    assert sum(len(s) for s in shares) == 16
    assert share("new", [], 4) == {0, 1, 2, 3}


@pytest.fixture
async def client() -> AsyncIterator[aioredis.Redis]:
    redis = aioredis.Redis.from_url(REDIS)
    try:
        await redis.ping()
    except OSError:
        pytest.skip("no Redis at 127.0.0.1:6379")
    yield redis
    await redis.aclose()


@pytest.fixture
async def layout(client: aioredis.Redis) -> AsyncIterator[Layout]:
    made = Layout(4, prefix=f"test-stream-{os.urandom(4).hex()}")
    await made.ensure(client)
    yield made
    keys = [k async for k in client.scan_iter(f"{made.prefix}:*")]
    if keys:
        await client.delete(*keys)


class Recorder:
    """Handles updates by writing down which worker saw which update, slowly."""

    def __init__(self, pause: float = 0.0) -> None:
        self.seen: list[tuple[str, int, int]] = []
        self.pause = pause

    def handler(self, worker: str) -> Any:
        async def handle(update: Update) -> None:
            await asyncio.sleep(self.pause)
            assert update.effective_chat is not None
            self.seen.append((worker, update.effective_chat.id, update.update_id))

        return handle


def _worker(client: aioredis.Redis, layout: Layout, recorder: Recorder, name: str) -> Worker:
    return Worker(
        client, layout, recorder.handler(name), lambda raw: Update.de_json(raw, None), name=name
    )


async def _queue(client: aioredis.Redis, layout: Layout, updates: list[dict[str, Any]]) -> None:
    for update in updates:
        await client.xadd(layout.stream(layout.partition_of(update)), {"u": json.dumps(update)})


async def _until(check: Any, seconds: float = 15.0) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "condition not reached in time"
        await asyncio.sleep(0.05)


async def test_one_worker_answers_every_update_once_in_each_chats_order(
    client: aioredis.Redis, layout: Layout
) -> None:
    updates = [_message(100 + i, chat=1000 + i % 5) for i in range(40)]
    await _queue(client, layout, updates)
    recorder = Recorder(pause=0.01)
    worker = _worker(client, layout, recorder, "w1")
    stop = asyncio.Event()
    running = asyncio.create_task(worker.run(stop))
    await _until(lambda: len(recorder.seen) == 40)
    stop.set()
    await running
    assert sorted(u for _, _, u in recorder.seen) == [u["update_id"] for u in updates]
    for chat in range(1000, 1005):
        ids = [u for _, c, u in recorder.seen if c == chat]
        assert ids == sorted(ids)
    # Handled updates leave Redis (they hold what people wrote); answered ones are marked.
    for partition in range(layout.partitions):
        assert await client.xlen(layout.stream(partition)) == 0
    assert await client.exists(layout.answered(100))
    # The worker left: its leases and heartbeat are gone for the others to take at once.
    assert not await client.exists(*(layout.lease(p) for p in range(layout.partitions)))
    assert await client.zcard(layout.workers) == 0


async def test_two_workers_split_the_chats_and_never_share_one(
    client: aioredis.Redis, layout: Layout
) -> None:
    recorder = Recorder(pause=0.005)
    workers = [_worker(client, layout, recorder, name) for name in ("w1", "w2")]
    stop = asyncio.Event()
    running = [asyncio.create_task(w.run(stop)) for w in workers]
    await _until(lambda: all(len(w.held) == 2 for w in workers))
    updates = [_message(200 + i, chat=i % 8) for i in range(80)]
    await _queue(client, layout, updates)
    await _until(lambda: len(recorder.seen) == 80)
    stop.set()
    await asyncio.gather(*running)
    by_chat: dict[int, set[str]] = {}
    for name, chat, _ in recorder.seen:
        by_chat.setdefault(chat, set()).add(name)
    assert all(len(names) == 1 for names in by_chat.values())
    assert {name for names in by_chat.values() for name in names} == {"w1", "w2"}


async def test_a_dead_workers_updates_are_taken_over_in_order_and_answered_ones_skipped(
    client: aioredis.Redis, layout: Layout
) -> None:
    # A worker read six updates of one chat, answered two, and died (no release, no drain).
    chat = 4  # partition 0
    updates = [_message(300 + i, chat=chat) for i in range(6)]
    await _queue(client, layout, updates)
    stream = layout.stream(0)
    await client.set(layout.lease(0), "dead", px=300)
    read: Any = await client.xreadgroup(GROUP, "dead", {stream: ">"}, count=10)
    assert len(read[0][1]) == 6
    for update in updates[:2]:
        await client.set(layout.answered(update["update_id"]), 1)
    recorder = Recorder()
    worker = _worker(client, layout, recorder, "w2")
    stop = asyncio.Event()
    running = asyncio.create_task(worker.run(stop))
    await _until(lambda: len(recorder.seen) == 4)
    stop.set()
    await running
    assert [u for _, _, u in recorder.seen] == [302, 303, 304, 305]
    assert worker.repeats == 2
    assert await client.xlen(stream) == 0


async def test_a_partition_held_by_a_live_worker_is_not_taken(
    client: aioredis.Redis, layout: Layout
) -> None:
    await client.set(layout.lease(0), "other", px=60_000)
    worker = _worker(client, layout, Recorder(), "w3")
    await worker.beat()
    assert worker.held == {1, 2, 3}
    await client.delete(layout.lease(0))
    await worker.beat()
    assert worker.held == {0, 1, 2, 3}
    await worker.drain()


async def test_the_partition_count_cannot_change_under_running_workers(
    client: aioredis.Redis, layout: Layout
) -> None:
    with pytest.raises(LayoutMismatch, match="UPDATE_PARTITIONS"):
        await Layout(8, prefix=layout.prefix).ensure(client)


def _settings() -> Settings:
    return Settings(
        telegram_token="1:x",
        telegram_api_base_url="http://127.0.0.1:9/bot",
        database_url="sqlite://",
        rasa_url="http://127.0.0.1:9",
        admin_ids=frozenset(),
        content_dir=Path("content"),
        var_dir=Path("var"),
        webhook_url="https://bot.example.kz/telegram/hook",
        webhook_secret=SECRET,
        webhook_listen="127.0.0.1",
        webhook_port=0,
        rasa_timeout=10.0,
        sender_secret="k",
        redis_url=REDIS,
    )


@contextlib.asynccontextmanager
async def _receiver(client: aioredis.Redis, layout: Layout) -> AsyncIterator[TestClient]:  # type: ignore[type-arg]
    app = receiver.application(_settings(), client, layout)
    async with TestClient(TestServer(app)) as http:
        yield http


async def test_the_receiver_queues_each_update_once_on_its_chats_partition(
    client: aioredis.Redis, layout: Layout
) -> None:
    update = _message(500, chat=6)  # partition 2
    headers = {receiver.SECRET_HEADER: SECRET}
    async with _receiver(client, layout) as http:
        for _ in range(2):  # Telegram delivering again
            response = await http.post("/telegram/hook", json=update, headers=headers)
            assert response.status == 200
        assert (await http.post("/telegram/hook", json=update)).status == 403
        wrong = {receiver.SECRET_HEADER: "guess"}
        assert (await http.post("/telegram/hook", json=update, headers=wrong)).status == 403
        assert (await http.post("/telegram/hook", data=b"{", headers=headers)).status == 400
        assert (await http.get("/healthz")).status == 200
    entries: Any = await client.xrange(layout.stream(2))
    assert [json.loads(fields[b"u"]) for _, fields in entries] == [update]


async def test_the_receiver_says_try_again_while_redis_is_away(layout: Layout) -> None:
    away = aioredis.Redis.from_url("redis://127.0.0.1:9/0", socket_connect_timeout=0.5)
    async with _receiver(away, layout) as http:
        response = await http.post(
            "/telegram/hook", json=_message(1, 1), headers={receiver.SECRET_HEADER: SECRET}
        )
        assert response.status == 503  # Telegram keeps the update and delivers it later
        assert (await http.get("/healthz")).status == 503
    await away.aclose()


async def test_an_answer_cut_short_is_finished_without_repeating_what_was_sent(
    client: aioredis.Redis, layout: Layout
) -> None:
    """A worker died after the first of two messages: the next run returns the first one's
    recorded result (its real message id) and sends only the second."""
    key = layout.journal(900)
    made: list[str] = []

    def send(endpoint: str, message_id: int) -> Any:
        async def make() -> JSONResult:
            made.append(endpoint)
            return {"message_id": message_id}

        return make

    first = Journal(client, key, [])
    assert await first.call("sendMessage", send("sendMessage", 1)) == {"message_id": 1}
    # ...killed here. The update is handled again with what was recorded:
    again = Journal(client, key, parse(await client.lrange(key, 0, -1)))
    assert await again.call("sendMessage", send("sendMessage", 2)) == {"message_id": 1}
    assert await again.call("sendMessage", send("sendMessage", 3)) == {"message_id": 3}
    assert made == ["sendMessage", "sendMessage"]
    assert again.replayed == 1
    # A third run that takes another path stops replaying where it differs.
    third = Journal(client, key, parse(await client.lrange(key, 0, -1)))
    assert await third.call("sendMessage", send("sendMessage", 4)) == {"message_id": 1}
    assert await third.call("editMessageText", send("editMessageText", 5)) == {"message_id": 5}
    assert parse(await client.lrange(key, 0, -1)) == [
        ("sendMessage", {"message_id": 1}),
        ("editMessageText", {"message_id": 5}),
    ]


async def test_every_bot_api_call_of_an_update_goes_through_its_journal(
    client: aioredis.Redis, layout: Layout
) -> None:
    """The sending layer (Delivery) hands each call to the update's recorder, reads excepted."""
    delivery = Delivery(0)
    sent: list[str] = []

    async def callback(endpoint: str) -> JSONResult:
        sent.append(endpoint)
        return {"message_id": len(sent)}

    async def call(endpoint: str) -> JSONResult:
        return await delivery.process_request(callback, (endpoint,), {}, endpoint, {}, None)

    await client.rpush(layout.journal(901), json.dumps(["sendMessage", {"message_id": 77}]))
    journal = Journal(client, layout.journal(901), [("sendMessage", {"message_id": 77})])
    token = RECORDER.set(journal)
    try:
        assert await call("sendMessage") == {"message_id": 77}
        assert await call("getMe") == {"message_id": 1}
        assert await call("answerCallbackQuery") == {"message_id": 2}
    finally:
        RECORDER.reset(token)
    assert await call("sendMessage") == {"message_id": 3}  # outside an update: not journaled
    assert sent == ["getMe", "answerCallbackQuery", "sendMessage"]
    assert parse(await client.lrange(layout.journal(901), 0, -1)) == [
        ("sendMessage", {"message_id": 77}),
        ("answerCallbackQuery", {"message_id": 2}),
    ]


class _Content:
    """Stands for LiveContent: counts the reloads asked of it."""

    def __init__(self) -> None:
        self.reloads = 0

    def reload(self) -> ReloadResult:
        self.reloads += 1
        return ReloadResult()


async def test_a_reload_on_one_worker_reloads_every_other_one(
    client: aioredis.Redis, layout: Layout
) -> None:
    contents = {name: _Content() for name in ("w1", "w2", "w3")}
    heard: list[bool] = []

    async def on_result(result: ReloadResult) -> None:
        heard.append(result.ok)

    listening = [
        asyncio.create_task(
            reloads.listen(client, layout.prefix, name, content, on_result)  # type: ignore[arg-type]
        )
        for name, content in contents.items()
    ]
    try:
        for _ in range(200):  # until all three listen
            [(_, subscribed)] = await client.pubsub_numsub(reloads.channel(layout.prefix))
            if subscribed == 3:
                break
            await asyncio.sleep(0.05)
        await reloads.announcer(client, layout.prefix, "w1")()
        await _until(lambda: len(heard) == 2)
    finally:
        for task in listening:
            task.cancel()
        await asyncio.gather(*listening, return_exceptions=True)
    # w1 reloaded itself before announcing; the others reloaded once each.
    assert {name: c.reloads for name, c in contents.items()} == {"w1": 0, "w2": 1, "w3": 1}


async def test_the_workers_share_one_send_rate(client: aioredis.Redis, layout: Layout) -> None:
    """Two workers at 20 sends a second between them: 30 sends take a full burst (20) and
    then half a second at least, never the single burst each would allow alone."""
    buckets = [SharedBucket(client, layout.sends, 20) for _ in range(2)]
    started = time.monotonic()
    await asyncio.gather(*(buckets[i % 2].take() for i in range(30)))
    assert time.monotonic() - started >= 0.45


async def test_a_serve_process_and_the_broadcast_command_take_from_the_workers_bucket(
    client: aioredis.Redis, layout: Layout
) -> None:
    """The one rate of the whole bot: a `serve` process (app.build with REDIS_URL) and the
    broadcast command (bot/cli/news.py) take their tokens from the key the workers use. Two
    tokens each from a bucket of 5 a second leave less than one for a worker."""
    settings = settings_for(
        "sqlite://", redis_url=REDIS, redis_prefix=layout.prefix, telegram_sends_per_second=5
    )
    served = telegram_app.build(settings, LiveContent.checked(ROOT / "content", uses()))
    limiter = served.bot.rate_limiter
    assert isinstance(limiter, Delivery)
    command = news_cli._bucket(settings)
    assert command is not None
    try:
        for bucket in (limiter.bucket, command):
            await bucket.take()
            await bucket.take()
        worker = SharedBucket(client, layout.sends, 5)
        await worker.take()  # the fifth token
        assert float(await client.hget(layout.sends, "tokens") or 0) < 1
    finally:
        await command.close()
        assert isinstance(limiter.bucket, SharedBucket)
        await limiter.bucket.close()


async def test_a_read_is_remembered_so_the_update_handled_again_takes_the_same_path(
    client: aioredis.Redis, layout: Layout
) -> None:
    """The first run read the row, then wrote it (the language chosen) and died: the second
    run gets the row as the first found it, not as the first left it."""
    key = layout.journal(902)
    rows = [{"language": ""}, {"language": "kk"}]

    async def read() -> Any:
        return rows.pop(0)

    first = await Journal(client, key, []).remember("person:1", read)
    again = await Journal(client, key, []).remember("person:1", read)
    assert first == again == {"language": ""}
    assert rows == [{"language": "kk"}]  # the database was read once


async def test_a_worker_without_a_partition_is_still_healthy(
    client: aioredis.Redis, layout: Layout
) -> None:
    """More workers than partitions: the spare one is alive and ready, waiting for a share."""
    for partition in range(layout.partitions):
        await client.set(layout.lease(partition), "other", px=60_000)
    worker = _worker(client, layout, Recorder(), "spare")
    await worker.beat()
    await worker.read_once()
    report = worker.report()
    assert report["partitions"] == []
    assert report["ok"] is True
    await worker.drain()
