"""The questionnaire end to end: emulator ⇄ bot ⇄ Rasa (trained model, the form) ⇄ actions.

Every rule of the rule book is reached by a conversation in each language; each conversation
also proves that only the questions that matter for its category are asked.
"""

from __future__ import annotations

import asyncio
import html
from typing import Any

import aiohttp
import pytest

from bot.config import ROOT
from bot.content import Catalogue
from bot.languages import LANGUAGES
from bot.screening import engine, rules
from bot.screening.questions import BY_NAME, answers_from, next_question
from bot.stack import Stack
from bot.telegram import callbacks, directory_codes
from bot.telegram.directory_codes import Op
from tests.support.playground import Chat, callback_data, directory_buttons
from tests.support.questionnaire import answer_until_verdict, question_of, reply_to
from tests.support.stack import new_chat
from tests.support.views import plain

pytestmark = pytest.mark.integration

BOOK = rules.load(ROOT / "content")

# (rule id, answers given); every other question gets No / None of these (I don't know where
# neither exists). The questions asked are worked out by the engine (tests/unit/
# test_questionnaire.py pins them by hand), and the conversation must ask exactly those.
SCENARIOS: list[tuple[str, dict[str, str]]] = [
    ("safety_risk", {"category": "community", "safety": "yes"}),
    ("past_violence", {"category": "family", "past_violence": "yes"}),
    ("party_incapable", {"category": "labour", "capacity": "incapable"}),
    ("third_parties_affected", {"category": "inheritance", "third_parties": "yes"}),
    ("criminal_verdict_in_force", {"category": "criminal", "gravity": "minor", "in_force": "yes"}),
    ("criminal_excluded_crime", {"category": "criminal", "gravity": "medium",
                                 "excluded": "corruption"}),
    ("criminal_against_minor", {"category": "criminal", "gravity": "minor",
                                "excluded": "violence_against_minor", "offender_minor": "no"}),
    ("minor_offender", {"category": "criminal", "gravity": "minor",
                        "excluded": "violence_against_minor", "offender_minor": "yes"}),
    ("criminal_repeat_after_reconciliation", {"category": "criminal", "gravity": "misdemeanour",
                                              "repeat": "yes"}),
    ("criminal_caused_death", {"category": "criminal", "gravity": "medium", "harm": "death"}),
    ("criminal_especially_serious", {"category": "criminal", "gravity": "especially_serious"}),
    ("criminal_serious_privileged", {"category": "criminal", "gravity": "serious",
                                     "privileged": "yes", "first_offence": "yes"}),
    ("criminal_serious_not_privileged", {"category": "criminal", "gravity": "serious",
                                         "privileged": "no"}),
    ("criminal_serious_repeat", {"category": "criminal", "gravity": "serious",
                                 "privileged": "yes", "first_offence": "no"}),
    ("criminal_serious_grave_harm", {"category": "criminal", "gravity": "serious",
                                     "harm": "grave"}),
    ("criminal_minor_or_medium", {"category": "criminal", "gravity": "minor"}),
    ("admin_offence_other", {"category": "administrative_offence", "admin_offence": "other"}),
    ("admin_offence_family_repeat", {"category": "administrative_offence",
                                     "admin_offence": "family_domestic", "reconciled": "yes"}),
    ("admin_offence_family", {"category": "administrative_offence",
                              "admin_offence": "family_domestic"}),
    ("admin_offence_victim_complaint", {"category": "administrative_offence",
                                        "admin_offence": "victim_complaint"}),
    ("public_law_discretion", {"category": "public_law", "discretion": "yes"}),
    ("public_law_no_discretion", {"category": "public_law", "discretion": "no"}),
    ("private_state_body_party", {"category": "consumer", "state_body": "yes"}),
    ("family_dispute", {"category": "family"}),
    ("labour_dispute", {"category": "labour"}),
    ("private_law", {"category": "property"}),
    ("party_limited_capacity", {"category": "commercial", "capacity": "limited"}),
]  # fmt: skip


def expected_walk(replies: dict[str, str]) -> tuple[list[str], engine.Outcome]:
    """The questions the engine would ask for these replies, and the outcome."""
    chosen: dict[str, str | None] = {}
    while True:
        progress = engine.progress(BOOK, answers_from(chosen))
        question = None if progress.settled else next_question(progress.wanted, chosen)
        if question is None:
            return list(chosen), engine.evaluate(BOOK, answers_from(chosen))
        chosen[question.name] = reply_to(question.name, replies)


async def started(chat: Chat, language: str) -> dict[str, Any]:
    await chat.send("/start")
    await chat.press(callbacks.choose_language(language), count=2)
    intro, first = await chat.press(callbacks.topic("check_eligibility"), count=2)
    assert question_of(intro) is None
    return first


async def _rule_in(
    stack: Stack,
    http: aiohttp.ClientSession,
    catalogue: Catalogue,
    language: str,
    rule_id: str,
    replies: dict[str, str],
) -> None:
    chat = await new_chat(http, stack, language)
    first = await started(chat, language)
    asked, verdict = await answer_until_verdict(chat, catalogue, language, first, replies)
    expected, outcome = expected_walk(replies)
    assert asked == expected, language
    assert rule_id in outcome.rules
    if outcome.verdict == "safety_first":
        page = catalogue.page(language, "safety")
        assert verdict["text"].startswith(page.title)
        # Nothing pushes mediation after the emergency numbers: only a person to talk to.
        assert set(callback_data(verdict)) <= {callbacks.topic("talk_to_human"), callbacks.MENU}
        return
    assert plain(catalogue, language, f"screen.result.{outcome.verdict}") in verdict["text"]
    for applied in outcome.rules:
        assert html.unescape(BOOK.rule(applied).reasons[language]) in verdict["text"], language
    for citation in outcome.citations:
        assert BOOK.cite(citation, language) in verdict["text"]
    assert callbacks.screen_control("restart") in callback_data(verdict)
    offered = callbacks.topic("invite_other_party") in callback_data(verdict)
    assert offered == (outcome.verdict in ("eligible", "conditional"))


def test_the_scenarios_reach_every_rule() -> None:
    reached = {r for _, replies in SCENARIOS for r in expected_walk(replies)[1].rules}
    assert reached == {r.id for r in (*BOOK.rules, *BOOK.adjustments)} - {"past_violence_told"}


@pytest.mark.parametrize(("rule_id", "replies"), SCENARIOS, ids=[s[0] for s in SCENARIOS])
async def test_every_rule_by_buttons_in_every_language(
    stack: Stack,
    http: aiohttp.ClientSession,
    catalogue: Catalogue,
    rule_id: str,
    replies: dict[str, str],
) -> None:
    # Three people, one per language, at the same time: the stack serves them side by side.
    await asyncio.gather(
        *(
            _rule_in(stack, http, catalogue, language, rule_id, replies)
            for language in ("kk", "ru", "en")
        )
    )


@pytest.mark.parametrize(
    ("language", "start", "typed"),
    [
        ("ru", "можно ли через медиацию, если не платят зарплату?",
         ["нет", "нет", "нет", "нет"]),
        ("kk", "жалақы төлемей жүр, медиацияға бола ма?", ["жоқ", "жоқ", "жоқ", "жоқ"]),
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
    await chat.press(callbacks.choose_language(language), count=2)
    # The kind of dispute comes from the question itself: the first question is safety.
    intro, event = await chat.send(start, count=2)
    assert intro["text"] == plain(catalogue, language, "screen.intro")
    asked = []
    for reply in typed:
        asked.append(question_of(event))
        [event] = await chat.send(reply)
    assert asked == ["safety", "capacity", "third_parties", "state_body"]
    assert BOOK.rule("labour_dispute").reasons[language] in event["text"]


async def test_an_invalid_answer_gets_a_clear_reask(
    stack: Stack, http: aiohttp.ClientSession, catalogue: Catalogue
) -> None:
    chat = await new_chat(http, stack, "ru")
    first = await started(chat, "ru")
    assert question_of(first) == "category"
    reask, again = await chat.send("фиолетовый", count=2)
    assert reask["text"] == plain(catalogue, "ru", "screen.reask")
    assert question_of(again) == "category"
    criminal = callbacks.screen_answer("category", "criminal")
    [nothing] = await chat.press(criminal, forge=True)  # real data, old message
    assert question_of(nothing) == "safety"
    # Forged: "maybe" is no option of the question (no builder checks it, parsing does).
    [expired] = await chat.press("s:safety:maybe", forge=True)
    assert expired["text"] == plain(catalogue, "ru", "error.expired_button")


async def test_back_restart_and_stop(
    stack: Stack, http: aiohttp.ClientSession, catalogue: Catalogue
) -> None:
    chat = await new_chat(http, stack, "en")
    first = await started(chat, "en")
    assert callbacks.screen_control("back") not in callback_data(first)  # nothing to go back to yet
    [event] = await chat.press(callbacks.screen_answer("category", "property"))
    [event] = await chat.press(callbacks.screen_answer("safety", "no"))
    assert question_of(event) == "capacity"
    [event] = await chat.press(callbacks.screen_control("back"))
    assert question_of(event) == "safety"
    [event] = await chat.send("back")
    assert question_of(event) == "category"
    [event] = await chat.press(callbacks.screen_answer("category", "public_law"))
    [event] = await chat.press(callbacks.screen_answer("safety", "no"))
    [event] = await chat.press(callbacks.screen_answer("capacity", "no"))
    [event] = await chat.press(callbacks.screen_answer("third_parties", "no"))
    assert question_of(event) == "discretion"
    [verdict] = await chat.press(callbacks.screen_answer("discretion", "no"))
    assert BOOK.rule("public_law_no_discretion").reasons["en"] in verdict["text"]
    # After the verdict: change the last answer, and get a new verdict.
    [event] = await chat.press(callbacks.screen_control("change"))
    assert question_of(event) == "discretion"
    [verdict] = await chat.press(callbacks.screen_answer("discretion", "yes"))
    assert BOOK.rule("public_law_discretion").reasons["en"] in verdict["text"]
    intro, event = await chat.press(callbacks.screen_control("restart"), count=2)
    assert intro["text"] == plain(catalogue, "en", "screen.intro")
    assert question_of(event) == "category"
    [left] = await chat.send("stop")
    assert left["text"] == plain(catalogue, "en", "screen.left")
    assert callbacks.topic("check_eligibility") in callback_data(left)  # the menu


async def test_danger_at_any_moment_leads_to_safety(
    stack: Stack, http: aiohttp.ClientSession, catalogue: Catalogue
) -> None:
    chat = await new_chat(http, stack, "kk")
    await started(chat, "kk")
    await chat.press(callbacks.screen_answer("category", "property"))
    [event] = await chat.press(callbacks.screen_answer("safety", "no"))
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
    await chat.press(callbacks.screen_answer("category", "family"))
    page, resume, again = await chat.send("сколько стоит медиация?", count=3)
    assert page["text"].startswith(catalogue.page("ru", "cost").title)
    assert resume["text"] == plain(catalogue, "ru", "screen.resume")
    assert question_of(again) == "safety"


UNKNOWN_EVERYWHERE = {name: "unknown" for name in BY_NAME if name != "category"}


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
@pytest.mark.parametrize("category", ["family", "criminal", "public_law"])
async def test_i_dont_know_to_everything_ends_unsure_with_what_to_find_out(
    stack: Stack, http: aiohttp.ClientSession, catalogue: Catalogue, language: str, category: str
) -> None:
    chat = await new_chat(http, stack, language)
    first = await started(chat, language)
    replies = {**UNKNOWN_EVERYWHERE, "category": category}
    asked, verdict = await answer_until_verdict(chat, catalogue, language, first, replies)
    expected, outcome = expected_walk(replies)
    assert asked == expected
    assert outcome.verdict == "unsure"
    text = verdict["text"]
    assert plain(catalogue, language, "screen.result.unsure") in text
    assert plain(catalogue, language, "screen.unknown.title") in text
    for field in outcome.unknown:
        assert plain(catalogue, language, f"screen.unknown.{field}") in text
    assert "safety_risk" in outcome.unknown
    # Nothing that reads as "go ahead": no search for a mediator, no invitation.
    assert callbacks.topic("find_mediator") not in callback_data(verdict)
    assert callbacks.topic("invite_other_party") not in callback_data(verdict)
    assert callbacks.page("eligibility_unsure") in callback_data(verdict)


@pytest.mark.parametrize(
    ("language", "find", "invite"),
    [
        ("ru", "найдите медиатора в Алматы", "как пригласить мужа на медиацию?"),
        ("kk", "Алматыдан медиатор тауып беріңізші", "күйеуімді медиацияға қалай шақырамын?"),
        ("en", "find me a mediator in Almaty", "how do I invite my husband to mediation?"),
    ],
)
async def test_after_past_violence_no_mediator_search_and_no_invitation(
    stack: Stack,
    http: aiohttp.ClientSession,
    catalogue: Catalogue,
    language: str,
    find: str,
    invite: str,
) -> None:
    chat = await new_chat(http, stack, language)
    await chat.send("/start")
    await chat.press(callbacks.choose_language(language), count=2)
    # A search before the questions: its buttons stay in the chat.
    [results] = await chat.press(directory_codes.search_in("astana"), forge=True)
    listing_buttons = [d for d, _ in directory_buttons(results, Op.CALL, Op.RESULTS, Op.MORE)]
    assert listing_buttons
    _, first = await chat.press(callbacks.topic("check_eligibility"), count=2)
    replies = {"category": "family", "past_violence": "yes"}
    _, verdict = await answer_until_verdict(chat, catalogue, language, first, replies)
    safety_title = catalogue.page(language, "safety").title
    assert verdict["text"].startswith(safety_title)
    # The older search's buttons now lead to help, not to listings.
    for data in listing_buttons[:2]:
        [event] = await chat.press(data)
        assert event["text"].startswith(safety_title), data
    # The menu's "Find a mediator", a typed request and the invitation: help, never the search.
    [event] = await chat.press(callbacks.topic("find_mediator"), forge=True)
    assert event["text"].startswith(safety_title)
    [event] = await chat.send(find)
    assert event["text"].startswith(safety_title)
    refused, event = await chat.send(invite, count=2)
    assert refused["text"] == plain(catalogue, language, "screen.invite.not_safe")
    assert event["text"].startswith(safety_title)
    # An old invitation button, or the directory's, leads to the same place.
    for data in (
        callbacks.topic("invite_other_party"),
        callbacks.page("invite_other_party"),
        directory_codes.bare(Op.INVITE),
        directory_codes.invite("kk"),
    ):
        refused, event = await chat.press(data, count=2, forge=True)
        assert refused["text"] == plain(catalogue, language, "screen.invite.not_safe"), data
        assert event["text"].startswith(safety_title)
    assert not any("dir.invite" in str(e) for e in await chat.settle())


async def test_the_invitation_comes_after_the_safety_questions(
    stack: Stack, http: aiohttp.ClientSession, catalogue: Catalogue
) -> None:
    chat = await new_chat(http, stack, "en")
    first = await started(chat, "en")
    # A dispute over property: the questionnaire does not ask about past violence.
    _, verdict = await answer_until_verdict(chat, catalogue, "en", first, {"category": "property"})
    assert callbacks.topic("invite_other_party") in callback_data(verdict)
    ask, question = await chat.press(callbacks.topic("invite_other_party"), count=2)
    assert ask["text"] == plain(catalogue, "en", "screen.invite.ask")
    assert question_of(question) == "past_violence"  # safety was answered "no" already
    page, languages = await chat.press(callbacks.screen_answer("past_violence", "no"), count=2)
    assert page["text"].startswith(catalogue.page("en", "invite_other_party").title)
    assert callback_data(languages) == [directory_codes.invite(lang) for lang in LANGUAGES]
    intro, message = await chat.press(directory_codes.invite("kk"), count=2)
    assert intro["text"] == plain(catalogue, "en", "dir.invite.intro")
    assert message["text"].startswith(plain(catalogue, "kk", "dir.invite.message")[:30])


@pytest.mark.parametrize(("answer", "typed"), [("unknown", "не знаю"), ("yes", "да")])
async def test_no_invitation_when_safety_is_not_a_clear_no(
    stack: Stack, http: aiohttp.ClientSession, catalogue: Catalogue, answer: str, typed: str
) -> None:
    chat = await new_chat(http, stack, "ru")
    await chat.send("/start")
    await chat.press(callbacks.choose_language("ru"), count=2)
    # Straight from the mediator search's button, with nothing asked before.
    ask, question = await chat.press(directory_codes.bare(Op.INVITE), count=2, forge=True)
    assert ask["text"] == plain(catalogue, "ru", "screen.invite.ask")
    assert question_of(question) == "safety"
    refused, safety = await chat.send(typed, count=2)
    assert refused["text"] == plain(catalogue, "ru", "screen.invite.not_safe")
    assert safety["text"].startswith(catalogue.page("ru", "safety").title)


TYPED: list[tuple[str, str, dict[str, str], dict[str, str], str]] = [
    # (language, category button, typed answer per question, the same as option codes, rule)
    ("ru", "administrative_offence",
     {"safety": "нет", "past_violence": "нет", "capacity": "нет", "third_parties": "нет",
      "admin_offence": "штраф за превышение скорости"},
     {"admin_offence": "other"}, "admin_offence_other"),
    ("kk", "family",
     {"safety": "білмеймін", "past_violence": "иә"},
     {"safety": "unknown", "past_violence": "yes"}, "past_violence"),
    ("en", "criminal",
     {"safety": "no", "past_violence": "no", "capacity": "no", "third_parties": "no",
      "gravity": "minor gravity", "harm": "no", "excluded": "abuse of a minor",
      "offender_minor": "yes", "repeat": "no", "in_force": "no"},
     {"gravity": "minor", "excluded": "violence_against_minor", "offender_minor": "yes"},
     "minor_offender"),
    ("ru", "criminal",
     {"safety": "нет", "past_violence": "нет", "capacity": "нет", "third_parties": "нет",
      "gravity": "тяжкое", "harm": "нет", "excluded": "ничего из этого", "repeat": "нет",
      "in_force": "нет", "privileged": "не знаю", "first_offence": "да"},
     {"gravity": "serious", "privileged": "unknown", "first_offence": "yes"}, ""),
]  # fmt: skip


@pytest.mark.parametrize(("language", "category", "typed", "codes", "rule_id"), TYPED)
async def test_typed_answers_reach_the_same_verdicts(
    stack: Stack,
    http: aiohttp.ClientSession,
    catalogue: Catalogue,
    language: str,
    category: str,
    typed: dict[str, str],
    codes: dict[str, str],
    rule_id: str,
) -> None:
    chat = await new_chat(http, stack, language)
    await started(chat, language)
    [event] = await chat.press(callbacks.screen_answer("category", category))
    asked = []
    while (name := question_of(event)) is not None:
        asked.append(name)
        assert len(asked) < 20, asked
        if name == "safety" and typed[name] in ("білмеймін", "не знаю", "I don't know"):
            contacts, event = await chat.send(typed[name], count=2)
            assert "111" in contacts["text"]
            continue
        [event] = await chat.send(typed[name])
    expected, outcome = expected_walk({"category": category, **codes})
    assert asked == expected[1:]
    if outcome.verdict == "safety_first":
        assert event["text"].startswith(catalogue.page(language, "safety").title)
    else:
        assert plain(catalogue, language, f"screen.result.{outcome.verdict}") in event["text"]
    if rule_id:
        assert rule_id in outcome.rules
        reason = BOOK.rule(rule_id).reasons[language]
        assert outcome.verdict == "safety_first" or html.unescape(reason) in event["text"]
    else:  # an "I don't know" that matters: unsure, and what to find out
        assert outcome.verdict == "unsure"
        assert outcome.unknown == ("offender_privileged",)
        assert plain(catalogue, language, "screen.unknown.offender_privileged") in event["text"]
