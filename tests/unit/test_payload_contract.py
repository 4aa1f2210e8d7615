"""The instructions Rasa gives the bot (`Do`): each has a route, and each reads back."""

from __future__ import annotations

import logging

import pytest

from bot.dialogue.payloads import Do, Reply, parse
from bot.telegram.handlers import turn


def test_every_instruction_has_one_route() -> None:
    assert set(turn._DELIVER) == set(Do)


@pytest.mark.parametrize("do", list(Do))
def test_each_instruction_reads_back_from_a_payload(do: Do) -> None:
    reply = parse({"custom": {"key": "greet", "do": do.value}})
    assert reply == Reply(key="greet", do=do)


def test_an_unknown_instruction_is_shown_as_its_key_and_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING):
        reply = parse({"custom": {"key": "greet", "do": "fly_to_the_moon"}})
    assert reply == Reply(key="greet", do=Do.SHOW)
    assert "fly_to_the_moon" in caplog.text
