"""What the bot asks of content/: the keys its code shows, its button codes, the instructions
it follows and the dialogue's domain, so `content check` can prove they all exist.

The content package knows none of these (it is told, `bot.content.check.Uses`); the bot, the
action server and the CLI all check content with `uses()`, so what passes in one passes in all.
"""

from __future__ import annotations

import functools

from bot.config import RASA_PROJECT
from bot.content.check import Uses
from bot.dialogue.payloads import Do
from bot.dialogue.topics import BUTTON_PAGES, TOPIC_CODES
from bot.directory.models import KINDS
from bot.languages import LANGUAGES
from bot.offices.sources import SOURCE_ACTIONS, SOURCES
from bot.screening.fields import DISPUTE_TYPES, FIELDS, VERDICTS
from bot.screening.questions import QUESTIONS
from bot.telegram.callbacks import (
    FEEDBACK_REASONS,
    FEEDBACK_SKIP,
    FEEDBACK_VOTES,
    all_callback_data,
)

# Telegram commands, each with a description `commands.<name>` in every language.
COMMANDS: tuple[str, ...] = ("start", "language", "help", "subscribe", "unsubscribe", "forget")

_STATIC_KEYS = (
    "welcome", "menu.title", "lang.prompt", "lang.changed", "lang.switched",
    "lang.offer", "btn.switch_language", "btn.language",
    "bot.description", "bot.short_description",
    "page.sources", "page.checked_team", "page.checked_by", "page.legal_pending",
    "page.legal_signed", "page.disclaimer", "fallback",
    "error.rasa_down", "error.generic", "error.unsupported", "error.too_long", "error.too_fast",
    "error.expired_button", "error.unknown_command",
    "admin.reloaded", "admin.reload_failed", "admin.more_problems",
    "btn.forget", "forget.confirm", "forget.yes", "forget.deleted", "forget.nothing",
    "screen.intro", "screen.reask", "screen.resume", "screen.left",
    "screen.result.why", "screen.result.law", "screen.result.disclaimer",
    "screen.safety_contacts", "screen.unknown.title",
    "screen.invite.ask", "screen.invite.not_safe", "screen.invite.stopped",
    "group.private_only",
    "btn.screen.back", "btn.screen.stop", "btn.screen.restart", "btn.screen.change",
)  # fmt: skip


# The mediator search (bot/telegram/directory.py).
_DIRECTORY_KEYS = (
    "dir.ask_place", "dir.unknown_place", "dir.outside", "dir.choose_region",
    "dir.choose_settlement", "dir.whole_region", "dir.searching", "dir.point", "dir.header",
    "dir.filters", "dir.range", "dir.far", "dir.sample", "dir.none", "dir.choose_type",
    "dir.filter.type", "dir.filter.language", "dir.filter.free", "dir.filter.professional",
    "dir.filter.online", "dir.listing.title", "dir.listing.types", "dir.listing.register",
    "dir.listing.online", "dir.listing.free", "dir.listing.verified", "dir.more", "dir.write",
    "dir.no_contact", "dir.report.confirm", "dir.report.done", "dir.handoff.consent",
    "dir.handoff.summary", "dir.handoff.how", "dir.handoff.declined", "dir.handoff.not_given",
    "dir.verdict.none", "dir.invite.choose", "dir.invite.intro", "dir.invite.message",
    "btn.back",
    "poster.title", "poster.subtitle", "poster.line1", "poster.line2", "poster.line3",
    "poster.scan", "poster.disclaimer",
    "source.ask", "source.code_prompt", "source.unknown_code", "source.office_noted",
    "source.thanks",
    "admin.stats.title", "admin.stats.line", "admin.stats.none", "admin.stats.no_office",
    "news.subscribed", "news.unsubscribed", "btn.news_stop",
    "report.news.title", "report.news.note", "report.news.none", "report.news.column.news",
    "report.news.column.sent", "report.news.column.delivered", "report.news.column.blocked",
    "report.news.column.unsubscribed",
)  # fmt: skip
_DIRECTORY_BUTTONS = (
    "send_location", "call", "write", "map", "more", "prev", "next", "only_free",
    "only_professional", "all_kinds", "online", "not_online", "any_language", "my_language",
    "type", "any_type", "place", "invite", "summary", "report", "report_yes", "handoff_yes",
    "cancel",
)  # fmt: skip

# "Was this helpful?" (bot/telegram/handlers/feedback.py), /stats and the report's table.
_FEEDBACK_KEYS = (
    "feedback.thanks", "feedback.missing", "feedback.noted", "admin.stats.helpful",
    "report.helpful", "report.helpful_note", "report.helpful_result", "report.column.subject",
    "report.column.up", "report.column.down", "report.column.rate", "report.column.reasons",
    # "Something else", typed, when KEEP_UNANSWERED_DAYS keeps it (feedback.py, report.py).
    "feedback.tell_more", "feedback.text_thanks", "report.missing_texts",
    "report.missing_texts_note", "report.missing_texts_none", "report.column.said",
    "report.column.by_language",
)  # fmt: skip


# The report's tables under its charts, its region maps and its translations table
# (bot/outreach/report.py, bot/outreach/region_map.py).
_REPORT_KEYS = (
    "report.table.show", "report.table.what", "report.table.count", "report.table.day",
    "report.table.region", "report.map_starts", "report.map_eligible",
    "report.translations.title", "report.translations.note",
    "report.translations.up_to_date", "report.translations.stale",
    "report.translations.missing", "report.translations.unknown",
)  # fmt: skip


def required_keys() -> set[str]:
    keys = set(_STATIC_KEYS)
    keys.update(_REPORT_KEYS)
    keys.update(f"btn.{intent}" for intent in TOPIC_CODES.values())
    keys.update(f"lang.name.{lang}" for lang in LANGUAGES)
    keys.update(f"btn.page.{page_id}" for page_id in BUTTON_PAGES)
    keys.update(f"page:{page_id}" for page_id in BUTTON_PAGES)
    keys.update(f"commands.{command}" for command in COMMANDS)
    keys.update(q.text_key for q in QUESTIONS)
    # "We can't tell yet": what to find out, for every answer but the kind of dispute.
    keys.update(f"screen.unknown.{f}" for f in FIELDS if f != "category")
    keys.update(q.label_key(o.code) for q in QUESTIONS for o in q.options)
    # safety_first is answered with the safety page itself, not with a headline.
    keys.update(f"screen.result.{v}" for v in VERDICTS if v != "safety_first")
    keys.update(_DIRECTORY_KEYS)
    keys.update(_FEEDBACK_KEYS)
    answers = (*FEEDBACK_VOTES, *FEEDBACK_REASONS, FEEDBACK_SKIP)
    keys.update(f"btn.feedback.{answer}" for answer in answers)
    keys.update(f"btn.source.{value}" for value in (*SOURCES, *SOURCE_ACTIONS, "ask"))
    keys.update(f"btn.dir.{name}" for name in _DIRECTORY_BUTTONS)
    keys.update(f"dir.kind.{kind}" for kind in KINDS)
    keys.update(f"dir.type.{t}" for t in DISPUTE_TYPES)
    keys.update(f"dir.verdict.{v}" for v in VERDICTS)
    keys.update(f"btn.page.mediation_vs_court_{t}" for t in DISPUTE_TYPES)
    return keys


@functools.cache
def uses() -> Uses:
    """What the bot asks of content/, for `content check` (the same every time: cached)."""
    return Uses(
        keys=frozenset(required_keys()),
        callback_data=frozenset(all_callback_data()),
        instructions=frozenset(do.value for do in Do),
        domain_dir=RASA_PROJECT / "domain",
    )
