"""The questionnaire asks only what can still change the outcome, in a fixed order, per category;
"I don't know" is an answer, never read as "no" (contract version 2)."""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, field

import pytest

from bot.config import ROOT
from bot.screening import engine, rules
from bot.screening.fields import CATEGORIES, EXCLUDING, FIELDS, PRIVATE_LAW
from bot.screening.questions import BY_NAME, QUESTIONS, answers_from, next_question

BOOK = rules.load(ROOT / "content")
ASKS_PAST_VIOLENCE = ("family", "community", "criminal", "administrative_offence")
OTHERS = tuple(c for c in CATEGORIES if c not in ASKS_PAST_VIOLENCE)
# What every category asks first, with and without the question about past violence.
SAFETY = ["category", "safety", "past_violence", "capacity", "third_parties"]
SAFETY_NO_PAST = ["category", "safety", "capacity", "third_parties"]
CRIME = [*SAFETY, "gravity", "harm", "excluded", "repeat", "in_force"]


@dataclass(frozen=True)
class Walk:
    asked: list[str]
    verdict: str
    rules: tuple[str, ...]
    unknown: tuple[str, ...]
    chosen: dict[str, str | None] = field(default_factory=dict, compare=False)


def outcome(answers: Mapping[str, object]) -> tuple[str, tuple[str, ...]]:
    result = engine.evaluate(BOOK, answers)
    return result.verdict, result.unknown


def walk(replies: Mapping[str, str], default: str = "no") -> Walk:
    """Answer each question asked from `replies`, else `default` ("no": "no" or "none" where the
    question has it, else "I don't know"; "unknown": always "I don't know").

    On the way, check that no question is asked twice, none after mediation is ruled out, and
    each one asked could still change the outcome (the verdict, or what is left to find out)."""
    chosen: dict[str, str | None] = {}
    asked: list[str] = []
    while True:
        answers = answers_from(chosen)
        progress = engine.progress(BOOK, answers)
        question = None if progress.settled else next_question(progress.wanted, chosen)
        if question is None:
            break
        assert question.name not in asked, f"asked {question.name} twice"
        if asked:  # the category question comes before there is anything to evaluate
            assert engine.evaluate(BOOK, answers).verdict not in EXCLUDING, (asked, question.name)
            could_be = {outcome({**answers, **o.sets}) for o in question.options}
            assert len(could_be) > 1, f"{question.name} asked after {asked}, but cannot matter"
        asked.append(question.name)
        fallback = ("no", "none", "unknown") if default == "no" else ("unknown",)
        reply = replies.get(question.name) or next(c for c in fallback if question.option(c))
        assert question.option(reply) is not None, (question.name, reply)
        chosen[question.name] = reply
    result = engine.evaluate(BOOK, answers_from(chosen))
    return Walk(asked, result.verdict, result.rules, result.unknown, chosen)


# --- Typical paths ----------------------------------------------------------------------------


def test_a_family_dispute_answered_no_throughout() -> None:
    assert walk({"category": "family"}) == Walk(
        [*SAFETY, "state_body"], "eligible", ("family_dispute",), ()
    )


@pytest.mark.parametrize("category", PRIVATE_LAW)
def test_a_private_dispute_asks_about_a_state_body(category: str) -> None:
    result = walk({"category": category})
    expected = SAFETY if category in ASKS_PAST_VIOLENCE else SAFETY_NO_PAST
    assert (result.asked, result.verdict) == ([*expected, "state_body"], "eligible")


@pytest.mark.parametrize("category", PRIVATE_LAW)
def test_a_state_body_as_a_party_makes_a_private_dispute_conditional(category: str) -> None:
    result = walk({"category": category, "state_body": "yes"})
    assert (result.verdict, result.rules) == ("conditional", ("private_state_body_party",))


@pytest.mark.parametrize(
    ("category", "unknown"),
    [
        *[(c, ("safety_risk", "past_violence", "party_incapable", "third_parties_affected",
               "state_body_party")) for c in ("family", "community")],
        *[(c, ("safety_risk", "party_incapable", "third_parties_affected", "state_body_party"))
          for c in ("labour", "property", "consumer", "commercial", "inheritance")],
        ("criminal", ("safety_risk", "past_violence", "party_incapable", "third_parties_affected",
                      "verdict_in_force", "excluded_crime", "repeat_after_reconciliation",
                      "caused_death", "crime_gravity")),
        ("administrative_offence", ("safety_risk", "past_violence", "party_incapable",
                                    "third_parties_affected", "admin_offence")),
        ("public_law", ("safety_risk", "party_incapable", "third_parties_affected",
                        "body_has_discretion")),
    ],
)  # fmt: skip
def test_i_dont_know_throughout_ends_unsure_naming_what_to_find_out(
    category: str, unknown: tuple[str, ...]
) -> None:
    result = walk({"category": category}, default="unknown")
    assert (result.verdict, result.rules, result.unknown) == ("unsure", (), unknown)


@pytest.mark.parametrize("category", CATEGORIES)
def test_one_i_dont_know_about_safety_ends_unsure_with_it(category: str) -> None:
    otherwise_positive = {
        "discretion": "yes",
        "gravity": "minor",
        "admin_offence": "victim_complaint",
    }
    result = walk({"category": category, "safety": "unknown", **otherwise_positive})
    assert (result.verdict, result.unknown) == ("unsure", ("safety_risk",))


def test_a_known_answer_that_rules_mediation_out_decides_after_an_i_dont_know() -> None:
    assert walk({"category": "public_law", "safety": "unknown", "discretion": "no"}) == Walk(
        [*SAFETY_NO_PAST, "discretion"], "not_eligible", ("public_law_no_discretion",), ()
    )


@pytest.mark.parametrize("category", ASKS_PAST_VIOLENCE)
def test_past_violence_stops_at_safety_first(category: str) -> None:
    assert walk({"category": category, "past_violence": "yes"}) == Walk(
        ["category", "safety", "past_violence"], "safety_first", ("past_violence",), ()
    )


@pytest.mark.parametrize("category", OTHERS)
def test_past_violence_is_not_asked_in_the_other_categories(category: str) -> None:
    result = walk({"category": category}, default="unknown")
    assert "past_violence" not in result.asked
    assert "past_violence" not in result.unknown


@pytest.mark.parametrize("category", CATEGORIES)
def test_danger_ends_the_questions(category: str) -> None:
    assert walk({"category": category, "safety": "yes"}) == Walk(
        ["category", "safety"], "safety_first", ("safety_risk",), ()
    )


@pytest.mark.parametrize("category", CATEGORIES)
def test_an_incapable_party_ends_the_questions(category: str) -> None:
    result = walk({"category": category, "capacity": "incapable"})
    assert result.asked[-1] == "capacity"
    assert (result.verdict, result.rules) == ("not_eligible", ("party_incapable",))


@pytest.mark.parametrize("category", CATEGORIES)
def test_third_parties_end_the_questions(category: str) -> None:
    result = walk({"category": category, "third_parties": "yes"})
    assert result.asked[-1] == "third_parties"
    assert (result.verdict, result.rules) == ("not_eligible", ("third_parties_affected",))


def test_limited_capacity_makes_an_eligible_dispute_conditional() -> None:
    assert walk({"category": "family", "capacity": "limited"}) == Walk(
        [*SAFETY, "state_body"], "conditional", ("family_dispute", "party_limited_capacity"), ()
    )


# --- Crimes ---------------------------------------------------------------------------------


@pytest.mark.parametrize("gravity", ["misdemeanour", "minor", "medium"])
def test_a_minor_crime_never_asks_about_the_protected_group(gravity: str) -> None:
    assert walk({"category": "criminal", "gravity": gravity}) == Walk(
        CRIME, "eligible", ("criminal_minor_or_medium",), ()
    )


@pytest.mark.parametrize(
    ("privileged", "first_offence", "asked", "verdict", "rule_ids", "unknown"),
    [
        ("yes", "yes", ["privileged", "first_offence"], "conditional",
         ("criminal_serious_privileged",), ()),
        ("yes", "no", ["privileged", "first_offence"], "not_eligible",
         ("criminal_serious_repeat",), ()),
        ("yes", "unknown", ["privileged", "first_offence"], "unsure", (), ("first_offence",)),
        # Not in the protected group: the first-offence question would change nothing.
        ("no", "yes", ["privileged"], "not_eligible", ("criminal_serious_not_privileged",), ()),
        ("unknown", "yes", ["privileged", "first_offence"], "unsure", (),
         ("offender_privileged",)),
        ("unknown", "no", ["privileged", "first_offence"], "not_eligible",
         ("criminal_serious_repeat",), ()),
        ("unknown", "unknown", ["privileged", "first_offence"], "unsure", (),
         ("offender_privileged", "first_offence")),
    ],
)  # fmt: skip
def test_a_serious_crime_asks_about_the_protected_group(
    privileged: str,
    first_offence: str,
    asked: list[str],
    verdict: str,
    rule_ids: tuple[str, ...],
    unknown: tuple[str, ...],
) -> None:
    replies = {"category": "criminal", "gravity": "serious", "privileged": privileged,
               "first_offence": first_offence}  # fmt: skip
    assert walk(replies) == Walk([*CRIME, *asked], verdict, rule_ids, unknown)


@pytest.mark.parametrize(
    ("harm", "rule_ids", "unknown"),
    [
        ("death", ("criminal_caused_death",), ()),
        ("grave", ("criminal_serious_grave_harm",), ()),
        ("unknown", (), ("caused_death", "grave_harm")),
    ],
)
def test_harm_in_a_serious_crime(
    harm: str, rule_ids: tuple[str, ...], unknown: tuple[str, ...]
) -> None:
    result = walk({"category": "criminal", "gravity": "serious", "harm": harm,
                   "privileged": "yes", "first_offence": "yes"})  # fmt: skip
    assert (result.rules, result.unknown) == (rule_ids, unknown)
    if rule_ids:  # mediation is ruled out at once
        assert result.asked == [*SAFETY, "gravity", "harm"]


def test_an_especially_serious_crime_stops_at_once() -> None:
    assert walk({"category": "criminal", "gravity": "especially_serious"}) == Walk(
        [*SAFETY, "gravity"], "not_eligible", ("criminal_especially_serious",), ()
    )


@pytest.mark.parametrize(
    ("reply", "asked", "rule_ids"),
    [
        ({"excluded": "corruption"}, [*SAFETY, "gravity", "harm", "excluded"],
         ("criminal_excluded_crime",)),
        ({"repeat": "yes"}, [*SAFETY, "gravity", "harm", "excluded", "repeat"],
         ("criminal_repeat_after_reconciliation",)),
        ({"in_force": "yes"}, CRIME, ("criminal_verdict_in_force",)),
    ],
)  # fmt: skip
def test_what_rules_out_a_minor_crime(
    reply: dict[str, str], asked: list[str], rule_ids: tuple[str, ...]
) -> None:
    assert walk({"category": "criminal", "gravity": "minor", **reply}) == Walk(
        asked, "not_eligible", rule_ids, ()
    )


AGAINST_A_MINOR = [*SAFETY, "gravity", "harm", "excluded", "offender_minor"]


@pytest.mark.parametrize("crime", ["sexual_against_minor", "violence_against_minor"])
def test_a_crime_against_a_minor_by_a_minor_is_at_best_conditional(crime: str) -> None:
    replies = {"category": "criminal", "gravity": "medium", "excluded": crime,
               "offender_minor": "yes"}  # fmt: skip
    assert walk(replies) == Walk(
        [*AGAINST_A_MINOR, "repeat", "in_force"],
        "conditional",
        ("criminal_minor_or_medium", "minor_offender"),
        (),
    )


@pytest.mark.parametrize("crime", ["sexual_against_minor", "violence_against_minor"])
def test_a_crime_against_a_minor_by_an_adult_is_not_eligible(crime: str) -> None:
    replies = {"category": "criminal", "gravity": "minor", "excluded": crime,
               "offender_minor": "no"}  # fmt: skip
    assert walk(replies) == Walk(AGAINST_A_MINOR, "not_eligible", ("criminal_against_minor",), ())


def test_a_crime_against_a_minor_by_someone_of_unknown_age_is_unsure() -> None:
    replies = {"category": "criminal", "gravity": "minor", "excluded": "violence_against_minor",
               "offender_minor": "unknown"}  # fmt: skip
    assert walk(replies) == Walk(
        [*AGAINST_A_MINOR, "repeat", "in_force"], "unsure", (), ("offender_minor",)
    )


def test_an_unknown_gravity_still_asks_what_rules_mediation_out() -> None:
    assert walk({"category": "criminal", "gravity": "unknown"}) == Walk(
        CRIME, "unsure", (), ("crime_gravity",)
    )


# --- Administrative offences and disputes with a state body -----------------------------------

ADMIN = [*SAFETY, "admin_offence"]


@pytest.mark.parametrize(
    ("replies", "asked", "verdict", "rule_ids", "unknown"),
    [
        ({"admin_offence": "victim_complaint"}, ADMIN, "eligible",
         ("admin_offence_victim_complaint",), ()),
        ({"admin_offence": "other"}, ADMIN, "not_eligible", ("admin_offence_other",), ()),
        ({"admin_offence": "unknown"}, ADMIN, "unsure", (), ("admin_offence",)),
        ({"admin_offence": "family_domestic", "reconciled": "yes"}, [*ADMIN, "reconciled"],
         "not_eligible", ("admin_offence_family_repeat",), ()),
        ({"admin_offence": "family_domestic", "reconciled": "no"}, [*ADMIN, "reconciled"],
         "conditional", ("admin_offence_family",), ()),
        ({"admin_offence": "family_domestic", "reconciled": "unknown"}, [*ADMIN, "reconciled"],
         "unsure", (), ("reconciled_within_year",)),
    ],
)  # fmt: skip
def test_an_administrative_offence(
    replies: dict[str, str],
    asked: list[str],
    verdict: str,
    rule_ids: tuple[str, ...],
    unknown: tuple[str, ...],
) -> None:
    # "reconciled: yes" unless the case says otherwise: asked only for a family offence.
    result = walk({"category": "administrative_offence", "reconciled": "yes", **replies})
    assert result == Walk(asked, verdict, rule_ids, unknown)


@pytest.mark.parametrize(
    ("discretion", "verdict", "rule_ids", "unknown"),
    [
        ("yes", "conditional", ("public_law_discretion",), ()),
        ("no", "not_eligible", ("public_law_no_discretion",), ()),
        ("unknown", "unsure", (), ("body_has_discretion",)),
    ],
)
def test_a_dispute_with_a_state_body_asks_about_discretion(
    discretion: str, verdict: str, rule_ids: tuple[str, ...], unknown: tuple[str, ...]
) -> None:
    assert walk({"category": "public_law", "discretion": discretion}) == Walk(
        [*SAFETY_NO_PAST, "discretion"], verdict, rule_ids, unknown
    )


# --- Over many paths --------------------------------------------------------------------------


@pytest.mark.parametrize("category", CATEGORIES)
def test_many_paths_ask_nothing_twice_nor_after_the_outcome_is_settled(category: str) -> None:
    """`walk` checks each question as it is asked; at the end, no question left unasked could
    change the outcome (past violence aside: where it is not asked, a person who tells it anyway
    still gets safety_first)."""
    rng = random.Random(category)
    for _ in range(150):
        replies = {"category": category}
        for question in QUESTIONS[1:]:
            if rng.random() < 0.5:
                replies[question.name] = rng.choice(question.options).code
        result = walk(replies, default=rng.choice(["no", "unknown"]))
        answers = answers_from(result.chosen)
        for question in QUESTIONS[1:]:
            if question.name in result.asked or question.name == "past_violence":
                continue
            for option in question.options:
                assert outcome({**answers, **option.sets}) == (result.verdict, result.unknown), (
                    replies, question.name, option.code
                )  # fmt: skip


def test_the_questions_fill_every_field() -> None:
    filled = {f for q in QUESTIONS for o in q.options for f in o.sets}
    assert filled == set(FIELDS)


def test_every_question_has_distinct_options_and_i_dont_know() -> None:
    for question in QUESTIONS:
        codes = [o.code for o in question.options]
        assert len(codes) == len(set(codes)), question.name
        if question.name != "category":
            unknown = question.option("unknown")
            assert unknown is not None, question.name
            assert all(v is None for v in unknown.sets.values())
    assert set(BY_NAME) == {q.name for q in QUESTIONS}
