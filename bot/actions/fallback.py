"""Low confidence: offer the two likeliest topics instead of guessing."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.dialogue.topics import CODE_OF_TOPIC

SUGGESTIONS = 2


def likely_topics(ranking: list[dict[str, Any]], count: int = SUGGESTIONS) -> list[str]:
    """The best-ranked intents that a button can lead to, best first."""
    topics = [str(item.get("name")) for item in ranking if item.get("name") in CODE_OF_TOPIC]
    return topics[:count]


class ActionSuggestTopics(Action):
    """Did you mean …? with the likeliest topics as buttons, then the menu."""

    def name(self) -> str:
        return "action_suggest_topics"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        ranking = tracker.latest_message.get("intent_ranking") or []
        topics = likely_topics(ranking)
        if topics:
            dispatcher.utter_message(
                json_message={"key": "fallback", "topics": topics, "menu": True}
            )
        else:
            dispatcher.utter_message(json_message={"key": "out_of_scope", "menu": True})
        return []
