"""Inline keyboards, labelled from content and coded with callbacks.py."""

from __future__ import annotations

from collections.abc import Iterable

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.content import LANGUAGES, Catalogue
from bot.dialogue.topics import CODE_OF_TOPIC
from bot.telegram import callbacks

MenuRows = list[list[InlineKeyboardButton]]

# Two short entries share a row; the long questions get a row of their own on a phone.
_MENU_LAYOUT: tuple[tuple[str, ...], ...] = (
    ("what_is_mediation",),
    ("mediation_vs_court",),
    ("check_eligibility",),
    ("find_mediator",),
)


def _topic_button(catalogue: Catalogue, language: str, intent: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(
        catalogue.label(language, f"btn.{intent}"), callback_data=callbacks.topic(intent)
    )


def menu_rows(catalogue: Catalogue, language: str) -> MenuRows:
    rows = [[_topic_button(catalogue, language, i) for i in row] for row in _MENU_LAYOUT]
    rows.append(
        [
            InlineKeyboardButton(
                catalogue.label(language, "btn.language"),
                callback_data=callbacks.LANGUAGE_PICKER,
            ),
            _topic_button(catalogue, language, "help"),
        ]
    )
    return rows


def main_menu(catalogue: Catalogue, language: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(menu_rows(catalogue, language))


def topics_and_menu(
    catalogue: Catalogue, language: str, topics: Iterable[str], with_menu: bool
) -> InlineKeyboardMarkup | None:
    rows: MenuRows = [
        [_topic_button(catalogue, language, intent)]
        for intent in topics
        if catalogue.has(language, f"btn.{intent}") and intent in CODE_OF_TOPIC
    ]
    if with_menu:
        rows.extend(menu_rows(catalogue, language))
    return InlineKeyboardMarkup(rows) if rows else None


def language_picker(catalogue: Catalogue, current: str) -> InlineKeyboardMarkup:
    """One button per language, each in its own language; the current one is ticked."""
    buttons = []
    for language in LANGUAGES:
        label = catalogue.label(language, f"lang.name.{language}")
        if language == current:
            label = f"✓ {label}"
        buttons.append(
            InlineKeyboardButton(label, callback_data=callbacks.choose_language(language))
        )
    return InlineKeyboardMarkup([buttons])
