"""Tracker stores whose conversations stay short, so a turn costs the same at turn 10 and 500.

Rasa keeps every event of a conversation and, on every turn, deserialises all of them, replays
them into states for the policies, sends them to the action server and serialises them again:
measured on this machine a turn took about 22 ms early in a conversation and about 90 ms after
a couple of hundred turns (docs/benchmarks.md).

What the next prediction needs is much less: the slots, the active form, and the last few
turns (MemoizationPolicy looks at `max_history` turns, the rules at fewer). So when a
conversation passes `max_events` events, at a moment no form is running, the store rewrites
it as Rasa's own session start carrying every slot over, followed by the last `keep_turns`
turns as they were. The policies see the same last turns and the same slots, so they predict
the same; the actions read slots only. It also keeps less of what people wrote.

bot/stack.py names them in Rasa's endpoints: CompactRedisTrackerStore where `type: redis` was,
CompactInMemoryTrackerStore for the playground and tests.
"""

from __future__ import annotations

import logging
import pickle
from typing import Any

from rasa.core.tracker_store import InMemoryTrackerStore, RedisTrackerStore
from rasa.shared.core.constants import ACTION_LISTEN_NAME, ACTION_SESSION_START_NAME
from rasa.shared.core.events import ActionExecuted, ActiveLoop, Event, SessionStarted, SlotSet
from rasa.shared.core.trackers import DialogueStateTracker

logger = logging.getLogger(__name__)

# Memoization looks 4 turns back; keep well more than that, and compact in batches so the
# rewrite (one replay of the conversation) happens once every dozen turns or so; at 160 the
# growth bench (docs/benchmarks.md) showed late turns a third dearer than early ones, at 100
# a tenth.
MAX_EVENTS = 100
KEEP_TURNS = 8


def _copy_slots(tracker: DialogueStateTracker) -> list[Any]:
    import copy

    slots = [copy.copy(slot) for slot in tracker.slots.values()]
    for slot in slots:
        slot.reset()
    return slots


def compacted(
    tracker: DialogueStateTracker, max_events: int = MAX_EVENTS, keep_turns: int = KEEP_TURNS
) -> DialogueStateTracker | None:
    """The same conversation in fewer events, or None when it is short or a form is running."""
    events = list(tracker.events)
    if len(events) <= max_events or tracker.active_loop_name:
        return None
    listens = [
        i
        for i, e in enumerate(events)
        if isinstance(e, ActionExecuted) and e.action_name == ACTION_LISTEN_NAME
    ]
    # Cut right after a listen with `keep_turns` listens after it, where no form was running.
    candidates = set(listens[:-keep_turns]) if len(listens) > keep_turns else set()
    if not candidates:
        return None
    replay = DialogueStateTracker(tracker.sender_id, _copy_slots(tracker))
    cut: int | None = None
    carried: dict[str, Any] = {}
    for i, event in enumerate(events):
        replay.update(event)
        if i in candidates and not replay.active_loop_name:
            cut = i
            carried = {
                name: slot.value
                for name, slot in replay.slots.items()
                if slot.value != slot.initial_value
            }
    if cut is None:
        return None
    at = events[cut].timestamp
    head: list[Event] = [
        ActionExecuted(ACTION_SESSION_START_NAME, timestamp=at),
        SessionStarted(timestamp=at),
        *(SlotSet(name, value, timestamp=at) for name, value in carried.items()),
        ActionExecuted(ACTION_LISTEN_NAME, timestamp=at),
    ]
    result = DialogueStateTracker.from_events(
        tracker.sender_id, head + events[cut + 1 :], slots=_copy_slots(tracker)
    )
    logger.debug("compacted a conversation from %d to %d events", len(events), len(result.events))
    return result


class CompactInMemoryTrackerStore(InMemoryTrackerStore):
    """Rasa's in-memory store, with conversations compacted as they are saved, and kept as
    pickled trackers rather than JSON.

    Rasa's own in-memory store writes each conversation as JSON and, on every turn, parses it
    and replays every event into a new tracker: 0.63 ms a turn for a conversation of 48 events
    on the 2-core machine. A pickle of the tracker round-trips in a third of that and keeps
    what kelisim_engine.speedups remembers of the conversation's replay, so the next turn's
    first prediction goes on from it instead of replaying everything again (docs/engine.md).
    Each turn still gets its own copy, so a turn that fails half-way leaves the stored
    conversation as it was. The bytes never leave this process (the Redis store keeps Rasa's
    JSON: a pickle read from a shared store would run whatever the store held).
    """

    async def save(self, tracker: DialogueStateTracker) -> None:
        await self.stream_events(tracker)
        kept = compacted(tracker) or tracker
        frozen = pickle.dumps(kept, protocol=pickle.HIGHEST_PROTOCOL)
        self.store[tracker.sender_id] = frozen

    def deserialise_tracker(
        self, sender_id: str, serialised: str | bytes | bytearray
    ) -> DialogueStateTracker | None:
        if isinstance(serialised, bytes | bytearray):
            tracker = pickle.loads(serialised)  # written by save() above, never read from outside
            if not isinstance(tracker, DialogueStateTracker):
                return None
            if any(isinstance(e, ActiveLoop) and e.name for e in tracker.events):
                # Read back, a conversation is replayed without a form's inner turns (the
                # user's answers and the form's runs: DialogueStateTracker.applied_events), so
                # its latest message is the one that started the form; the live tracker still
                # holds the last answer. Keep what Rasa's own store would give.
                tracker._reset()
                tracker.replay_events()
            return tracker
        return super().deserialise_tracker(sender_id, serialised)


class CompactRedisTrackerStore(RedisTrackerStore):
    """Rasa's Redis store, with conversations compacted as they are saved.

    Rasa's save merges the stored tracker with the one it is given; both are compacted forms of
    the same conversation, so the merge keeps the given one (the stored one is its past)."""

    @staticmethod
    def serialise_tracker(tracker: DialogueStateTracker) -> str:
        serialised: str = RedisTrackerStore.serialise_tracker(compacted(tracker) or tracker)
        return serialised
