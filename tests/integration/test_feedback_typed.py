"""What was missing, typed after 👎 → "something else", through the real stack (emulator ⇄ bot
⇄ Rasa with the trained model ⇄ actions, the stack's database): kept anonymised with its page,
not sent to the dialogue, and the next question is the dialogue's again."""

from __future__ import annotations

import aiohttp
import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from bot.content import Catalogue
from bot.offices.models import UnansweredQuestion
from bot.stack import Stack
from bot.telegram import callbacks
from tests.support.playground import callback_data
from tests.support.stack import ready
from tests.support.views import plain, shows_page

pytestmark = pytest.mark.integration


def _kept(stack: Stack, subject: str) -> list[str]:
    engine = create_engine(stack.env["DATABASE_URL"])
    try:
        with Session(engine) as session:
            return list(
                session.scalars(
                    select(UnansweredQuestion.text).where(UnansweredQuestion.subject == subject)
                )
            )
    finally:
        engine.dispose()


async def test_what_was_missing_is_kept_anonymised_and_the_talk_goes_on(
    stack: Stack, http: aiohttp.ClientSession, catalogue: Catalogue
) -> None:
    chat = await ready(http, stack, "ru")
    [page] = await chat.send("сколько стоит медиация")
    assert shows_page(page, catalogue, "ru", "cost")
    down = callbacks.feedback("page:cost", "down")
    assert down in callback_data(page)
    _edited, _what_was_missing = await chat.press(down, count=2)
    [invited] = await chat.press(callbacks.feedback("page:cost", "other"))
    assert invited["text"].startswith(plain(catalogue, "ru", "feedback.tell_more", count=7)[:40])
    [thanks] = await chat.send("Нет цен для Караганды, звоните Айгерим 87011234567")
    assert thanks["text"] == plain(catalogue, "ru", "feedback.text_thanks")
    [kept] = _kept(stack, "page:cost")
    assert "87011234567" not in kept
    assert "Айгерим" not in kept
    assert kept.startswith("Нет цен для")
    # The next message is a question for the dialogue again.
    [answer] = await chat.send("что такое медиация")
    assert shows_page(answer, catalogue, "ru", "what_is_mediation")
