"""Every topic answers in every language, by text and by button, through the real stack."""

from __future__ import annotations

import aiohttp
import pytest

from bot.content import Catalogue
from bot.stack import Stack
from bot.telegram import callbacks
from bot.telegram.callbacks import Kind
from tests.support.playground import callback_data
from tests.support.stack import ready
from tests.support.views import MENU, PICKER, plain, shows_page

pytestmark = pytest.mark.integration

# One everyday question per topic and language; the held-out NLU set measures the rest.
QUESTIONS: dict[str, dict[str, str]] = {
    "mediation_cost": {
        "kk": "медиация қанша тұрады?",
        "ru": "сколько стоят услуги медиатора",
        "en": "how much does mediation cost",
    },
    "duration": {
        "kk": "медиация қанша уақытқа созылады",
        "ru": "сколько длится медиация",
        "en": "how long does mediation take",
    },
    "confidentiality": {
        "kk": "айтқандарым құпия болып қала ма",
        "ru": "это останется в тайне? кто узнает",
        "en": "will what I say stay confidential",
    },
    "agreement": {
        "kk": "екінші тарап келісімді орындамаса не болады",
        "ru": "что если вторая сторона не выполнит соглашение",
        "en": "what if the other side doesn't follow the agreement",
    },
    "how_to_start": {
        "kk": "медиацияны қалай бастаймын",
        "ru": "с чего начать медиацию",
        "en": "how do I start mediation",
    },
    "mediators": {
        "kk": "кім медиатор бола алады",
        "ru": "кто может быть медиатором",
        "en": "who can become a mediator",
    },
    "talk_to_person": {
        "kk": "заңгермен сөйлескім келеді",
        "ru": "хочу поговорить с живым человеком",
        "en": "i want to talk to a real person",
    },
    "privacy": {
        "kk": "менің деректерімді сақтайсыздар ма",
        "ru": "вы храните мои сообщения?",
        "en": "what data do you keep about me",
    },
    "mediation_vs_court": {
        "kk": "медиацияның соттан айырмашылығы неде",
        "ru": "чем медиация лучше суда",
        "en": "what is the difference between mediation and court",
    },
}
BUTTONS = {
    "mediation_cost": callbacks.topic("mediation_cost"),
    "duration": callbacks.topic("mediation_duration"),
    "confidentiality": callbacks.topic("confidentiality"),
    "agreement": callbacks.topic("agreement_enforcement"),
    "how_to_start": callbacks.topic("how_to_start"),
    "mediators": callbacks.topic("mediator_requirements"),
    "talk_to_person": callbacks.topic("talk_to_human"),
    "privacy": callbacks.topic("privacy"),
    "mediation_vs_court": callbacks.topic("mediation_vs_court"),
}
PAGE_OF = {"mediation_cost": "cost"}


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
async def test_every_topic_by_text(
    stack: Stack, http: aiohttp.ClientSession, catalogue: Catalogue, language: str
) -> None:
    chat = await ready(http, stack, language)
    wrong = []
    for topic, texts in QUESTIONS.items():
        [answer] = await chat.send(texts[language])
        if not shows_page(answer, catalogue, language, PAGE_OF.get(topic, topic)):
            wrong.append((topic, answer["text"][:80]))
    assert wrong == []


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
async def test_every_topic_by_button(
    stack: Stack, http: aiohttp.ClientSession, catalogue: Catalogue, language: str
) -> None:
    chat = await ready(http, stack, language)
    for topic, code in BUTTONS.items():
        [answer] = await chat.press(code, forge=True)  # a topic button, as pages offer them
        assert shows_page(answer, catalogue, language, PAGE_OF.get(topic, topic)), topic
        assert callback_data(answer)[-1] == callbacks.MENU


async def test_comparison_per_dispute_type(
    stack: Stack, http: aiohttp.ClientSession, catalogue: Catalogue
) -> None:
    chat = await ready(http, stack, "ru")
    [general] = await chat.press(callbacks.topic("mediation_vs_court"))
    pressed = [callbacks.parse(data) for data in callback_data(general)]
    pages = [p.value for p in pressed if p is not None and p.kind is Kind.PAGE]
    assert len([p for p in pages if p.startswith("mediation_vs_court_")]) == 9
    [family] = await chat.press(callbacks.page("mediation_vs_court_family"))
    assert shows_page(family, catalogue, "ru", "mediation_vs_court_family")
    [labour] = await chat.send("что лучше суд или медиация если не платят зарплату")
    assert shows_page(labour, catalogue, "ru", "mediation_vs_court_labour"), labour["text"][:80]


async def test_law_and_safety_pages_open_from_buttons(
    stack: Stack, http: aiohttp.ClientSession, catalogue: Catalogue
) -> None:
    chat = await ready(http, stack, "kk")
    [law] = await chat.press(callbacks.page("legal_basis"), forge=True)
    assert shows_page(law, catalogue, "kk", "legal_basis")
    [safety] = await chat.press(callbacks.page("safety"), forge=True)
    assert shows_page(safety, catalogue, "kk", "safety")
    [expired] = await chat.press(callbacks.page("no_such_page"), forge=True)  # a page nobody wrote
    assert expired["text"] == plain(catalogue, "kk", "error.expired_button")


@pytest.mark.parametrize(
    ("language", "text", "target"),
    [
        ("en", "пиши на русском", "ru"),
        ("ru", "қазақша сөйле", "kk"),
        ("kk", "in English please", "en"),
    ],
)
async def test_change_language_by_text_switches_at_once(
    stack: Stack,
    http: aiohttp.ClientSession,
    catalogue: Catalogue,
    language: str,
    text: str,
    target: str,
) -> None:
    chat = await ready(http, stack, language)
    [switched] = await chat.send(text)
    assert switched["text"] == plain(catalogue, target, "lang.switched")
    assert callback_data(switched) == MENU
    [answer] = await chat.press(callbacks.topic("what_is_mediation"))
    assert shows_page(answer, catalogue, target, "what_is_mediation")


async def test_writing_in_another_language_offers_a_switch(
    stack: Stack, http: aiohttp.ClientSession, catalogue: Catalogue
) -> None:
    chat = await ready(http, stack, "en")
    # Replies follow the setting (English); the offer is made in the language written in.
    answer, offer = await chat.send("что такое медиация и как она проходит", count=2)
    assert shows_page(answer, catalogue, "en", "what_is_mediation")
    assert offer["text"] == plain(catalogue, "ru", "lang.offer")
    assert callback_data(offer) == [callbacks.choose_language("ru")]
    # Offered once: the next Russian message gets just the answer.
    [again] = await chat.send("сколько стоит медиация у медиатора")
    assert shows_page(again, catalogue, "en", "cost")
    assert await chat.settle() == []
    _, menu = await chat.press(callbacks.choose_language("ru"), count=2)
    assert menu["text"] == plain(catalogue, "ru", "menu.title")


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("kk", "ертең ауа райы қандай болады"),
        ("ru", "какой курс доллара"),
        ("en", "tell me a joke"),
    ],
)
async def test_out_of_scope_is_polite_with_the_menu(
    stack: Stack, http: aiohttp.ClientSession, catalogue: Catalogue, language: str, text: str
) -> None:
    chat = await ready(http, stack, language)
    [reply] = await chat.send(text)
    assert reply["text"] in {
        plain(catalogue, language, "out_of_scope"),
        plain(catalogue, language, "fallback"),
    }
    assert callback_data(reply)[-len(MENU) :] == MENU


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("kk", "қанша ақша және қанша күн"),
        ("ru", "сколько стоит и сколько длится медиация"),
        ("en", "cost and duration"),
    ],
)
async def test_two_topics_at_once_get_did_you_mean_then_the_chosen_page(
    stack: Stack, http: aiohttp.ClientSession, catalogue: Catalogue, language: str, text: str
) -> None:
    # Cost and duration in one breath: the classifier's two best are too close to pick one.
    chat = await ready(http, stack, language)
    [reply] = await chat.send(text)
    assert reply["text"].startswith(plain(catalogue, language, "fallback"))
    buttons = callback_data(reply)
    duration = callbacks.topic("mediation_duration")
    assert set(buttons[:2]) == {callbacks.topic("mediation_cost"), duration}
    assert buttons[-len(MENU) :] == MENU
    [page] = await chat.press(duration)
    assert shows_page(page, catalogue, language, "duration")


@pytest.mark.parametrize(
    ("language", "text", "key"),
    [
        ("ru", "привет", "greet"),
        ("kk", "рахмет", "thank"),
        ("en", "are you a robot?", "bot_challenge"),
    ],
)
async def test_small_talk(
    stack: Stack,
    http: aiohttp.ClientSession,
    catalogue: Catalogue,
    language: str,
    text: str,
    key: str,
) -> None:
    chat = await ready(http, stack, language)
    [reply] = await chat.send(text)
    assert reply["text"] == plain(catalogue, language, key)


async def test_delete_my_data_from_the_privacy_page(
    stack: Stack, http: aiohttp.ClientSession, catalogue: Catalogue
) -> None:
    chat = await ready(http, stack, "kk")
    [page] = await chat.press(callbacks.topic("privacy"), forge=True)
    assert shows_page(page, catalogue, "kk", "privacy")
    assert callback_data(page)[2] == callbacks.FORGET  # after 👍 / 👎
    [confirm] = await chat.press(callbacks.FORGET)
    assert confirm["text"] == plain(catalogue, "kk", "forget.confirm")
    [done] = await chat.press(callbacks.FORGET_CONFIRMED)
    assert done["text"] == plain(catalogue, "kk", "forget.deleted")
    await chat.send("/forget")
    [nothing] = await chat.press(callbacks.FORGET_CONFIRMED)
    assert nothing["text"] == plain(catalogue, "kk", "forget.nothing")
    # Nothing kept: /start guesses the language from Telegram again (kk here) and asks.
    [picker] = await chat.send("/start")
    assert callback_data(picker) == PICKER
