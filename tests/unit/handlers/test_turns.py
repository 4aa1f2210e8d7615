"""A turn: typed text to the dialogue, and each of its replies delivered by its instruction."""

from __future__ import annotations

import re

import pytest

from bot.content import Catalogue
from bot.dialogue.client import TURN_KEY
from bot.dialogue.payloads import Do
from bot.telegram import callbacks
from tests.support.in_process import InProcessBot, custom
from tests.support.playground import button_labels, callback_data
from tests.support.views import MENU, QUESTIONS, plain, shows_page

LANGUAGES = ["kk", "ru", "en"]


async def test_text_goes_to_the_dialogue_under_a_pseudonym_with_the_language(
    bot: InProcessBot,
) -> None:
    chat = await bot.ready("kk")
    await chat.send(QUESTIONS["kk"])
    [turn] = bot.rasa.turns
    assert turn["message"] == QUESTIONS["kk"]
    # Named by the update, so a turn sent twice is applied once (kelisim_engine/once.py).
    named = turn["metadata"].pop(TURN_KEY)
    assert turn["metadata"] == {"language": "kk"}
    assert re.fullmatch(r"\d+\.1", named)
    # Rasa never learns who is writing: a keyed hash, not the Telegram id.
    assert str(chat.user_id) not in turn["sender"]
    assert len(turn["sender"]) >= 32
    await chat.send("және тағы")
    assert bot.rasa.turns[1]["sender"] == turn["sender"]
    assert bot.rasa.turns[1]["metadata"][TURN_KEY] != named


@pytest.mark.parametrize("language", LANGUAGES)
async def test_a_string_and_a_page_are_shown_in_the_persons_language(
    bot: InProcessBot, catalogue: Catalogue, language: str
) -> None:
    chat = await bot.ready(language)
    bot.rasa.on("hi", [custom("greet", menu=True)])
    [greeting] = await chat.send("hi")
    assert greeting["text"] == plain(catalogue, language, "greet")
    assert callback_data(greeting) == MENU
    page_reply = custom("page:what_is_mediation", menu=True)
    page_reply["custom"]["topics"] = ["mediation_vs_court", "check_eligibility"]
    bot.rasa.on(QUESTIONS[language], [page_reply])
    [page] = await chat.send(QUESTIONS[language])
    assert shows_page(page, catalogue, language, "what_is_mediation")
    assert callback_data(page)[:2] == ["f:p.what_is_mediation:up", "f:p.what_is_mediation:down"]
    assert callback_data(page)[2:4] == ["t:vs", "t:elig"]
    assert callback_data(page)[4:] == ["menu"]  # with topics, the menu is one button


async def test_several_replies_come_in_order(bot: InProcessBot, catalogue: Catalogue) -> None:
    chat = await bot.ready("en")
    bot.rasa.on("thanks", [custom("thank"), custom("goodbye"), custom("menu.title", menu=True)])
    thank, goodbye, menu = await chat.send("thanks", count=3)
    assert [thank["text"], goodbye["text"], menu["text"]] == [
        plain(catalogue, "en", key) for key in ("thank", "goodbye", "menu.title")
    ]


async def test_every_instruction_has_a_route(bot: InProcessBot, catalogue: Catalogue) -> None:
    """One reply per `Do` value, and what the person sees for it (first words of each message)."""
    chat = await bot.ready("en")
    samples = {
        Do.SHOW: (custom("greet", menu=True), ["greet"]),
        Do.ASK_PLACE: (custom(do="ask_place"), ["dir.ask_place", "dir.choose_region"]),
        Do.MEDIATORS: (
            custom(do="mediators", place="almaty", type="family"),
            ["dir.searching", "dir.header"],
        ),
        Do.LANGUAGE_PICKER: (custom(do="language_picker"), ["lang.prompt"]),
        Do.SET_LANGUAGE: (custom(do="set_language", language="en"), ["lang.switched"]),
        Do.INVITATION: (
            custom(do="invitation", language="en"), ["dir.invite.intro", "dir.invite.message"]
        ),
        Do.INVITE_LANGUAGES: (custom(do="invite_languages"), ["dir.invite.choose"]),
        Do.SCREEN_QUESTION: (
            custom(do="screen_question", question="category"), ["screen.q.category"]
        ),
        Do.SCREENING_RESULT: (
            custom(do="screening_result", verdict="eligible", rules="family_dispute",
                   category="family"),
            ["screen.result.eligible"],
        ),
    }  # fmt: skip
    assert set(samples) == set(Do)  # a new instruction needs a sample here
    for do, (payload, keys) in samples.items():
        bot.rasa.on(do.value or "show", [payload])
        shown = await chat.send(do.value or "show", count=len(keys))
        for message, key in zip(shown, keys, strict=True):
            words = plain(catalogue, "en", key, **_ANY_ARGS)[:12]
            assert message["text"].startswith(words), (do, key, message["text"][:60])


# Placeholders filled with something: only the first words of each string are compared.
_ANY_ARGS = dict.fromkeys(("place", "filters", "limit", "link", "language_name"), "…")


async def test_an_unknown_instruction_from_a_newer_model_is_shown_as_its_key(
    bot: InProcessBot, catalogue: Catalogue
) -> None:
    chat = await bot.ready("ru")
    bot.rasa.on("x", [custom("greet", do="dance", menu=True)])
    [reply] = await chat.send("x")
    assert reply["text"] == plain(catalogue, "ru", "greet")


async def test_a_key_the_content_lacks_gets_the_generic_error_and_the_menu(
    bot: InProcessBot, catalogue: Catalogue
) -> None:
    chat = await bot.ready("kk")
    bot.rasa.on("x", [custom("no.such.key")])
    [reply] = await chat.send("x")
    assert reply["text"] == plain(catalogue, "kk", "error.generic")
    assert callback_data(reply) == MENU


async def test_set_language_switches_the_rest_of_the_turn(
    bot: InProcessBot, catalogue: Catalogue
) -> None:
    chat = await bot.ready("ru")
    bot.rasa.on("speak english", [custom(do="set_language", language="en")])
    [switched] = await chat.send("speak english")
    assert switched["text"] == plain(catalogue, "en", "lang.switched")
    assert callback_data(switched) == MENU
    await chat.send("next")
    assert bot.rasa.turns[-1]["metadata"]["language"] == "en"
    # A language the bot does not have: the picker, nothing stored.
    bot.rasa.on("klingon", [custom(do="set_language", language="tlh")])
    [picker] = await chat.send("klingon")
    assert callback_data(picker) == [callbacks.choose_language(lang) for lang in LANGUAGES]


@pytest.mark.parametrize(
    "failure", ["http-500", "empty", "not-ours"], ids=["error", "no messages", "no payload"]
)
async def test_a_broken_dialogue_gets_an_apology_with_the_menu(
    bot: InProcessBot, catalogue: Catalogue, failure: str
) -> None:
    chat = await bot.ready("kk")
    if failure == "http-500":
        bot.rasa.down()
    else:
        # Rasa answers [] when an action fails; a text-only message is not our payload.
        bot.rasa.on(lambda turn: True, [] if failure == "empty" else [{"text": "raw"}])
    [reply] = await chat.send(QUESTIONS["kk"])
    assert reply["text"] == plain(catalogue, "kk", "error.rasa_down")
    assert callback_data(reply) == MENU


async def test_with_the_dialogue_down_the_bots_own_parts_still_work(
    bot: InProcessBot, catalogue: Catalogue
) -> None:
    chat = await bot.ready("ru")
    bot.rasa.down()
    [page] = await chat.press("t:wim")
    assert shows_page(page, catalogue, "ru", "what_is_mediation")
    ask, _ = await chat.press("t:find", count=2)
    assert ask["text"] == plain(catalogue, "ru", "dir.ask_place")
    _, results = await chat.press("w:almaty", count=2)
    assert "<b>1. " in results["html"]


async def test_rasa_unreachable_is_the_same_apology(
    bot: InProcessBot, catalogue: Catalogue
) -> None:
    chat = await bot.ready("en")
    await bot.rasa.close()
    [reply] = await chat.send(QUESTIONS["en"])
    assert reply["text"] == plain(catalogue, "en", "error.rasa_down")


async def test_bad_input_gets_a_clear_answer_and_never_reaches_the_dialogue(
    bot: InProcessBot, catalogue: Catalogue
) -> None:
    chat = await bot.ready("en")
    [reply] = await chat.send_sticker()
    assert reply["text"] == plain(catalogue, "en", "error.unsupported")
    assert callback_data(reply) == MENU
    [reply] = await chat.send("x" * (bot.settings.max_text_length + 1))
    assert reply["text"] == plain(catalogue, "en", "error.too_long", limit=1000)
    for typed in ("/what_is_mediation", '/greet{"language": "kk"}', "/nlu_fallback"):
        [reply] = await chat.send(typed)
        assert reply["text"] == plain(catalogue, "en", "error.unknown_command")
    assert bot.rasa.turns == []


@pytest.mark.parametrize("typed", ["/ /restart", " //greet", "/\n/x"])
async def test_a_leading_slash_in_text_never_reads_as_an_intent(
    bot: InProcessBot, typed: str
) -> None:
    chat = await bot.ready("en")
    await chat.send(f"hello {typed}")  # not a command: the text as written
    await chat.send(f"{typed} hello".replace("\\n", "\n"))
    assert not any(text.startswith("/") for text in bot.rasa.texts)


@pytest.mark.parametrize(
    ("language", "text"),
    [("ru", "муж бьёт меня"), ("kk", "күйеуім мені ұрады"), ("en", "my husband hits me")],
)
async def test_danger_in_any_words_goes_to_the_safety_questions_first(
    bot: InProcessBot, language: str, text: str
) -> None:
    chat = await bot.ready(language)
    await chat.send(text)
    [turn] = bot.rasa.turns
    assert turn["message"] == "/check_eligibility"
    assert turn["metadata"]["screen"] == {"do": "danger"}
    # The person's words stay in the bot: the dialogue hears only that there was danger.
    assert text not in str(turn)


async def test_writing_in_another_language_offers_a_switch_once(
    bot: InProcessBot, catalogue: Catalogue
) -> None:
    chat = await bot.ready("kk")
    _, offer = await chat.send("what is mediation and how does it work", count=2)
    assert offer["text"] == plain(catalogue, "en", "lang.offer")
    assert callback_data(offer) == [callbacks.choose_language("en")]
    assert button_labels(offer) == [catalogue.label("en", "btn.switch_language")]
    [_] = await chat.send("what is mediation and how does it work")
    assert await chat.settle(0.3) == []
