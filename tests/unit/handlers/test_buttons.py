"""Button presses: every kind routed, every press answered, forged data refused politely."""

from __future__ import annotations

import pytest

from bot.content import Catalogue
from bot.dialogue.topics import BUTTON_PAGES, TOPIC_CODES
from bot.telegram import callbacks
from bot.telegram import directory_codes as codes
from bot.telegram.directory_codes import Op
from tests.support.in_process import InProcessBot, custom
from tests.support.playground import callback_data
from tests.support.views import MENU, plain, shows_page


@pytest.mark.parametrize("intent", sorted(TOPIC_CODES.values()))
async def test_a_topic_button_asks_the_dialogue_as_if_its_intent_was_typed(
    bot: InProcessBot, intent: str
) -> None:
    chat = await bot.ready("ru")
    await chat.press(callbacks.topic(intent), forge=True)
    [turn] = bot.rasa.turns
    assert turn["message"] == f"/{intent}"
    assert turn["metadata"]["language"] == "ru"


@pytest.mark.parametrize("page", BUTTON_PAGES)
async def test_a_page_button_shows_the_page_without_the_dialogue(
    bot: InProcessBot, catalogue: Catalogue, page: str
) -> None:
    chat = await bot.ready("kk")
    [shown] = await chat.press(callbacks.page(page), forge=True)
    assert shows_page(shown, catalogue, "kk", page)
    assert bot.rasa.turns == []


async def test_the_invitation_page_is_only_reached_through_the_safety_questions(
    bot: InProcessBot,
) -> None:
    chat = await bot.ready("en")
    await chat.press(callbacks.page("invite_other_party"), forge=True)
    assert bot.rasa.texts == ["/invite_other_party"]


@pytest.mark.parametrize(
    "data",
    ["t:nonexistent", '/greet{"x":1}', "p:../../etc/passwd", "s:", "x" * 64, "d:zz:1", "l:xx", ""],
)
async def test_forged_or_stale_data_gets_a_clear_answer(
    bot: InProcessBot, catalogue: Catalogue, data: str
) -> None:
    chat = await bot.ready("ru")
    [reply] = await chat.press(data, forge=True)
    assert reply["text"] == plain(catalogue, "ru", "error.expired_button")
    assert callback_data(reply) == MENU
    assert bot.rasa.turns == []


async def test_menu_picker_and_questionnaire_buttons(
    bot: InProcessBot, catalogue: Catalogue
) -> None:
    chat = await bot.ready("en")
    [menu] = await chat.press(callbacks.MENU, forge=True)
    assert menu["text"] == plain(catalogue, "en", "menu.title")
    [picker] = await chat.press(callbacks.LANGUAGE_PICKER)
    assert picker["text"] == plain(catalogue, "en", "lang.prompt")
    await chat.press(callbacks.screen_answer("category", "family"), forge=True)
    await chat.press(callbacks.screen_control("change"), forge=True)
    metadata = [turn["metadata"].get("screen") for turn in bot.rasa.turns]
    assert metadata == [{"q": "category", "a": "family"}, {"do": "back"}]
    assert bot.rasa.texts == ["/check_eligibility"] * 2


async def test_the_mediator_search_by_buttons(bot: InProcessBot, catalogue: Catalogue) -> None:
    chat = await bot.ready("ru")
    bot.rasa.on("/find_mediator", lambda turn: [
        custom(do="mediators", **turn["metadata"]["directory"]) if "directory" in turn["metadata"]
        else custom(do="ask_place")
    ])  # fmt: skip
    ask, regions = await chat.press(callbacks.topic("find_mediator"), count=2)
    assert ask["text"] == plain(catalogue, "ru", "dir.ask_place")
    assert ask["reply_markup"]["keyboard"]  # the "send my location" button
    assert regions["text"] == plain(catalogue, "ru", "dir.choose_region")
    assert codes.search_in("almaty") in callback_data(regions)
    [towns] = await chat.press(codes.region("turkistan-region"))
    assert codes.search_in("turkistan") in callback_data(towns)
    assert towns["kind"] == "edit"  # the regions become that region's towns
    searching, results = await chat.press(codes.search_in("turkistan"), count=2)
    assert searching["text"].startswith(plain(catalogue, "ru", "dir.searching", place="")[:10])
    assert searching["reply_markup"] == {"remove_keyboard": True}
    assert bot.rasa.turns[-1]["metadata"]["directory"] == {"place": "turkistan"}
    assert "<b>1. " in results["html"]
    # Every kind of button on the results leads somewhere: pressed, each gets a message,
    # never an error. The first listing's buttons, then those of the page itself (the kind
    # of dispute last: it changes the page in place, as the filters do). Not every
    # listing's: a person sending that many at once is rightly told "too fast" (USER_BURST).
    error = plain(catalogue, "ru", "error.expired_button")
    first = codes.parse(callback_data(results)[0])
    assert first is not None
    assert first.listing_id
    parsed = [(data, codes.parse(data)) for data in callback_data(results)]
    own = [data for data, code in parsed if code and code.listing_id == first.listing_id]
    in_place = (Op.RESULTS, Op.CHOOSE_TYPE)
    page = [
        data for data, code in parsed if code and not code.listing_id and code.op not in in_place
    ]
    page.append(next(data for data, code in parsed if code and code.op is Op.CHOOSE_TYPE))
    assert {codes.parse(d).op for d in own} == {Op.CALL, Op.WRITE, Op.MAP, Op.MORE}  # type: ignore[union-attr]
    for data in own + page:
        [answer, *_] = await chat.press(data)
        await chat.settle(0.2)
        assert answer["text"] != error, data


async def test_a_place_that_is_not_in_the_gazetteer_is_refused(
    bot: InProcessBot, catalogue: Catalogue
) -> None:
    chat = await bot.ready("kk")
    [reply] = await chat.press(codes.search_in("atlantis"), forge=True)
    assert reply["text"] == plain(catalogue, "kk", "error.expired_button")
    assert bot.rasa.turns == []


async def test_after_danger_an_old_search_button_shows_help_not_listings(
    bot: InProcessBot, catalogue: Catalogue
) -> None:
    chat = await bot.ready("en")
    bot.rasa.on("x", [custom("page:safety", menu=True, concern="1")])
    await chat.send("x")
    [reply] = await chat.press(codes.search_in("almaty"), forge=True)
    assert shows_page(reply, catalogue, "en", "safety")
    assert bot.rasa.texts == ["x"]


async def test_what_the_conversation_showed_is_known_to_the_next_worker(
    bot: InProcessBot, catalogue: Catalogue
) -> None:
    """Told of danger, then another bot worker (or this one restarted) gets the next press:
    it shows help too, since the flag is in the database, not in one process."""
    chat = await bot.ready("kk")
    bot.rasa.on("x", [custom("page:safety", menu=True, concern="1")])
    await chat.send("x")
    await bot.restart()
    [reply] = await chat.press(codes.search_in("almaty"), forge=True)
    assert shows_page(reply, catalogue, "kk", "safety")
    # "I have a code" pressed, then the worker changes: the next text is still the code.
    await chat.press(callbacks.source("code"), forge=True)
    await bot.restart()
    [unknown] = await chat.send("nowhere_42")
    assert unknown["text"] == plain(catalogue, "kk", "source.unknown_code")
    assert bot.rasa.texts == ["x"]
