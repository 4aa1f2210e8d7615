"""News for subscribers: the broadcast."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from bot.cli.common import Adder

if TYPE_CHECKING:
    from bot.config import Settings
    from bot.telegram.broadcast import Progress


def cmd_broadcast(args: argparse.Namespace) -> None:
    """Send opt-in news to every subscriber in their language (at most once each, resumable)."""
    import asyncio
    from pathlib import Path

    from sqlalchemy.exc import SQLAlchemyError

    from bot.config import Settings
    from bot.storage import migrate
    from bot.telegram import broadcast

    settings = Settings.from_env()
    if not args.rate > 0:
        sys.exit("--rate must be a positive number of messages a second")
    try:
        broadcast_id, messages = broadcast.load(Path(args.file))
    except (OSError, broadcast.BroadcastError) as exc:
        sys.exit(str(exc))
    if args.dry_run:
        print(f"id: {broadcast_id}")
        for language, text in messages.items():
            print(f"--- {language} ({len(text)} characters)\n{text}")
        return
    if args.rate > broadcast.MAX_RATE:
        print(f"--rate {args.rate:g}: sending {broadcast.MAX_RATE:g} a second at most, so that "
              "the bot's own answers keep their share of Telegram's limit")  # fmt: skip
    migrate.upgrade(settings.database_url)
    tty = sys.stderr.isatty()
    try:
        progress = asyncio.run(_send(settings, broadcast_id, messages, args, tty))
    except broadcast.BroadcastError as exc:
        sys.exit(f"{args.file}: {exc}; nothing more was sent")
    except SQLAlchemyError as exc:
        sys.exit(
            f"the database failed ({exc.__class__.__name__}); the broadcast stopped. Run the same "
            "command again when the database is back: nobody gets it twice"
        )
    if tty:
        print(file=sys.stderr)
    _report(broadcast_id, progress)


async def _send(
    settings: Settings, broadcast_id: str, messages: dict[str, str], args: argparse.Namespace,
    tty: bool,
) -> Progress:  # fmt: skip
    """Send it through our own Bot API client, with a progress bar on a terminal."""
    from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine
    from telegram import Bot
    from telegram.error import TelegramError

    from bot.storage.urls import async_url, connect_args, tune
    from bot.telegram import broadcast

    def show(progress: Progress) -> None:
        if tty:
            print("\r" + broadcast.bar(progress), end="", file=sys.stderr, flush=True)

    url = async_url(settings.database_url)
    engine = create_async_engine(url, connect_args=connect_args(url, interactive=False))
    tune(engine.sync_engine)
    bot = Bot(
        settings.token,
        base_url=settings.telegram_api_base_url,
        request=broadcast.BroadcastRequest(),
    )
    try:
        try:
            await bot.initialize()
        except TelegramError as exc:
            raise broadcast.BroadcastError(f"Telegram cannot be reached: {exc}") from None
        sessions = async_sessionmaker(engine, expire_on_commit=False)
        return await broadcast.send(
            bot,
            sessions,
            broadcast_id,
            messages,
            args.rate,
            on_progress=show,
            resend_unknown=args.resend_unknown,
        )
    finally:
        await bot.shutdown()
        await engine.dispose()


def _report(broadcast_id: str, progress: Progress) -> None:
    """What happened, and what to do about what did not (exit 130 interrupted, 1 failures)."""
    from bot.telegram import broadcast

    print(f"{broadcast_id}: " + broadcast.bar(progress))
    unknown = progress.unknown + progress.unknown_before
    if unknown:
        print(
            f"{unknown} may or may not have it (the run stopped, or Telegram's answer was lost, "
            "while sending to them): they are not sent it again. --resend-unknown sends it to "
            "them as well, and some of them may then get it twice"
        )
    if progress.interrupted:
        print("interrupted: run the same command again to send the rest (nobody gets it twice)")
        sys.exit(130)
    if progress.failed:
        print(
            f"{progress.failed} not delivered (Telegram refused or could not be reached): run "
            "the same command again to try them again"
        )
        sys.exit(1)


def register(add: Adder) -> None:
    """Its commands, their arguments and help."""
    cast = add("broadcast", cmd_broadcast)
    cast.add_argument("file", help="YAML with id: (the news' name), then kk:, ru: and en:")
    cast.add_argument(
        "--rate",
        type=float,
        default=15.0,
        help="messages per second (15 by default, at most 20: the bot's own answers share "
        "Telegram's limit of about 30)",
    )
    cast.add_argument("--dry-run", action="store_true", help="check and show the messages only")
    cast.add_argument(
        "--resend-unknown",
        action="store_true",
        help="also send to whoever may or may not have it (an earlier run stopped or lost "
        "Telegram's answer while sending to them): some of them may get it twice",
    )
