"""One ASCII skeleton for every way people in Kazakhstan type the same word.

Russian, Kazakh in Cyrillic (with or without its special letters, as on a Russian keyboard) and
Kazakh in Latin (the 2018 and 2021 alphabets, or plain ASCII) all fold to the same lossy ASCII
skeleton: "жалақы", "жалакы", "jalaqy", "zhalaky" all become "jalaki". Vowel harmony and
doubled letters, which typists get wrong, are folded away too.

Used by the dispute-type and place resolvers, and by the intent classifier in the Rasa
environment (rasa_project/kelisim_nlu/), which runs on Python 3.10 and imports this module on
its own: keep it to the standard library and to Python 3.10 syntax. Changing the folding
changes what the model learns: bot/model.py counts this file among the training inputs.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["fold"]

# Letters that the accent-stripping below would fold wrongly or not at all. In the 2018 Latin
# alphabet "ý" is у (stripped it would be y, which is ы) and "ı" is й; in 2021 "ı" is і. The
# Kazakh Cyrillic special letters have no decomposition, so they are mapped by hand.
_BEFORE_STRIPPING = str.maketrans({"ş": "sh", "ç": "ch", "ý": "u", "ı": "i"})
_TO_ASCII = str.maketrans(
    {
        "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ж": "j", "з": "z",
        "и": "i", "й": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p",
        "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "h", "ц": "s", "ч": "ch",
        "ш": "sh", "щ": "sh", "ъ": "", "ы": "i", "ь": "", "э": "e", "ю": "iu", "я": "ia",
        "ә": "a", "ғ": "g", "қ": "k", "ң": "n", "ө": "o", "ұ": "u", "ү": "u", "һ": "h",
        "і": "i",
        # ы and і (y, ı, i in the Latin alphabets) are confused by typists and by the two
        # alphabets, which swap ı and i; қ is q in Latin and к when typed without it.
        "y": "i", "q": "k",
    }
)  # fmt: skip
_NOT_WORD = re.compile(r"[\W_]+")
_DOUBLED = re.compile(r"([a-z])\1+")


def fold(text: str) -> str:
    """The ASCII skeleton of a text, words separated by single spaces."""
    text = text.lower().translate(_BEFORE_STRIPPING)
    # Without their accents, 2018 and 2021 Latin letters meet plain ASCII; ё and й meet е and и.
    text = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    text = text.translate(_TO_ASCII).replace("zh", "j")
    # Doubled letters vary with the typist and with the script (кетті/keti, компания/kompanıa).
    text = _DOUBLED.sub(r"\1", text)
    return _NOT_WORD.sub(" ", text).strip()
