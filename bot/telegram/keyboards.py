"""Inline keyboards, labelled from content and coded with callbacks.py."""

from __future__ import annotations

from collections.abc import Iterable

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.content import LANGUAGES, Catalogue
from bot.dialogue.topics import CODE_OF_TOPIC
from bot.offices.sources import SOURCE_ACTIONS, SOURCES
from bot.telegram import callbacks, send
from bot.telegram.send import Rows

MenuRows = Rows

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


def _button(catalogue: Catalogue, language: str, name: str) -> InlineKeyboardButton | None:
    """A topic (asks the dialogue) or a page (shown directly); None for anything unknown."""
    if name in CODE_OF_TOPIC and catalogue.has(language, f"btn.{name}"):
        return _topic_button(catalogue, language, name)
    if name == "forget":
        return InlineKeyboardButton(
            catalogue.label(language, "btn.forget"), callback_data=callbacks.FORGET
        )
    if catalogue.has_page(name) and catalogue.has(language, f"btn.page.{name}"):
        return InlineKeyboardButton(
            catalogue.label(language, f"btn.page.{name}"), callback_data=callbacks.page(name)
        )
    return None


def menu_button(catalogue: Catalogue, language: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(catalogue.label(language, "btn.menu"), callback_data=callbacks.MENU)


def topics_and_menu(
    catalogue: Catalogue,
    language: str,
    topics: Iterable[str],
    with_menu: bool,
    compact: bool = False,
) -> InlineKeyboardMarkup | None:
    """Topic buttons, then the main menu (compact: one "Main menu" button instead)."""
    buttons = [b for name in topics if (b := _button(catalogue, language, name)) is not None]
    # Many short choices (kinds of dispute) go two to a row; a few topics get a row each.
    width = 2 if len(buttons) > 3 else 1
    rows: MenuRows = send.rows_of(buttons, width)
    if with_menu:
        if compact and rows:
            rows.append([menu_button(catalogue, language)])
        else:
            rows.extend(menu_rows(catalogue, language))
    return InlineKeyboardMarkup(rows) if rows else None


def confirm_forget(catalogue: Catalogue, language: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    catalogue.label(language, "forget.yes"),
                    callback_data=callbacks.FORGET_CONFIRMED,
                ),
                menu_button(catalogue, language),
            ]
        ]
    )


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


def sources(catalogue: Catalogue, language: str) -> InlineKeyboardMarkup:
    """ "Where did you hear about us?": two answers a row, then a code to type, then skip."""

    def button(value: str) -> InlineKeyboardButton:
        label = catalogue.label(language, f"btn.source.{value}")
        return InlineKeyboardButton(label, callback_data=callbacks.source(value))

    answers = [button(value) for value in SOURCES]
    rows = send.rows_of(answers, 2)
    rows += [[button(value)] for value in SOURCE_ACTIONS]
    return InlineKeyboardMarkup(rows)
