"""`python -m bot broadcast FILE`: opt-in news, each subscriber in their own language.

FILE is YAML: an `id:` that names this news, and one message per language (`kk`, `ru`, `en`),
written like content strings (**bold**, _italic_, [links](https://…), blank lines between
paragraphs). The id, not the text, decides who already has it: fixing a typo and running the
file again sends only to whoever has not got it yet.

Each person gets a broadcast at most once:
- a "sending" row is committed to the journal before each message, and says sent, blocked or
  failed after it;
- a row still "sending" when a run starts (the process died mid-send, or Telegram's answer was
  lost, so nobody knows whether the message arrived) is never sent again, and is counted as
  unknown; `resend_unknown` sends to those too, for an officer who prefers a duplicate to a miss;
- only what certainly did not arrive is tried again: after a 429 (once the wait Telegram asks
  for is over), a 5xx other than a gateway timeout, or a connection that could not be made,
  in the same run with backoff; rows marked failed in the next run;
- at most MAX_RATE messages a second, and each one takes its token from the bot's own send
  rate (`bucket`: TELEGRAM_SENDS_PER_SECOND, in Redis when REDIS_URL is set, shared with every
  worker): the bot's live answers and the news share Telegram's ~30 a second;
- a 403 marks the subscriber blocked;
- Ctrl-C or SIGTERM stops between two messages; so does a campaign cancelled while it is sent
  (`still_wanted`, asked before each message: bot/telegram/campaigns.py);
- one run at a time in the whole deployment (a lease row in the database): a second one, from
  this machine or another, is refused while the first sends.

An `Audience` narrows who gets it: subscribers of some regions (users.region, known for whoever
came through an office's link or code), of some offices, in some languages.

Every message has a button under it that unsubscribes at once (callbacks.news_stop, with the
news' id), labelled `btn.news_stop` in the person's language.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import logging
import os
import re
import signal
import socket
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.sql.elements import ColumnElement
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)

from bot.content.markup import to_html
from bot.languages import LANGUAGES
from bot.offices.models import Office
from bot.storage import leases
from bot.storage.models import BroadcastDelivery, User, utcnow
from bot.telegram import callbacks
from bot.telegram.sending import Bucket
from bot.telegram.transport import AiohttpRequest, certainly_not_sent
from bot.text.telegram_html import HtmlError, parse_html

log = logging.getLogger(__name__)

DEFAULT_RATE = 15.0
# One broadcast sender at a time in the whole deployment: a database lease, renewed every
# third of its life while sending; a sender that died frees it within LEASE_SECONDS.
LEASE = "broadcast"
LEASE_SECONDS = 60.0
MAX_RATE = 20.0
TELEGRAM_LIMIT = 4096
ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
# Tries of one message when it certainly did not arrive; the pauses between them double.
ATTEMPTS = 5
BACKOFF_SECONDS = 1.0
# Consecutive 429s for one message before it is left for the next run.
MAX_WAITS = 10
# A campaign's run holds the lease as "<host>-<pid>-<random> campaign <id>": whoever cancels
# it can tell when that run has stopped (bot/telegram/campaigns.py).
CAMPAIGN_HOLDER = " campaign "

# Journal statuses. SENDING is written before the message goes out.
SENDING, SENT, BLOCKED, FAILED = "sending", "sent", "blocked", "failed"
UNKNOWN = "unknown"  # an outcome only: its row stays SENDING
_RETRY = "retry"


class BroadcastError(ValueError):
    """The file cannot be sent: what is wrong, in words for the person running it."""


@dataclass
class Progress:
    total: int
    sent: int = 0
    blocked: int = 0
    failed: int = 0
    unknown: int = 0  # this run: the answer was lost, the message may have arrived
    already: int = 0  # sent (or found blocked) by an earlier run
    unknown_before: int = 0  # left "sending" by an earlier run: not sent again
    interrupted: bool = False
    cancelled: bool = False  # `still_wanted` said no more (interrupted too)

    @property
    def done(self) -> int:
        return self.sent + self.blocked + self.failed + self.unknown


class ServerError(NetworkError):
    """A 5xx from the Bot API, with its status (PTB keeps only the description)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class BroadcastRequest(AiohttpRequest):
    """Our Bot API client (bot/telegram/transport.py), telling 5xx statuses apart, with time
    for a slow answer: a timeout leaves a person not knowing whether they have the news, and
    they are then never sent it."""

    def __init__(self, read_timeout: float = 30.0, connect_timeout: float = 10.0) -> None:
        super().__init__(
            connection_pool_size=2,
            read_timeout=read_timeout,
            connect_timeout=connect_timeout,
            pool_timeout=5.0,
        )

    async def do_request(self, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        status, payload = await super().do_request(*args, **kwargs)
        if status >= 500:
            try:
                description = str(json.loads(payload).get("description") or "")
            except (ValueError, AttributeError):
                description = ""
            raise ServerError(status, description or f"HTTP {status}")
        return status, payload


def outcome(error: TelegramError) -> str:
    """What a failed send means for the person: BLOCKED, FAILED (certainly not delivered),
    _RETRY (certainly not delivered, worth another try now) or UNKNOWN (it may have arrived)."""
    if isinstance(error, Forbidden):
        return BLOCKED
    if isinstance(error, BadRequest):
        return FAILED  # Telegram refused the message itself
    if isinstance(error, ServerError):
        # A gateway timeout: Telegram may still have sent it. Other 5xx: it says it did not.
        return UNKNOWN if error.status == 504 else _RETRY
    if isinstance(error, TimedOut | NetworkError) and error.__cause__ is not None:
        # Refused, or waiting to connect: the request never left; anything else may have.
        return _RETRY if certainly_not_sent(error) else UNKNOWN
    if isinstance(error, NetworkError):
        return UNKNOWN  # a status PTB did not expect (the 5xx are ServerError, above)
    return FAILED  # other refusals by Telegram (ChatMigrated, Conflict): nothing was sent


def load(path: Path, needed: Iterable[str] = LANGUAGES) -> tuple[str, dict[str, str]]:
    """(the broadcast's id, the message per language as Telegram HTML). The languages
    `needed` (those of the audience: every language unless it is narrowed by language) must
    have a message; another one given is checked too."""
    raw = path.read_bytes()
    try:
        data = yaml.safe_load(raw.decode("utf-8"))
    except (UnicodeDecodeError, yaml.YAMLError) as exc:
        raise BroadcastError(f"{path}: not a UTF-8 YAML file: {exc}") from None
    if not isinstance(data, dict):
        raise BroadcastError(
            f"{path}: expected id:, then kk:, ru: and en: with a message each (only the "
            "languages sent to, with --language)"
        )
    problems: list[str] = []
    broadcast_id = _id(data.get("id"), problems)
    messages = {}
    needed = set(needed)
    for language in LANGUAGES:
        text = data.get(language)
        if not isinstance(text, str) or not text.strip():
            if language in needed:
                hint = (
                    " (or send to some languages only: --language)"
                    if needed >= set(LANGUAGES)
                    else ""
                )
                problems.append(f"{language}: missing{hint}")
            continue
        rendered = to_html(text)
        try:
            parse_html(rendered)
        except HtmlError as exc:
            problems.append(f"{language}: Telegram would reject the formatting ({exc.reason})")
            continue
        if len(rendered) > TELEGRAM_LIMIT:
            problems.append(
                f"{language}: {len(rendered)} characters, Telegram allows {TELEGRAM_LIMIT}"
            )
        messages[language] = rendered
    extra = sorted(str(k) for k in data if k not in (*LANGUAGES, "id"))
    if extra:
        problems.append(f"unknown keys: {', '.join(extra)} (only id, kk, ru, en)")
    if problems:
        raise BroadcastError(f"{path}: " + "; ".join(problems))
    return broadcast_id, messages


def _id(value: object, problems: list[str]) -> str:
    # YAML reads `id: 2027-03-01` as a date and `id: 12` as a number: both are fine names.
    if isinstance(value, int | dt.date) and not isinstance(value, bool | dt.datetime):
        value = str(value)
    if value is None:
        problems.append(
            "id: missing. Add a line such as `id: 2027-03-new-rooms` that names this news. "
            "Running a file with the same id again sends only to whoever does not have it yet "
            "(also after you fix a typo); a new id sends to every subscriber"
        )
        return ""
    if not isinstance(value, str) or not ID.fullmatch(value):
        problems.append(
            f"id: {value!r} is not a name: use up to 64 letters, digits, '-', '_' or '.', "
            "such as 2027-03-new-rooms"
        )
        return ""
    return value


@dataclass(frozen=True)
class Audience:
    """Which subscribers get the news: each filter given narrows it; none, every subscriber.
    Regions are region ids (bot/places), offices codes, languages codes."""

    regions: frozenset[str] = frozenset()
    offices: frozenset[str] = frozenset()
    languages: frozenset[str] = frozenset()

    def conditions(self) -> list[ColumnElement[bool]]:
        chosen: list[ColumnElement[bool]] = []
        if self.regions:
            chosen.append(User.region.in_(sorted(self.regions)))
        if self.offices:
            chosen.append(User.office.in_(sorted(self.offices)))
        if self.languages:
            chosen.append(User.language.in_(sorted(self.languages)))
        return chosen

    def describe(self) -> str:
        """ "every subscriber", or "region almaty, language kk" (for the command's output)."""
        parts = [
            f"{name} {', '.join(sorted(values))}"
            for name, values in (
                ("region", self.regions), ("office", self.offices), ("language", self.languages)
            )
            if values
        ]  # fmt: skip
        return "; ".join(parts) or "every subscriber"


EVERYONE = Audience()


@dataclass(frozen=True)
class CampaignRun:
    """A run of a scheduled campaign (bot/telegram/campaigns.py): its deliveries are journalled
    under `id` and the lease names it; `still_wanted` is asked before each message, and a no
    (cancelled) ends the run; a `retry` sends to those whose delivery by this campaign failed,
    and to nobody else (not to whoever subscribed since)."""

    id: int
    still_wanted: Callable[[], Awaitable[bool]]
    retry: bool = False


@dataclass
class _Plan:
    todo: list[tuple[int, str]]  # (telegram id, language), in order
    already: int
    unknown: int


async def _plan(
    sessions: async_sessionmaker[AsyncSession],
    broadcast: str,
    resend_unknown: bool,
    audience: Audience = EVERYONE,
    failed_of: int | None = None,
) -> _Plan:
    """Who still gets this broadcast (only those whose delivery by campaign `failed_of`
    failed, when given), how many have it, how many may have it."""
    async with sessions() as session:
        entries = await session.execute(
            select(
                BroadcastDelivery.telegram_id,
                BroadcastDelivery.status,
                BroadcastDelivery.campaign,
            ).where(BroadcastDelivery.broadcast == broadcast)
        )
        journal: dict[int, str] = {}
        retried: set[int] = set()
        for uid, status, campaign in entries.tuples():
            journal[uid] = status
            if status == FAILED and campaign == failed_of:
                retried.add(uid)
        rows = await session.execute(
            select(User.telegram_id, User.language)
            .where(User.news.is_(True), User.blocked.is_(False), *audience.conditions())
            .order_by(User.telegram_id)
        )
        skip = {SENT, BLOCKED} if resend_unknown else {SENT, BLOCKED, SENDING}
        todo = [
            (uid, lang)
            for uid, lang in rows
            if journal.get(uid) not in skip and (failed_of is None or uid in retried)
        ]
    statuses = list(journal.values())
    already = statuses.count(SENT) + statuses.count(BLOCKED)
    return _Plan(todo, already, 0 if resend_unknown else statuses.count(SENDING))


async def check_offices(sessions: async_sessionmaker[AsyncSession], audience: Audience) -> None:
    """BroadcastError naming the offices of the audience that the registry does not have."""
    if not audience.offices:
        return
    async with sessions() as session:
        known = set(
            await session.scalars(
                select(Office.code).where(Office.code.in_(sorted(audience.offices)))
            )
        )
    unknown = sorted(audience.offices - known)
    if unknown:
        raise BroadcastError(
            f"--office {', '.join(unknown)}: no such office (python -m bot offices list)"
        )


async def waiting(
    sessions: async_sessionmaker[AsyncSession], broadcast: str, audience: Audience = EVERYONE
) -> dict[str, int]:
    """How many subscribers would get it now, per language (for a dry run)."""
    plan = await _plan(sessions, broadcast, False, audience)
    per_language = dict.fromkeys(LANGUAGES, 0)
    for _, language in plan.todo:
        shown = language if language in per_language else "ru"  # sent the Russian text
        per_language[shown] += 1
    return per_language


async def _claim(
    sessions: async_sessionmaker[AsyncSession],
    broadcast: str,
    user_id: int,
    resend_unknown: bool,
    campaign: int | None,
) -> bool:
    """Commit the "sending" row, in the name of `campaign` (None: by hand); False if someone
    else's run holds it (nothing to send)."""
    again = (FAILED, SENDING) if resend_unknown else (FAILED,)
    row = (BroadcastDelivery.broadcast == broadcast) & (BroadcastDelivery.telegram_id == user_id)
    async with sessions.begin() as session:
        # A failure tried again belongs to the run that tries it: its counts say what came of it.
        retried = await session.execute(
            update(BroadcastDelivery)
            .where(row, BroadcastDelivery.status.in_(again))
            .values(status=SENDING, at=utcnow(), campaign=campaign)
            .returning(BroadcastDelivery.telegram_id)
        )
        if retried.first() is not None:
            return True
        dialect = session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        # Two runs of one broadcast at once must not both send: the row is the lock.
        added = await session.execute(
            insert(BroadcastDelivery)
            .values(
                broadcast=broadcast,
                telegram_id=user_id,
                status=SENDING,
                at=utcnow(),
                campaign=campaign,
            )
            .on_conflict_do_nothing(index_elements=["broadcast", "telegram_id"])
            # rowcount is not to be trusted here (-1 through the ORM on psycopg): a row back is.
            .returning(BroadcastDelivery.telegram_id)
        )
        return added.first() is not None


async def _settle(
    sessions: async_sessionmaker[AsyncSession], broadcast: str, user_id: int, status: str
) -> None:
    if status == UNKNOWN:
        return  # the row stays "sending": never sent again
    row = (BroadcastDelivery.broadcast == broadcast) & (BroadcastDelivery.telegram_id == user_id)
    async with sessions.begin() as session:
        await session.execute(
            update(BroadcastDelivery).where(row).values(status=status, at=utcnow())
        )
        if status == BLOCKED:
            await session.execute(
                update(User).where(User.telegram_id == user_id).values(blocked=True)
            )


async def _release(
    sessions: async_sessionmaker[AsyncSession], broadcast: str, user_id: int
) -> None:
    """Nothing went out after all (stopped while waiting to retry): as if never claimed."""
    async with sessions.begin() as session:
        await session.execute(
            delete(BroadcastDelivery).where(
                BroadcastDelivery.broadcast == broadcast,
                BroadcastDelivery.telegram_id == user_id,
                BroadcastDelivery.status == SENDING,
            )
        )


class _Pace:
    """Evenly spaced sends, every attempt included: never more than `rate` in any second."""

    def __init__(self, rate: float) -> None:
        self._interval = 1.0 / rate
        self._next = time.monotonic()

    async def slot(self) -> None:
        delay = self._next - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        self._next = max(self._next, time.monotonic()) + self._interval


async def _stopped_during(stop: asyncio.Event, seconds: float) -> bool:
    try:
        await asyncio.wait_for(stop.wait(), seconds)
    except TimeoutError:
        return False
    return True


def _seconds(wait: int | float | dt.timedelta) -> float:
    return wait.total_seconds() if isinstance(wait, dt.timedelta) else float(wait)


async def _deliver(
    bot: Bot,
    user_id: int,
    text: str,
    markup: InlineKeyboardMarkup,
    pace: _Pace,
    stop: asyncio.Event,
    attempts: int,
    backoff: float,
    bucket: Bucket | None,
) -> str | None:
    """SENT, BLOCKED, FAILED or UNKNOWN; None if stopped while waiting to try again (so
    nothing went out)."""
    tries = waits = 0
    while True:
        await pace.slot()
        if bucket is not None:
            await bucket.take()  # every attempt is a send, as the bot counts its own
        try:
            await bot.send_message(user_id, text, parse_mode=ParseMode.HTML, reply_markup=markup)
            return SENT
        except RetryAfter as exc:
            waits += 1
            if waits > MAX_WAITS:
                return FAILED
            wait = _seconds(exc.retry_after)
            log.warning("Telegram asks to wait %.0f s", wait)
            if await _stopped_during(stop, wait):
                return None
            continue
        except InvalidToken:
            raise
        except TelegramError as exc:
            result = outcome(exc)
            if result != _RETRY:
                if result != BLOCKED:
                    log.warning("news to one subscriber: %s (%s)", result, exc)
                return result
            tries += 1
            if tries >= attempts:
                log.warning("news not delivered to one subscriber: %s", exc)
                return FAILED
            if await _stopped_during(stop, backoff * 2 ** (tries - 1)):
                return None


async def send(
    bot: Bot,
    sessions: async_sessionmaker[AsyncSession],
    broadcast: str,
    messages: dict[str, str],
    rate: float = DEFAULT_RATE,
    on_progress: Callable[[Progress], None] = lambda p: None,
    *,
    stop_labels: Mapping[str, str],
    audience: Audience = EVERYONE,
    resend_unknown: bool = False,
    attempts: int = ATTEMPTS,
    backoff: float = BACKOFF_SECONDS,
    stop: asyncio.Event | None = None,
    bucket: Bucket | None = None,
    campaign: CampaignRun | None = None,
) -> Progress:
    """Send to every subscriber who does not have this broadcast yet (nor may have it); one
    sender at a time, whichever machine runs it (the "broadcast" lease). `stop_labels`: the
    unsubscribe button's label per language (`btn.news_stop`). `stop`, when given, stops it
    between two messages (the running bot's own); otherwise SIGINT and SIGTERM do. `bucket`:
    the bot's send rate, a token taken for every attempt. `campaign`: the scheduled campaign
    this run sends, if it is one."""
    holder = f"{socket.gethostname()}-{os.getpid()}-{os.urandom(3).hex()}"
    if campaign is not None:
        holder += f"{CAMPAIGN_HOLDER}{campaign.id}"
    if not await leases.take(sessions, LEASE, holder, LEASE_SECONDS):
        held = await leases.holder_of(sessions, LEASE)
        who = f"{held[0]}, until {held[1]:%H:%M:%S} UTC unless it goes on" if held else "another"
        raise BroadcastError(
            f"another broadcast is being sent ({who}); run this one when it has finished"
        )
    try:
        return await _send_holding(
            bot, sessions, broadcast, messages, rate, on_progress, holder,
            markups=_stop_buttons(broadcast, stop_labels), audience=audience, stop=stop,
            resend_unknown=resend_unknown, attempts=attempts, backoff=backoff,
            bucket=bucket, campaign=campaign,
        )  # fmt: skip
    finally:
        await leases.release(sessions, LEASE, holder)


def _stop_buttons(broadcast: str, labels: Mapping[str, str]) -> dict[str, InlineKeyboardMarkup]:
    """The unsubscribe button per language (Russian where a label is missing)."""
    code = callbacks.news_stop(broadcast)
    return {
        language: InlineKeyboardMarkup(
            [[InlineKeyboardButton(labels.get(language) or labels["ru"], callback_data=code)]]
        )
        for language in LANGUAGES
    }


async def _send_holding(
    bot: Bot,
    sessions: async_sessionmaker[AsyncSession],
    broadcast: str,
    messages: dict[str, str],
    rate: float,
    on_progress: Callable[[Progress], None],
    holder: str,
    *,
    markups: dict[str, InlineKeyboardMarkup],
    audience: Audience,
    stop: asyncio.Event | None,
    resend_unknown: bool,
    attempts: int,
    backoff: float,
    bucket: Bucket | None,
    campaign: CampaignRun | None,
) -> Progress:
    failed_of = campaign.id if campaign is not None and campaign.retry else None
    plan = await _plan(sessions, broadcast, resend_unknown, audience, failed_of)
    progress = Progress(
        total=len(plan.todo) + plan.already + plan.unknown,
        already=plan.already,
        unknown_before=plan.unknown,
    )
    signals = stop is None  # the command's own; never the running bot's signals
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    # Not in the main thread there are no signals to catch: the caller stops it then.
    with contextlib.suppress(NotImplementedError, RuntimeError):
        if signals:
            loop.add_signal_handler(signal.SIGINT, stop.set)
            loop.add_signal_handler(signal.SIGTERM, stop.set)
    pace = _Pace(min(rate, MAX_RATE))
    renewed = time.monotonic()
    try:
        for user_id, language in plan.todo:
            if stop.is_set():
                progress.interrupted = True
                break
            if time.monotonic() - renewed > LEASE_SECONDS / 3:
                if not await leases.renew(sessions, LEASE, holder, LEASE_SECONDS):
                    log.error("the broadcast lease was lost: stopping (run it again to go on)")
                    progress.interrupted = True
                    break
                renewed = time.monotonic()
            if campaign is not None and not await campaign.still_wanted():
                # Cancelled: the message before this one was the last (settled already).
                progress.interrupted = progress.cancelled = True
                break
            number = campaign.id if campaign is not None else None
            if not await _claim(sessions, broadcast, user_id, resend_unknown, number):
                progress.total -= 1  # another run of this broadcast has them
                continue
            # Only people in a language with a message are chosen (load); just in case, another.
            text = messages.get(language) or messages.get("ru") or next(iter(messages.values()))
            markup = markups.get(language) or markups["ru"]
            try:
                status = await _deliver(
                    bot, user_id, text, markup, pace, stop, attempts, backoff, bucket
                )
            except InvalidToken:
                await _release(sessions, broadcast, user_id)
                raise BroadcastError("Telegram does not accept the bot's token") from None
            if status is None:
                await _release(sessions, broadcast, user_id)
                progress.interrupted = True
                break
            await _settle(sessions, broadcast, user_id, status)
            setattr(progress, status, getattr(progress, status) + 1)
            on_progress(progress)
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM) if signals else ():
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.remove_signal_handler(sig)
    return progress


def bar(progress: Progress, width: int = 30) -> str:
    """[#########.....] 120/300  sent 117, blocked 2, failed 0, unknown 1, earlier 0"""
    total = max(progress.total, 1)
    reached = progress.done + progress.already + progress.unknown_before
    filled = int(width * reached / total)
    return (
        f"[{'#' * filled}{'.' * (width - filled)}] {reached}/{progress.total}  "
        f"sent {progress.sent}, blocked {progress.blocked}, failed {progress.failed}, "
        f"unknown {progress.unknown + progress.unknown_before}, earlier {progress.already}"
    )
