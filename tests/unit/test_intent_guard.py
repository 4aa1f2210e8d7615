"""Typed text never reaches Rasa as an intent (security review L1)."""

from __future__ import annotations

import pytest

from bot.telegram.handlers.turn import _not_an_intent


@pytest.mark.parametrize(
    ("typed", "sent"),
    [
        ("/check_eligibility", "check_eligibility"),
        ("/ /check_eligibility", "check_eligibility"),
        ("/\n/restart", "restart"),
        ('/ /find_mediator{"location": "Астана"}', 'find_mediator{"location": "Астана"}'),
        ("  //  / x", "x"),
        ("/", "?"),
        ("how much does it cost?", "how much does it cost?"),
    ],
)
def test_no_leading_slash_survives(typed: str, sent: str) -> None:
    assert _not_an_intent(typed) == sent
    # What Rasa does before it looks for an intent: strip, then check for a leading slash.
    assert not _not_an_intent(typed).strip().startswith("/")
