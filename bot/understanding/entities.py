"""The entities of a message, found by our resolvers rather than learned.

- `location`: the place the bot would search from (the gazetteer's most specific match), its
  value the place's id in bot/places/data/gazetteer.json.
- `dispute_type`: the kind of dispute the message describes (`dispute_type_in` in
  bot/screening/dispute_types.py), its value one of `DISPUTE_TYPES`. The resolver reads the
  message as a whole, so the span is the whole message; a message that only mentions a person
  or a thing ("will my wife find out?") describes none. Places are blanked out first: "в Семее"
  is the town, not "families".
- `language`: each language the message names, in order, its value kk, ru or en (the action
  that switches language takes the last: "not Russian, English please").

Why not a learned tagger: DIET tagged spans such as "my" or "where is" as dispute types on the
held-out set, took most of the training time and pulled TensorFlow into the server, while these
resolvers already decide what the bot does with the words.
"""

from __future__ import annotations

from typing import Any

from bot.places.gazetteer import Gazetteer
from bot.places.gazetteer import default as default_gazetteer
from bot.screening.dispute_types import dispute_type_in
from bot.text.language_names import language_mentions

LOCATION = "location"
DISPUTE_TYPE = "dispute_type"
LANGUAGE = "language"
NAMES = (DISPUTE_TYPE, LOCATION, LANGUAGE)


def _entity(name: str, start: int, end: int, value: str, text: str) -> dict[str, Any]:
    return {"entity": name, "start": start, "end": end, "value": value, "text": text[start:end]}


def _without_places(text: str, mentions: list[tuple[int, int, Any]]) -> str:
    """The text with every place the gazetteer found blanked out, offsets kept: "Semey" is a
    town, not "families"."""
    for start, end, _ in mentions:
        text = text[:start] + " " * (end - start) + text[end:]
    return text


def entities(text: str, places: Gazetteer | None = None) -> list[dict[str, Any]]:
    """Rasa-shaped entities (entity, start, end, value, text) for one message."""
    if not text or text.startswith("/"):
        return []
    mentions, mention = (places or default_gazetteer()).read(text)
    found: list[dict[str, Any]] = []
    kind = dispute_type_in(_without_places(text, mentions))
    if kind:
        found.append(_entity(DISPUTE_TYPE, 0, len(text), kind, text))
    if mention:
        start, end, place = mention
        found.append(_entity(LOCATION, start, end, place.id, text))
    for start, end, code in language_mentions(text):
        found.append(_entity(LANGUAGE, start, end, code, text))
    return found
