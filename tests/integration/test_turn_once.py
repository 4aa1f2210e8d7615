"""A named turn sent twice is applied once (rasa_project/kelisim_engine/once.py): the second
time the real Rasa, on the Redis tracker store, answers what it said the first time and the
conversation holds the person's message once. A questionnaire answer counted twice would
change the verdict."""

from __future__ import annotations

import uuid
from typing import Any

import aiohttp
import pytest

from bot.dialogue.client import TURN_KEY
from bot.stack import Stack

pytestmark = pytest.mark.integration


async def _turn(
    http: aiohttp.ClientSession, stack: Stack, sender: str, text: str, turn: str | None
) -> list[dict[str, Any]]:
    metadata: dict[str, Any] = {"language": "en"}
    if turn is not None:
        metadata[TURN_KEY] = turn
    body = {"sender": sender, "message": text, "metadata": metadata}
    async with http.post(f"{stack.rasa_url}/webhooks/rest/webhook", json=body) as response:
        assert response.status == 200
        answer: list[dict[str, Any]] = await response.json()
        return answer


async def _user_messages(http: aiohttp.ClientSession, stack: Stack, sender: str) -> list[str]:
    url = f"{stack.rasa_url}/conversations/{sender}/tracker"
    async with http.get(url, params={"token": stack.rasa_api_token}) as response:
        tracker = await response.json()
    return [e.get("message_id", "") for e in tracker["events"] if e["event"] == "user"]


def _without_times(answer: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: v for k, v in m.items() if k != "timestamp"} for m in answer]


async def test_a_named_turn_sent_again_is_answered_the_same_and_applied_once(
    stack: Stack,
) -> None:
    sender = uuid.uuid4().hex
    async with aiohttp.ClientSession() as http:
        first = await _turn(http, stack, sender, "/check_eligibility", "70.1")
        again = await _turn(http, stack, sender, "/check_eligibility", "70.1")
        assert first
        assert _without_times(again) == _without_times(first)
        assert await _user_messages(http, stack, sender) == ["70.1"]
        # The next turn is new and applied; then the same text unnamed is applied every time.
        await _turn(http, stack, sender, "/check_eligibility", "71.1")
        await _turn(http, stack, sender, "/greet", None)
        await _turn(http, stack, sender, "/greet", None)
        applied = await _user_messages(http, stack, sender)
    assert applied[:2] == ["70.1", "71.1"]
    assert len(applied) == 4
