"""The bot's languages, in one place: every package imports them from here.

Kazakh, Russian and English, in the order the picker shows them; Russian is what a person
with no stored language and no usable Telegram setting is answered in (most people in
Kazakhstan read it), and what content falls back to after the person's own language.
"""

from __future__ import annotations

LANGUAGES: tuple[str, ...] = ("kk", "ru", "en")
DEFAULT_LANGUAGE = "ru"
