"""Walking the eligibility questionnaire as a person would: pressing an answer to each question."""

from __future__ import annotations

from typing import Any

from bot.content import Catalogue
from bot.screening.questions import BY_NAME
from bot.telegram import callbacks
from bot.telegram.callbacks import Kind
from tests.support.playground import Chat, callback_data
from tests.support.views import plain


def question_of(event: dict[str, Any]) -> str | None:
    """The question a message asks, read from its answer buttons."""
    for data in callback_data(event):
        pressed = callbacks.parse(data)
        if pressed is not None and pressed.kind is Kind.SCREEN and pressed.option:
            return pressed.value
    return None


def reply_to(name: str, replies: dict[str, str]) -> str:
    """The scenario's answer, else No / None of these / I don't know."""
    if name in replies:
        return replies[name]
    question = BY_NAME[name]
    return next(c for c in ("no", "none", "unknown") if question.option(c))


async def answer_until_verdict(
    chat: Chat, catalogue: Catalogue, language: str, first: dict[str, Any], replies: dict[str, str]
) -> tuple[list[str], dict[str, Any]]:
    """Press the chosen answer to each question (else No / None / I don't know)."""
    asked: list[str] = []
    event = first
    while (name := question_of(event)) is not None:
        assert event["text"] == plain(catalogue, language, BY_NAME[name].text_key)
        asked.append(name)
        assert len(asked) < 20, asked
        reply = reply_to(name, replies)
        if name == "safety" and reply == "unknown":
            # Not knowing whether anyone is safe: the emergency numbers at once, then on.
            contacts, event = await chat.press(callbacks.screen_answer(name, reply), count=2)
            assert contacts["text"].startswith(
                plain(catalogue, language, "screen.safety_contacts")[:40]
            )
            continue
        [event] = await chat.press(callbacks.screen_answer(name, reply))
    return asked, event
