"""The questionnaire end to end: emulator ⇄ bot ⇄ Rasa (trained model, the form) ⇄ actions.

Every rule of the rule book is reached by a conversation in each language; each conversation
also proves that only the questions that matter for its category are asked.
"""

from __future__ import annotations

import asyncio
import html
import re
from typing import Any

import aiohttp
import pytest

from bot.config import ROOT
from bot.content import Catalogue
from bot.screening import rules
from bot.screening.questions import BY_NAME
from bot.stack import Stack
from tests.support.playground import Chat, callback_data
from tests.support.stack import new_chat

pytestmark = pytest.mark.integration

BOOK = rules.load(ROOT / "content")
COMMON = ["category", "safety", "capacity", "third_parties"]
CRIME = [*COMMON, "gravity", "harm", "excluded", "repeat", "in_force"]

# (rule id, answers given, questions expected in order)
SCENARIOS: list[tuple[str, dict[str, str], list[str]]] = [
    ("safety_risk", {"category": "community", "safety": "yes"}, ["category", "safety"]),
    ("party_incapable", {"category": "labour", "capacity": "incapable"},
     ["category", "safety", "capacity"]),
    ("third_parties_affected", {"category": "inheritance", "third_parties": "yes"}, COMMON),
    ("criminal_verdict_in_force", {"category": "criminal", "gravity": "minor", "in_force": "yes"},
     CRIME),
    ("criminal_excluded_crime",
     {"category": "criminal", "gravity": "medium", "excluded": "corruption"},
     [*COMMON, "gravity", "harm", "excluded"]),
    ("criminal_repeat_after_reconciliation", {"category": "criminal", "gravity": "misdemeanour",
                                              "repeat": "yes"}, CRIME[:-1]),
    ("criminal_caused_death", {"category": "criminal", "gravity": "medium", "harm": "death"},
     [*COMMON, "gravity", "harm"]),
    ("criminal_especially_serious", {"category": "criminal", "gravity": "especially_serious"},
     [*COMMON, "gravity"]),
    ("criminal_serious_privileged", {"category": "criminal", "gravity": "serious",
                                     "privileged": "yes", "first_offence": "yes"},
     [*CRIME, "privileged", "first_offence"]),
    ("criminal_serious", {"category": "criminal", "gravity": "serious", "privileged": "no"},
     [*CRIME, "privileged"]),
    ("criminal_minor_or_medium", {"category": "criminal", "gravity": "minor"}, CRIME),
    ("criminal_gravity_unknown", {"category": "criminal", "gravity": "unknown"}, CRIME),
    ("administrative_offence_repeat_family", {"category": "administrative_offence",
                                              "family_offence": "yes", "reconciled": "yes"},
     [*COMMON, "family_offence", "reconciled"]),
    ("administrative_offence", {"category": "administrative_offence"},
     [*COMMON, "family_offence"]),
    ("public_law_discretion", {"category": "public_law", "discretion": "yes"},
     [*COMMON, "discretion"]),
    ("public_law_no_discretion", {"category": "public_law", "discretion": "no"},
     [*COMMON, "discretion"]),
    ("public_law_discretion_unknown", {"category": "public_law", "discretion": "unknown"},
     [*COMMON, "discretion"]),
    ("private_state_body_party", {"category": "consumer", "state_body": "yes"},
     [*COMMON, "state_body"]),
    ("private_law", {"category": "family"}, [*COMMON, "state_body"]),
    ("party_limited_capacity", {"category": "commercial", "capacity": "limited"}, COMMON),
]  # fmt: skip
PRIVATE = ("family", "labour", "property", "consumer", "commercial", "inheritance", "community")


def text_of(catalogue: Catalogue, language: str, key: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", catalogue.text(language, key)))


def question_of(event: dict[str, Any]) -> str | None:
    """The question a message asks, read from its answer buttons."""
    for data in callback_data(event):
        parts = data.split(":")
        if len(parts) == 3 and parts[0] == "s":
            return parts[1]
    return None


async def started(chat: Chat, language: str) -> dict[str, Any]:
    await chat.send("/start")
    await chat.press(f"l:{language}", count=2)
    intro, first = await chat.press("t:elig", count=2)
    assert question_of(intro) is None
    return first


async def answer_until_verdict(
    chat: Chat, catalogue: Catalogue, language: str, first: dict[str, Any], replies: dict[str, str]
) -> tuple[list[str], dict[str, Any]]:
    """Press the chosen answer to each question (else No / None / I don't know)."""
    asked: list[str] = []
    event = first
    while (name := question_of(event)) is not None:
        assert event["text"] == text_of(catalogue, language, BY_NAME[name].text_key)
        asked.append(name)
        assert len(asked) < 20, asked
        question = BY_NAME[name]
        default = next((c for c in ("no", "none", "unknown") if question.option(c)), "")
        [event] = await chat.press(f"s:{name}:{replies.get(name, default)}")
    return asked, event


async def _rule_in(
    stack: Stack,
    http: aiohttp.ClientSession,
    catalogue: Catalogue,
    language: str,
    rule_id: str,
    replies: dict[str, str],
    expected: list[str],
) -> None:
    chat = await new_chat(http, stack, language)
    first = await started(chat, language)
    asked, verdict = await answer_until_verdict(chat, catalogue, language, first, replies)
    assert asked == expected, language
    rule = BOOK.rule(rule_id)
    if rule.verdict == "safety_first":
        page = catalogue.page(language, "safety")
        assert verdict["text"].startswith(page.title)
        assert callback_data(verdict) == []  # nothing pushed after the emergency numbers
        return
    assert html.unescape(rule.reasons[language]) in verdict["text"], language
    for citation in rule.citations:
        assert BOOK.cite(citation, language) in verdict["text"]
    assert "s:restart" in callback_data(verdict)


@pytest.mark.parametrize(
    ("rule_id", "replies", "expected"), SCENARIOS, ids=[s[0] for s in SCENARIOS]
)
async def test_every_rule_by_buttons_in_every_language(
    stack: Stack,
    http: aiohttp.ClientSession,
    catalogue: Catalogue,
    rule_id: str,
    replies: dict[str, str],
    expected: list[str],
) -> None:
    # Three people, one per language, at the same time: the stack serves them side by side.
    await asyncio.gather(
        *(
            _rule_in(stack, http, catalogue, language, rule_id, replies, expected)
            for language in ("kk", "ru", "en")
        )
    )


@pytest.mark.parametrize(
    ("language", "start", "typed"),
    [
        ("ru", "можно ли через медиацию, если не платят зарплату?",
         ["нет", "нет", "не знаю", "нет"]),
        ("kk", "жалақы төлемей жүр, медиацияға бола ма?", ["жоқ", "жоқ", "білмеймін", "жоқ"]),
        ("en", "can my dispute about unpaid salary go to mediation?", ["no", "no", "no", "no"]),
    ],
)  # fmt: skip
async def test_typed_answers_fill_the_form(
    stack: Stack,
    http: aiohttp.ClientSession,
    catalogue: Catalogue,
    language: str,
    start: str,
    typed: list[str],
) -> None:
    chat = await new_chat(http, stack, language)
    await chat.send("/start")
    await chat.press(f"l:{language}", count=2)
    # The kind of dispute comes from the question itself: the first question is safety.
    intro, event = await chat.send(start, count=2)
    assert intro["text"] == text_of(catalogue, language, "screen.intro")
    asked = []
    for reply in typed:
        asked.append(question_of(event))
        [event] = await chat.send(reply)
    assert asked == ["safety", "capacity", "third_parties", "state_body"]
    assert BOOK.rule("private_law").reasons[language] in event["text"]


async def test_an_invalid_answer_gets_a_clear_reask(
    stack: Stack, http: aiohttp.ClientSession, catalogue: Catalogue
) -> None:
    chat = await new_chat(http, stack, "ru")
    first = await started(chat, "ru")
    assert question_of(first) == "category"
    reask, again = await chat.send("фиолетовый", count=2)
    assert reask["text"] == text_of(catalogue, "ru", "screen.reask")
    assert question_of(again) == "category"
    [nothing] = await chat.press("s:category:criminal", forge=True)  # real data, old message
    assert question_of(nothing) == "safety"
    [expired] = await chat.press("s:safety:maybe", forge=True)
    assert expired["text"] == text_of(catalogue, "ru", "error.expired_button")


async def test_back_restart_and_stop(
    stack: Stack, http: aiohttp.ClientSession, catalogue: Catalogue
) -> None:
    chat = await new_chat(http, stack, "en")
    first = await started(chat, "en")
    assert "s:back" not in callback_data(first)  # nothing to go back to yet
    [event] = await chat.press("s:category:family")
    [event] = await chat.press("s:safety:no")
    assert question_of(event) == "capacity"
    [event] = await chat.press("s:back")
    assert question_of(event) == "safety"
    [event] = await chat.send("back")
    assert question_of(event) == "category"
    [event] = await chat.press("s:category:public_law")
    [event] = await chat.press("s:safety:no")
    [event] = await chat.press("s:capacity:no")
    [event] = await chat.press("s:third_parties:no")
    assert question_of(event) == "discretion"
    [verdict] = await chat.press("s:discretion:no")
    assert BOOK.rule("public_law_no_discretion").reasons["en"] in verdict["text"]
    # After the verdict: change the last answer, and get a new verdict.
    [event] = await chat.press("s:change")
    assert question_of(event) == "discretion"
    [verdict] = await chat.press("s:discretion:yes")
    assert BOOK.rule("public_law_discretion").reasons["en"] in verdict["text"]
    intro, event = await chat.press("s:restart", count=2)
    assert intro["text"] == text_of(catalogue, "en", "screen.intro")
    assert question_of(event) == "category"
    [left] = await chat.send("stop")
    assert left["text"] == text_of(catalogue, "en", "screen.left")
    assert "t:elig" in callback_data(left)  # the menu


async def test_danger_at_any_moment_leads_to_safety(
    stack: Stack, http: aiohttp.ClientSession, catalogue: Catalogue
) -> None:
    chat = await new_chat(http, stack, "kk")
    await started(chat, "kk")
    await chat.press("s:category:property")
    [event] = await chat.press("s:safety:no")
    assert question_of(event) == "capacity"
    [safety] = await chat.send("көршім мені өлтіремін деп қорқытады")
    assert safety["text"].startswith(catalogue.page("kk", "safety").title)
    assert callback_data(safety) == []
    # Outside the questions too, whatever the message asks.
    [safety] = await chat.send("муж бьет меня, сколько стоит медиация?")
    assert safety["text"].startswith(catalogue.page("kk", "safety").title)


async def test_a_question_in_the_middle_is_answered_then_the_questions_go_on(
    stack: Stack, http: aiohttp.ClientSession, catalogue: Catalogue
) -> None:
    chat = await new_chat(http, stack, "ru")
    await started(chat, "ru")
    await chat.press("s:category:family")
    page, resume, again = await chat.send("сколько стоит медиация?", count=3)
    assert page["text"].startswith(catalogue.page("ru", "cost").title)
    assert resume["text"] == text_of(catalogue, "ru", "screen.resume")
    assert question_of(again) == "safety"
