"""Switch the language at once when the person named one; otherwise offer the picker."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.entities import resolve_entity
from bot.dialogue.payloads import Do
from bot.text.language_names import language_of

__all__ = ["ActionChangeLanguage", "language_of", "requested_language"]


def requested_language(entities: list[dict[str, Any]]) -> str | None:
    # "I don't read Russian, switch to English": the language asked for comes last.
    return resolve_entity(reversed(entities), "language", language_of)


class ActionChangeLanguage(Action):
    """`set_language` for the bot when a language was named, else the language picker."""

    def name(self) -> str:
        return "action_change_language"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        language = requested_language(tracker.latest_message.get("entities") or [])
        if language is None:
            # The entity can be missed; the words themselves often still name the language.
            language = language_of(str(tracker.latest_message.get("text") or ""))
        if language:
            dispatcher.utter_message(
                json_message={"do": Do.SET_LANGUAGE, "args": {"language": language}}
            )
        else:
            dispatcher.utter_message(json_message={"do": Do.LANGUAGE_PICKER})
        return []
