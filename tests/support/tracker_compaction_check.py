"""Run in Rasa's environment by tests/integration/test_tracker_compaction.py; prints RESULT {json}.

Builds long conversations on our real domain and checks what the policies would see before and
after compaction (rasa_project/kelisim_engine/tracker_stores.py).
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from kelisim_engine.tracker_stores import (
    MAX_EVENTS,
    CompactInMemoryTrackerStore,
    compacted,
)
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, ActiveLoop, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

DOMAIN = Domain.load(Path(__file__).resolve().parents[2] / "rasa_project" / "domain")
INTENTS = ["greet", "what_is_mediation", "mediation_cost", "thank", "find_mediator"]


def turn(tracker: DialogueStateTracker, intent: str, action: str) -> None:
    tracker.update(UserUttered(intent, {"name": intent, "confidence": 1.0}))
    tracker.update(ActionExecuted(action))
    tracker.update(ActionExecuted("action_listen"))


def conversation(turns: int, form_at_end: bool = False) -> DialogueStateTracker:
    tracker = DialogueStateTracker("someone", DOMAIN.slots)
    tracker.update(ActionExecuted("action_session_start"))
    tracker.update(ActionExecuted("action_listen"))
    turn(tracker, "greet", "utter_greet")
    # A form that ran and finished, its slots set: they must survive the rewrite.
    tracker.update(UserUttered("check_eligibility", {"name": "check_eligibility"}))
    tracker.update(ActionExecuted("screening_form"))
    tracker.update(ActiveLoop("screening_form"))
    tracker.update(SlotSet("requested_slot", "screen_category"))
    tracker.update(ActionExecuted("action_listen"))
    tracker.update(UserUttered("inform", {"name": "inform"}))
    tracker.update(SlotSet("screen_category", "family"))
    tracker.update(SlotSet("safety_concern", True))
    tracker.update(ActionExecuted("screening_form"))
    tracker.update(ActiveLoop(None))
    tracker.update(SlotSet("requested_slot", None))
    tracker.update(ActionExecuted("action_screening_result"))
    tracker.update(ActionExecuted("action_listen"))
    for i in range(turns):
        intent = INTENTS[i % len(INTENTS)]
        turn(
            tracker,
            intent,
            f"utter_{intent}" if intent in ("greet", "thank") else "action_show_page",
        )
    if form_at_end:
        tracker.update(UserUttered("check_eligibility", {"name": "check_eligibility"}))
        tracker.update(ActionExecuted("screening_form"))
        tracker.update(ActiveLoop("screening_form"))
        tracker.update(SlotSet("requested_slot", "screen_category"))
        tracker.update(ActionExecuted("action_listen"))
    return tracker


def slots(tracker: DialogueStateTracker) -> dict[str, object]:
    return {name: slot.value for name, slot in tracker.slots.items()}


async def stored_sizes() -> list[int]:
    store = CompactInMemoryTrackerStore(DOMAIN)
    sizes = []
    tracker = conversation(0)
    for i in range(200):
        turn(tracker, INTENTS[i % len(INTENTS)], "action_show_page")
        await store.save(tracker)
        tracker = await store.retrieve("someone")
        sizes.append(len(tracker.events))
    return sizes


def main() -> None:
    long = conversation(120)
    short = compacted(long)
    assert short is not None
    states_before = long.past_states(DOMAIN)
    states_after = short.past_states(DOMAIN)
    during_form = conversation(120, form_at_end=True)
    sizes = asyncio.run(stored_sizes())
    result = {
        "events_before": len(long.events),
        "events_after": len(short.events),
        "same_slots": slots(long) == slots(short),
        "safety_concern": short.get_slot("safety_concern"),
        "same_last_states": states_before[-6:] == states_after[-6:],
        "same_latest_message": long.latest_message.intent == short.latest_message.intent,
        "sessions_after": sum(
            isinstance(e, ActionExecuted) and e.action_name == "action_session_start"
            for e in short.events
        ),
        "short_left_alone": compacted(conversation(3)) is None,
        "form_left_alone": compacted(during_form) is None,
        "max_stored": max(sizes),
        "limit": MAX_EVENTS,
    }
    print("RESULT " + json.dumps(result))


if __name__ == "__main__":
    main()
