"""Simulated people who each go through the same conversation, for the cluster test and bench.

A reference person goes through it first, alone and slowly, waiting for the bot to fall quiet
after each step: that gives the steps (what to type or press), how many messages answer each,
and the whole transcript. Everyone after goes through the same steps without waiting for
quiet. Their transcripts, read back from the emulator at the end, must equal the reference one:
an answer lost, repeated, out of order, or given from a conversation that lost its state (a
questionnaire that starts over, a question asked twice) all make a difference.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from bot.telegram import callbacks
from tests.support.playground import SHOWN, Chat, callback_data
from tests.support.questionnaire import question_of, reply_to
from tests.support.views import QUESTIONS

# A family dispute, everything else No / None of these (or I don't know where neither is
# offered): the longest ordinary walk through the questionnaire.
ANSWERS = {"category": "family"}
# A line of a transcript: what kind of event, its text, its buttons.
Line = tuple[str, str, tuple[str, ...]]


@dataclass(frozen=True)
class Step:
    kind: str  # "send" or "press"
    value: str
    answers: int


@dataclass
class Script:
    language: str
    steps: list[Step] = field(default_factory=list)
    transcript: list[Line] = field(default_factory=list)


def line(event: dict[str, Any]) -> Line:
    return (str(event["kind"]), str(event.get("text", "")), tuple(callback_data(event)))


async def transcript(http: aiohttp.ClientSession, base: str, user_id: int) -> list[Line]:
    """Everything the bot showed the person, in the order the emulator received it."""
    async with http.get(f"{base}/control/users/{user_id}/chat", params={"after": "0"}) as r:
        events: list[dict[str, Any]] = await r.json()
    return [line(e) for e in events if e["kind"] in SHOWN]


async def _do(chat: Chat, step: Step, answers: int, within: float = 30.0) -> list[dict[str, Any]]:
    if step.kind == "send":
        return await chat.send(step.value, count=answers, within=within)
    return await chat.press(step.value, count=answers, within=within)


async def record(http: aiohttp.ClientSession, base: str, language: str) -> Script:
    """The conversation, gone through once by a reference person: /start, the language, the
    whole questionnaire to its verdict, then a question in words."""
    chat = await Chat.open(http, base, language, name=f"reference-{language}")
    script = Script(language)

    async def step(kind: str, value: str) -> list[dict[str, Any]]:
        # One reply at least, then all until the bot has been quiet for 1.5 s.
        first = await _do(chat, Step(kind, value, 1), 1)
        shown = first + await chat.settle(1.5)
        script.steps.append(Step(kind, value, len(shown)))
        return shown

    await step("send", "/start")
    await step("press", callbacks.choose_language(language))
    shown = await step("press", callbacks.topic("check_eligibility"))
    while (name := question_of(shown[-1])) is not None:
        assert len(script.steps) < 30, "the questionnaire does not end"
        shown = await step("press", callbacks.screen_answer(name, reply_to(name, ANSWERS)))
    await step("send", QUESTIONS[language])
    script.transcript = await transcript(http, base, chat.user_id)
    return script


@dataclass
class Outcome:
    """What one simulated person went through: a chat per round, and steps not answered."""

    chats: list[int] = field(default_factory=list)
    unanswered: int = 0
    # For each step not answered as expected: the chat, the step, and what went wrong.
    failures: list[str] = field(default_factory=list)
    steps: int = 0
    latencies: list[float] = field(default_factory=list)


async def person(
    http: aiohttp.ClientSession,
    base: str,
    script: Script,
    done: Callable[[], bool],
    within: float = 60.0,
) -> Outcome:
    """Go through the script again and again, as a new person each round, until `done`."""
    outcome = Outcome()
    while not done():
        name = f"p-{uuid.uuid4().hex[:8]}"
        chat = await Chat.open(http, base, script.language, name=name)
        outcome.chats.append(chat.user_id)
        for step in script.steps:
            started = time.perf_counter()
            try:
                await asyncio.wait_for(_do(chat, step, step.answers, within), within + 5)
            except (AssertionError, TimeoutError) as exc:
                outcome.unanswered += 1
                outcome.failures.append(f"chat {chat.user_id}, {step}: {exc!r}"[:300])
                break
            outcome.latencies.append((time.perf_counter() - started) * 1000)
            outcome.steps += 1
    return outcome
