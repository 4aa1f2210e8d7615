"""The questionnaire asks only what can change the verdict, in a fixed order, per category."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from bot.config import ROOT
from bot.screening import engine, rules
from bot.screening.fields import CATEGORIES
from bot.screening.questions import BY_NAME, QUESTIONS, answers_from, next_question

BOOK = rules.load(ROOT / "content")
COMMON = ["category", "safety", "capacity", "third_parties"]


def walk(replies: Mapping[str, str]) -> tuple[list[str], str]:
    """Answer each question asked from `replies` (else "no", "none" or "I don't know");
    return the questions asked and the verdict."""
    chosen: dict[str, str | None] = {}
    asked: list[str] = []
    while True:
        progress = engine.progress(BOOK, answers_from(chosen))
        question = None if progress.settled else next_question(progress.wanted, chosen)
        if question is None:
            break
        assert question.name not in asked, f"asked {question.name} twice"
        asked.append(question.name)
        default = next((c for c in ("no", "none", "unknown") if question.option(c)), "")
        reply = replies.get(question.name, default)
        assert question.option(reply) is not None, (question.name, reply)
        chosen[question.name] = reply
    return asked, engine.evaluate(BOOK, answers_from(chosen)).verdict


PRIVATE = ("family", "labour", "property", "consumer", "commercial", "inheritance", "community")


@pytest.mark.parametrize("category", PRIVATE)
def test_private_disputes_ask_five_questions(category: str) -> None:
    assert walk({"category": category}) == ([*COMMON, "state_body"], "eligible")


def test_a_dispute_with_a_state_body_asks_about_discretion_not_parties() -> None:
    assert walk({"category": "public_law", "discretion": "yes"}) == (
        [*COMMON, "discretion"],
        "eligible",
    )


def test_an_administrative_offence_asks_about_reconciliation_only_in_the_family() -> None:
    assert walk({"category": "administrative_offence"}) == (
        [*COMMON, "family_offence"],
        "conditional",
    )
    assert walk(
        {"category": "administrative_offence", "family_offence": "yes", "reconciled": "yes"}
    ) == (
        [*COMMON, "family_offence", "reconciled"],
        "not_eligible",
    )


def test_a_minor_crime_never_asks_about_the_protected_group() -> None:
    asked, verdict = walk({"category": "criminal", "gravity": "minor"})
    assert asked == [*COMMON, "gravity", "harm", "excluded", "repeat", "in_force"]
    assert verdict == "eligible"


def test_a_serious_crime_asks_about_the_protected_group_and_a_first_offence() -> None:
    asked, verdict = walk(
        {"category": "criminal", "gravity": "serious", "privileged": "yes", "first_offence": "yes"}
    )
    assert asked == [
        *COMMON, "gravity", "harm", "excluded", "repeat", "in_force", "privileged", "first_offence",
    ]  # fmt: skip
    assert verdict == "conditional"


def test_not_in_the_protected_group_skips_the_first_offence_question() -> None:
    asked, verdict = walk({"category": "criminal", "gravity": "serious", "privileged": "no"})
    assert "first_offence" not in asked
    assert verdict == "not_eligible"


def test_an_especially_serious_crime_stops_at_once() -> None:
    asked, verdict = walk({"category": "criminal", "gravity": "especially_serious"})
    assert asked == [*COMMON, "gravity"]
    assert verdict == "not_eligible"


def test_an_unknown_gravity_still_asks_what_rules_mediation_out() -> None:
    asked, verdict = walk({"category": "criminal", "gravity": "unknown"})
    assert asked == [*COMMON, "gravity", "harm", "excluded", "repeat", "in_force"]
    assert verdict == "unsure"


@pytest.mark.parametrize("category", CATEGORIES)
def test_danger_ends_the_questions_for_every_category(category: str) -> None:
    assert walk({"category": category, "safety": "yes"}) == (["category", "safety"], "safety_first")


@pytest.mark.parametrize("category", CATEGORIES)
def test_an_incapable_party_ends_the_questions(category: str) -> None:
    assert walk({"category": category, "capacity": "incapable"}) == (
        ["category", "safety", "capacity"],
        "not_eligible",
    )


def test_limited_capacity_makes_the_state_body_question_pointless() -> None:
    # Eligible would become conditional anyway, and a state body as a party gives conditional.
    assert walk({"category": "family", "capacity": "limited"}) == (COMMON, "conditional")


@pytest.mark.parametrize("category", CATEGORIES)
def test_no_question_is_asked_that_cannot_change_the_verdict(category: str) -> None:
    """Each question a category can ask changes the verdict for some answer to it, given
    some answers to up to two other questions (the rest answered "no")."""
    others = [(None, "")] + [(q.name, o.code) for q in QUESTIONS[1:] for o in q.options]
    ever_asked: set[str] = set()
    for other, reply in others:
        base = {"category": category, **({other: reply} if other else {})}
        asked, _ = walk(base)
        ever_asked.update(asked[1:])
    pairs = [(a, b) for a in others for b in others if a[0] is None or (b[0] or "") > a[0]]
    for name in ever_asked:
        changes = False
        for first, second in pairs:
            if name in (first[0], second[0]):
                continue
            base = {"category": category, **{q: r for q, r in (first, second) if q}}
            verdicts = {walk({**base, name: o.code})[1] for o in BY_NAME[name].options}
            if len(verdicts) > 1:
                changes = True
                break
        assert changes, f"{name} is asked for {category} but never changes the verdict"


def test_every_question_has_distinct_options() -> None:
    for question in QUESTIONS:
        codes = [o.code for o in question.options]
        assert len(codes) == len(set(codes)), question.name
