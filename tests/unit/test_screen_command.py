"""`python -m bot screen`, contract version 2: every rule of the real rules file, every answer a
category needs, and what an answer that is not known does (issue 12, section 1).

Most cases go through `jsonlines.screen_line`, the function behind the command, one line each;
the command itself is run for the whole rule table, for random cases, for bad lines and for
`--reasons`, to show it gives the same answers.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from bot.config import ROOT
from bot.screening import jsonlines, rules
from bot.screening.fields import (
    BOOLEAN_FIELDS,
    CATEGORIES,
    CHOICE_FIELDS,
    FIELDS,
    PRIVATE_LAW,
    VERDICTS,
)

BOOK = rules.load(ROOT / "content")

# --- The spec: which answers a category needs before it can say eligible or conditional -------

EVERY_CATEGORY = ("safety_risk", "party_incapable", "third_parties_affected")
ASKS_PAST_VIOLENCE = ("family", "community", "criminal", "administrative_offence")
CRIMINAL = ("verdict_in_force", "excluded_crime", "repeat_after_reconciliation", "caused_death",
            "crime_gravity")  # fmt: skip
SERIOUS = ("offender_privileged", "first_offence", "grave_harm")
AGAINST_A_MINOR = ("sexual_against_minor", "violence_against_minor")
HARD_EXCLUDED = ("torture", "negligent_death", "corruption", "terrorism", "extremism",
                 "criminal_group", "trafficking")  # fmt: skip

# The answer to each field that leads towards mediation (and, for the choices, the mildest case).
HARMLESS: dict[str, Any] = {
    **dict.fromkeys(BOOLEAN_FIELDS, False),
    "body_has_discretion": True,
    "excluded_crime": "none",
    "crime_gravity": "minor",
    "admin_offence": "victim_complaint",
}


def needed(case: dict[str, Any]) -> list[str]:
    """The answers that must be known before `case` may be eligible or conditional (the spec)."""
    category = case["category"]
    fields = list(EVERY_CATEGORY)
    if category in ASKS_PAST_VIOLENCE:
        fields.append("past_violence")
    if category in PRIVATE_LAW:
        fields.append("state_body_party")
    if category == "criminal":
        fields += CRIMINAL
        if case.get("excluded_crime") in AGAINST_A_MINOR:
            fields.append("offender_minor")
        if case.get("crime_gravity") == "serious":
            fields += SERIOUS
    if category == "administrative_offence":
        fields.append("admin_offence")
        if case.get("admin_offence") == "family_domestic":
            fields.append("reconciled_within_year")
    if category == "public_law":
        fields.append("body_has_discretion")
    return fields


def known(category: str, **answers: Any) -> dict[str, Any]:
    """A case of `category` with every needed answer known and harmless, then `answers`."""
    case: dict[str, Any] = {"category": category, **answers}
    for field in needed(case):
        case.setdefault(field, HARMLESS[field])
    return case


# Three ways of not knowing an answer: leave it out, null, or "unknown".
SPELLINGS = ("absent", "null", "unknown")


def not_known(case: dict[str, Any], field: str, spelling: str) -> dict[str, Any]:
    changed = {k: v for k, v in case.items() if k != field}
    if spelling != "absent":
        changed[field] = None if spelling == "null" else "unknown"
    return changed


def all_else_not_known(case: dict[str, Any], spelling: str) -> dict[str, Any]:
    """`case` with every field it does not give spelled as not known."""
    if spelling == "absent":
        return dict(case)
    return {**dict.fromkeys(FIELDS, None if spelling == "null" else "unknown"), **case}


def screen_one(case: dict[str, Any], language: str | None = None) -> dict[str, Any]:
    return jsonlines.screen_line(BOOK, json.dumps(case), language)


def command(lines: list[str], *args: str) -> tuple[list[dict[str, Any]], int]:
    """Run `python -m bot screen` as a user does; the answers and the exit status."""
    result = subprocess.run(
        [sys.executable, "-m", "bot", "screen", *args],
        input="\n".join(lines) + "\n",
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    return [json.loads(line) for line in result.stdout.splitlines()], result.returncode


def cited(rule_id: str) -> list[str]:
    return [BOOK.cite(c) for c in BOOK.rule(rule_id).citations]


def assert_decided(answer: dict[str, Any], verdict: str, rule_ids: list[str]) -> None:
    assert set(answer) == {"verdict", "rules", "citations"}, answer  # no "unknown"
    assert (answer["verdict"], answer["rules"]) == (verdict, rule_ids), answer
    for rule_id in rule_ids:
        assert set(cited(rule_id)) <= set(answer["citations"]), answer
    assert answer["citations"]
    assert all(isinstance(c, str) and c for c in answer["citations"])


def assert_unsure(answer: dict[str, Any], unknown: list[str]) -> None:
    assert answer == {"verdict": "unsure", "rules": [], "citations": [], "unknown": unknown}


# --- Cases that end eligible or conditional, once everything they need is known -------------

SERIOUS_PRIVILEGED = {"crime_gravity": "serious", "offender_privileged": True,
                      "first_offence": True, "grave_harm": False}  # fmt: skip

POSITIVE: dict[str, tuple[dict[str, Any], str, list[str]]] = {
    "family": (known("family"), "eligible", ["family_dispute"]),
    "labour": (known("labour"), "eligible", ["labour_dispute"]),
    **{c: (known(c), "eligible", ["private_law"])
       for c in ("property", "consumer", "commercial", "inheritance", "community")},
    **{f"{c}-state-body": (known(c, state_body_party=True), "conditional",
                           ["private_state_body_party"]) for c in PRIVATE_LAW},
    **{f"criminal-{g}": (known("criminal", crime_gravity=g), "eligible",
                         ["criminal_minor_or_medium"])
       for g in ("misdemeanour", "minor", "medium")},
    "criminal-serious-privileged": (known("criminal", **SERIOUS_PRIVILEGED), "conditional",
                                    ["criminal_serious_privileged"]),
    **{f"criminal-{crime}-by-a-minor": (
        known("criminal", excluded_crime=crime, offender_minor=True), "conditional",
        ["criminal_minor_or_medium", "minor_offender"]) for crime in AGAINST_A_MINOR},
    "criminal-serious-against-a-minor-by-a-minor": (
        known("criminal", excluded_crime="violence_against_minor", offender_minor=True,
              **SERIOUS_PRIVILEGED), "conditional", ["criminal_serious_privileged"]),
    "admin-victim-complaint": (known("administrative_offence"), "eligible",
                               ["admin_offence_victim_complaint"]),
    "admin-family-not-reconciled": (
        known("administrative_offence", admin_offence="family_domestic",
              reconciled_within_year=False), "conditional", ["admin_offence_family"]),
    "public-law-discretion": (known("public_law"), "conditional", ["public_law_discretion"]),
}  # fmt: skip


def _with_limited_capacity() -> list[Any]:
    """Limited capacity turns eligible into conditional, and leaves every other verdict."""
    rows = []
    for name, (case, verdict, rule_ids) in POSITIVE.items():
        if BOOK.rule(rule_ids[0]).verdict == "eligible":
            # Every adjustment that holds is named, even when another lowered the verdict first.
            rows.append(
                pytest.param(
                    {**case, "party_limited_capacity": True},
                    "conditional",
                    [rule_ids[0], "party_limited_capacity", *rule_ids[1:]],
                    id=f"{name}-limited",
                )
            )
        else:
            rows.append(
                pytest.param(
                    {**case, "party_limited_capacity": True},
                    verdict,
                    rule_ids,
                    id=f"{name}-limited-unchanged",
                )
            )
    return rows


# --- One row per rule (several where a rule covers several categories or values) ------------

RULE_CASES: list[Any] = [
    *[pytest.param(case, verdict, ids, id=name) for name, (case, verdict, ids) in POSITIVE.items()],
    *_with_limited_capacity(),
    pytest.param(known("family", party_limited_capacity=True, third_parties_affected=True),
                 "not_eligible", ["third_parties_affected"], id="limited-not-eligible-unchanged"),
    *[pytest.param(known(c, safety_risk=True), "safety_first", ["safety_risk"],
                   id=f"safety-{c}") for c in CATEGORIES],
    *[pytest.param(known(c, past_violence=True), "safety_first", ["past_violence"],
                   id=f"past-violence-{c}") for c in ASKS_PAST_VIOLENCE],
    *[pytest.param(known(c, past_violence=True), "safety_first", ["past_violence_told"],
                   id=f"past-violence-told-{c}")
      for c in CATEGORIES if c not in ASKS_PAST_VIOLENCE],
    *[pytest.param(known(c, party_incapable=True), "not_eligible", ["party_incapable"],
                   id=f"incapable-{c}") for c in CATEGORIES],
    *[pytest.param(known(c, third_parties_affected=True), "not_eligible",
                   ["third_parties_affected"], id=f"third-parties-{c}") for c in CATEGORIES],
    pytest.param(known("criminal", verdict_in_force=True), "not_eligible",
                 ["criminal_verdict_in_force"], id="verdict-in-force"),
    *[pytest.param(known("criminal", excluded_crime=crime), "not_eligible",
                   ["criminal_excluded_crime"], id=f"excluded-{crime}") for crime in HARD_EXCLUDED],
    *[pytest.param(known("criminal", excluded_crime=crime, offender_minor=False), "not_eligible",
                   ["criminal_against_minor"], id=f"{crime}-by-an-adult")
      for crime in AGAINST_A_MINOR],
    pytest.param(known("criminal", repeat_after_reconciliation=True), "not_eligible",
                 ["criminal_repeat_after_reconciliation"], id="repeat"),
    pytest.param(known("criminal", caused_death=True), "not_eligible", ["criminal_caused_death"],
                 id="death"),
    pytest.param(known("criminal", crime_gravity="especially_serious"), "not_eligible",
                 ["criminal_especially_serious"], id="especially-serious"),
    pytest.param(known("criminal", **{**SERIOUS_PRIVILEGED, "offender_privileged": False}),
                 "not_eligible", ["criminal_serious_not_privileged"], id="serious-not-privileged"),
    pytest.param(known("criminal", **{**SERIOUS_PRIVILEGED, "first_offence": False}),
                 "not_eligible", ["criminal_serious_repeat"], id="serious-not-first"),
    pytest.param(known("criminal", **{**SERIOUS_PRIVILEGED, "grave_harm": True}),
                 "not_eligible", ["criminal_serious_grave_harm"], id="serious-grave-harm"),
    pytest.param(known("administrative_offence", admin_offence="other"), "not_eligible",
                 ["admin_offence_other"], id="admin-other"),
    pytest.param(known("administrative_offence", admin_offence="family_domestic",
                       reconciled_within_year=True), "not_eligible",
                 ["admin_offence_family_repeat"], id="admin-family-reconciled-within-a-year"),
    pytest.param(known("public_law", body_has_discretion=False), "not_eligible",
                 ["public_law_no_discretion"], id="public-law-no-discretion"),
    # A state body as a party is a question of private law only.
    pytest.param(known("public_law", state_body_party=True), "conditional",
                 ["public_law_discretion"], id="public-law-state-body-party"),
    pytest.param(known("criminal", state_body_party=True), "eligible",
                 ["criminal_minor_or_medium"], id="criminal-state-body-party"),
]  # fmt: skip


@pytest.mark.parametrize(("case", "verdict", "rule_ids"), RULE_CASES)
def test_each_rule(case: dict[str, Any], verdict: str, rule_ids: list[str]) -> None:
    assert_decided(screen_one(case), verdict, rule_ids)


def test_the_table_reaches_every_rule_and_adjustment() -> None:
    reached = {rule_id for p in RULE_CASES for rule_id in p.values[2]}
    assert reached == {r.id for r in (*BOOK.rules, *BOOK.adjustments)}


@pytest.mark.slow
def test_the_command_gives_the_same_answers_for_every_rule() -> None:
    cases = [p.values[0] for p in RULE_CASES]
    answers, status = command([json.dumps(case) for case in cases])
    assert status == 0
    assert answers == [screen_one(case) for case in cases]


# --- Not known is never "no" ------------------------------------------------------------------

UNKNOWN_CASES = [
    pytest.param(case, field, spelling, id=f"{name}-{field}-{spelling}")
    for name, (case, _, _) in POSITIVE.items()
    for field in case
    if field != "category"
    for spelling in SPELLINGS
]


@pytest.mark.parametrize(("case", "field", "spelling"), UNKNOWN_CASES)
def test_a_needed_answer_not_known_makes_it_unsure(
    case: dict[str, Any], field: str, spelling: str
) -> None:
    assert_unsure(screen_one(not_known(case, field, spelling)), [field])


@pytest.mark.parametrize("spelling", SPELLINGS)
@pytest.mark.parametrize("name", POSITIVE)
def test_nothing_else_is_needed(name: str, spelling: str) -> None:
    """The answers in `needed` are enough: every other field not known changes nothing."""
    case, verdict, rule_ids = POSITIVE[name]
    assert_decided(screen_one(all_else_not_known(case, spelling)), verdict, rule_ids)


@pytest.mark.parametrize("category", CATEGORIES)
def test_every_answer_not_known_names_what_each_category_needs(category: str) -> None:
    answer = screen_one({"category": category})
    assert answer["verdict"] == "unsure"
    assert set(EVERY_CATEGORY) <= set(answer["unknown"]) <= set(needed({"category": category}))
    assert ("past_violence" in answer["unknown"]) == (category in ASKS_PAST_VIOLENCE)
    assert ("state_body_party" in answer["unknown"]) == (category in PRIVATE_LAW)


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_past_violence_is_not_needed_in_labour_but_still_counts(spelling: str) -> None:
    assert_decided(
        screen_one(not_known(known("labour"), "past_violence", spelling)),
        "eligible",
        ["labour_dispute"],
    )
    assert_decided(screen_one(known("labour", past_violence=False)), "eligible", ["labour_dispute"])
    assert_decided(
        screen_one(known("labour", past_violence=True)), "safety_first", ["past_violence_told"]
    )
    told = all_else_not_known({"category": "labour", "past_violence": True}, spelling)
    assert_decided(screen_one(told), "safety_first", ["past_violence_told"])


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_limited_capacity_not_known_changes_nothing(spelling: str) -> None:
    case = not_known(
        known("consumer", party_limited_capacity=True), "party_limited_capacity", spelling
    )
    assert_decided(screen_one(case), "eligible", ["private_law"])


@pytest.mark.parametrize(
    ("case", "unknown"),
    [
        ({**SERIOUS_PRIVILEGED, "offender_privileged": None, "first_offence": None},
         ["offender_privileged", "first_offence"]),
        ({"crime_gravity": None, "offender_privileged": None}, ["crime_gravity"]),
        ({"excluded_crime": None, "offender_minor": None}, ["excluded_crime"]),
        ({"excluded_crime": "sexual_against_minor", "offender_minor": None}, ["offender_minor"]),
        ({"caused_death": None, **SERIOUS_PRIVILEGED, "grave_harm": None},
         ["caused_death", "grave_harm"]),
    ],
)  # fmt: skip
def test_an_unsure_crime_names_only_what_can_still_matter(
    case: dict[str, Any], unknown: list[str]
) -> None:
    """An answer that matters only once another is known is not asked for before it."""
    assert_unsure(screen_one(known("criminal", **case)), unknown)


# A known answer that rules mediation out decides, whatever else is not known.
EXCLUDING_ALONE = [
    ({"category": "family", "safety_risk": True}, "safety_first", ["safety_risk"]),
    ({"category": "public_law", "safety_risk": True}, "safety_first", ["safety_risk"]),
    ({"category": "community", "past_violence": True}, "safety_first", ["past_violence"]),
    ({"category": "administrative_offence", "past_violence": True}, "safety_first",
     ["past_violence"]),
    ({"category": "commercial", "past_violence": True}, "safety_first", ["past_violence_told"]),
    ({"category": "property", "party_incapable": True}, "not_eligible", ["party_incapable"]),
    ({"category": "criminal", "party_incapable": True}, "not_eligible", ["party_incapable"]),
    ({"category": "inheritance", "third_parties_affected": True}, "not_eligible",
     ["third_parties_affected"]),
    ({"category": "criminal", "verdict_in_force": True}, "not_eligible",
     ["criminal_verdict_in_force"]),
    ({"category": "criminal", "excluded_crime": "corruption"}, "not_eligible",
     ["criminal_excluded_crime"]),
    ({"category": "criminal", "excluded_crime": "sexual_against_minor", "offender_minor": False},
     "not_eligible", ["criminal_against_minor"]),
    ({"category": "criminal", "repeat_after_reconciliation": True}, "not_eligible",
     ["criminal_repeat_after_reconciliation"]),
    ({"category": "criminal", "caused_death": True}, "not_eligible", ["criminal_caused_death"]),
    ({"category": "criminal", "crime_gravity": "especially_serious"}, "not_eligible",
     ["criminal_especially_serious"]),
    ({"category": "criminal", "crime_gravity": "serious", "offender_privileged": False},
     "not_eligible", ["criminal_serious_not_privileged"]),
    ({"category": "criminal", "crime_gravity": "serious", "first_offence": False},
     "not_eligible", ["criminal_serious_repeat"]),
    ({"category": "criminal", "crime_gravity": "serious", "grave_harm": True}, "not_eligible",
     ["criminal_serious_grave_harm"]),
    ({"category": "administrative_offence", "admin_offence": "other"}, "not_eligible",
     ["admin_offence_other"]),
    ({"category": "administrative_offence", "admin_offence": "family_domestic",
      "reconciled_within_year": True}, "not_eligible", ["admin_offence_family_repeat"]),
    ({"category": "public_law", "body_has_discretion": False}, "not_eligible",
     ["public_law_no_discretion"]),
]  # fmt: skip


@pytest.mark.parametrize("spelling", SPELLINGS)
@pytest.mark.parametrize(("case", "verdict", "rule_ids"), EXCLUDING_ALONE)
def test_a_known_excluding_answer_decides_whatever_else_is_not_known(
    case: dict[str, Any], verdict: str, rule_ids: list[str], spelling: str
) -> None:
    assert_decided(screen_one(all_else_not_known(case, spelling)), verdict, rule_ids)


@pytest.mark.parametrize(
    ("case", "verdict", "rule_ids"),
    [
        # (1) safety before (2) what rules mediation out for everyone before (3) the category.
        (known("criminal", safety_risk=True, party_incapable=True, verdict_in_force=True),
         "safety_first", ["safety_risk"]),
        (known("family", past_violence=True, third_parties_affected=True), "safety_first",
         ["past_violence"]),
        (known("criminal", party_incapable=True, verdict_in_force=True), "not_eligible",
         ["party_incapable"]),
        (known("administrative_offence", third_parties_affected=True, admin_offence="other"),
         "not_eligible", ["third_parties_affected"]),
        ({"category": "criminal", "past_violence": True, "party_incapable": True},
         "safety_first", ["past_violence"]),
    ],
)  # fmt: skip
def test_precedence(case: dict[str, Any], verdict: str, rule_ids: list[str]) -> None:
    assert_decided(screen_one(case), verdict, rule_ids)


# --- The invariants, over random cases --------------------------------------------------------


def random_case(rng: random.Random) -> dict[str, Any]:
    """Mostly harmless answers (so that the deep rules are reached), some not known."""
    case: dict[str, Any] = {"category": rng.choice(CATEGORIES)}
    for field in FIELDS[1:]:
        roll = rng.random()
        if roll < 0.25:
            continue
        if roll < 0.3:
            case[field] = None
        elif roll < 0.4:
            case[field] = "unknown"
        elif roll < 0.8:
            case[field] = HARMLESS[field]
        else:
            case[field] = rng.choice(CHOICE_FIELDS.get(field, (True, False)))
    return case


def is_known(case: dict[str, Any], field: str) -> bool:
    return case.get(field) not in (None, "unknown")


def check_invariants(case: dict[str, Any], answer: dict[str, Any]) -> None:
    verdict = answer["verdict"]
    assert verdict in VERDICTS
    assert ("unknown" in answer) == (verdict == "unsure")
    assert bool(answer["citations"]) == (verdict != "unsure")
    assert bool(answer["rules"]) == (verdict != "unsure")
    assert all(BOOK.rule(r) for r in answer["rules"])
    if verdict == "unsure":
        assert answer["unknown"]
        assert set(answer["unknown"]) <= {f for f in needed(case) if not is_known(case, f)}
    if verdict in ("eligible", "conditional"):
        assert all(is_known(case, f) for f in needed(case))
    if case.get("safety_risk") is True or case.get("past_violence") is True:
        assert verdict == "safety_first"
    elif case.get("party_incapable") is True or case.get("third_parties_affected") is True:
        assert verdict == "not_eligible"


@pytest.mark.parametrize("seed", range(6))
def test_invariants_over_random_cases(seed: int) -> None:
    rng = random.Random(seed)
    verdicts = set()
    for _ in range(500):
        case = random_case(rng)
        answer = screen_one(case)
        try:
            check_invariants(case, answer)
        except AssertionError as exc:
            raise AssertionError(f"{case} -> {answer}") from exc
        verdicts.add(answer["verdict"])
    assert verdicts == set(VERDICTS)  # the sample reaches every verdict


@pytest.mark.slow
def test_the_command_agrees_on_random_cases() -> None:
    rng = random.Random(12)
    cases = [random_case(rng) for _ in range(200)]
    answers, status = command([json.dumps(case) for case in cases])
    assert status == 0
    assert answers == [screen_one(case) for case in cases]


# --- Bad lines, and the reasons ---------------------------------------------------------------

BAD_LINES = [
    ("not json", "JSON"),
    ("", "JSON"),
    ("[1, 2]", "object"),
    ("null", "object"),
    ("{}", "'category'"),
    ('{"category": null}', "'category'"),
    ('{"category": "unknown"}', "'category'"),
    ('{"category": "divorce"}', "'category'"),
    ('{"category": "family", "danger": true}', "'danger'"),
    ('{"category": "family", "safety_risk": "yes"}', "'safety_risk'"),
    ('{"category": "family", "safety_risk": 1}', "'safety_risk'"),
    ('{"category": "family", "past_violence": 0}', "'past_violence'"),
    ('{"category": "criminal", "crime_gravity": "grave"}', "'crime_gravity'"),
    ('{"category": "criminal", "excluded_crime": "theft"}', "'excluded_crime'"),
    ('{"category": "administrative_offence", "admin_offence": "domestic"}', "'admin_offence'"),
    ('{"category": "administrative_offence", "admin_offence": true}', "'admin_offence'"),
    # Version 1's field is refused, and the error says what replaced it.
    ('{"category": "administrative_offence", "family_offence": true}', "admin_offence"),
    ('{"category": "administrative_offence", "family_offence": true}', "'family_offence'"),
]


@pytest.mark.parametrize(("line", "names"), BAD_LINES)
def test_a_bad_line_gives_an_error_naming_what_is_wrong(line: str, names: str) -> None:
    answer = jsonlines.screen_line(BOOK, line)
    assert set(answer) == {"error"}
    assert names in answer["error"]


@pytest.mark.slow
def test_the_command_answers_every_line_and_exits_2_on_a_bad_one() -> None:
    good = json.dumps(known("family"))
    lines = [good]
    for line, _ in BAD_LINES:
        lines += [line, good]
    answers, status = command(lines)
    assert status == 2
    assert len(answers) == len(lines)
    for line, answer in zip(lines, answers, strict=True):
        if line == good:
            assert_decided(answer, "eligible", ["family_dispute"])
        else:
            assert answer == jsonlines.screen_line(BOOK, line)


@pytest.mark.slow
def test_the_command_exits_0_when_every_line_is_good() -> None:
    answers, status = command([json.dumps({"category": "family"}), json.dumps(known("labour"))])
    assert status == 0
    assert [a["verdict"] for a in answers] == ["unsure", "eligible"]


@pytest.mark.slow
@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_reasons_in_each_language(language: str) -> None:
    cases = [
        known("property", party_limited_capacity=True),  # a rule and an adjustment
        known("criminal", safety_risk=True),
        {"category": "family"},  # unsure: no rule, no reason
    ]
    answers, status = command([json.dumps(c) for c in cases], "--reasons", language)
    assert status == 0
    for case, answer in zip(cases, answers, strict=True):
        expected = screen_one(case)
        assert answer == {**expected, "reasons": [
            BOOK.rule(r).reasons[language] for r in expected["rules"]
        ]}  # fmt: skip
    assert len(answers[0]["reasons"]) == 2
    assert all(answers[0]["reasons"])
    assert answers[2]["reasons"] == []


def test_reasons_differ_by_language() -> None:
    texts = {lang: screen_one(known("family"), lang)["reasons"][0] for lang in ("kk", "ru", "en")}
    assert len(set(texts.values())) == 3
    assert "mediation" in texts["en"].lower()
    assert "медиаци" in texts["ru"].lower()
    assert any(letter in texts["kk"] for letter in "әғқңөұүһі")


@pytest.mark.slow
def test_reasons_in_another_language_are_refused() -> None:
    answers, status = command([json.dumps({"category": "family"})], "--reasons", "de")
    assert answers == []
    assert status != 0


@pytest.mark.slow
def test_a_broken_rules_file_stops_the_command(tmp_path: Path) -> None:
    (tmp_path / "screening").mkdir()
    (tmp_path / "screening" / "rules.yml").write_text("rules: [", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "bot", "screen", "--content", str(tmp_path)],
        input='{"category": "family"}\n',
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert result.returncode not in (0, 2)
    assert result.stdout == ""
    assert "rules" in result.stderr
