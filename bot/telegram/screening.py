"""The screening questionnaire on screen: a question with its buttons, and the verdict."""

from __future__ import annotations

import html

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.content import Catalogue
from bot.screening.fields import type_of_category
from bot.screening.questions import BY_NAME
from bot.screening.rules import RuleBook
from bot.telegram import callbacks, keyboards, send
from bot.telegram.send import Rows

Rows = Rows
# Two answers share a row when both fit on a phone; longer ones get a row each.
_NARROW = 22


def _rows(buttons: list[InlineKeyboardButton], columns: int) -> Rows:
    return send.rows_of(buttons, columns)


def _control(catalogue: Catalogue, language: str, name: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(
        catalogue.label(language, f"btn.screen.{name}"),
        callback_data=callbacks.screen_control(name),
    )


def question(
    catalogue: Catalogue, language: str, name: str, answered: int
) -> tuple[str, InlineKeyboardMarkup] | None:
    """The question's text with one button per option, then Back and Stop; None if unknown."""
    asked = BY_NAME.get(name)
    if asked is None:
        return None
    buttons = [
        InlineKeyboardButton(
            catalogue.label(language, asked.label_key(option.code)),
            callback_data=callbacks.screen_answer(asked.name, option.code),
        )
        for option in asked.options
    ]
    if asked.yes_no:
        rows = [buttons]
    else:
        narrow = all(len(b.text) <= _NARROW for b in buttons)
        rows = _rows(buttons, 2 if narrow else 1)
    controls = [_control(catalogue, language, "stop")]
    if answered > 0:
        controls.insert(0, _control(catalogue, language, "back"))
    rows.append(controls)
    return catalogue.text(language, asked.text_key), InlineKeyboardMarkup(rows)


def _compare_page(category: str) -> str:
    return f"mediation_vs_court_{type_of_category(category)}"


def _topic(catalogue: Catalogue, language: str, intent: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(
        catalogue.label(language, f"btn.{intent}"), callback_data=callbacks.topic(intent)
    )


def _page(
    catalogue: Catalogue, language: str, page_id: str, label: str = ""
) -> InlineKeyboardButton:
    return InlineKeyboardButton(
        catalogue.label(language, label or f"btn.page.{page_id}"),
        callback_data=callbacks.page(page_id),
    )


def next_steps(catalogue: Catalogue, language: str, verdict: str, category: str) -> Rows:
    """What to do next, by verdict: for mediation, or instead of it."""
    if verdict in ("eligible", "conditional"):
        buttons = [_topic(catalogue, language, "find_mediator")]
        compare = _compare_page(category)
        if catalogue.has_page(compare):
            buttons.append(_page(catalogue, language, compare, "btn.mediation_vs_court"))
        # The invitation goes through the dialogue, which asks about safety first.
        buttons += [
            _topic(catalogue, language, "how_to_start"),
            _topic(catalogue, language, "invite_other_party"),
        ]
    elif verdict == "not_eligible":
        buttons = [
            _page(catalogue, language, "instead_of_mediation"),
            _topic(catalogue, language, "talk_to_human"),
        ]
    else:
        buttons = [
            _page(catalogue, language, "eligibility_unsure"),
            _topic(catalogue, language, "talk_to_human"),
        ]
    rows = [[b] for b in buttons]
    rows.append([_control(catalogue, language, "change"), _control(catalogue, language, "restart")])
    rows.append([keyboards.menu_button(catalogue, language)])
    return rows


def result(
    catalogue: Catalogue,
    book: RuleBook,
    language: str,
    verdict: str,
    rule_ids: list[str],
    category: str,
    unknown: list[str] | None = None,
) -> tuple[str, InlineKeyboardMarkup | None]:
    """The verdict in plain words, the reasons that applied (or, when unsure, what to find out),
    the articles, the disclaimer and who checked the rules."""
    if verdict == "safety_first":
        # Emergency numbers first, and nothing after them that pushes towards mediation.
        return catalogue.render_page(language, "safety"), None
    applied = []
    for rule_id in rule_ids:
        try:
            applied.append(book.rule(rule_id))
        except KeyError:  # the rules changed since the verdict: show what still exists
            continue
    parts = [catalogue.text(language, f"screen.result.{verdict}")]
    to_find = [f for f in unknown or [] if catalogue.has(language, f"screen.unknown.{f}")]
    if to_find:
        lines = [f"• {catalogue.text(language, f'screen.unknown.{f}')}" for f in to_find]
        title = catalogue.text(language, "screen.unknown.title")
        parts.append(f"<b>{title}</b>\n" + "\n".join(lines))
    reasons = [f"• {html.escape(rule.reasons[language])}" for rule in applied]
    if reasons:
        parts.append(
            f"<b>{catalogue.text(language, 'screen.result.why')}</b>\n" + "\n".join(reasons)
        )
    citations = list(dict.fromkeys(book.cite(c, language) for r in applied for c in r.citations))
    if citations:
        parts.append(catalogue.text(language, "screen.result.law", articles="; ".join(citations)))
    note = [
        catalogue.text(language, "screen.result.disclaimer"),
        *catalogue.review_note(language, book.reviewed_by, book.reviewed_on, book.legal_review),
    ]
    parts.append("<i>" + "\n".join(note) + "</i>")
    rows = InlineKeyboardMarkup(next_steps(catalogue, language, verdict, category))
    return "\n\n".join(parts), keyboards.with_feedback(
        catalogue, language, f"verdict:{verdict}", rows
    )
