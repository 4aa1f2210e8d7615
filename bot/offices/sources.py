"""Where people heard of the bot, when they came without an office's link: the answers to
"Where did you hear about us?", counted as `heard:<source>` (bot/outreach/counts.py)."""

from __future__ import annotations

# Office kinds and other ways people learn of the bot. ("other" would read as a plural form in
# content files, hence "elsewhere".)
SOURCES: tuple[str, ...] = (
    "akimat", "psc", "court", "ngo", "friendship_house", "friends", "internet", "elsewhere",
)  # fmt: skip
# Not a source: an office code to type instead, or no answer.
SOURCE_ACTIONS: tuple[str, ...] = ("code", "skip")
