"""The questionnaire: which question fills which answers, and in what order they are asked.

Whether a question is asked at all is not decided here: the rule book decides it (see
`engine.progress`): a question is asked only while its answer could change the verdict. Words
live in content (`screen.q.<question>`, `screen.opt.<question>.<option>` or the shared
`screen.opt.yes|no|unknown`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.screening.fields import ADMIN_OFFENCES, CATEGORIES, EXCLUDED_CRIMES, GRAVITIES

YES, NO, UNKNOWN = "yes", "no", "unknown"


@dataclass(frozen=True)
class Option:
    code: str
    sets: Mapping[str, Any]  # field -> value; None is "I don't know"


@dataclass(frozen=True)
class Question:
    name: str
    options: tuple[Option, ...]
    yes_no: bool = False  # options are the shared Yes / No / I don't know

    @property
    def slot(self) -> str:
        return f"screen_{self.name}"

    @property
    def fields(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(f for o in self.options for f in o.sets))

    def option(self, code: str) -> Option | None:
        return next((o for o in self.options if o.code == code), None)

    def label_key(self, option: str) -> str:
        return f"screen.opt.{option}" if self.yes_no else f"screen.opt.{self.name}.{option}"

    @property
    def text_key(self) -> str:
        return f"screen.q.{self.name}"


def _yes_no(name: str, field: str) -> Question:
    return Question(
        name,
        (Option(YES, {field: True}), Option(NO, {field: False}), Option(UNKNOWN, {field: None})),
        yes_no=True,
    )


def _choice(name: str, field: str, values: tuple[str, ...], unknown: bool = True) -> Question:
    options = tuple(Option(v, {field: v}) for v in values)
    if unknown:
        options += (Option(UNKNOWN, {field: None}),)
    return Question(name, options)


# Asked in this order, each only while it matters: the kind of dispute, then safety (danger now,
# then past violence or control), then what rules mediation out for everyone, then the
# questions of one kind of case. "I don't know" is always an answer, and never means "no".
QUESTIONS: tuple[Question, ...] = (
    _choice("category", "category", CATEGORIES, unknown=False),
    _yes_no("safety", "safety_risk"),
    _yes_no("past_violence", "past_violence"),
    Question(
        "capacity",
        (
            Option(NO, {"party_incapable": False, "party_limited_capacity": False}),
            Option("incapable", {"party_incapable": True, "party_limited_capacity": False}),
            Option("limited", {"party_incapable": False, "party_limited_capacity": True}),
            Option(UNKNOWN, {"party_incapable": None, "party_limited_capacity": None}),
        ),
    ),
    _yes_no("third_parties", "third_parties_affected"),
    _yes_no("state_body", "state_body_party"),
    _yes_no("discretion", "body_has_discretion"),
    _choice("admin_offence", "admin_offence", ADMIN_OFFENCES),
    _yes_no("reconciled", "reconciled_within_year"),
    _choice("gravity", "crime_gravity", GRAVITIES),
    Question(
        "harm",
        (
            Option("death", {"caused_death": True, "grave_harm": True}),
            Option("grave", {"caused_death": False, "grave_harm": True}),
            Option(NO, {"caused_death": False, "grave_harm": False}),
            Option(UNKNOWN, {"caused_death": None, "grave_harm": None}),
        ),
    ),
    _choice("excluded", "excluded_crime", EXCLUDED_CRIMES),
    _yes_no("offender_minor", "offender_minor"),
    _yes_no("repeat", "repeat_after_reconciliation"),
    _yes_no("in_force", "verdict_in_force"),
    _yes_no("privileged", "offender_privileged"),
    _yes_no("first_offence", "first_offence"),
)
BY_NAME: dict[str, Question] = {q.name: q for q in QUESTIONS}
SLOTS: tuple[str, ...] = tuple(q.slot for q in QUESTIONS)


def answers_from(chosen: Mapping[str, str | None]) -> dict[str, Any]:
    """Engine answers from the options chosen per question (question name -> option code)."""
    answers: dict[str, Any] = {}
    for question in QUESTIONS:
        code = chosen.get(question.name)
        option = question.option(code) if code else None
        if option is not None:
            answers.update(option.sets)
    return answers


def next_question(wanted: tuple[str, ...], chosen: Mapping[str, str | None]) -> Question | None:
    """The first question, in questionnaire order, that is unanswered and fills a wanted field."""
    for question in QUESTIONS:
        if not chosen.get(question.name) and set(question.fields) & set(wanted):
            return question
    return None
