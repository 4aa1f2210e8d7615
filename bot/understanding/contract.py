"""What the bot understood in one message, as `python -m bot understand` writes it.

Built from Rasa's parse of the message and the same resolvers the conversation uses, so it is
what the bot acts on:

- `intent`, `confidence`: Rasa's intent as the server returns it. When the classifier is
  unsure (below the FallbackClassifier's threshold, or two intents too close), that is
  `nlu_fallback`, with the threshold as its confidence, and the bot asks "did you mean …?"
  with the likeliest topics;
- `ranking`: the classifier's three likeliest intents, [{name, confidence}], best first
  (never `nlu_fallback`, which only says the classifier was unsure: these are the intents the
  bot offers then);
- `dispute_type`: one of `DISPUTE_TYPES`, or None;
- `location`: the place the bot would search from, {id, name, region, latitude, longitude}
  (`region` is the region's id; `name` in the language asked for, else the language the text
  is written in, else English), or None;
- `language`: the language the text is clearly written in (kk, ru or en), as the bot guesses
  it to offer a switch (`bot.dialogue.language_guess.clear_language`), or None.

The dispute type and the place come from our entity extractor's values in the parse (a model
trained with rasa_project/kelisim_nlu/entity_extractor.py). A model without it (an older one,
whose DIET entities are spans without canonical values) is read with the extractor's own
function, `bot.understanding.entities.entities`, so the values are the shared resolvers'
either way. Pure: no Rasa here.
"""

from __future__ import annotations

from typing import Any

from bot.dialogue.language_guess import clear_language
from bot.places.gazetteer import LANGUAGES, Gazetteer, Place
from bot.places.gazetteer import default as default_gazetteer
from bot.screening.dispute_types import DISPUTE_TYPES
from bot.understanding.entities import DISPUTE_TYPE, LOCATION, entities

EXTRACTOR = "KelisimEntityExtractor"
FALLBACK_INTENT = "nlu_fallback"
RANKING = 3
FIELDS = ("intent", "confidence", "ranking", "dispute_type", "location", "language")


class RequestError(ValueError):
    """An input line that cannot be read as a request."""


def read_request(raw: Any) -> tuple[str, str | None]:
    """(text, language) of one request object: {"text": ..., "language": kk|ru|en (optional)}."""
    if not isinstance(raw, dict):
        raise RequestError('expected an object such as {"text": "..."}')
    text = raw.get("text")
    if not isinstance(text, str) or not text.strip():
        raise RequestError("text must be a non-empty string")
    language = raw.get("language")
    if language is not None and language not in LANGUAGES:
        raise RequestError(f"language must be one of {', '.join(LANGUAGES)} (or left out)")
    return text, language


def message_entities(
    text: str, parsed: list[dict[str, Any]], places: Gazetteer | None = None
) -> list[dict[str, Any]]:
    """Our extractor's entities in the parse; for a model without it, the same function's."""
    ours = [e for e in parsed if e.get("extractor") == EXTRACTOR]
    return ours or entities(text, places)


def classifier_ranking(parse: dict[str, Any]) -> list[dict[str, Any]]:
    """The classifier's intents, best first, without the FallbackClassifier's `nlu_fallback`."""
    ranking = parse.get("intent_ranking") or []
    if not ranking and (parse.get("intent") or {}).get("name"):
        ranking = [parse["intent"]]
    return [r for r in ranking if r.get("name") and r.get("name") != FALLBACK_INTENT]


def classifier_intent(parse: dict[str, Any]) -> str | None:
    """The classifier's best intent, as if no FallbackClassifier had stepped in: what
    `rasa test nlu` scores (it undoes the fallback prediction the same way)."""
    ranking = classifier_ranking(parse)
    return str(ranking[0]["name"]) if ranking else None


def location_of(place: Place, language: str) -> dict[str, Any]:
    return {
        "id": place.id,
        "name": Gazetteer.name(place, language),
        "region": place.region,
        "latitude": place.lat,
        "longitude": place.lon,
    }


def understood(
    text: str,
    parse: dict[str, Any],
    language: str | None = None,
    places: Gazetteer | None = None,
) -> dict[str, Any]:
    """The contract's fields for one message, from Rasa's parse of it."""
    places = places or default_gazetteer()
    intent = parse.get("intent") or {}
    found = message_entities(text, list(parse.get("entities") or []), places)
    kinds = [e.get("value") for e in found if e.get("entity") == DISPUTE_TYPE]
    dispute_type = next((k for k in kinds if k in DISPUTE_TYPES), None)
    place = next(
        (
            p
            for e in found
            if e.get("entity") == LOCATION and (p := places.get(str(e.get("value")))) is not None
        ),
        None,
    )
    written_in = clear_language(text)
    return {
        "intent": intent.get("name"),
        "confidence": float(intent.get("confidence") or 0.0),
        "ranking": [
            {"name": r["name"], "confidence": float(r.get("confidence") or 0.0)}
            for r in classifier_ranking(parse)[:RANKING]
        ],
        "dispute_type": dispute_type,
        "location": location_of(place, language or written_in or "en") if place else None,
        "language": written_in,
    }
