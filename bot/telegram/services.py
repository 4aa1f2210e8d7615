"""What every handler needs, kept in bot_data under one typed accessor."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from telegram import Update
from telegram.ext import Application, CallbackContext, ContextTypes, ExtBot

from bot.config import Settings
from bot.content import Catalogue
from bot.content.live import LiveContent
from bot.dialogue.client import RasaClient
from bot.directory.store import DirectoryStore
from bot.offices.store import OfficeStore
from bot.outreach.counts import Counter
from bot.outreach.unanswered import UnansweredStore
from bot.places.gazetteer import Gazetteer
from bot.screening.rules import RuleBook
from bot.storage.daily import DailyMarks
from bot.storage.db import Database, Person
from bot.telegram.sending import RECORDER

log = logging.getLogger(__name__)
KEY = "services"


@dataclass
class Services:
    settings: Settings
    db: Database
    rasa: RasaClient
    content: LiveContent
    directory: DirectoryStore
    places: Gazetteer
    offices: OfficeStore
    counter: Counter
    unanswered: UnansweredStore
    # What each person was already counted for today (count(..., once=...)).
    marks: DailyMarks = field(default_factory=DailyMarks)
    # Told after /reload swapped new content in here: a stream worker tells the other workers
    # (bot/telegram/stream/reloads.py). None for a single bot process.
    reloaded: Callable[[], Awaitable[None]] | None = None

    @property
    def catalogue(self) -> Catalogue:
        """The content live right now; a reload swaps it between two updates."""
        return self.content.catalogue

    @property
    def rules(self) -> RuleBook:
        """The screening rules published with that catalogue (checked with it)."""
        return self.content.rules


def services(context: ContextTypes.DEFAULT_TYPE | Any) -> Services:
    found = context.bot_data[KEY]
    assert isinstance(found, Services)
    return found


class Context(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """The context PTB makes for each update and handler, with the bot's services typed (as
    in PTB's examples/contexttypesbot.py); app.build hands the class to PTB."""

    @property
    def services(self) -> Services:
        """What every handler needs: settings, database, dialogue, content, directory."""
        return services(self)


# The application as app.build makes it: its bot, this context, plain dicts for data.
KelisimApplication = Application[
    ExtBot[None], Context, dict[Any, Any], dict[Any, Any], dict[Any, Any], Any
]


# Turns sent to Rasa so far for this update (on its CallbackContext, made per update).
_TURNS = "_kelisim_turns"


def next_turn_id(context: Any, update: Update) -> str:
    """The update id and this turn's number within the update ("812.1", "812.2"): the same
    for the same update however often it is handled, so Rasa applies each turn once."""
    turns = getattr(context, _TURNS, 0) + 1
    setattr(context, _TURNS, turns)
    return f"{update.update_id}.{turns}"


# On the update's own CallbackContext (PTB makes one per update and handler), never in
# user_data: the row as this update found it, so a turn reads it once for its language and for
# the office its counts go to (two round trips were a tenth of a turn, docs/benchmarks.md).
_PERSON = "_kelisim_person"
# Set once the update has read the person's row (its first read is the one remembered).
_READ = "_kelisim_person_read"


async def person(context: ContextTypes.DEFAULT_TYPE | Any, telegram_id: int) -> Person:
    """The person's stored language and origin, read at most once per update.

    The update's first read is the row as the update found it: handled again by a stream
    worker (its first worker died), the update gets that same row, not what the first run
    wrote, and takes the same path (bot/telegram/stream/journal.py)."""
    memo = getattr(context, _PERSON, None) if isinstance(context, CallbackContext) else None
    if memo is not None and memo[0] == telegram_id:
        found: Person = memo[1]
        return found
    db = services(context).db
    recorder = RECORDER.get()
    first = isinstance(context, CallbackContext) and not hasattr(context, _READ)
    if recorder is not None and first:
        kept = await recorder.remember(
            f"person:{telegram_id}", lambda: _person_as_json(db, telegram_id)
        )
        found = Person(**{**kept, "flags": frozenset(kept["flags"])})
    else:
        found = await db.person(telegram_id)
    if isinstance(context, CallbackContext):
        setattr(context, _PERSON, (telegram_id, found))
        setattr(context, _READ, True)
    return found


async def _person_as_json(db: Database, telegram_id: int) -> dict[str, Any]:
    found = await db.person(telegram_id)
    return {**dataclasses.asdict(found), "flags": sorted(found.flags)}


async def has_flag(context: ContextTypes.DEFAULT_TYPE | Any, telegram_id: int, flag: str) -> bool:
    """The person's conversation has this flag (bot/storage/db.py, `Flag`)."""
    return flag in (await person(context, telegram_id)).flags


async def set_flag(
    context: ContextTypes.DEFAULT_TYPE | Any, telegram_id: int, flag: str, on: bool = True
) -> None:
    """Set (or clear) a flag, in the database: any bot worker sees it at the next message."""
    found = await person(context, telegram_id)
    if (flag in found.flags) == on:
        return  # already so: no write
    changes = {"add": (flag,)} if on else {"remove": (flag,)}
    await services(context).db.set_flags(telegram_id, **changes)
    person_changed(context)


async def take_flag(context: ContextTypes.DEFAULT_TYPE | Any, telegram_id: int, flag: str) -> bool:
    """Whether the flag was set, clearing it (a one-time question answered)."""
    if not await has_flag(context, telegram_id, flag):
        return False
    await set_flag(context, telegram_id, flag, on=False)
    return True


def person_changed(context: ContextTypes.DEFAULT_TYPE | Any) -> None:
    """After writing the person's language or origin: the next read goes to the database."""
    if isinstance(context, CallbackContext) and hasattr(context, _PERSON):
        delattr(context, _PERSON)


async def count(
    context: ContextTypes.DEFAULT_TYPE | Any,
    user_id: int,
    language: str,
    event: str,
    n: int = 1,
    once: str = "",
) -> None:
    """Add to today's anonymous count for the office and region this user came through.

    With `once`, only the person's first such event today counts: a button pressed again, or
    forged, must not inflate what the offices are shown.

    Counting is never worth a lost answer: if the user's origin cannot be read, the event is
    counted without it (Counter.add logs its own failures the same way)."""
    svc = services(context)
    if once and not svc.marks.first(once, user_id):
        return
    try:
        found = await person(context, user_id)
        office, region = found.office, found.region
    except Exception:
        log.exception("could not read where user came from; counting %s without it", event)
        office, region = "", ""
    await svc.counter.add(event, office=office, region=region, language=language, n=n)
