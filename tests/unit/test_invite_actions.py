"""The invitation's safety gate (bot/actions/invite.py) on Tracker.from_dict fixtures."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.directory import find_payload
from bot.actions.invite import ActionInviteOtherParty, ValidateInviteForm
from tests.support import trackers


def tracker(
    text: str = "/invite_other_party",
    *,
    safety: str | None = None,
    past_violence: str | None = None,
    concern: bool = False,
    requested: str | None = None,
    starting: bool = False,
    screen: dict[str, str] | None = None,
    invite: dict[str, str] | None = None,
    stopped: bool = False,
    language: str | None = None,
) -> Tracker:
    metadata: dict[str, Any] = {"language": "en"}
    if screen:
        metadata["screen"] = screen
    if invite:
        metadata["invite"] = invite
    return trackers.tracker(
        text=text,
        intent="invite_other_party",
        slots={
            "screen_safety": safety,
            "screen_past_violence": past_violence,
            "safety_concern": concern,
            "screen_seen": "m1",
            "screen_stopped": stopped,
            "invite_language": language,
            "requested_slot": f"screen_{requested}" if requested else None,
        },
        metadata=metadata,
        message_id="m2",
        form="invite_form",
        form_started_by="m2" if starting else "m0",
    )


async def validate(t: Tracker) -> tuple[dict[str, Any], list[str]]:
    dispatcher = CollectingDispatcher()
    events = await ValidateInviteForm().run(dispatcher, t, {})
    slots = trackers.slots_set(events)
    return slots, [m.get("custom", {}).get("key", "") for m in dispatcher.messages]


async def result(t: Tracker) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    dispatcher = CollectingDispatcher()
    events = await ActionInviteOtherParty().run(dispatcher, t, {})
    slots = trackers.slots_set(events)
    return [m["custom"] for m in dispatcher.messages], slots


async def test_nothing_asked_yet_asks_the_danger_question_first() -> None:
    slots, said = await validate(tracker(starting=True, invite={"language": "kk"}))
    assert said == ["screen.invite.ask"]
    assert slots["requested_slot"] == "screen_safety"
    assert slots["invite_language"] == "kk"


async def test_answers_from_the_questionnaire_count() -> None:
    slots, said = await validate(tracker(starting=True, safety="no", past_violence="no"))
    assert said == []
    assert slots["requested_slot"] is None


async def test_an_earlier_i_dont_know_is_asked_again() -> None:
    slots, _ = await validate(tracker(starting=True, safety="unknown", past_violence="no"))
    assert slots["screen_safety"] is None
    assert slots["requested_slot"] == "screen_safety"


@pytest.mark.parametrize(
    ("answer", "typed", "screen"),
    [
        ("no", "", {"q": "safety", "a": "no"}),
        ("no", "нет", None),
        ("yes", "иә", None),
        ("unknown", "не знаю", None),
        ("yes", "he threatens to kill me", None),
    ],
)
async def test_the_danger_answer_by_button_or_in_words(
    answer: str, typed: str, screen: dict[str, str] | None
) -> None:
    message = tracker(typed or "/check_eligibility", requested="safety", screen=screen)
    slots, _ = await validate(message)
    assert slots["screen_safety"] == answer
    following = slots["requested_slot"]
    assert following == ("screen_past_violence" if answer == "no" else None)


async def test_a_forged_answer_is_asked_again() -> None:
    slots, said = await validate(
        tracker("/check_eligibility", requested="safety", screen={"q": "category", "a": "family"})
    )
    assert said == ["screen.reask"]
    assert slots["requested_slot"] == "screen_safety"


async def test_stop_ends_without_an_invitation() -> None:
    slots, _ = await validate(tracker("stop", requested="safety"))
    assert slots["screen_stopped"] is True
    assert slots["requested_slot"] is None
    messages, reset = await result(tracker(stopped=True))
    assert messages == [{"key": "screen.invite.stopped", "menu": True}]
    assert reset["screen_stopped"] is False


async def test_two_clear_noes_give_the_page_and_the_language_choice() -> None:
    messages, _ = await result(tracker(safety="no", past_violence="no"))
    assert messages == [{"key": "page:invite_other_party"}, {"do": "invite_languages"}]


async def test_a_chosen_language_gives_the_message_itself() -> None:
    messages, slots = await result(tracker(safety="no", past_violence="no", language="ru"))
    assert messages == [{"do": "invitation", "args": {"language": "ru"}}]
    assert slots["invite_language"] is None


@pytest.mark.parametrize(
    ("safety", "past_violence", "concern", "marks_concern"),
    [
        ("yes", "no", False, True),
        ("no", "yes", False, True),
        ("unknown", "no", False, False),
        ("no", None, False, False),
        ("no", "no", True, False),  # told of violence earlier in the conversation
    ],
)
async def test_anything_but_two_clear_noes_gives_safety_and_never_the_invitation(
    safety: str, past_violence: str | None, concern: bool, marks_concern: bool
) -> None:
    messages, slots = await result(
        tracker(safety=safety, past_violence=past_violence, concern=concern, language="kk")
    )
    assert messages[0] == {"key": "screen.invite.not_safe"}
    assert messages[1]["key"] == "page:safety"
    assert not any(m.get("do") in ("invitation", "invite_languages") for m in messages)
    assert slots.get("safety_concern", False) is marks_concern


def test_no_mediator_search_once_violence_was_told() -> None:
    payload, events = find_payload(tracker("find a mediator in Almaty", concern=True))
    assert payload["key"] == "page:safety"
    assert events == []
