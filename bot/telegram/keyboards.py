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


def feedback_row(catalogue: Catalogue, language: str, subject: str) -> list[InlineKeyboardButton]:
    """👍 / 👎 under a page ("page:<id>") or a verdict ("verdict:<code>"); none where asking
    would be wrong (the safety page) or the code would not fit."""
    if not callbacks.takes_feedback(subject):
        return []
    return [
        InlineKeyboardButton(
            catalogue.label(language, f"btn.feedback.{vote}"),
            callback_data=callbacks.feedback(subject, vote),
        )
        for vote in callbacks.FEEDBACK_VOTES
    ]


def with_feedback(
    catalogue: Catalogue, language: str, subject: str, markup: InlineKeyboardMarkup | None
) -> InlineKeyboardMarkup | None:
    """The markup with a 👍 / 👎 row on top, the other buttons as they were."""
    row = feedback_row(catalogue, language, subject)
    if not row:
        return markup
    rows = [tuple(row), *(markup.inline_keyboard if markup is not None else ())]
    return InlineKeyboardMarkup(rows)


def without_feedback(markup: InlineKeyboardMarkup | None) -> InlineKeyboardMarkup | None:
    """The markup without its 👍 / 👎 buttons (once pressed), the other buttons as they were."""
    rows = [
        [b for b in row if not callbacks.is_feedback(b.callback_data)]
        for row in (markup.inline_keyboard if markup is not None else ())
    ]
    kept = [row for row in rows if row]
    return InlineKeyboardMarkup(kept) if kept else None


def missing_reasons(catalogue: Catalogue, language: str, subject: str) -> InlineKeyboardMarkup:
    """After a 👎: what was missing, two answers a row."""
    buttons = [
        InlineKeyboardButton(
            catalogue.label(language, f"btn.feedback.{reason}"),
            callback_data=callbacks.feedback(subject, reason),
        )
        for reason in callbacks.FEEDBACK_REASONS
    ]
    return InlineKeyboardMarkup(send.rows_of(buttons, 2))


def skip_telling(catalogue: Catalogue, language: str, subject: str) -> InlineKeyboardMarkup:
    """Under the invitation to type what was missing: "no, thanks"."""
    button = InlineKeyboardButton(
        catalogue.label(language, f"btn.feedback.{callbacks.FEEDBACK_SKIP}"),
        callback_data=callbacks.feedback(subject, callbacks.FEEDBACK_SKIP),
    )
    return InlineKeyboardMarkup([[button]])
