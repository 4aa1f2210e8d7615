"""Every screening category is filed under one kind of dispute, in one mapping."""

from __future__ import annotations

from bot.dialogue.topics import DISPUTE_TYPES
from bot.directory.search import directory_type
from bot.screening.fields import CATEGORIES, dispute_type_of


def test_every_category_has_a_kind_of_dispute() -> None:
    assert {dispute_type_of(c) for c in CATEGORIES} == set(DISPUTE_TYPES)
    assert dispute_type_of("public_law") == dispute_type_of("administrative_offence")
    # The directory reads a category the same way; its own types pass unchanged.
    assert all(directory_type(c) == dispute_type_of(c) for c in CATEGORIES)
    assert all(directory_type(t) == t for t in DISPUTE_TYPES)
