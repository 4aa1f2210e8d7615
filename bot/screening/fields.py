"""The answers a screening case is made of: names, allowed values and what "not known" means.

This is the machine-readable contract of `python -m bot screen` (version 2) and the vocabulary
of the rule book; the questionnaire and the rules file are both checked against it.

Version 2: an answer that is absent, `null` or `"unknown"` is *not known*, and not knowing is
never read as "no" (docs/screening-rules.md). Every field therefore has one extra value,
UNKNOWN, that the rules never test: the engine handles it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

CONTRACT_VERSION = 2

CATEGORIES: tuple[str, ...] = (
    "family", "labour", "property", "consumer", "commercial",
    "inheritance", "criminal", "administrative_offence", "public_law", "community",
)  # fmt: skip
# The kinds of dispute people and mediators name (the directory's types, the comparison pages,
# the dispute-type resolver's answers): the screening's categories, with the two
# administrative ones as one.
DISPUTE_TYPES: tuple[str, ...] = (
    "family", "labour", "property", "consumer", "commercial",
    "inheritance", "criminal", "administrative", "community",
)  # fmt: skip
# The kind of dispute (the directory's and the comparison pages' vocabulary) a category is
# filed under: the two administrative categories share one kind of mediator and one page.
_TYPE_OF_CATEGORY = {"administrative_offence": "administrative", "public_law": "administrative"}


def type_of_category(category: str) -> str:
    """The kind of dispute for a screening category (other values pass unchanged)."""
    return _TYPE_OF_CATEGORY.get(category, category)


# The categories of private law, where the Law on Mediation applies to disputes between people
# or organisations, and a state body as a party is the open question.
PRIVATE_LAW: tuple[str, ...] = (
    "family", "labour", "property", "consumer", "commercial", "inheritance", "community",
)  # fmt: skip
GRAVITIES: tuple[str, ...] = (
    "misdemeanour", "minor", "medium", "serious", "especially_serious",
)  # fmt: skip
EXCLUDED_CRIMES: tuple[str, ...] = (
    "none", "torture", "sexual_against_minor", "violence_against_minor", "negligent_death",
    "corruption", "terrorism", "extremism", "criminal_group", "trafficking",
)  # fmt: skip
# CAO Art. 64: (1) offences whose cases start only on the victim's complaint; (1-1) family and
# domestic offences (Arts. 73, 73-3); every other offence cannot end in reconciliation.
ADMIN_OFFENCES: tuple[str, ...] = ("victim_complaint", "family_domestic", "other")
VERDICTS: tuple[str, ...] = ("eligible", "conditional", "not_eligible", "unsure", "safety_first")
# Verdicts that rule mediation out: a known answer that leads to one decides at once.
EXCLUDING: frozenset[str] = frozenset({"not_eligible", "safety_first"})

BOOLEAN_FIELDS: tuple[str, ...] = (
    "safety_risk", "past_violence", "party_incapable", "party_limited_capacity",
    "third_parties_affected", "state_body_party", "body_has_discretion", "verdict_in_force",
    "caused_death", "grave_harm", "repeat_after_reconciliation", "offender_minor",
    "offender_privileged", "first_offence", "reconciled_within_year",
)  # fmt: skip
CHOICE_FIELDS: dict[str, tuple[str, ...]] = {
    "category": CATEGORIES,
    "crime_gravity": GRAVITIES,
    "excluded_crime": EXCLUDED_CRIMES,
    "admin_offence": ADMIN_OFFENCES,
}
FIELDS: tuple[str, ...] = (
    "category", *BOOLEAN_FIELDS, "crime_gravity", "excluded_crime", "admin_offence",
)  # fmt: skip

UNKNOWN = "unknown"


def allowed_values(field: str) -> tuple[object, ...]:
    """Every known value a rule may compare `field` with (never UNKNOWN)."""
    if field in CHOICE_FIELDS:
        return CHOICE_FIELDS[field]
    return (True, False)


class CaseError(ValueError):
    """A case that breaks the contract; the message names the field."""


def validate(raw: object) -> dict[str, Any]:
    """Check one input case against the contract; every field back, UNKNOWN where not known."""
    if not isinstance(raw, Mapping):
        raise CaseError("a case must be a JSON object")
    extra = sorted(str(k) for k in raw if k not in FIELDS)
    if extra:
        hint = (
            " (version 2 replaced it with 'admin_offence')" if extra[0] == "family_offence" else ""
        )
        raise CaseError(f"unknown field {extra[0]!r}{hint}")
    if raw.get("category") in (None, UNKNOWN):
        raise CaseError("field 'category' is required")
    case: dict[str, Any] = {}
    for field in FIELDS:
        value = raw.get(field)
        if value is None or value == UNKNOWN:
            case[field] = UNKNOWN
            continue
        if field in CHOICE_FIELDS:
            if value not in CHOICE_FIELDS[field]:
                allowed = ", ".join((*CHOICE_FIELDS[field], UNKNOWN))
                raise CaseError(f"field {field!r}: {value!r} is not one of {allowed}")
        # bool is a subclass of int in Python, and JSON 1/0 are not booleans: check the type.
        elif not isinstance(value, bool):
            raise CaseError(
                f'field {field!r} must be true, false, "unknown" or null, not {value!r}'
            )
        case[field] = value
    return case


def complete(answers: Mapping[str, Any]) -> dict[str, Any]:
    """Every field, with UNKNOWN wherever the answers do not know it."""
    return {f: UNKNOWN if answers.get(f) is None else answers[f] for f in FIELDS}
