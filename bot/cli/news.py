"""News for subscribers: the broadcast."""

from __future__ import annotations

import argparse
import contextlib
import sys
from typing import TYPE_CHECKING

from bot.cli.common import Adder

if TYPE_CHECKING:
    from collections.abc import AsyncIterator
    from pathlib import Path

    from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

    from bot.config import Settings
    from bot.telegram.broadcast import Audience, Progress
    from bot.telegram.campaigns import Cancelled, Counts
    from bot.telegram.stream.sends import SharedBucket


def cmd_broadcast(args: argparse.Namespace) -> None:
    """Send opt-in news to every subscriber in their language (at most once each, resumable)."""
    import asyncio
    from pathlib import Path

    from sqlalchemy.exc import SQLAlchemyError

    from bot.config import Settings
    from bot.languages import LANGUAGES
    from bot.storage import migrate
    from bot.telegram import broadcast

    settings = Settings.from_env()
    if args.list or args.cancel is not None:
        _campaigns(settings, args)
        return
    if args.file is None:
        sys.exit("broadcast: give the news file (or --list, or --cancel ID)")
    if not args.rate > 0:
        sys.exit("--rate must be a positive number of messages a second")
    audience = _audience(args)
    try:
        # News to some languages only needs their messages (a Kazakh-only item: kk only).
        needed = audience.languages or LANGUAGES
        broadcast_id, messages = broadcast.load(Path(args.file), needed)
    except (OSError, broadcast.BroadcastError) as exc:
        sys.exit(str(exc))
    # News speaks for Kelisim as the pages do: the same terms, or it is not sent.
    if problems := _glossary_problems(settings.content_dir, messages):
        sys.exit(f"{args.file}: " + "; ".join(problems) + "; nothing was sent")
    if args.dry_run:
        _dry_run(settings, args.file, broadcast_id, messages, audience)
        return
    if args.at is not None:
        _schedule(settings, broadcast_id, messages, audience, args.at)
        return
    if args.rate > broadcast.MAX_RATE:
        print(f"--rate {args.rate:g}: sending {broadcast.MAX_RATE:g} a second at most, so that "
              "the bot's own answers keep their share of Telegram's limit")  # fmt: skip
    migrate.upgrade(settings.database_url)
    tty = sys.stderr.isatty()
    try:
        progress, totals = asyncio.run(_send(settings, broadcast_id, messages, args, audience, tty))
    except broadcast.BroadcastError as exc:
        sys.exit(f"{args.file}: {exc}; nothing more was sent")
    except SQLAlchemyError as exc:
        sys.exit(
            f"the database failed ({exc.__class__.__name__}); the broadcast stopped. Run the same "
            "command again when the database is back: nobody gets it twice"
        )
    if tty:
        print(file=sys.stderr)
    _report(broadcast_id, progress, audience, totals)


# Night in Kazakhstan, when a scheduled news item gets a note (not refused: an alert may be
# meant for then): from QUIET_STARTS o'clock to QUIET_ENDS o'clock.
QUIET_STARTS, QUIET_ENDS = 22, 8


def _schedule(
    settings: Settings, news_id: str, messages: dict[str, str], audience: Audience, at: str
) -> None:
    """Store the campaign for the running bot to send when due."""
    import asyncio

    from bot import clock
    from bot.storage import migrate
    from bot.telegram import broadcast, campaigns

    try:
        due = campaigns.parse_due(at)
    except campaigns.CampaignError as exc:
        sys.exit(str(exc))
    migrate.upgrade(settings.database_url)

    async def store() -> tuple[int, int]:
        async with _database(settings) as sessions:
            await broadcast.check_offices(sessions, audience)
            have = await campaigns.holders_of(sessions, news_id)
            return await campaigns.schedule(sessions, news_id, messages, audience, due), have

    try:
        number, have = asyncio.run(store())
    except broadcast.BroadcastError as exc:
        sys.exit(str(exc))
    when = f"{due.astimezone(clock.KAZAKHSTAN):%Y-%m-%d %H:%M}"
    past = " (already past: the bot sends it at once)" if due <= clock.now() else ""
    print(
        f"campaign {number}: {news_id} to {audience.describe()}, at {when} in Kazakhstan{past}. "
        f"The running bot sends it; broadcast --list shows it, --cancel {number} cancels it"
    )
    local = due.astimezone(clock.KAZAKHSTAN)
    if not past and not QUIET_ENDS <= local.hour < QUIET_STARTS:
        # Most people's phones sound for a bot's message: a night-time one wakes them.
        print(
            f"Note: {local:%H:%M} is night in Kazakhstan: people get it then, and their phones "
            f"may sound. If that is not meant, --cancel {number} and schedule it between "
            f"{QUIET_ENDS:02d}:00 and {QUIET_STARTS:02d}:00"
        )
    if have:
        # The id names the news: reused, it reaches only those who do not have it yet.
        print(
            f"{news_id} was sent before: the {have} who have it (or may have it) do not get it "
            f"again, and campaign {number} counts only its own deliveries. To send them "
            "something new, give the file a new id"
        )


def _campaigns(settings: Settings, args: argparse.Namespace) -> None:
    """--list: every campaign with what came of it; --cancel ID."""
    import asyncio

    from bot.storage import migrate
    from bot.telegram import campaigns

    migrate.upgrade(settings.database_url)

    async def run() -> list[str]:
        async with _database(settings) as sessions:
            if args.cancel is not None:
                return [_cancelled(args.cancel, await campaigns.cancel(sessions, args.cancel))]
            return await _listed_campaigns(sessions)

    try:
        lines = asyncio.run(run())
    except campaigns.CampaignError as exc:
        sys.exit(str(exc))
    print("\n".join(lines))


def _cancelled(number: int, done: Cancelled) -> str:
    """What --cancel did, in a line."""
    if not done.started:
        return f"campaign {number} cancelled: it will not be sent"
    counts = done.counts.line()
    if done.stopped:
        return (
            f"campaign {number} cancelled while being sent: it stopped, and nobody else gets "
            f"it; {counts}"
        )
    return (
        f"campaign {number} cancelled while being sent: its message being sent now, still "
        f"waiting for Telegram, is its last; so far {counts} (broadcast --list gives the final "
        "counts)"
    )


async def _listed_campaigns(sessions: async_sessionmaker[AsyncSession]) -> list[str]:
    """One line per campaign: number, status, due (Kazakhstan), news id, audience, its own
    counts (not another campaign's of the same news id), and what happened, in words."""
    from bot.telegram import campaigns

    listed = await campaigns.listing(sessions)
    by_hand = await campaigns.sent_by_hand(sessions)
    if not listed and not by_hand:
        return ['no campaigns (broadcast FILE --at "2026-12-10 10:00" schedules one)']
    counted = await campaigns.campaign_counts(sessions, [c.id for c in listed])
    # Fields apart by ';': pasted into a spreadsheet (";" as the separator), a table.
    lines = ["number;state;when (Kazakhstan);news;to whom;counts;what happened"]
    for c in listed:
        own = counted.get(c.id, campaigns.Counts())
        story = campaigns.what_happened(c, own)
        lines.append(
            f"{c.id};{c.status};{campaigns.Scheduler.due_text(c)};{c.news_id};"
            # (the audience's parts apart by "," here: ";" separates the fields)
            f"{campaigns.audience_of(c).describe().replace('; ', ', ')};{own.line()};{story}"
        )
    # Sent at once (no --at): no number to cancel, and whom it went to is not kept.
    for news, first, counts in by_hand:
        lines.append(
            f"-;sent at once;{campaigns.kazakhstan_time(first)};{news};-;{counts.line()};"
            "sent by the broadcast command itself, all its runs together"
        )
    return lines


def _dry_run(
    settings: Settings, file: str, broadcast_id: str, messages: dict[str, str], audience: Audience
) -> None:
    """The messages, and how many would get it now per language; nothing is sent."""
    import asyncio

    from bot.storage import migrate
    from bot.telegram import broadcast
    from bot.text.telegram_html import HtmlError, parse_html

    print(f"id: {broadcast_id}")
    for language, text in messages.items():
        # As people read it: the words, without Telegram's formatting tags.
        try:
            shown = parse_html(text)[0]
        except HtmlError:
            shown = text
        print(f"--- {language} ({len(text)} characters with formatting)\n{shown}")
    migrate.upgrade(settings.database_url)
    try:
        waiting = asyncio.run(_waiting(settings, broadcast_id, audience))
    except broadcast.BroadcastError as exc:
        sys.exit(f"{file}: {exc}")
    counts = ", ".join(f"{language} {n}" for language, n in waiting.items())
    print(f"--- to: {audience.describe()}")
    print(f"would get it now: {sum(waiting.values())} ({counts}); nothing sent (--dry-run)")


def _glossary_problems(content_dir: Path, messages: dict[str, str]) -> list[str]:
    """The glossary's avoided words in each message (docs/content-guide.md, "The glossary")."""
    from bot.content import glossary
    from bot.languages import LANGUAGES
    from bot.text.telegram_html import HtmlError, parse_html

    terms, broken = glossary.load(content_dir, LANGUAGES)
    if broken:
        return []  # `content check` reports a broken glossary; it is not the news' fault
    problems = []
    for language, text in messages.items():
        try:
            words = parse_html(text)[0]
        except HtmlError:
            words = text
        problems += [f"{language}: {hit.message()}" for hit in terms.find(language, words, "news")]
    return problems


def _listed(values: list[str] | None) -> list[str]:
    """Repeated options and comma lists alike: --language kk,ru --language en."""
    return [part.strip() for value in values or [] for part in value.split(",") if part.strip()]


def _audience(args: argparse.Namespace) -> Audience:
    """--region, --office and --language read and checked (an office's existence is checked
    against the registry once the database is open); exits naming what is wrong."""
    from bot.languages import LANGUAGES
    from bot.telegram.broadcast import Audience

    problems: list[str] = []
    regions: set[str] = set()
    if args.region:
        from bot.places.gazetteer import default

        places = default()
        for name in _listed(args.region):
            place = places.get(name) or places.find(name)
            if place is None:
                problems.append(f"--region {name!r}: not a region or city of Kazakhstan")
            elif place.kind == "settlement":
                region = places.get(place.region)
                problems.append(
                    f"--region {name!r} is a settlement: news goes to whole regions (the region "
                    f"people came from is all the bot knows), such as "
                    f"--region {region.id if region else place.region}"
                )
            else:
                regions.add(place.id)
    languages = _listed(args.language)
    problems += [
        f"--language {lang!r}: one of {', '.join(LANGUAGES)}"
        for lang in languages
        if lang not in LANGUAGES
    ]
    if problems:
        sys.exit("; ".join(problems))
    return Audience(frozenset(regions), frozenset(_listed(args.office)), frozenset(languages))


def _engine(settings: Settings) -> AsyncEngine:
    from sqlalchemy.ext.asyncio import create_async_engine

    from bot.storage.urls import async_url, connect_args, tune

    url = async_url(settings.database_url)
    engine = create_async_engine(url, connect_args=connect_args(url, interactive=False))
    tune(engine.sync_engine)
    return engine


@contextlib.asynccontextmanager
async def _database(settings: Settings) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """Sessions on the database, its connections closed at the end."""
    from sqlalchemy.ext.asyncio import async_sessionmaker

    engine = _engine(settings)
    try:
        yield async_sessionmaker(engine, expire_on_commit=False)
    finally:
        await engine.dispose()


async def _waiting(settings: Settings, broadcast_id: str, audience: Audience) -> dict[str, int]:
    """Who would get it now, per language."""
    from bot.telegram import broadcast

    async with _database(settings) as sessions:
        await broadcast.check_offices(sessions, audience)
        return await broadcast.waiting(sessions, broadcast_id, audience)


async def _send(
    settings: Settings, broadcast_id: str, messages: dict[str, str], args: argparse.Namespace,
    audience: Audience, tty: bool,
) -> tuple[Progress, Counts]:  # fmt: skip
    """Send it through our own Bot API client, with a progress bar on a terminal."""
    from sqlalchemy.ext.asyncio import async_sessionmaker
    from telegram import Bot
    from telegram.error import TelegramError

    from bot.content.catalogue import Catalogue
    from bot.languages import LANGUAGES
    from bot.telegram import broadcast, campaigns

    def show(progress: Progress) -> None:
        if tty:
            print("\r" + broadcast.bar(progress), end="", file=sys.stderr, flush=True)

    catalogue = Catalogue.load(settings.content_dir)
    stop_labels = {lang: catalogue.label(lang, "btn.news_stop") for lang in LANGUAGES}
    bucket = _bucket(settings)
    engine = _engine(settings)
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
        await broadcast.check_offices(sessions, audience)
        progress = await broadcast.send(
            bot,
            sessions,
            broadcast_id,
            messages,
            args.rate,
            on_progress=show,
            stop_labels=stop_labels,
            audience=audience,
            resend_unknown=args.resend_unknown,
            bucket=bucket,
        )
        totals = await campaigns.counts(sessions, [broadcast_id])
        return progress, totals.get(broadcast_id, campaigns.Counts())
    finally:
        await bot.shutdown()
        await engine.dispose()
        if bucket is not None:
            await bucket.close()


def _bucket(settings: Settings) -> SharedBucket | None:
    """The bot's own send rate (TELEGRAM_SENDS_PER_SECOND), when it is in Redis: every message
    of the command takes a token where the bot's workers take theirs. Without Redis the bot's
    bucket is in its own process, out of reach: --rate (20 at most) leaves it its share."""
    from bot.telegram.stream.sends import shared_bucket

    if not settings.redis_url:
        return None
    return shared_bucket(
        settings.redis_url, settings.redis_prefix, settings.telegram_sends_per_second
    )


def _report(broadcast_id: str, progress: Progress, audience: Audience, totals: Counts) -> None:
    """What happened, and what to do about what did not (exit 130 interrupted, 1 failures)."""
    from bot.telegram import broadcast

    print(f"{broadcast_id}: " + broadcast.bar(progress))
    print(f"to: {audience.describe()}")
    print(f"{broadcast_id}, all runs so far: {totals.line()}")
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
    cast.add_argument(
        "file",
        nargs="?",
        help="YAML with id: (the news' name), then kk:, ru: and en: (only those sent to, "
        "with --language)",
    )
    cast.add_argument(
        "--at",
        metavar='"YYYY-MM-DD HH:MM"',
        help="send it then, Kazakhstan time: the running bot sends it (and goes on after a "
        "restart); nothing is sent by this command",
    )
    cast.add_argument(
        "--list",
        action="store_true",
        help="every campaign with its own counts and what became of it (sent, retried, "
        "cancelled), then the news sent at once, with their counts",
    )
    cast.add_argument(
        "--cancel",
        type=int,
        metavar="ID",
        help="cancel a campaign: one scheduled is never sent; one being sent stops after the "
        "message it is sending (this waits for that, and says how many got it)",
    )
    cast.add_argument(
        "--rate",
        type=float,
        default=15.0,
        help="messages per second (15 by default, at most 20: the bot's own answers share "
        "Telegram's limit of about 30)",
    )
    cast.add_argument(
        "--dry-run",
        action="store_true",
        help="check and show the messages, and how many would get it now per language",
    )
    for option, what in (
        ("--region", "subscribers of these regions (id or name in any language; known for "
         "whoever came through an office's link or code)"),
        ("--office", "subscribers who came through these offices (codes)"),
        ("--language", "subscribers in these languages (kk, ru, en)"),
    ):  # fmt: skip
        cast.add_argument(
            option, action="append", metavar="A,B", help=f"{what}; repeat it or list with commas"
        )
    cast.add_argument(
        "--resend-unknown",
        action="store_true",
        help="also send to whoever may or may not have it (an earlier run stopped or lost "
        "Telegram's answer while sending to them): some of them may get it twice",
    )
