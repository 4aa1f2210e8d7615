"""callback_data codes: short ASCII, parsed strictly because clients can forge them."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum

from bot.dialogue.topics import BUTTON_PAGES, CODE_OF_TOPIC, TOPIC_CODES
from bot.languages import LANGUAGES
from bot.offices.sources import SOURCE_ACTIONS, SOURCES
from bot.screening.fields import VERDICTS
from bot.screening.questions import BY_NAME, QUESTIONS
from bot.telegram import directory_codes
from bot.telegram.directory_codes import DirectoryCode, Op, SearchKey

_PAGE_ID = re.compile(r"[a-z][a-z0-9_]{0,59}")
# "change" (after a verdict) reopens the last answer, as "back" does during the questions.
SCREEN_CONTROLS = ("back", "restart", "stop", "change")


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
    NEWS_STOP = "news_stop"  # under a news message: no more news (value: the news' id)
    # "Was this helpful?" (value: "page:<id>" or "verdict:<code>"; option: the answer)
    FEEDBACK = "feedback"


@dataclass(frozen=True)
class Callback:
    kind: Kind
    value: str = ""
    option: str = ""  # SCREEN answers: the option chosen for question `value`
    directory: DirectoryCode | None = None  # DIRECTORY: the mediator search's code


@dataclass(frozen=True)
class Button:
    """One kind of button, declared once: its code (`prefix`, or `prefix:value`), how a code
    is read back (strictly: clients can forge them), and every code it can make (for `content
    check`'s limits). A new kind of button is a `Kind`, one of these in BUTTONS, and its route
    in handlers/buttons.py (tests/unit/test_callbacks.py fails while one is missing)."""

    kind: Kind
    prefix: str
    # Every value its buttons carry; none: the code is the prefix alone.
    values: Callable[[], Iterable[str]] = tuple
    # A value read back; default: one of `values`, carried as it is.
    read: Callable[[str], Callback | None] | None = None

    def code(self, value: str = "") -> str:
        return f"{self.prefix}:{value}" if value else self.prefix

    def parse(self, value: str) -> Callback | None:
        if self.read is not None:
            return self.read(value)
        return Callback(self.kind, value) if value in self.values() else None

    def codes(self) -> list[str]:
        return [self.code(v) for v in self.values()] or [self.prefix]


def _topic(code: str) -> Callback | None:
    return Callback(Kind.TOPIC, TOPIC_CODES[code]) if code in TOPIC_CODES else None


def _page(page_id: str) -> Callback | None:
    # Whether the page exists is the catalogue's call; here only its shape.
    return Callback(Kind.PAGE, page_id) if _PAGE_ID.fullmatch(page_id) else None


# A news message's id (bot/telegram/broadcast.py, ID) as its unsubscribe button carries it:
# "n:" and the id within Telegram's 64 bytes.
_NEWS_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,61}")


def _news_stop(news_id: str) -> Callback | None:
    # Any well-formed id unsubscribes (a forged one too: it can only stop one's own news);
    # whether that person was sent this news is the journal's to say.
    return Callback(Kind.NEWS_STOP, news_id) if _NEWS_ID.fullmatch(news_id) else None


# "Was this helpful?" under a page or a verdict (bot/telegram/handlers/feedback.py): 👍 / 👎,
# then, after a 👎, what was missing. Codes are "f:p.<page>:<answer>" or "f:v.<verdict>:<answer>".
FEEDBACK_VOTES = ("up", "down")
FEEDBACK_REASONS = ("complicated", "not_mine", "language", "other")
# After "something else", when a short typed answer may be kept: "no, thanks".
FEEDBACK_SKIP = "skip"
_FEEDBACK_ANSWERS = (*FEEDBACK_VOTES, *FEEDBACK_REASONS, FEEDBACK_SKIP)
# A page id of at most 48 characters: its longest code ("f:p.<id>:complicated") fits 64 bytes.
_FEEDBACK_PAGE = re.compile(r"[a-z][a-z0-9_]{0,47}")
# Never asked: someone told of danger is shown help, not asked to rate it.
_NO_FEEDBACK = ("page:safety", "verdict:safety_first")
_SUBJECT_CODES = {"page": "p", "verdict": "v"}


def _feedback_subject(code: str) -> str | None:
    """ "p.cost" -> "page:cost", "v.eligible" -> "verdict:eligible"; None if malformed."""
    kind, _, name = code.partition(".")
    if kind == "p" and _FEEDBACK_PAGE.fullmatch(name):
        return f"page:{name}"
    if kind == "v" and name in VERDICTS:
        return f"verdict:{name}"
    return None


def _feedback(value: str) -> Callback | None:
    code, _, answer = value.rpartition(":")
    subject = _feedback_subject(code)
    if subject is None or subject in _NO_FEEDBACK:
        return None
    if answer not in _FEEDBACK_ANSWERS:
        return None
    return Callback(Kind.FEEDBACK, subject, answer)


def _feedback_values() -> list[str]:
    # Every verdict, and the longest page id a code takes, with every answer.
    codes = ["p." + "x" * 48, *(f"v.{v}" for v in VERDICTS if f"verdict:{v}" not in _NO_FEEDBACK)]
    return [f"{c}:{a}" for c in codes for a in _FEEDBACK_ANSWERS]


def _screen_values() -> list[str]:
    answers = [f"{q.name}:{o.code}" for q in QUESTIONS for o in q.options]
    return [*SCREEN_CONTROLS, *answers]


def _screen(value: str) -> Callback | None:
    if value in SCREEN_CONTROLS:
        return Callback(Kind.SCREEN, value)
    name, _, option = value.partition(":")
    question = BY_NAME.get(name)
    if question is not None and question.option(option) is not None:
        return Callback(Kind.SCREEN, name, option)
    return None


MENU_BUTTON = Button(Kind.MENU, "menu")
PICKER_BUTTON = Button(Kind.LANGUAGE_PICKER, "lang")
FORGET_BUTTON = Button(Kind.FORGET, "forget")
FORGET_CONFIRMED_BUTTON = Button(Kind.FORGET_CONFIRMED, "forget:yes")
LANGUAGE_BUTTON = Button(Kind.LANGUAGE, "l", lambda: LANGUAGES)
TOPIC_BUTTON = Button(Kind.TOPIC, "t", TOPIC_CODES.keys, _topic)
PAGE_BUTTON = Button(Kind.PAGE, "p", lambda: BUTTON_PAGES, _page)
SCREEN_BUTTON = Button(Kind.SCREEN, "s", _screen_values, _screen)
# "Where did you hear about us?" after a bare /start: the answers (bot/offices/sources.py).
SOURCE_BUTTON = Button(Kind.SOURCE, "src", lambda: (*SOURCES, *SOURCE_ACTIONS, "ask"))
# Under every news message: unsubscribe (its value: the longest id, for the length check).
NEWS_STOP_BUTTON = Button(Kind.NEWS_STOP, "n", lambda: ("N" * 62,), _news_stop)
# "Was this helpful?" under pages and verdicts: 👍 / 👎, then what was missing.
FEEDBACK_BUTTON = Button(Kind.FEEDBACK, "f", _feedback_values, _feedback)
# Every kind of button but the mediator search's, whose codes have an op each
# (bot/telegram/directory_codes.py, `Op`).
BUTTONS = (
    MENU_BUTTON, PICKER_BUTTON, FORGET_BUTTON, FORGET_CONFIRMED_BUTTON, LANGUAGE_BUTTON,
    TOPIC_BUTTON, PAGE_BUTTON, SCREEN_BUTTON, SOURCE_BUTTON, NEWS_STOP_BUTTON, FEEDBACK_BUTTON,
)  # fmt: skip
# Codes that are the whole callback_data, and the kinds whose codes carry a value.
_WHOLE = {button.prefix: button for button in BUTTONS if not tuple(button.values())}
_BY_PREFIX = {button.prefix: button for button in BUTTONS if tuple(button.values())}

MENU = MENU_BUTTON.code()
FORGET = FORGET_BUTTON.code()
FORGET_CONFIRMED = FORGET_CONFIRMED_BUTTON.code()
LANGUAGE_PICKER = PICKER_BUTTON.code()
SOURCE_QUESTION = SOURCE_BUTTON.code("ask")  # on the welcome: opens the question


def choose_language(language: str) -> str:
    return LANGUAGE_BUTTON.code(language)


def topic(intent: str) -> str:
    return TOPIC_BUTTON.code(CODE_OF_TOPIC[intent])


def page(page_id: str) -> str:
    return PAGE_BUTTON.code(page_id)


def screen_answer(question: str, option: str) -> str:
    return SCREEN_BUTTON.code(f"{question}:{option}")


def screen_control(name: str) -> str:
    return SCREEN_BUTTON.code(name)


def source(value: str) -> str:
    """An answer to "Where did you hear about us?" (SOURCES, SOURCE_ACTIONS or "ask")."""
    return SOURCE_BUTTON.code(value)


def news_stop(news_id: str) -> str:
    """The unsubscribe button under a news message; a longer id is cut to fit (the press
    still unsubscribes, it is then counted under no news)."""
    return NEWS_STOP_BUTTON.code(news_id[:62])


def takes_feedback(subject: str) -> bool:
    """Whether a page ("page:<id>") or a verdict ("verdict:<code>") gets 👍 / 👎."""
    kind, _, name = subject.partition(":")
    code = f"{_SUBJECT_CODES.get(kind, '?')}.{name}"
    return _feedback_subject(code) == subject and subject not in _NO_FEEDBACK


def feedback(subject: str, answer: str) -> str:
    """A 👍 / 👎 (FEEDBACK_VOTES), a reason (FEEDBACK_REASONS) or FEEDBACK_SKIP on a subject
    that `takes_feedback`."""
    kind, _, name = subject.partition(":")
    return FEEDBACK_BUTTON.code(f"{_SUBJECT_CODES[kind]}.{name}:{answer}")


def is_feedback(data: object) -> bool:
    """A 👍 / 👎 or reason button's callback_data."""
    return isinstance(data, str) and data.startswith(f"{FEEDBACK_BUTTON.prefix}:")


# Telegram's limit on a button's callback_data, in bytes.
MAX_BYTES = 64


def parse(data: str | None) -> Callback | None:
    """Known codes only; anything else (old or forged buttons) is None."""
    if not data or len(data.encode()) > MAX_BYTES:
        return None
    whole = _WHOLE.get(data)
    if whole is not None:
        return Callback(whole.kind)
    prefix, _, value = data.partition(":")
    button = _BY_PREFIX.get(prefix)
    if button is not None and (pressed := button.parse(value)) is not None:
        return pressed
    code = directory_codes.parse(data)
    if code is not None:
        return Callback(Kind.DIRECTORY, code.op, directory=code)
    return None


def all_callback_data() -> list[str]:
    """Every callback_data the bot can put on a button (for `content check`)."""
    codes = [code for button in BUTTONS for code in button.codes()]
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
    codes += [
        directory_codes.region("north-kazakhstan-region"),
        directory_codes.search_in("aktau-karaganda-1526269"),
    ]
    return codes
