"""callback_data codes: short ASCII, parsed strictly because clients can forge them."""

from __future__ import annotations

from dataclasses import dataclass

from bot.content import LANGUAGES
from bot.dialogue.topics import CODE_OF_TOPIC, TOPIC_CODES

MENU = "menu"
LANGUAGE_PICKER = "lang"


def choose_language(language: str) -> str:
    return f"l:{language}"


def topic(intent: str) -> str:
    return f"t:{CODE_OF_TOPIC[intent]}"


@dataclass(frozen=True)
class Callback:
    kind: str  # "menu", "lang", "language" or "topic"
    value: str = ""


def parse(data: str | None) -> Callback | None:
    """Known codes only; anything else (old or forged buttons) is None."""
    if not data or len(data) > 64:
        return None
    if data == MENU:
        return Callback("menu")
    if data == LANGUAGE_PICKER:
        return Callback("lang")
    prefix, _, value = data.partition(":")
    if prefix == "l" and value in LANGUAGES:
        return Callback("language", value)
    if prefix == "t" and value in TOPIC_CODES:
        return Callback("topic", TOPIC_CODES[value])
    return None
