"""/start, the language picker, and "where did you hear about us?"."""

from __future__ import annotations

import pytest

from bot.content import Catalogue
from bot.offices.models import Office
from bot.telegram import callbacks
from tests.support.in_process import InProcessBot
from tests.support.playground import callback_data
from tests.support.views import MENU, plain

PICKER = [callbacks.choose_language(lang) for lang in ("kk", "ru", "en")]


async def _office(bot: InProcessBot, code: str = "ast_psc_1", language: str = "kk") -> str:
    async with bot.services.db.sessions() as session, session.begin():
        session.add(Office(code=code, kind="psc", region_id="astana", name_kk="ХҚКО",
                           name_ru="ЦОН", name_en="PSC", language=language))  # fmt: skip
    return code


@pytest.mark.parametrize(("app_language", "shown"), [("ru", "ru"), ("kk", "kk"), ("de", "ru")])
async def test_start_shows_the_picker_in_the_guessed_language(
    bot: InProcessBot, catalogue: Catalogue, app_language: str, shown: str
) -> None:
    chat = await bot.chat(app_language)
    [picker] = await chat.send("/start")
    assert picker["text"] == plain(catalogue, shown, "lang.prompt")
    assert callback_data(picker) == PICKER


async def test_picking_a_language_confirms_in_place_and_welcomes(
    bot: InProcessBot, catalogue: Catalogue
) -> None:
    chat = await bot.chat("ru")
    await chat.send("/start")
    confirmed, welcome = await chat.press(callbacks.choose_language("kk"), count=2)
    assert confirmed["kind"] == "edit"  # the picker itself now says what was chosen
    assert confirmed["text"] == plain(
        catalogue, "kk", "lang.changed", language_name=catalogue.label("kk", "lang.name.kk")
    )
    assert welcome["text"] == plain(catalogue, "kk", "welcome")
    # Came without an office's link: asked, without insisting, where they heard of us.
    assert callback_data(welcome) == [*MENU, callbacks.SOURCE_QUESTION]
    assert (await bot.services.db.person(chat.user_id)).language == "kk"
    # Picked again later: the menu, not a second welcome, and no second question.
    await chat.send("/language")
    _, menu = await chat.press(callbacks.choose_language("en"), count=2)
    assert menu["text"] == plain(catalogue, "en", "menu.title")
    assert callback_data(menu) == MENU


async def test_a_start_through_an_office_link_presets_its_language(
    bot: InProcessBot, catalogue: Catalogue
) -> None:
    office = await _office(bot)
    chat = await bot.chat("ru")
    [welcome] = await chat.send(f"/start o_{office}")
    assert welcome["text"] == plain(catalogue, "kk", "welcome")
    assert callback_data(welcome) == MENU
    person = await bot.services.db.person(chat.user_id)
    assert (person.office, person.region, person.language) == (office, "astana", "kk")
    other = await bot.chat("kk")
    [welcome] = await other.send(f"/start o_{office}-en")  # the link's own language wins
    assert welcome["text"] == plain(catalogue, "en", "welcome")
    assert bot.rasa.turns == []  # a /start payload never reaches Rasa's /intent parser


@pytest.mark.parametrize("payload", ["o_no_such_office", "o_bad code!", "x" * 70, "/greet"])
async def test_a_broken_start_link_gets_the_picker(
    bot: InProcessBot, catalogue: Catalogue, payload: str
) -> None:
    chat = await bot.chat("en")
    [picker] = await chat.send(f"/start {payload}")
    assert picker["text"] == plain(catalogue, "en", "lang.prompt")
    assert bot.rasa.turns == []


async def test_an_office_code_is_noted_and_a_wrong_one_asked_again(
    bot: InProcessBot, catalogue: Catalogue
) -> None:
    office = await _office(bot, "shym_court_2", language="")
    chat = await bot.chat("ru")
    await chat.send("/start")
    await chat.press(callbacks.choose_language("ru"), count=2)
    [question] = await chat.press(callbacks.SOURCE_QUESTION)
    assert question["text"] == plain(catalogue, "ru", "source.ask")
    [prompt] = await chat.press(callbacks.source("code"))
    assert prompt["text"] == plain(catalogue, "ru", "source.code_prompt")
    [unknown] = await chat.send("nowhere_42")
    assert unknown["text"] == plain(catalogue, "ru", "source.unknown_code")
    await chat.press(callbacks.source("code"))
    [noted] = await chat.send(office.upper())
    assert noted["text"] == plain(catalogue, "ru", "source.office_noted", office="ЦОН")
    assert (await bot.services.db.person(chat.user_id)).office == office
    assert bot.rasa.turns == []  # the code was the bot's, not a question for the dialogue


async def test_the_same_language_picked_twice_is_confirmed_again(
    bot: InProcessBot, catalogue: Catalogue
) -> None:
    chat = await bot.chat("en")
    [picker] = await chat.send("/start")
    await chat.press(callbacks.choose_language("en"), count=2)
    # A double tap: the second press comes from the picker, which already says so. Telegram
    # would refuse the same edit, so it is said again in a new message.
    sent = await chat._post(
        "callback",
        {"message_id": picker["message_id"], "data": callbacks.choose_language("en"),
         "forge": True},
    )  # fmt: skip
    chat.seq = max(chat.seq, int(sent["seq"]))
    again, menu = await chat.replies(2)
    assert again["kind"] == "message"
    assert again["text"] == plain(
        catalogue, "en", "lang.changed", language_name=catalogue.label("en", "lang.name.en")
    )
    assert menu["text"] == plain(catalogue, "en", "menu.title")
