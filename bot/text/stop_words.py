"""Typed words that stop a subscriber's news at any moment: «стоп», «тоқта», "stop", «отписаться».

A word counts only when it is the whole message (capitals, punctuation, a leading '/' and the
script do not matter: «Тоқта!», «токта», "toqta" and "TOKTA" fold alike, bot/text/skeleton.py),
so that "stop him selling the house" stays an answer to the questionnaire.

Two kinds: STOP words also mean "stop the questions" (the questionnaire's own control,
bot/screening/answers.py, which the dialogue keeps applying), UNSUBSCRIBE words ask for no more
news and nothing else. The bot reads them before the text reaches Rasa
(bot/telegram/handlers/turn.py `free_text`).
"""

from __future__ import annotations

import enum

from bot.text.skeleton import fold


class NewsStop(enum.Enum):
    STOP = "stop"  # no more news, and leave the questionnaire if the person is in it
    UNSUBSCRIBE = "unsubscribe"  # no more news; nothing else changes


_STOP = (
    "стоп", "stop", "тоқта", "тоқтат", "тоқтату", "тоқтатыңыз", "toqta", "toqtat",
)  # fmt: skip
_UNSUBSCRIBE = (
    "отписаться", "отпишись", "отпишите", "отписка", "отписываюсь", "отписать",
    "отписаться от новостей", "отпишите меня", "unsubscribe", "unsubscribe me", "unsub",
    "жазылымнан шығу", "жазылымды тоқтату", "жазылудан бас тарту",
    "стоп новости", "stop news", "stop the news", "жаңалықтарды тоқтату",
)  # fmt: skip
_FOLDED = {fold(word): NewsStop.STOP for word in _STOP} | {
    fold(word): NewsStop.UNSUBSCRIBE for word in _UNSUBSCRIBE
}


def news_stop(text: str) -> NewsStop | None:
    """What the message asks of the news, if it is one of the words; else None."""
    return _FOLDED.get(fold(text))
