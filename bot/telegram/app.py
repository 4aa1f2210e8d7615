"""Build the PTB Application: all handler wiring lives here. Order matters."""

from __future__ import annotations

import logging

from telegram import BotCommand, LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    Defaults,
    MessageHandler,
    filters,
)

from bot.config import Settings
from bot.content import LANGUAGES, Catalogue
from bot.content.live import LiveContent, ReloadResult
from bot.content.required import COMMANDS
from bot.dialogue.client import RasaClient
from bot.directory import gazetteer
from bot.directory.store import DirectoryStore
from bot.offices.counts import Counter
from bot.offices.store import OfficeStore
from bot.offices.unanswered import UnansweredStore
from bot.storage.db import Database
from bot.telegram import handlers
from bot.telegram.processor import PerChatUpdateProcessor
from bot.telegram.services import KEY, Services, services

log = logging.getLogger(__name__)


# The only updates the bot asks Telegram for; everything else (inline queries, polls,
# reactions...) is never delivered.
ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY, Update.MY_CHAT_MEMBER]
# A new message in a private chat. Not an edit: a corrected typo or a live location's next
# position (both `edited_message`) are not new questions, and get silence.
PRIVATE = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE


def register(application: Application) -> None:  # type: ignore[type-arg]
    """Commands first, then buttons, then free text, then everything else; groups apart."""
    commands = {
        "start": handlers.start,
        "language": handlers.language_command,
        "help": handlers.help_command,
        "forget": handlers.forget_command,
        "subscribe": handlers.subscribe_command,
        "unsubscribe": handlers.unsubscribe_command,
        "reload": handlers.reload_command,
        "stats": handlers.stats_command,
    }
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


async def _localise_bot(application: Application) -> None:  # type: ignore[type-arg]
    """Commands and descriptions per language, so Telegram's own UI speaks the user's language."""
    svc = services(application)
    bot = application.bot
    for language in (*LANGUAGES, None):
        lang = language or "ru"
        commands = [BotCommand(c, svc.catalogue.label(lang, f"commands.{c}")) for c in COMMANDS]
        await bot.set_my_commands(commands, language_code=language)
        await bot.set_my_description(
            svc.catalogue.label(lang, "bot.description"), language_code=language
        )
        await bot.set_my_short_description(
            svc.catalogue.label(lang, "bot.short_description"), language_code=language
        )


async def _localise_safely(application: Application) -> None:  # type: ignore[type-arg]
    try:
        await _localise_bot(application)
    except Exception:
        # A failure here must not keep the bot from answering people.
        log.exception("could not set commands and descriptions")


async def _post_init(application: Application) -> None:  # type: ignore[type-arg]
    svc = services(application)
    await svc.rasa.start()
    await _localise_safely(application)
    if svc.settings.content_watch:

        async def on_reload(result: ReloadResult) -> None:
            if result.ok:
                await _localise_safely(application)
            await handlers.tell_admins_about_reload(application.bot, svc, result)

        application.create_task(svc.content.watch(on_reload), name="content-watch")


async def _post_shutdown(application: Application) -> None:  # type: ignore[type-arg]
    svc = services(application)
    await svc.rasa.close()
    await svc.db.close()


def build(settings: Settings, catalogue: Catalogue | None = None) -> Application:  # type: ignore[type-arg]
    catalogue = catalogue or Catalogue.load(settings.content_dir)
    defaults = Defaults(
        parse_mode=ParseMode.HTML, link_preview_options=LinkPreviewOptions(is_disabled=True)
    )
    application = (
        Application.builder()
        .token(settings.token)
        .base_url(settings.telegram_api_base_url)
        .defaults(defaults)
        .concurrent_updates(PerChatUpdateProcessor(256))
        .connection_pool_size(64)
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
        .build()
    )
    db = Database(settings.database_url)
    application.bot_data[KEY] = Services(
        settings=settings,
        db=db,
        rasa=RasaClient(
            settings.rasa_url, timeout=settings.rasa_timeout, api_token=settings.rasa_api_token
        ),
        content=LiveContent(settings.content_dir, catalogue),
        directory=DirectoryStore(db.sessions, serve_samples=settings.playground),
        places=gazetteer.default(),
        offices=OfficeStore(db.sessions),
        counter=Counter(db.sessions),
        unanswered=UnansweredStore(db.sessions, settings.keep_unanswered_days),
    )
    register(application)
    return application


def run(settings: Settings) -> None:
    """Long polling, or a webhook when WEBHOOK_URL is set (secret header checked by PTB)."""
    application = build(settings)
    if settings.webhook_url:
        application.run_webhook(
            listen=settings.webhook_listen,
            port=settings.webhook_port,
            url_path=_webhook_path(settings.webhook_url),
            webhook_url=settings.webhook_url,
            secret_token=settings.webhook_secret_token,
            allowed_updates=ALLOWED_UPDATES,
        )
    else:
        application.run_polling(allowed_updates=ALLOWED_UPDATES)


def _webhook_path(url: str) -> str:
    from urllib.parse import urlsplit

    return urlsplit(url).path.lstrip("/")
