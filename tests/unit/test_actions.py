"""Custom actions on Tracker.from_dict fixtures, like RasaHQ's financial-demo."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.compare import ActionCompare
from bot.actions.fallback import ActionSuggestTopics, likely_topics
from bot.actions.language import ActionChangeLanguage, language_of
from bot.dialogue.topics import COMPARE_PAGES

TRACKERS = Path(__file__).resolve().parent.parent / "data" / "trackers"


def load_tracker(name: str) -> Tracker:
    return Tracker.from_dict(json.loads((TRACKERS / f"{name}.json").read_text()))


@pytest.fixture
def dispatcher() -> CollectingDispatcher:
    return CollectingDispatcher()


async def test_low_confidence_offers_the_two_likeliest_topics(
    dispatcher: CollectingDispatcher,
) -> None:
    events = await ActionSuggestTopics().run(dispatcher, load_tracker("low_confidence"), {})
    assert events == []
    assert dispatcher.messages[0]["custom"] == {
        "key": "fallback",
        "topics": ["mediation_cost", "what_is_mediation"],
        "menu": True,
    }


async def test_no_topic_in_ranking_is_out_of_scope(dispatcher: CollectingDispatcher) -> None:
    await ActionSuggestTopics().run(dispatcher, load_tracker("gibberish"), {})
    assert dispatcher.messages[0]["custom"] == {"key": "out_of_scope", "menu": True}


@pytest.mark.parametrize(
    ("ranking", "expected"),
    [
        ([], []),
        ([{"name": "nlu_fallback"}, {"name": "greet"}, {"name": "help"}], ["help"]),
        (
            [{"name": "help"}, {"name": "privacy"}, {"name": "what_is_mediation"}],
            ["help", "privacy"],
        ),
    ],
)
def test_likely_topics(ranking: list[dict[str, Any]], expected: list[str]) -> None:
    assert likely_topics(ranking) == expected


async def test_compare_for_a_named_dispute_type(dispatcher: CollectingDispatcher) -> None:
    # The model found the span; the resolver turned "не платят зарплату" into labour.
    await ActionCompare().run(dispatcher, load_tracker("compare_labour"), {})
    assert dispatcher.messages[0]["custom"]["key"] == "page:mediation_vs_court_labour"


async def test_compare_without_a_type_offers_each_type(dispatcher: CollectingDispatcher) -> None:
    await ActionCompare().run(dispatcher, load_tracker("compare_plain"), {})
    custom = dispatcher.messages[0]["custom"]
    assert custom["key"] == "page:mediation_vs_court"
    assert custom["topics"] == list(COMPARE_PAGES)
    assert len(COMPARE_PAGES) == 9


@pytest.mark.parametrize(
    ("tracker", "expected"),
    [
        ("language_named", {"do": "set_language", "args": {"language": "kk"}}),
        ("language_missed_entity", {"do": "set_language", "args": {"language": "ru"}}),
        ("language_unnamed", {"do": "language_picker"}),
    ],
)
async def test_change_language(
    dispatcher: CollectingDispatcher, tracker: str, expected: dict[str, Any]
) -> None:
    await ActionChangeLanguage().run(dispatcher, load_tracker(tracker), {})
    assert dispatcher.messages[0]["custom"] == expected


@pytest.mark.parametrize(
    ("text", "code"),
    [("қазақша", "kk"), ("kazakh", "kk"), ("orysşa", "ru"), ("на русском", "ru"),
     ("ағылшынша", "en"), ("English", "en"), ("in Kazakh please", "kk"), ("погода", None)],
)  # fmt: skip
def test_language_names(text: str, code: str | None) -> None:
    assert language_of(text) == code
