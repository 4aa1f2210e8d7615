"""What a person already did today, so that a replayed or forged button counts once.

Only in this process's memory, as keyed hashes under a random key made for the day: nothing
reaches the database or a log, the marks cannot be tested against a Telegram id once the key is
gone, and both go at midnight or when the bot restarts (then a person may count once more).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from collections.abc import Callable


class DailyMarks:
    def __init__(self, today: Callable[[], dt.date] = dt.date.today) -> None:
        self._today = today
        self._day: dt.date | None = None
        self._key = b""
        self._marks: dict[bytes, int] = {}

    def _mark(self, parts: tuple[object, ...]) -> bytes:
        day = self._today()
        if day != self._day:
            self._day, self._key, self._marks = day, secrets.token_bytes(32), {}
        message = "\x1f".join(str(part) for part in parts).encode()
        return hmac.new(self._key, message, hashlib.sha256).digest()[:16]

    def seen(self, *parts: object) -> bool:
        """Whether `first(*parts)` was already true today."""
        return self._mark(parts) in self._marks

    def first(self, *parts: object) -> bool:
        """True the first time today for these parts (a person and what they did), then False."""
        mark = self._mark(parts)
        if mark in self._marks:
            return False
        self._marks[mark] = 1
        return True

    def tally(self, *parts: object) -> int:
        """How many times today, this one included."""
        mark = self._mark(parts)
        self._marks[mark] = self._marks.get(mark, 0) + 1
        return self._marks[mark]

    def held(self) -> int:
        """How many marks are kept (a new day has none)."""
        self._mark(())
        return len(self._marks)
