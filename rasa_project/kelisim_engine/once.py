"""A turn the bot sends twice is applied once: the second time Rasa answers what it said then.

With replicas, the bot can send the same turn twice: a bot worker killed after Rasa applied a
person's message but before the update was acknowledged leaves it to another worker, which sends
it again; a Rasa server killed while its answer was on the way makes the bot try another one.
Applying a questionnaire answer twice would change the verdict, so the bot names every turn
(`metadata.turn`, the Telegram update id and the turn's number within it) and this patch, inside
the conversation's lock (Rasa's lock store, shared by the replicas), looks for a user message
with that id in the conversation. Found: the bot messages that followed it are sent again and
nothing is applied. Not found: the turn runs as always, with the id stored on the user message.

Only the last turns are searched (the compacting tracker store keeps the last few turns as they
were), which is where a redelivered turn always is: a chat's updates are handled in order.
"""

from __future__ import annotations

from typing import Any

# Turns looked at, from the end: redelivery concerns the latest turn, rarely the one before.
_LOOK_BACK_EVENTS = 200
TURN_KEY = "turn"


def _turn_id(message: Any) -> str | None:
    metadata = message.metadata if isinstance(message.metadata, dict) else {}
    turn = metadata.get(TURN_KEY)
    return str(turn) if isinstance(turn, (str, int)) and str(turn) else None


def earlier_answer(events: list[Any], turn_id: str) -> list[dict[str, Any]] | None:
    """The bot messages that answered the user message `turn_id`, or None if there is none."""
    from rasa.shared.core.events import BotUttered, UserUttered

    recent = events[-_LOOK_BACK_EVENTS:]
    for index in range(len(recent) - 1, -1, -1):
        event = recent[index]
        if isinstance(event, UserUttered) and event.message_id == turn_id:
            answer: list[dict[str, Any]] = []
            for later in recent[index + 1 :]:
                if isinstance(later, UserUttered):
                    break
                if isinstance(later, BotUttered):
                    answer.append(later.message())
            return answer
    return None


def install() -> None:
    """Wrap MessageProcessor.handle_message (called by the agent inside the conversation's lock)."""
    from rasa.core.channels.channel import CollectingOutputChannel
    from rasa.core.processor import MessageProcessor

    original = MessageProcessor.handle_message
    if getattr(original, "_kelisim_once", False):
        return

    async def handle_message(self: Any, message: Any) -> Any:
        turn_id = _turn_id(message)
        if turn_id is None:
            return await original(self, message)
        # Stored on the UserUttered event the turn logs, where the next attempt will find it.
        message.message_id = turn_id
        tracker = await self.tracker_store.retrieve(message.sender_id)
        answer = earlier_answer(list(tracker.events), turn_id) if tracker is not None else None
        if answer is None:
            return await original(self, message)
        for sent in answer:
            await message.output_channel.send_response(message.sender_id, sent)
        if isinstance(message.output_channel, CollectingOutputChannel):
            return message.output_channel.messages
        return None

    handle_message._kelisim_once = True  # type: ignore[attr-defined]
    MessageProcessor.handle_message = handle_message
