"""The content keys the bot's code asks for, so `content check` can prove they all exist."""

from __future__ import annotations

from bot.content.catalogue import LANGUAGES
from bot.dialogue.topics import BUTTON_PAGES, TOPIC_CODES
from bot.screening.fields import VERDICTS
from bot.screening.questions import QUESTIONS

# Telegram commands, each with a description `commands.<name>` in every language.
COMMANDS: tuple[str, ...] = ("start", "language", "help", "forget")

_STATIC_KEYS = (
    "welcome", "menu.title", "lang.prompt", "lang.changed", "lang.switched",
    "lang.offer", "btn.switch_language", "btn.language",
    "bot.description", "bot.short_description",
    "page.sources", "page.reviewed", "page.disclaimer", "fallback",
    "error.rasa_down", "error.generic", "error.unsupported", "error.too_long",
    "error.expired_button", "error.unknown_command",
    "admin.reloaded", "admin.reload_failed", "admin.more_problems",
    "btn.forget", "forget.confirm", "forget.yes", "forget.deleted", "forget.nothing",
    "screen.intro", "screen.reask", "screen.resume", "screen.left",
    "screen.result.why", "screen.result.law", "screen.result.disclaimer",
    "btn.screen.back", "btn.screen.stop", "btn.screen.restart", "btn.screen.change",
)  # fmt: skip


def required_keys() -> set[str]:
    keys = set(_STATIC_KEYS)
    keys.update(f"btn.{intent}" for intent in TOPIC_CODES.values())
    keys.update(f"lang.name.{lang}" for lang in LANGUAGES)
    keys.update(f"btn.page.{page_id}" for page_id in BUTTON_PAGES)
    keys.update(f"page:{page_id}" for page_id in BUTTON_PAGES)
    keys.update(f"commands.{command}" for command in COMMANDS)
    keys.update(q.text_key for q in QUESTIONS)
    keys.update(q.label_key(o.code) for q in QUESTIONS for o in q.options)
    # safety_first is answered with the safety page itself, not with a headline.
    keys.update(f"screen.result.{v}" for v in VERDICTS if v != "safety_first")
    return keys
