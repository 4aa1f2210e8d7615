"""Every screening category is filed under one kind of dispute, in one mapping."""

from __future__ import annotations

from bot.directory.search import directory_type
from bot.screening.fields import CATEGORIES, DISPUTE_TYPES, type_of_category


def test_every_category_has_a_kind_of_dispute() -> None:
    assert {type_of_category(c) for c in CATEGORIES} == set(DISPUTE_TYPES)
    assert type_of_category("public_law") == type_of_category("administrative_offence")
    # The directory reads a category the same way; its own types pass unchanged.
    assert all(directory_type(c) == type_of_category(c) for c in CATEGORIES)
    assert all(directory_type(t) == t for t in DISPUTE_TYPES)
