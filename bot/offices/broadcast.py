"""`python -m bot broadcast FILE`: opt-in news, each subscriber in their own language.

FILE is YAML with one message per language (`kk`, `ru`, `en`), written like content strings
(**bold**, _italic_, [links](https://…), blank lines between paragraphs). The sender:
- keeps under `rate` messages a second (Telegram allows about 30) and waits when told to;
- writes a journal row right after each message, keyed by the file's hash, so that running the
  same file again (after Ctrl-C, a crash or a lost connection) sends only what is missing;
  Ctrl-C stops between two messages, so nothing is sent twice;
- marks subscribers who blocked the bot, and stops sending to them.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import yaml
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram import Bot
from telegram.constants import ParseMode
from telegram.error import Forbidden, RetryAfter, TelegramError

from bot.content import LANGUAGES
from bot.content.markup import to_html
from bot.storage.models import BroadcastDelivery, User

log = logging.getLogger(__name__)

MAX_RATE = 25.0
TELEGRAM_LIMIT = 4096


class BroadcastError(ValueError):
    """The file cannot be sent: what is wrong, in words for the person running it."""


@dataclass
class Progress:
    total: int
    sent: int = 0
    blocked: int = 0
    failed: int = 0
    already: int = 0  # sent by an earlier run of the same file
    interrupted: bool = False

    @property
    def done(self) -> int:
        return self.sent + self.blocked + self.failed


def load(path: Path) -> tuple[str, dict[str, str]]:
    """(the broadcast's id, the message per language as Telegram HTML)."""
    raw = path.read_bytes()
    try:
        data = yaml.safe_load(raw.decode("utf-8"))
    except (UnicodeDecodeError, yaml.YAMLError) as exc:
        raise BroadcastError(f"{path}: not a UTF-8 YAML file: {exc}") from None
    if not isinstance(data, dict):
        raise BroadcastError(f"{path}: expected kk:, ru: and en: with a message each")
    problems = []
    messages = {}
    for language in LANGUAGES:
        text = data.get(language)
        if not isinstance(text, str) or not text.strip():
            problems.append(f"{language}: missing")
            continue
        rendered = to_html(text)
        if len(rendered) > TELEGRAM_LIMIT:
            problems.append(
                f"{language}: {len(rendered)} characters, Telegram allows {TELEGRAM_LIMIT}"
            )
        messages[language] = rendered
    extra = sorted(str(k) for k in data if k not in LANGUAGES)
    if extra:
        problems.append(f"unknown keys: {', '.join(extra)} (only kk, ru, en)")
    if problems:
        raise BroadcastError(f"{path}: " + "; ".join(problems))
    return hashlib.sha256(raw).hexdigest()[:32], messages


async def _recipients(
    sessions: async_sessionmaker[AsyncSession], broadcast: str
) -> tuple[list[tuple[int, str]], int]:
    """Subscribers still to send to (id, language), and how many already have it."""
    async with sessions() as session:
        done = set(
            await session.scalars(
                select(BroadcastDelivery.telegram_id).where(
                    BroadcastDelivery.broadcast == broadcast
                )
            )
        )
        rows = await session.execute(
            select(User.telegram_id, User.language)
            .where(User.news.is_(True), User.blocked.is_(False))
            .order_by(User.telegram_id)
        )
        todo = [(uid, lang) for uid, lang in rows if uid not in done]
    return todo, len(done)


async def _record(
    sessions: async_sessionmaker[AsyncSession], broadcast: str, user_id: int, status: str
) -> None:
    async with sessions.begin() as session:
        session.add(BroadcastDelivery(broadcast=broadcast, telegram_id=user_id, status=status))
        if status == "blocked":
            user = await session.get(User, user_id)
            if user is not None:
                user.blocked = True


async def send(
    bot: Bot,
    sessions: async_sessionmaker[AsyncSession],
    broadcast: str,
    messages: dict[str, str],
    rate: float = MAX_RATE,
    on_progress: Callable[[Progress], None] = lambda p: None,
) -> Progress:
    """Send to every subscriber who does not have this broadcast yet."""
    rate = min(rate, MAX_RATE)
    todo, already = await _recipients(sessions, broadcast)
    progress = Progress(total=len(todo) + already, already=already)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    # Not in the main thread there are no signals to catch: the caller stops it then.
    with contextlib.suppress(NotImplementedError, RuntimeError):
        loop.add_signal_handler(signal.SIGINT, stop.set)
        loop.add_signal_handler(signal.SIGTERM, stop.set)
    interval = 1.0 / rate
    next_at = time.monotonic()
    try:
        for user_id, language in todo:
            if stop.is_set():
                progress.interrupted = True
                break
            # Evenly spaced sends: never more than `rate` in any second.
            delay = next_at - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            next_at = max(next_at, time.monotonic()) + interval
            text = messages.get(language) or messages["ru"]
            status = await _deliver(bot, user_id, text)
            if status == "failed":
                progress.failed += 1  # not journalled: the next run tries again
            else:
                await _record(sessions, broadcast, user_id, status)
                if status == "sent":
                    progress.sent += 1
                else:
                    progress.blocked += 1
            on_progress(progress)
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.remove_signal_handler(sig)
    return progress


async def _deliver(bot: Bot, user_id: int, text: str, attempts: int = 5) -> str:
    """ "sent", "blocked" or "failed"; waits and retries when Telegram says to slow down."""
    for _ in range(attempts):
        try:
            await bot.send_message(user_id, text, parse_mode=ParseMode.HTML)
            return "sent"
        except RetryAfter as exc:
            wait = exc.retry_after
            await asyncio.sleep(wait.total_seconds() if hasattr(wait, "total_seconds") else wait)
        except Forbidden:
            return "blocked"
        except TelegramError as exc:
            log.warning("news not delivered to one subscriber: %s", exc)
            return "failed"
    return "failed"


def bar(progress: Progress, width: int = 30) -> str:
    """[#########.....] 120/300 sent 118, blocked 2"""
    total = max(progress.total, 1)
    filled = int(width * (progress.done + progress.already) / total)
    return (
        f"[{'#' * filled}{'.' * (width - filled)}] {progress.done + progress.already}/"
        f"{progress.total}  sent {progress.sent}, blocked {progress.blocked}, "
        f"failed {progress.failed}, earlier {progress.already}"
    )
