"""One chat in order, different chats at the same time."""

from __future__ import annotations

import asyncio

from telegram import Chat, Message, Update

from bot.telegram.processor import PerChatUpdateProcessor


def _update(update_id: int, chat_id: int) -> Update:
    chat = Chat(chat_id, "private")
    message = Message(update_id, None, chat)  # type: ignore[arg-type]
    return Update(update_id, message=message)


async def test_same_chat_is_serialised_other_chats_overlap() -> None:
    processor = PerChatUpdateProcessor(16)
    log: list[str] = []
    running = 0
    peak = 0

    async def work(name: str) -> None:
        nonlocal running, peak
        running += 1
        peak = max(peak, running)
        log.append(f"start {name}")
        await asyncio.sleep(0.05)
        log.append(f"end {name}")
        running -= 1

    await asyncio.gather(
        processor.process_update(_update(1, 10), work("a1")),
        processor.process_update(_update(2, 10), work("a2")),
        processor.process_update(_update(3, 20), work("b1")),
    )
    assert log.index("end a1") < log.index("start a2")
    assert peak == 2  # chat 20 ran alongside chat 10
    assert not processor._locks  # no lock kept once a chat is idle


class _Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


async def test_a_flooding_chat_does_not_hold_up_the_others() -> None:
    """The audit's M3: queued updates of one chat must not take the shared slots."""
    processor = PerChatUpdateProcessor(4, max_queued_per_chat=1000, burst=1000)
    gate = asyncio.Event()
    done: list[int] = []

    async def slow() -> None:
        await gate.wait()

    async def quick(chat: int) -> None:
        done.append(chat)

    flood = [
        asyncio.create_task(processor.process_update(_update(i, 10), slow())) for i in range(50)
    ]
    await asyncio.sleep(0.01)
    others = [processor.process_update(_update(100 + c, 200 + c), quick(c)) for c in range(20)]
    await asyncio.wait_for(asyncio.gather(*others), timeout=2)
    assert sorted(done) == list(range(20))  # all answered while chat 10 still waits
    gate.set()
    await asyncio.gather(*flood)


async def test_beyond_the_queue_cap_updates_are_dropped_and_the_chat_told() -> None:
    processor = PerChatUpdateProcessor(16, max_queued_per_chat=3, burst=100)
    told: list[tuple[int, str]] = []

    async def refused(update: Update, why: str) -> None:
        told.append((update.update_id, why))

    processor.on_refused = refused
    gate = asyncio.Event()
    ran: list[int] = []

    async def work(n: int) -> None:
        await gate.wait()
        ran.append(n)

    tasks = [
        asyncio.create_task(processor.process_update(_update(n, 10), work(n))) for n in range(6)
    ]
    await asyncio.sleep(0.01)
    gate.set()
    await asyncio.gather(*tasks)
    assert ran == [0, 1, 2]  # in order, the first three
    assert told == [(3, "queue"), (4, "queue"), (5, "queue")]
    assert processor.refused == 3


async def test_the_rate_limit_allows_a_burst_then_one_a_second() -> None:
    clock = _Clock()
    processor = PerChatUpdateProcessor(16, burst=3, per_second=1.0, clock=clock)
    refused: list[str] = []

    async def on_refused(update: Update, why: str) -> None:
        refused.append(why)

    processor.on_refused = on_refused
    ran: list[int] = []

    async def work(n: int) -> None:
        ran.append(n)

    for n in range(5):
        await processor.process_update(_update(n, 10), work(n))
    assert ran == [0, 1, 2]
    assert refused == ["rate", "rate"]
    await processor.process_update(_update(9, 20), work(9))  # another chat has its own bucket
    clock.now = 1.0
    await processor.process_update(_update(5, 10), work(5))
    await processor.process_update(_update(6, 10), work(6))
    assert ran == [0, 1, 2, 9, 5]
    assert refused == ["rate", "rate", "rate"]
