"""Build the PTB Application: all handler wiring lives here. Order matters."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import threading

from telegram import Bot, BotCommand, LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.error import InvalidToken
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    ContextTypes,
    Defaults,
    MessageHandler,
    filters,
)

from bot.config import Settings
from bot.content.live import LiveContent, ReloadResult
from bot.dialogue.client import RasaClient
from bot.directory.store import DirectoryStore
from bot.languages import DEFAULT_LANGUAGE, LANGUAGES
from bot.offices.store import OfficeStore
from bot.outreach.counts import Counter
from bot.outreach.unanswered import UnansweredStore
from bot.places import gazetteer
from bot.privacy import retention
from bot.storage.db import Database
from bot.supervisor import EXIT_CONFIG
from bot.telegram import broadcast, campaigns, content_manifest, handlers
from bot.telegram import health as bot_health
from bot.telegram.flood import FloodNotice
from bot.telegram.processor import PerChatUpdateProcessor
from bot.telegram.sending import Delivery
from bot.telegram.services import KEY, Context, KelisimApplication, Services, services
from bot.telegram.stream.sends import SharedBucket, shared_bucket
from bot.telegram.transport import AiohttpRequest

log = logging.getLogger(__name__)
# bot_data: the retention sweep's task, cancelled before the database closes.
_BACKGROUND = "background-tasks"


# The only updates the bot asks Telegram for; everything else (inline queries, polls,
# reactions...) is never delivered.
ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY, Update.MY_CHAT_MEMBER]
# A new message in a private chat. Not an edit: a corrected typo or a live location's next
# position (both `edited_message`) are not new questions, and get silence.
PRIVATE = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE


# Updates handled at once (each mostly waits for Rasa), and connections to the Bot API for
# the answers they send.
UPDATES_AT_ONCE = 256
BOT_API_CONNECTIONS = 64


def register(application: KelisimApplication) -> None:
    """Commands first, then buttons, then free text, then everything else; groups apart."""
    commands = {
        "start": handlers.start,
        "language": handlers.language_command,
        "help": handlers.help_command,
        "forget": handlers.forget_command,
        "subscribe": handlers.subscribe_command,
        "unsubscribe": handlers.unsubscribe_command,
        # Not in Telegram's menu (/unsubscribe is): what typing "stop" does.
        "stop": handlers.stop_command,
        "reload": handlers.reload_command,
        "stats": handlers.stats_command,
    }
    # Before any command's own handler: a command ends a wait for typed feedback.
    application.add_handler(
        MessageHandler(PRIVATE & filters.COMMAND, handlers.command_given), group=-1
    )
    for name, callback in commands.items():
        application.add_handler(CommandHandler(name, callback, filters=PRIVATE))
    application.add_handler(CallbackQueryHandler(handlers.on_callback))
    application.add_handler(MessageHandler(PRIVATE & filters.COMMAND, handlers.unknown_command))
    application.add_handler(
        MessageHandler(PRIVATE & filters.TEXT & ~filters.COMMAND, handlers.free_text)
    )
    application.add_handler(MessageHandler(PRIVATE & filters.LOCATION, handlers.location_shared))
    # Anything else a user can send in a private chat: stickers, photos, voice, files...
    application.add_handler(
        MessageHandler(PRIVATE & ~filters.StatusUpdate.ALL, handlers.unsupported)
    )
    # The bot talks one to one: in a group it says so once and leaves; a channel it just leaves.
    application.add_handler(
        MessageHandler(
            filters.ChatType.GROUPS & filters.UpdateType.MESSAGE & ~filters.StatusUpdate.ALL,
            handlers.in_a_group,
        )
    )
    application.add_handler(
        ChatMemberHandler(handlers.membership_changed, ChatMemberHandler.MY_CHAT_MEMBER)
    )
    application.add_error_handler(handlers.on_error)


async def _localise_bot(application: KelisimApplication) -> None:
    """Commands and descriptions per language, so Telegram's own UI speaks the user's language."""
    svc = services(application)
    bot = application.bot
    for language in (*LANGUAGES, None):
        lang = language or DEFAULT_LANGUAGE
        commands = [
            BotCommand(c, svc.catalogue.label(lang, f"commands.{c}"))
            for c in content_manifest.COMMANDS
        ]
        await bot.set_my_commands(commands, language_code=language)
        await bot.set_my_description(
            svc.catalogue.label(lang, "bot.description"), language_code=language
        )
        await bot.set_my_short_description(
            svc.catalogue.label(lang, "bot.short_description"), language_code=language
        )


async def localise_safely(application: KelisimApplication) -> None:
    """_localise_bot, logging a failure instead of raising it."""
    try:
        await _localise_bot(application)
    except Exception:
        # A failure here must not keep the bot from answering people.
        log.exception("could not set commands and descriptions")


async def _post_init(application: KelisimApplication) -> None:
    svc = services(application)
    await svc.rasa.start()
    # What is due for deletion goes now (the bot may have been down), then every hour.
    sweeps = retention.Retention(svc.settings, svc.db, svc.rasa, svc.unanswered)
    # Plain asyncio tasks, ended in _post_shutdown: PTB's create_task warns that tasks made
    # before the application runs are not awaited for us, which is why we do it ourselves.
    tasks: list[asyncio.Task[None]] = application.bot_data.setdefault(_BACKGROUND, [])
    tasks.append(asyncio.create_task(sweeps.run_forever(), name="retention"))
    # Counts are written together once a second from now on (the last ones at shutdown).
    tasks.append(asyncio.create_task(svc.counter.run_forever(), name="counts"))
    # Scheduled news, sent when due by one bot process at a time (the "broadcast" lease).
    tasks.append(asyncio.create_task(_news_scheduler(application).run_forever(), name="news"))
    await localise_safely(application)
    if svc.settings.content_watch:

        async def on_reload(result: ReloadResult) -> None:
            if result.ok:
                await localise_safely(application)
            await handlers.tell_admins_about_reload(application.bot, svc, result)

        tasks.append(asyncio.create_task(svc.content.watch(on_reload), name="content-watch"))


def _news_scheduler(application: KelisimApplication) -> campaigns.Scheduler:
    svc = services(application)
    settings = svc.settings

    def make_bot() -> Bot:
        # Its own client, as the broadcast command's: 5xx told apart, time for a slow answer.
        request = broadcast.BroadcastRequest()
        return Bot(settings.token, base_url=settings.telegram_api_base_url, request=request)

    def labels() -> dict[str, str]:
        return {lang: svc.catalogue.label(lang, "btn.news_stop") for lang in LANGUAGES}

    return campaigns.Scheduler(
        svc.db.sessions, make_bot, labels, every=campaigns.CHECK_SECONDS,
        # The news take their tokens where the bot's answers take theirs: one rate for the bot.
        bucket=_delivery(application).bucket,
    )  # fmt: skip


def _delivery(application: KelisimApplication) -> Delivery:
    limiter = application.bot.rate_limiter
    assert isinstance(limiter, Delivery), "build() gives every bot our Delivery"
    return limiter


async def _post_shutdown(application: KelisimApplication) -> None:
    svc = services(application)
    for task in application.bot_data.pop(_BACKGROUND, []):
        await retention.stop(task)
    await svc.rasa.close()
    await svc.db.close()
    bucket = _delivery(application).bucket
    if isinstance(bucket, SharedBucket):
        await bucket.close()


def build(
    settings: Settings, content: LiveContent | None = None, *, fetches_updates: bool = True
) -> KelisimApplication:
    """The bot on `content`, or on settings.content_dir if it passes `content check` (audit
    L12: what starts the bot is held to the same check as a reload); ContentRefused if not.
    Without `fetches_updates` it has no Updater: a stream worker hands it the updates."""
    content = content or LiveContent.checked(settings.content_dir, content_manifest.uses())
    defaults = Defaults(
        parse_mode=ParseMode.HTML, link_preview_options=LinkPreviewOptions(is_disabled=True)
    )
    processor = PerChatUpdateProcessor(
        UPDATES_AT_ONCE,
        max_queued_per_chat=settings.max_queued_per_chat,
        burst=settings.user_burst,
        per_second=settings.user_per_second,
    )
    delivery = Delivery(settings.telegram_sends_per_second)
    if settings.redis_url:
        # The whole bot's rate, in Redis: every worker, this process and the broadcast command
        # take their tokens there (this process's own bucket while Redis fails).
        delivery.bucket = shared_bucket(
            settings.redis_url, settings.redis_prefix, settings.telegram_sends_per_second,
            fallback=delivery.bucket,
        )  # fmt: skip
    health = bot_health.Health()
    builder = (
        Application.builder()
        .context_types(ContextTypes(context=Context))
        .token(settings.token)
        .base_url(settings.telegram_api_base_url)
        .defaults(defaults)
        .concurrent_updates(processor)
        .rate_limiter(delivery)
        .request(AiohttpRequest(connection_pool_size=BOT_API_CONNECTIONS))
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
    )
    if fetches_updates:
        builder = builder.get_updates_request(health.updates_request())
    else:
        builder = builder.updater(None)
    application = builder.build()
    db = Database(settings.database_url)
    application.bot_data[KEY] = Services(
        settings=settings,
        db=db,
        rasa=RasaClient(
            settings.rasa_url, timeout=settings.rasa_timeout, api_token=settings.rasa_api_token
        ),
        content=content,
        directory=DirectoryStore(db.sessions, serve_samples=settings.playground),
        places=gazetteer.default(),
        offices=OfficeStore(db.sessions),
        counter=Counter(db.sessions),
        unanswered=UnansweredStore(db.sessions, settings.keep_unanswered_days),
    )
    processor.on_refused = FloodNotice(application)

    async def blocked(telegram_id: int) -> None:
        await db.set_blocked(telegram_id, True)

    delivery.on_blocked = blocked
    register(application)
    health.watch(application)
    return application


def run(settings: Settings) -> None:
    """Long polling, or a webhook when WEBHOOK_URL is set (secret header checked by PTB).

    A Bot API that cannot be reached at start-up is tried again until it answers (PTB's
    bootstrap_retries=-1 covers getMe as well as deleteWebhook/setWebhook); a token Telegram
    refuses exits with EXIT_CONFIG, since trying again cannot help."""
    application = build(settings)
    health = bot_health.of(application)
    # One loop for the health server and PTB: run_polling takes the loop that is set.
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    if settings.health_port:
        loop.run_until_complete(health.start(settings.health_listen, settings.health_port))
    _stop_on_signals(loop)
    _say_while_unreachable(loop, application, settings)
    try:
        if settings.webhook_url:
            application.run_webhook(
                listen=settings.webhook_listen,
                port=settings.webhook_port,
                url_path=_webhook_path(settings.webhook_url),
                webhook_url=settings.webhook_url,
                secret_token=settings.webhook_secret_token,
                allowed_updates=ALLOWED_UPDATES,
                bootstrap_retries=-1,
                stop_signals=None,
                close_loop=False,
            )
        else:
            application.run_polling(
                allowed_updates=ALLOWED_UPDATES,
                bootstrap_retries=-1,
                stop_signals=None,
                close_loop=False,
            )
    except InvalidToken:
        log.error("Telegram refuses the bot's token (TELEGRAM_BOT_TOKEN)")
        raise SystemExit(EXIT_CONFIG) from None
    finally:
        loop.run_until_complete(health.stop())
        loop.close()


def _say_while_unreachable(
    loop: asyncio.AbstractEventLoop,
    application: KelisimApplication,
    settings: Settings,
    every: float = 30.0,
) -> None:
    """PTB retries an unreachable Bot API at start-up with a DEBUG line only: say it."""

    def check() -> None:
        if application.running:
            return
        log.warning("the Bot API (%s) does not answer yet; trying again", _api_host(settings))
        loop.call_later(every, check)

    loop.call_later(every / 3, check)


def _api_host(settings: Settings) -> str:
    from urllib.parse import urlsplit

    # Never the whole base URL: with a {token} placeholder it would hold the token.
    parts = urlsplit(settings.telegram_api_base_url)
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{parts.hostname}{port}"


# After a stop signal, at most this long for PTB's graceful stop: its last getUpdates, which
# confirms the updates already fetched, waits out its timeouts when Telegram does not answer.
STOP_GRACE = 5.0


def _stop_on_signals(loop: asyncio.AbstractEventLoop) -> None:
    """SIGINT, SIGTERM and SIGHUP stop the bot as PTB's own stop signals do (SystemExit in the
    loop, then a graceful stop), but within STOP_GRACE seconds whatever it waits for; a second
    signal cuts the graceful stop short."""

    def force_exit() -> None:
        log.warning("still stopping %.0f s after the stop signal: exiting now", STOP_GRACE)
        logging.shutdown()
        os._exit(1)

    armed = threading.Event()

    def stop(signum: int) -> None:
        if not armed.is_set():
            armed.set()
            watchdog = threading.Timer(STOP_GRACE, force_exit)
            watchdog.daemon = True
            watchdog.start()
        log.info("stopping (%s)", signal.Signals(signum).name)
        raise SystemExit(0)

    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        loop.add_signal_handler(sig, stop, sig)


def _webhook_path(url: str) -> str:
    from urllib.parse import urlsplit

    return urlsplit(url).path.lstrip("/")
