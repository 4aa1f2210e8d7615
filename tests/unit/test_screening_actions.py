"""The questionnaire's actions on Tracker.from_dict fixtures, without a Rasa server."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.screening import ASK_ACTIONS, ActionScreeningResult, ValidateScreeningForm
from bot.screening.questions import QUESTIONS
from tests.support import trackers


def tracker(
    text: str = "",
    *,
    intent: str = "inform",
    confidence: float = 0.95,
    chosen: dict[str, str] | None = None,
    history: list[str] | None = None,
    requested: str | None = None,
    active: bool = True,
    screen: dict[str, str] | None = None,
    message_id: str = "m2",
    seen: str = "m1",
    entities: list[dict[str, Any]] | None = None,
    stopped: bool = False,
    triggered_by_this: bool = False,
) -> Tracker:
    slots: dict[str, Any] = {q.slot: None for q in QUESTIONS}
    slots.update({f"screen_{name}": value for name, value in (chosen or {}).items()})
    slots.update(
        screen_history=history if history is not None else list(chosen or {}),
        screen_seen=seen,
        screen_stopped=stopped,
        requested_slot=f"screen_{requested}" if requested else None,
    )
    metadata: dict[str, Any] = {"language": "en"}
    if screen:
        metadata["screen"] = screen
    return trackers.tracker(
        text=text,
        intent=intent,
        confidence=confidence,
        slots=slots,
        metadata=metadata,
        entities=entities,
        message_id=message_id,
        form="screening_form" if active else "",
        form_started_by=message_id if triggered_by_this else "m0",
    )


async def validate(t: Tracker) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    dispatcher = CollectingDispatcher()
    events = await ValidateScreeningForm().run(dispatcher, t, {})
    slots = trackers.slots_set(events)
    return slots, dispatcher.messages


def said(messages: list[dict[str, Any]]) -> list[str | None]:
    return [m.get("custom", {}).get("key") or m.get("response") for m in messages]


async def test_the_menu_button_starts_afresh_with_the_intro() -> None:
    slots, messages = await validate(
        tracker("/check_eligibility", intent="check_eligibility", active=False,
                chosen={"category": "family", "safety": "no"})
    )  # fmt: skip
    assert said(messages) == ["screen.intro"]
    assert slots["screen_category"] is None
    assert slots["screen_history"] == []
    assert slots["requested_slot"] == "screen_category"


async def test_a_typed_question_fills_the_category_and_asks_about_safety() -> None:
    slots, _ = await validate(
        tracker("can my dispute with my employer about unpaid salary go to mediation",
                intent="check_eligibility", active=False)
    )  # fmt: skip
    assert slots["screen_category"] == "labour"
    assert slots["requested_slot"] == "screen_safety"


async def test_the_first_run_is_recognised_when_rasa_shows_the_loop_active() -> None:
    slots, messages = await validate(
        tracker("can my unpaid salary dispute go to mediation", intent="check_eligibility",
                triggered_by_this=True, chosen={"category": "family", "safety": "no"})
    )  # fmt: skip
    assert said(messages) == ["screen.intro"]
    assert slots["screen_category"] == "labour"
    assert slots["screen_safety"] is None


async def test_a_button_answer_moves_to_the_next_question_that_matters() -> None:
    slots, messages = await validate(
        tracker("/check_eligibility", chosen={"category": "public_law"}, requested="safety",
                screen={"q": "safety", "a": "no"})
    )  # fmt: skip
    assert messages == []
    assert slots["screen_safety"] == "no"
    assert slots["screen_history"] == ["category", "safety"]
    assert slots["requested_slot"] == "screen_capacity"


async def test_a_typed_answer_in_kazakh() -> None:
    slots, _ = await validate(tracker("жоқ", chosen={"category": "family"}, requested="safety"))
    assert slots["screen_safety"] == "no"


async def test_danger_ends_the_questions_at_once() -> None:
    slots, _ = await validate(
        tracker("he threatens me every day", chosen={"category": "family"}, requested="capacity")
    )
    assert slots["screen_safety"] == "yes"
    assert slots["requested_slot"] is None


async def test_the_bots_danger_signal_works_before_any_question() -> None:
    slots, _ = await validate(tracker("/check_eligibility", active=False, screen={"do": "danger"}))
    assert slots["screen_safety"] == "yes"
    assert slots["requested_slot"] is None


async def test_an_answer_that_is_not_understood_is_asked_again() -> None:
    slots, messages = await validate(
        tracker("purple", intent="out_of_scope", chosen={"category": "family"},
                requested="safety")
    )  # fmt: skip
    assert said(messages) == ["screen.reask"]
    assert slots["requested_slot"] == "screen_safety"
    # A slot besides requested_slot is set, so Rasa does not reject the form.
    assert "screen_history" in slots


async def test_a_question_about_mediation_is_answered_then_the_questions_go_on() -> None:
    slots, messages = await validate(
        tracker("how much does mediation cost", intent="mediation_cost",
                chosen={"category": "family"}, requested="safety")
    )  # fmt: skip
    assert said(messages) == ["utter_cost", "screen.resume"]
    assert slots["requested_slot"] == "screen_safety"


async def test_an_unsure_guess_at_a_side_question_asks_the_question_again() -> None:
    # Below the fallback threshold a guessed topic would be as likely wrong as right.
    slots, messages = await validate(
        tracker("a cost of something?", intent="mediation_cost", confidence=0.35,
                chosen={"category": "family"}, requested="safety")
    )  # fmt: skip
    assert said(messages) == ["screen.reask"]
    assert slots["requested_slot"] == "screen_safety"


async def test_back_reopens_the_last_answer() -> None:
    slots, _ = await validate(
        tracker("/check_eligibility", chosen={"category": "family", "safety": "no"},
                requested="capacity", screen={"do": "back"})
    )  # fmt: skip
    assert slots["screen_safety"] is None
    assert slots["screen_history"] == ["category"]
    assert slots["requested_slot"] == "screen_safety"


async def test_back_after_the_verdict_reopens_the_questions() -> None:
    answered = {"category": "family", "safety": "no", "past_violence": "no", "capacity": "no",
                "third_parties": "no", "state_body": "no"}  # fmt: skip
    slots, messages = await validate(
        tracker("/check_eligibility", active=False, chosen=answered, screen={"do": "back"})
    )
    assert messages == []
    assert slots["requested_slot"] == "screen_state_body"


async def test_stop_by_typing_clears_everything() -> None:
    slots, _ = await validate(tracker("стоп", chosen={"category": "family"}, requested="safety"))
    assert slots["screen_stopped"] is True
    assert slots["screen_category"] is None
    assert slots["requested_slot"] is None


async def test_a_forged_answer_is_asked_again() -> None:
    slots, messages = await validate(
        tracker("/check_eligibility", chosen={"category": "family"}, requested="safety",
                screen={"q": "safety", "a": "maybe"})
    )  # fmt: skip
    assert said(messages) == ["screen.reask"]
    assert "screen_safety" not in slots
    assert slots["requested_slot"] == "screen_safety"


async def test_the_same_message_is_never_read_twice() -> None:
    slots, messages = await validate(
        tracker("нет", chosen={"category": "family"}, requested="safety", message_id="m1")
    )
    assert messages == []
    assert "screen_safety" not in slots
    assert slots["requested_slot"] == "screen_safety"


async def test_each_question_has_an_ask_action_with_a_payload() -> None:
    assert {a().name() for a in ASK_ACTIONS} == {f"action_ask_{q.slot}" for q in QUESTIONS}
    dispatcher = CollectingDispatcher()
    ask = next(a for a in ASK_ACTIONS if a().name() == "action_ask_screen_gravity")
    await ask().run(dispatcher, tracker(history=["category", "safety"]), {})
    assert dispatcher.messages[0]["custom"] == {
        "do": "screen_question",
        "args": {"question": "gravity", "answered": "2"},
    }


async def test_the_verdict_payload_names_the_rules() -> None:
    dispatcher = CollectingDispatcher()
    chosen = {"category": "criminal", "safety": "no", "past_violence": "no", "capacity": "limited",
              "third_parties": "no", "gravity": "minor", "harm": "no", "excluded": "none",
              "repeat": "no", "in_force": "no"}  # fmt: skip
    events = await ActionScreeningResult().run(dispatcher, tracker(chosen=chosen), {})
    assert dispatcher.messages[0]["custom"] == {
        "do": "screening_result",
        "args": {
            "verdict": "conditional",
            "rules": "criminal_minor_or_medium,party_limited_capacity",
            "category": "criminal",
            "unknown": "",
        },
    }
    assert {"event": "slot", "name": "screen_verdict", "value": "conditional"} in [
        {k: e[k] for k in ("event", "name", "value")} for e in events
    ]


async def test_leaving_says_so_and_shows_the_menu() -> None:
    dispatcher = CollectingDispatcher()
    await ActionScreeningResult().run(dispatcher, tracker(stopped=True), {})
    assert dispatcher.messages[0]["custom"] == {"key": "screen.left", "menu": True}


async def test_a_menu_button_in_the_middle_is_answered_then_the_questions_go_on() -> None:
    slots, messages = await validate(
        tracker("/what_is_mediation", intent="what_is_mediation",
                chosen={"category": "family"}, requested="safety")
    )  # fmt: skip
    assert said(messages) == ["utter_what_is_mediation", "screen.resume"]
    assert slots["requested_slot"] == "screen_safety"


async def test_the_eligibility_button_in_the_middle_starts_over() -> None:
    slots, messages = await validate(
        tracker("/check_eligibility", intent="check_eligibility",
                chosen={"category": "family"}, requested="safety")
    )  # fmt: skip
    assert said(messages) == ["screen.intro"]
    assert slots["requested_slot"] == "screen_category"


async def test_switching_language_in_the_middle() -> None:
    slots, messages = await validate(
        tracker("говори по-казахски", intent="change_language",
                chosen={"category": "family"}, requested="safety")
    )  # fmt: skip
    assert messages[0]["custom"] == {"do": "set_language", "args": {"language": "kk"}}
    assert said(messages)[1:] == ["screen.resume"]
    assert slots["requested_slot"] == "screen_safety"


def test_side_questions_are_answered_with_the_response_their_rule_gives() -> None:
    # Read from data/rules/ (the one home of which response answers which intent): these are
    # the side questions answered with a fixed response in the middle of the questionnaire.
    from bot.actions import screening

    assert screening._side_question_responses() == {
        "what_is_mediation": "utter_what_is_mediation",
        "mediation_cost": "utter_cost",
        "mediation_duration": "utter_duration",
        "confidentiality": "utter_confidentiality",
        "agreement_enforcement": "utter_agreement",
        "how_to_start": "utter_how_to_start",
        "mediator_requirements": "utter_mediators",
        "talk_to_human": "utter_talk_to_person",
        "privacy": "utter_privacy",
        "bot_challenge": "utter_bot_challenge",
        "help": "utter_help",
    }
