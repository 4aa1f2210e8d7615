"""Switch the language at once when the person named one; otherwise offer the picker."""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.entities import resolve_entity

# Stems of language names as people write them (Kazakh, Russian, English; Cyrillic and Latin).
_NAMES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("kk", ("kk", "қаз", "каз", "qaz", "kaz", "kazakh", "kazak")),
    ("ru", ("ru", "рус", "орыс", "орис", "orys", "rus", "russ")),
    ("en", ("en", "eng", "англ", "ағыл", "агыл", "aǵyl", "agyl", "ağyl", "инглиш", "english")),
)


def language_of(text: str) -> str | None:
    """kk, ru or en from a language's name in any of our languages; None if it names none."""
    words = re.findall(r"\w+", text.lower())
    for code, stems in _NAMES:
        for word in words:
            if word == code or any(word.startswith(stem) for stem in stems if len(stem) > 2):
                return code
    return None


def requested_language(entities: list[dict[str, Any]]) -> str | None:
    # "I don't read Russian, switch to English": the language asked for comes last.
    return resolve_entity(reversed(entities), "language", language_of)


class ActionChangeLanguage(Action):
    """`set_language` for the bot when a language was named, else the language picker."""

    def name(self) -> str:
        """Unique identifier of the action."""
        return "action_change_language"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        """Executes the action."""
        language = requested_language(tracker.latest_message.get("entities") or [])
        if language is None:
            # The entity can be missed; the words themselves often still name the language.
            language = language_of(str(tracker.latest_message.get("text") or ""))
        if language:
            dispatcher.utter_message(
                json_message={"do": "set_language", "args": {"language": language}}
            )
        else:
            dispatcher.utter_message(json_message={"do": "language_picker"})
        return []
