"""Custom actions on Tracker.from_dict fixtures, like RasaHQ's financial-demo."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.fallback import ActionSuggestTopics, likely_topics

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
