"""action_find_mediator on Tracker.from_dict fixtures: where, what kind of dispute, verdict."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.directory import ActionFindMediator
from bot.actions.screening import ValidateScreeningForm
from tests.support import trackers


def tracker(
    text: str,
    *,
    intent: str = "find_mediator",
    entities: list[dict[str, Any]] | None = None,
    directory: dict[str, str] | None = None,
    slots: dict[str, Any] | None = None,
) -> Tracker:
    metadata: dict[str, Any] = {"language": "ru"}
    if directory:
        metadata["directory"] = directory
    return trackers.tracker(
        text=text,
        intent=intent,
        slots={"screen_category": None, "screen_verdict": None, "mediator_place": None}
        | (slots or {}),
        metadata=metadata,
        entities=entities,
    )


def location(text: str) -> dict[str, Any]:
    return {"entity": "location", "value": text, "text": text, "start": 0, "end": len(text)}


async def run(t: Tracker) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    dispatcher = CollectingDispatcher()
    events = await ActionFindMediator().run(dispatcher, t, {})
    assert len(dispatcher.messages) == 1
    return dispatcher.messages[0]["custom"], events


@pytest.mark.parametrize(
    ("text", "entities", "place"),
    [
        ("медиатор в Усть-Каменогорске", [location("Усть-Каменогорске")], "oskemen"),
        ("Qaraǵandyda medıator kerek", [location("Qaraǵandyda")], "karaganda"),
        # The model missed the place: the gazetteer reads the words.
        ("нужен медиатор в Кентау", [], "kentau"),
        ("Шымкентте медиатор бар ма", [], "shymkent"),
    ],
)
async def test_a_place_in_the_message_is_searched(
    text: str, entities: list[dict[str, Any]], place: str
) -> None:
    payload, events = await run(tracker(text, entities=entities))
    assert payload == {"do": "mediators", "args": {"type": "", "verdict": "", "place": place}}
    assert events == [SlotSet("mediator_place", place)]


async def test_the_screenings_category_and_verdict_go_with_the_search() -> None:
    t = tracker(
        "/find_mediator",
        directory={"near": "shymkent"},
        slots={"screen_category": "public_law", "screen_verdict": "conditional"},
    )
    payload, _ = await run(t)
    assert payload["args"] == {
        "type": "administrative",
        "verdict": "conditional",
        "place": "shymkent",
    }


async def test_a_kind_of_dispute_named_now_wins_over_the_screening() -> None:
    entity = {"entity": "dispute_type", "value": "labour", "text": "зарплату"}
    t = tracker("медиатор в Таразе, не платят зарплату", entities=[entity],
                slots={"screen_category": "family"})  # fmt: skip
    payload, _ = await run(t)
    assert payload["args"]["type"] == "labour"
    assert payload["args"]["place"] == "taraz"


async def test_a_chosen_place_comes_from_the_buttons_metadata() -> None:
    payload, _ = await run(tracker("/find_mediator", directory={"place": "abai-region"}))
    assert payload["args"]["place"] == "abai-region"


async def test_without_a_place_it_asks_where() -> None:
    payload, events = await run(tracker("/find_mediator"))
    assert payload == {"do": "ask_place", "args": {"type": "", "verdict": ""}}
    assert events == []


async def test_the_last_place_is_used_again() -> None:
    payload, _ = await run(tracker("найти медиатора", slots={"mediator_place": "taraz"}))
    assert payload["args"]["place"] == "taraz"


async def test_a_place_we_do_not_know_is_said_so() -> None:
    t = tracker("медиатор в Готэме", entities=[location("Готэме")],
                slots={"mediator_place": "taraz"})  # fmt: skip
    payload, _ = await run(t)
    assert payload == {"do": "ask_place", "args": {"type": "", "verdict": "", "unknown": "1"}}


@pytest.mark.parametrize(
    ("text", "unknown"),
    [
        ("найдите медиатора в Готэм-Сити", True),
        ("I need a mediator near Gotham", True),
        ("нужен медиатор в Казахстане", False),  # the country: ask where in it
        ("нужен медиатор в течение недели", False),
        ("медиатор керек", False),
    ],
)
async def test_a_place_the_model_missed_but_named_after_a_preposition(
    text: str, unknown: bool
) -> None:
    payload, _ = await run(tracker(text))
    assert payload["do"] == "ask_place"
    assert ("unknown" in payload["args"]) is unknown


async def test_a_forged_place_id_is_ignored() -> None:
    payload, _ = await run(tracker("/find_mediator", directory={"place": "../../etc"}))
    assert payload["do"] == "ask_place"


async def test_asked_in_the_middle_of_the_questions_it_searches_then_resumes() -> None:
    t = Tracker.from_dict(
        {
            "sender_id": "test",
            "slots": {"requested_slot": "screen_safety", "screen_category": "labour",
                      "screen_history": ["category"], "screen_seen": "m0"},
            "latest_message": {
                "text": "найдите медиатора в Таразе",
                "intent": {"name": "find_mediator", "confidence": 0.95},
                "entities": [location("Таразе")],
                "message_id": "m1",
                "metadata": {"language": "ru"},
            },
            "events": [],
            "paused": False,
            "followup_action": None,
            "active_loop": {"name": "screening_form", "trigger_message": {"message_id": "m0"}},
            "latest_action_name": "action_listen",
        }
    )  # fmt: skip
    dispatcher = CollectingDispatcher()
    events = await ValidateScreeningForm().run(dispatcher, t, {"forms": {}})
    payloads = [m["custom"] for m in dispatcher.messages]
    assert payloads[0]["do"] == "mediators"
    assert payloads[0]["args"] == {"type": "labour", "verdict": "", "place": "taraz"}
    assert {"key": "screen.resume"} in payloads
    assert SlotSet("mediator_place", "taraz") in events
