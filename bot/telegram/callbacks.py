"""callback_data codes: short ASCII, parsed strictly because clients can forge them."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.content import LANGUAGES
from bot.dialogue.topics import BUTTON_PAGES, CODE_OF_TOPIC, TOPIC_CODES
from bot.screening.questions import BY_NAME, QUESTIONS
from bot.telegram import directory_codes
from bot.telegram.directory_codes import DirectoryCode, SearchKey

_PAGE_ID = re.compile(r"[a-z][a-z0-9_]{0,59}")

MENU = "menu"
FORGET = "forget"
FORGET_CONFIRMED = "forget:yes"
LANGUAGE_PICKER = "lang"
# "Where did you hear about us?" after a bare /start: an office kind, another source, an
# office code to type, or no answer. ("other" would read as a plural form in content files.)
SOURCES = (
    "akimat", "psc", "court", "ngo", "friendship_house", "friends", "internet", "elsewhere",
)  # fmt: skip
SOURCE_ACTIONS = ("code", "skip")
SOURCE_QUESTION = "src:ask"  # on the welcome: opens the question
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


@dataclass(frozen=True)
class Callback:
    kind: str  # "menu", "lang", "language", "topic", "page", "forget", "screen", "source", "dir"
    value: str = ""
    option: str = ""  # "screen" answers: the option chosen for question `value`
    directory: DirectoryCode | None = None  # "dir": the mediator search's code


def parse(data: str | None) -> Callback | None:
    """Known codes only; anything else (old or forged buttons) is None."""
    if not data or len(data) > 64:
        return None
    if data == MENU:
        return Callback("menu")
    if data == LANGUAGE_PICKER:
        return Callback("lang")
    if data == FORGET:
        return Callback("forget")
    if data == FORGET_CONFIRMED:
        return Callback("forget", "yes")
    prefix, _, value = data.partition(":")
    if prefix == "l" and value in LANGUAGES:
        return Callback("language", value)
    if prefix == "t" and value in TOPIC_CODES:
        return Callback("topic", TOPIC_CODES[value])
    # Whether the page exists is the catalogue's call; here only its shape.
    if prefix == "p" and _PAGE_ID.fullmatch(value):
        return Callback("page", value)
    if prefix == "s":
        if value in SCREEN_CONTROLS:
            return Callback("screen", value)
        name, _, option = value.partition(":")
        question = BY_NAME.get(name)
        if question is not None and question.option(option) is not None:
            return Callback("screen", name, option)
    if prefix == "src" and value in (*SOURCES, *SOURCE_ACTIONS, "ask"):
        return Callback("source", value)
    code = directory_codes.parse(data)
    if code is not None:
        return Callback("dir", code.op, directory=code)
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
    for key in (longest, point):
        codes += [key.code(), key.type_chooser(), key.listing("hy", 999_999_999)]
    codes += ["a", "r", "i", "z", "xy:999999999"]
    codes += [f"src:{value}" for value in (*SOURCES, *SOURCE_ACTIONS, "ask")]
    codes += ["r:north-kazakhstan-region", "w:aktau-karaganda-1526269"]
    return codes
