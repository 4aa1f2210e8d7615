"""Which of our languages a message is clearly written in, to offer a one-tap switch.

Deliberately cautious: Kazakh typed without its special letters shares the Cyrillic alphabet
with Russian, Latin Kazakh shares it with English, and people mix Kazakh and Russian in one
message. We only say "clearly" when the message's function words point one way, strongly.
"""

from __future__ import annotations

import re

_KAZAKH_LETTERS = set("әғқңөұүһі")
_WORD = re.compile(r"[^\W\d_]+")

# Short, frequent words that do not cross over (no "не", no "мен": both languages have them).
_FUNCTION_WORDS: dict[str, frozenset[str]] = {
    "kk": frozenset(
        """
        ba be bilgim bolady bul degen degenimiz emes ia jane jok joq jáne kalai kansha
        kelemin kerek kim komek kómek ma magan maǵan me menin meniń mumkin múmkin nege
        osy pa pe qaida qalai qalaı qansha qashan qaıda rahmet raqmet salem sen siz
        ushin úshin ıá айтыныз айтыңызшы ала аласыз ба бар бе бере бола болады бул бұл
        гой деген дегенимиз дегеніміз емес жане жок жоқ жоқпа және ия иә кайда калай
        канша кашан келеді керек ким кім ма ма? маган маған ме менин менің мумкин мүмкін
        неге нені осы па пе рахмет салем сен сиз сіз сәлем ушин ғой қайда қалай қанша
        қашан үшін
        """.split()
    ),
    "ru": frozenset(
        """
        будет бы был была было в вам вы где да для до если есть еще ещё же за
        здравствуйте из или как когда который кто ли меня мне могу может можно мой мою
        моя мы на надо нас нет нужно он она они от очень по подскажите пожалуйста почему
        привет про с сколько спасибо такое такой ты у уже хочу что чтобы это я
        """.split()
    ),
    "en": frozenset(
        """
        a about an are can could did do does for has have hello help hi how i in is it
        long me much my need no of on please should thank thanks that the there this to
        want was we were what when where which who why will with would yes you your
        """.split()
    ),
}


def _scores(text: str) -> dict[str, float]:
    lowered = text.lower()
    words = _WORD.findall(lowered)
    scores = {"kk": 0.0, "ru": 0.0, "en": 0.0}
    for word in words:
        if set(word) & _KAZAKH_LETTERS:
            scores["kk"] += 1.5
        for language, vocabulary in _FUNCTION_WORDS.items():
            if word in vocabulary:
                scores[language] += 1
    latin = sum(1 for w in words if w.isascii())
    cyrillic = sum(1 for w in words if re.search("[а-яёәғқңөұүһі]", w))
    # Script narrows the field: Latin words cannot be Russian, Cyrillic ones cannot be English.
    if cyrillic and not latin:
        scores["en"] = 0.0
    if latin and not cyrillic:
        scores["ru"] = 0.0
    return scores


def clear_language(text: str) -> str | None:
    """kk, ru or en when the message is clearly in it; None when unsure or mixed."""
    words = _WORD.findall(text.lower())
    if len(words) < 3:
        return None  # "ok", "рахмет", a place name: too little to judge
    ranked = sorted(_scores(text).items(), key=lambda item: item[1], reverse=True)
    (best, top), (_, second) = ranked[0], ranked[1]
    if top >= 2 and top >= 3 * max(second, 0.5):
        return best
    return None
