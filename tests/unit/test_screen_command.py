"""`python -m bot screen`: every rule of the rule book, through the command as a user runs it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from bot.config import ROOT

# (case, verdict, rule ids): one row per rule, in the rule book's order, then the edges.
CASES: list[tuple[dict[str, Any], str, list[str]]] = [
    ({"category": "family", "safety_risk": True}, "safety_first", ["safety_risk"]),
    ({"category": "criminal", "crime_gravity": "minor", "safety_risk": True}, "safety_first",
     ["safety_risk"]),
    ({"category": "labour", "party_incapable": True}, "not_eligible", ["party_incapable"]),
    ({"category": "inheritance", "third_parties_affected": True}, "not_eligible",
     ["third_parties_affected"]),
    ({"category": "criminal", "crime_gravity": "minor", "verdict_in_force": True},
     "not_eligible", ["criminal_verdict_in_force"]),
    ({"category": "criminal", "crime_gravity": "minor", "excluded_crime": "corruption"},
     "not_eligible", ["criminal_excluded_crime"]),
    ({"category": "criminal", "crime_gravity": "medium", "excluded_crime": "none"},
     "eligible", ["criminal_minor_or_medium"]),
    ({"category": "criminal", "crime_gravity": "misdemeanour",
      "repeat_after_reconciliation": True}, "not_eligible",
     ["criminal_repeat_after_reconciliation"]),
    ({"category": "criminal", "crime_gravity": "medium", "caused_death": True}, "not_eligible",
     ["criminal_caused_death"]),
    ({"category": "criminal", "crime_gravity": "especially_serious", "offender_privileged": True,
      "first_offence": True}, "not_eligible", ["criminal_especially_serious"]),
    ({"category": "criminal", "crime_gravity": "serious", "offender_privileged": True,
      "first_offence": True, "grave_harm": False}, "conditional",
     ["criminal_serious_privileged"]),
    ({"category": "criminal", "crime_gravity": "serious", "offender_privileged": True,
      "first_offence": True, "grave_harm": True}, "not_eligible", ["criminal_serious"]),
    ({"category": "criminal", "crime_gravity": "serious", "offender_privileged": True,
      "first_offence": False}, "not_eligible", ["criminal_serious"]),
    ({"category": "criminal", "crime_gravity": "serious"}, "not_eligible", ["criminal_serious"]),
    ({"category": "criminal", "crime_gravity": "misdemeanour"}, "eligible",
     ["criminal_minor_or_medium"]),
    ({"category": "criminal", "crime_gravity": "minor"}, "eligible", ["criminal_minor_or_medium"]),
    ({"category": "criminal", "crime_gravity": "unknown"}, "unsure", ["criminal_gravity_unknown"]),
    ({"category": "criminal"}, "unsure", ["criminal_gravity_unknown"]),
    ({"category": "criminal", "crime_gravity": None}, "unsure", ["criminal_gravity_unknown"]),
    ({"category": "administrative_offence", "family_offence": True,
      "reconciled_within_year": True}, "not_eligible", ["administrative_offence_repeat_family"]),
    ({"category": "administrative_offence", "family_offence": True,
      "reconciled_within_year": False}, "conditional", ["administrative_offence"]),
    ({"category": "administrative_offence"}, "conditional", ["administrative_offence"]),
    ({"category": "public_law", "body_has_discretion": True}, "eligible",
     ["public_law_discretion"]),
    ({"category": "public_law", "body_has_discretion": False}, "not_eligible",
     ["public_law_no_discretion"]),
    ({"category": "public_law", "body_has_discretion": None}, "conditional",
     ["public_law_discretion_unknown"]),
    ({"category": "public_law"}, "conditional", ["public_law_discretion_unknown"]),
    # A state body as a party matters only in private-law categories.
    ({"category": "public_law", "body_has_discretion": True, "state_body_party": True},
     "eligible", ["public_law_discretion"]),
    *[
        ({"category": c, "state_body_party": True}, "conditional", ["private_state_body_party"])
        for c in ("family", "labour", "property", "consumer", "commercial", "inheritance",
                  "community")
    ],
    *[
        ({"category": c}, "eligible", ["private_law"])
        for c in ("family", "labour", "property", "consumer", "commercial", "inheritance",
                  "community")
    ],
    ({"category": "family", "state_body_party": None, "safety_risk": None}, "eligible",
     ["private_law"]),
    # Limited capacity turns only an eligible verdict into a conditional one.
    ({"category": "consumer", "party_limited_capacity": True}, "conditional",
     ["private_law", "party_limited_capacity"]),
    ({"category": "criminal", "crime_gravity": "minor", "party_limited_capacity": True},
     "conditional", ["criminal_minor_or_medium", "party_limited_capacity"]),
    ({"category": "public_law", "party_limited_capacity": True}, "conditional",
     ["public_law_discretion_unknown"]),
    ({"category": "labour", "party_limited_capacity": True, "third_parties_affected": True},
     "not_eligible", ["third_parties_affected"]),
]  # fmt: skip


def screen(lines: list[str], *args: str) -> tuple[list[dict[str, Any]], int]:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "screen", *args],
        input="\n".join(lines) + "\n",
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    return [json.loads(line) for line in result.stdout.splitlines()], result.returncode


def test_every_rule_through_the_command() -> None:
    answers, status = screen([json.dumps(case) for case, _, _ in CASES])
    assert status == 0
    assert len(answers) == len(CASES)
    for (case, verdict, rule_ids), answer in zip(CASES, answers, strict=True):
        assert set(answer) == {"verdict", "rules", "citations"}, case
        assert (answer["verdict"], answer["rules"]) == (verdict, rule_ids), case
        if verdict == "unsure":
            assert answer["citations"] == []
        else:
            assert answer["citations"] and all(isinstance(c, str) for c in answer["citations"])


def test_every_rule_is_covered_by_the_table() -> None:
    from bot.screening import rules

    book = rules.load(ROOT / "content")
    covered = {rule_id for _, _, ids in CASES for rule_id in ids}
    assert covered == {r.id for r in (*book.rules, *book.adjustments)}


@pytest.mark.parametrize(
    ("line", "names"),
    [
        ("not json", "JSON"),
        ("[1, 2]", "object"),
        ("{}", "'category'"),
        ('{"category": null}', "'category'"),
        ('{"category": "divorce"}', "'category'"),
        ('{"category": "family", "danger": true}', "'danger'"),
        ('{"category": "family", "safety_risk": "yes"}', "'safety_risk'"),
        ('{"category": "family", "safety_risk": 1}', "'safety_risk'"),
        ('{"category": "criminal", "crime_gravity": "grave"}', "'crime_gravity'"),
        ('{"category": "criminal", "excluded_crime": "theft"}', "'excluded_crime'"),
        ("", "JSON"),
    ],
)
def test_a_bad_line_names_what_is_wrong_and_the_rest_goes_on(line: str, names: str) -> None:
    answers, status = screen(['{"category": "family"}', line, '{"category": "labour"}'])
    assert status == 2
    assert answers[0]["verdict"] == answers[2]["verdict"] == "eligible"
    assert set(answers[1]) == {"error"}
    assert names in answers[1]["error"]


def test_reasons_in_a_language_on_request() -> None:
    answers, status = screen(['{"category": "family"}'], "--reasons", "kk")
    assert status == 0
    assert answers[0]["reasons"] and "медиация" in answers[0]["reasons"][0].lower()


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
    assert "rules" in result.stderr
