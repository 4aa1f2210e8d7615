"""Which language to answer a user in: their stored choice, else a guess from Telegram."""

from __future__ import annotations

from telegram import User

from bot.languages import DEFAULT_LANGUAGE, LANGUAGES
from bot.storage.db import Person

# Telegram has no Kazakh interface, so many Kazakh speakers report "ru"; the picker fixes that.
_GUESSES = {"kk": "kk", "ru": "ru", "be": "ru", "uk": "ru", "en": "en"}


def guess(language_code: str | None) -> str:
    code = (language_code or "").split("-")[0].lower()
    return _GUESSES.get(code, DEFAULT_LANGUAGE)


def stored_or_guessed(person: Person, user: User) -> tuple[str, bool]:
    """(language, whether the user chose it)."""
    if person.language in LANGUAGES:
        return person.language, True
    return guess(user.language_code), False
