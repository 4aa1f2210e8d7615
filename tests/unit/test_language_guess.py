"""Offer a language switch only when a message is clearly in another language."""

from __future__ import annotations

import pytest

from bot.dialogue.language_guess import clear_language


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("что такое медиация и сколько это стоит", "ru"),
        ("сосед затопил квартиру, что мне делать", "ru"),
        ("медиация деген не және қанша тұрады", "kk"),
        ("медиация деген не калай бастау керек", "kk"),
        ("Medıasıa degenimiz ne? qalai bastaımyz", "kk"),
        ("what is mediation and how much does it cost", "en"),
        ("my boss not pay salary what i do", "en"),
        # Mixed, too short, or without telling words: no offer.
        ("маған юрист нужен что делать", None),
        ("alimony", None),
        ("рахмет", None),
        ("Алматы Шымкент Астана", None),
    ],
)
def test_clear_language(text: str, expected: str | None) -> None:
    assert clear_language(text) == expected
