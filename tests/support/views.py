"""What a person sees, for assertions: plain text of a string, a page's title, the main menu."""

from __future__ import annotations

import html
import re
from typing import Any

from bot.content import Catalogue
from bot.languages import LANGUAGES
from bot.telegram import callbacks

# "What is mediation?" as each language's people ask it.
QUESTIONS = {
    "kk": "медиация деген не",
    "ru": "что такое медиация",
    "en": "what is mediation",
}
# The main menu's buttons, in order.
MENU = [
    callbacks.topic("what_is_mediation"),
    callbacks.topic("mediation_vs_court"),
    callbacks.topic("check_eligibility"),
    callbacks.topic("find_mediator"),
    callbacks.LANGUAGE_PICKER,
    callbacks.topic("help"),
]
# The language picker's buttons, in order.
PICKER = [callbacks.choose_language(language) for language in LANGUAGES]


def plain(catalogue: Catalogue, language: str, key: str, **args: object) -> str:
    """A string as the user sees it: the HTML we send, without tags."""
    return html.unescape(re.sub(r"<[^>]+>", "", catalogue.text(language, key, **args)))


def shows_page(event: dict[str, Any], catalogue: Catalogue, language: str, page: str) -> bool:
    """The message is that page, in that language (it starts with the page's title)."""
    found = catalogue.page(language, page)
    return found.language == language and str(event["text"]).startswith(found.title)
