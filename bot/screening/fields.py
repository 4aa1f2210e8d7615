"""The answers a screening case is made of: names, allowed values and what "missing" means.

This is the machine-readable contract of `python -m bot screen` and the vocabulary of the rule
book; the questionnaire and the rules file are both checked against it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

CATEGORIES: tuple[str, ...] = (
    "family", "labour", "property", "consumer", "commercial",
    "inheritance", "criminal", "administrative_offence", "public_law", "community",
)  # fmt: skip
GRAVITIES: tuple[str, ...] = (
    "misdemeanour", "minor", "medium", "serious", "especially_serious", "unknown",
)  # fmt: skip
EXCLUDED_CRIMES: tuple[str, ...] = (
    "none", "torture", "sexual_against_minor", "violence_against_minor", "negligent_death",
    "corruption", "terrorism", "extremism", "criminal_group", "trafficking",
)  # fmt: skip
VERDICTS: tuple[str, ...] = ("eligible", "conditional", "not_eligible", "unsure", "safety_first")

BOOLEAN_FIELDS: tuple[str, ...] = (
    "safety_risk", "party_incapable", "party_limited_capacity", "third_parties_affected",
    "state_body_party", "body_has_discretion", "verdict_in_force", "caused_death", "grave_harm",
    "repeat_after_reconciliation", "offender_privileged", "first_offence", "family_offence",
    "reconciled_within_year",
)  # fmt: skip
CHOICE_FIELDS: dict[str, tuple[str, ...]] = {
    "category": CATEGORIES,
    "crime_gravity": GRAVITIES,
    "excluded_crime": EXCLUDED_CRIMES,
}
FIELDS: tuple[str, ...] = ("category", *BOOLEAN_FIELDS, "crime_gravity", "excluded_crime")

UNKNOWN = "unknown"
# A missing or null answer counts as "no", except these two, where not knowing is an answer
# of its own that the rules can tell apart from "no".
_MISSING: dict[str, Any] = {
    "body_has_discretion": UNKNOWN,
    "crime_gravity": UNKNOWN,
    "excluded_crime": "none",
}


def allowed_values(field: str) -> tuple[object, ...]:
    """Every value a rule may compare `field` with (after missing values are filled in)."""
    if field in CHOICE_FIELDS:
        return CHOICE_FIELDS[field]
    if field in _MISSING:
        return (True, False, _MISSING[field])
    return (True, False)


class CaseError(ValueError):
    """A case that breaks the contract; the message names the field."""


def validate(raw: object) -> dict[str, Any]:
    """Check one input case against the contract; return it with every field filled in."""
    if not isinstance(raw, Mapping):
        raise CaseError("a case must be a JSON object")
    unknown = sorted(str(k) for k in raw if k not in FIELDS)
    if unknown:
        raise CaseError(f"unknown field {unknown[0]!r}")
    if raw.get("category") is None:
        raise CaseError("field 'category' is required")
    case: dict[str, Any] = {}
    for field in FIELDS:
        value = raw.get(field)
        if field in CHOICE_FIELDS:
            if value is not None and value not in CHOICE_FIELDS[field]:
                allowed = ", ".join(CHOICE_FIELDS[field])
                raise CaseError(f"field {field!r}: {value!r} is not one of {allowed}")
        # bool is a subclass of int in Python, and JSON 1/0 are not booleans: check the type.
        elif value is not None and not isinstance(value, bool):
            raise CaseError(f"field {field!r} must be true, false or null, not {value!r}")
        case[field] = _MISSING.get(field, False) if value is None else value
    return case


def complete(answers: Mapping[str, Any]) -> dict[str, Any]:
    """Known answers with the missing ones filled in as the rules read them."""
    return {f: answers[f] if answers.get(f) is not None else _MISSING.get(f, False) for f in FIELDS}
