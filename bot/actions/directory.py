"""Find a mediator: the dialogue works out where and for what kind of dispute; the bot searches.

The search itself runs in the bot, beside the database, and its results are rendered there
(bot/telegram/directory.py). This action only turns the conversation into a query:
- where: a place the bot chose with buttons (metadata `place`), the settlement nearest to a
  shared location (metadata `near`; the bot keeps the exact point, which never reaches the
  tracker), a place named in the message (the location entity: the gazetteer's reading of the
  words), or the place of the last search (slot `mediator_place`);
- what: a kind of dispute named in the message, else the screening's category;
- the screening verdict, for the summary a person may forward to a mediator.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.compare import named_dispute_type
from bot.actions.safety import concerned, safety_payload
from bot.dialogue.payloads import Do
from bot.directory.search import directory_type
from bot.places.gazetteer import Gazetteer, Place
from bot.places.gazetteer import default as default_gazetteer

PLACE_SLOT = "mediator_place"

# "в Готэм-Сити", "near Gotham": a place named after a preposition that the model did not tag
# (it only knows names like those it was trained on) and the gazetteer does not know either.
_NAMED_PLACE = re.compile(
    r"(?:^|\s)(?:в|во|из|под|около|возле|in|near|at|around)\s+([A-ZА-ЯЁӘҒҚҢӨҰҮҺІ][\w-]+)"
)
_COUNTRY = ("казахстан", "қазақстан", "kazakhstan", "qazaqstan")


def names_an_unknown_place(text: str) -> bool:
    match = _NAMED_PLACE.search(text)
    return match is not None and not match.group(1).lower().startswith(_COUNTRY)


@cache
def gazetteer() -> Gazetteer:
    return default_gazetteer()


def _metadata(tracker: Tracker) -> dict[str, Any]:
    metadata = tracker.latest_message.get("metadata") or {}
    found = metadata.get("directory") if isinstance(metadata, dict) else None
    return found if isinstance(found, dict) else {}


def place_in_message(tracker: Tracker) -> tuple[Place | None, bool]:
    """The place this message gives, and whether it named one we could not recognise."""
    places = gazetteer()
    chosen = _metadata(tracker)
    for key in ("place", "near"):
        if isinstance(chosen.get(key), str):
            place = places.get(chosen[key])
            if place is not None:
                return place, False
    named = False
    for entity in tracker.latest_message.get("entities") or []:
        if entity.get("entity") != "location":
            continue
        named = True
        # Our extractor's value is the place's id (bot/understanding/entities.py); an entity
        # from elsewhere (a story, a test) may carry the name as written.
        place = places.get(str(entity.get("value") or ""))
        for words in (entity.get("value"), entity.get("text")):
            place = place or places.find(str(words or ""))
        if place is not None:
            return place, False
    text = str(tracker.latest_message.get("text") or "")
    if text.startswith("/"):
        return None, named
    # A message Rasa parsed without our extractor (an older model): the same resolver.
    place = places.find(text)
    if place is not None:
        return place, False
    return None, named or names_an_unknown_place(text)


def dispute_type(tracker: Tracker) -> str:
    """Named in this message, else the one the screening found; '' when neither."""
    named = named_dispute_type(tracker.latest_message.get("entities") or [])
    if named:
        return named
    category = tracker.get_slot("screen_category")
    return directory_type(str(category)) if category else ""


def find_payload(tracker: Tracker) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The bot's instruction (search near a place, or ask where) and the slot events."""
    if concerned(tracker):
        # Told of danger or violence in this conversation: no search for someone to meet them.
        return safety_payload(), []
    place, unrecognised = place_in_message(tracker)
    if place is None and not unrecognised:
        remembered = tracker.get_slot(PLACE_SLOT)
        place = gazetteer().get(str(remembered)) if remembered else None
    args = {
        "type": dispute_type(tracker),
        "verdict": str(tracker.get_slot("screen_verdict") or ""),
    }
    if place is None:
        if unrecognised:
            args["unknown"] = "1"
        return {"do": Do.ASK_PLACE, "args": args}, []
    args["place"] = place.id
    return {"do": Do.MEDIATORS, "args": args}, [SlotSet(PLACE_SLOT, place.id)]


class ActionFindMediator(Action):
    """Ask the bot to show the nearest mediators, or to ask where the person is."""

    def name(self) -> str:
        return "action_find_mediator"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        payload, events = find_payload(tracker)
        dispatcher.utter_message(json_message=payload)
        return events
