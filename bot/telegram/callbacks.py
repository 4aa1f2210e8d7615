"""callback_data codes: short ASCII, parsed strictly because clients can forge them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from bot.dialogue.topics import BUTTON_PAGES, CODE_OF_TOPIC, TOPIC_CODES
from bot.languages import LANGUAGES
from bot.offices.sources import SOURCE_ACTIONS, SOURCES
from bot.screening.questions import BY_NAME, QUESTIONS
from bot.telegram import directory_codes
from bot.telegram.directory_codes import DirectoryCode, Op, SearchKey

_PAGE_ID = re.compile(r"[a-z][a-z0-9_]{0,59}")

MENU = "menu"
FORGET = "forget"
FORGET_CONFIRMED = "forget:yes"
LANGUAGE_PICKER = "lang"
# "Where did you hear about us?" after a bare /start: the answers (bot/offices/sources.py).
SOURCE_QUESTION = "src:ask"  # on the welcome: opens the question (source("ask"))
# "change" (after a verdict) reopens the last answer, as "back" does during the questions.
SCREEN_CONTROLS = ("back", "restart", "stop", "change")


def choose_language(language: str) -> str:
    return f"l:{language}"


def topic(intent: str) -> str:
    return f"t:{CODE_OF_TOPIC[intent]}"


def page(page_id: str) -> str:
    return f"p:{page_id}"


def screen_answer(question: str, option: str) -> str:
    return f"s:{question}:{option}"


def screen_control(name: str) -> str:
    return f"s:{name}"


def source(value: str) -> str:
    """An answer to "Where did you hear about us?" (SOURCES, SOURCE_ACTIONS or "ask")."""
    return f"src:{value}"


class Kind(StrEnum):
    """What a button press asks for; bot/telegram/handlers/buttons.py has one route
    per kind."""

    MENU = "menu"
    LANGUAGE_PICKER = "language_picker"
    LANGUAGE = "language"  # a language chosen (value: its code)
    TOPIC = "topic"  # a topic's intent, sent to the dialogue (value: the intent)
    PAGE = "page"  # a page shown by the bot alone (value: its id)
    FORGET = "forget"  # "delete what you hold about me?"
    FORGET_CONFIRMED = "forget_confirmed"
    SCREEN = "screen"  # the questionnaire (value: question or control; option: the answer)
    SOURCE = "source"  # "where did you hear about us?" (value: the answer)
    DIRECTORY = "directory"  # the mediator search (directory: its code)


@dataclass(frozen=True)
class Callback:
    kind: Kind
    value: str = ""
    option: str = ""  # SCREEN answers: the option chosen for question `value`
    directory: DirectoryCode | None = None  # DIRECTORY: the mediator search's code


# Telegram's limit on a button's callback_data, in bytes.
MAX_BYTES = 64
# Codes that are the whole callback_data.
_WHOLE = {
    MENU: Kind.MENU,
    LANGUAGE_PICKER: Kind.LANGUAGE_PICKER,
    FORGET: Kind.FORGET,
    FORGET_CONFIRMED: Kind.FORGET_CONFIRMED,
}


def parse(data: str | None) -> Callback | None:
    """Known codes only; anything else (old or forged buttons) is None."""
    if not data or len(data.encode()) > MAX_BYTES:
        return None
    whole = _WHOLE.get(data)
    if whole is not None:
        return Callback(whole)
    prefix, _, value = data.partition(":")
    if prefix == "l" and value in LANGUAGES:
        return Callback(Kind.LANGUAGE, value)
    if prefix == "t" and value in TOPIC_CODES:
        return Callback(Kind.TOPIC, TOPIC_CODES[value])
    # Whether the page exists is the catalogue's call; here only its shape.
    if prefix == "p" and _PAGE_ID.fullmatch(value):
        return Callback(Kind.PAGE, value)
    if prefix == "s":
        if value in SCREEN_CONTROLS:
            return Callback(Kind.SCREEN, value)
        name, _, option = value.partition(":")
        question = BY_NAME.get(name)
        if question is not None and question.option(option) is not None:
            return Callback(Kind.SCREEN, name, option)
    if prefix == "src" and value in (*SOURCES, *SOURCE_ACTIONS, "ask"):
        return Callback(Kind.SOURCE, value)
    code = directory_codes.parse(data)
    if code is not None:
        return Callback(Kind.DIRECTORY, code.op, directory=code)
    return None


def all_callback_data() -> list[str]:
    """Every callback_data the bot can put on a button (for `content check`)."""
    codes = [MENU, LANGUAGE_PICKER, FORGET, FORGET_CONFIRMED]
    codes += [choose_language(language) for language in LANGUAGES]
    codes += [topic(intent) for intent in TOPIC_CODES.values()]
    codes += [page(page_id) for page_id in BUTTON_PAGES]
    codes += [screen_control(name) for name in SCREEN_CONTROLS]
    codes += [screen_answer(q.name, o.code) for q in QUESTIONS for o in q.options]
    # The longest directory codes: the longest place id, a far-away point, every flag set.
    longest = SearchKey(
        "north-kazakhstan-region",
        "administrative",
        "kk",
        "professional",
        True,
        "not_eligible",
        directory_codes.MAX_PAGE,
    )
    point = SearchKey("-89.999,-179.999", "inheritance", "ru", "free", True, "conditional")
    most = 999_999_999  # the largest listing id a code takes
    for key in (longest, point):
        codes += [key.code(), key.type_chooser()]
        codes += [key.listing(op, most) for op in (Op.MORE, Op.SUMMARY, Op.SUMMARY_CONSENTED)]
    codes += [directory_codes.bare(op) for op in (Op.ASK_PLACE, Op.REGIONS, Op.INVITE, Op.DISMISS)]
    listing_ops = (Op.CALL, Op.WRITE, Op.MAP, Op.REPORT, Op.REPORT_CONFIRMED)
    codes += [directory_codes.for_listing(op, most) for op in listing_ops]
    codes += [directory_codes.invite(language) for language in LANGUAGES]
    codes += [source(value) for value in (*SOURCES, *SOURCE_ACTIONS, "ask")]
    codes += [
        directory_codes.region("north-kazakhstan-region"),
        directory_codes.search_in("aktau-karaganda-1526269"),
    ]
    return codes
