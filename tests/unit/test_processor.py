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
