"""Phrases people write, in every language and script, resolve to a dispute type."""

from __future__ import annotations

import pytest

from bot.screening.dispute_types import DISPUTE_TYPES, dispute_type_of


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("не платят зарплату", "labour"),
        ("my boss fired me", "labour"),
        ("жалақы бермей жүр", "labour"),
        ("my ex won't pay alimony", "family"),
        ("ажырасу", "family"),
        ("ajyrasý", "family"),
        ("brothers want to sell our late father's house", "inheritance"),
        ("мұрагерлік", "inheritance"),
        ("сосед затопил квартиру", "property"),
        ("коршим жерими басып алды", "property"),
        ("купил бракованный телефон, магазин не возвращает деньги", "consumer"),
        ("долг по договору поставки", "commercial"),
        ("штраф от акимата", "administrative"),
        ("украли телефон", "criminal"),
        ("межнациональный конфликт в селе", "community"),
        ("labour", "labour"),
        ("поцелуй", None),
        ("", None),
    ],
)
def test_dispute_type_of(text: str, expected: str | None) -> None:
    assert dispute_type_of(text) == expected


def test_every_type_is_reachable() -> None:
    assert all(dispute_type_of(t) == t for t in DISPUTE_TYPES)
