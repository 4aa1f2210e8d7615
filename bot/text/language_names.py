"""Which of our languages a person names ("по-русски", "ағылшынша", "in English")."""

from __future__ import annotations

import re

# Stems of language names as people write them (Kazakh, Russian, English; Cyrillic and Latin).
_NAMES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("kk", ("kk", "қаз", "каз", "qaz", "kaz", "kazakh", "kazak")),
    ("ru", ("ru", "рус", "орыс", "орис", "orys", "rus", "russ")),
    ("en", ("en", "eng", "англ", "ағыл", "агыл", "aǵyl", "agyl", "ağyl", "инглиш", "english")),
)
_WORD = re.compile(r"\w+")


def _code_of(word: str) -> str | None:
    for code, stems in _NAMES:
        if word == code or any(word.startswith(stem) for stem in stems if len(stem) > 2):
            return code
    return None


def language_of(text: str) -> str | None:
    """kk, ru or en from a language's name in any of our languages; None if it names none."""
    words = _WORD.findall(text.lower())
    for code, _ in _NAMES:
        if any(_code_of(word) == code for word in words):
            return code
    return None


def language_mentions(text: str) -> list[tuple[int, int, str]]:
    """Every language named, in order: (start, end, code)."""
    found = []
    for match in _WORD.finditer(text):
        code = _code_of(match.group().lower())
        if code:
            found.append((match.start(), match.end(), code))
    return found
