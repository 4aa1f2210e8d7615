"""One small handler per step; wiring lives in app.py."""

from __future__ import annotations

import logging

from telegram import InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from bot.dialogue.client import DialogueUnavailable, sender_id
from bot.dialogue.payloads import Reply
from bot.dialogue.topics import OFFLINE_PAGES
from bot.telegram import callbacks, keyboards, language
from bot.telegram.replies import render, replies_from
from bot.telegram.services import Services, services

log = logging.getLogger(__name__)
Context = ContextTypes.DEFAULT_TYPE


async def _say(
    context: Context, chat_id: int, text: str, markup: InlineKeyboardMarkup | None = None
) -> None:
    await context.bot.send_message(chat_id, text, parse_mode=ParseMode.HTML, reply_markup=markup)


async def _user_language(svc: Services, update: Update) -> str:
    assert update.effective_user is not None
    lang, _ = await language.stored_or_guessed(svc.db, update.effective_user)
    return lang


async def _send_picker(context: Context, chat_id: int, lang: str) -> None:
    svc = services(context)
    await _say(
        context,
        chat_id,
        svc.catalogue.text(lang, "lang.prompt"),
        keyboards.language_picker(svc.catalogue, lang),
    )


async def _send_menu(context: Context, chat_id: int, lang: str, key: str = "menu.title") -> None:
    svc = services(context)
    await _say(
        context, chat_id, svc.catalogue.text(lang, key), keyboards.main_menu(svc.catalogue, lang)
    )


async def _deliver(context: Context, chat_id: int, lang: str, replies: list[Reply]) -> None:
    svc = services(context)
    for reply in replies:
        if reply.do == "language_picker":
            await _send_picker(context, chat_id, lang)
            continue
        try:
            text, markup = render(svc.catalogue, lang, reply)
        except KeyError:
            log.error("content missing for key %r (%s)", reply.key, lang)
            text, markup = (
                svc.catalogue.text(lang, "error.generic"),
                keyboards.main_menu(svc.catalogue, lang),
            )
        await _say(context, chat_id, text, markup)


async def _converse(update: Update, context: Context, message: str, topic: str = "") -> None:
    """Send one turn to Rasa and deliver its answer; degrade gracefully when it is down."""
    svc = services(context)
    assert update.effective_user is not None and update.effective_chat is not None
    lang = await _user_language(svc, update)
    sender = sender_id(svc.settings.sender_secret, update.effective_user.id)
    try:
        replies = replies_from(await svc.rasa.send(sender, message, {"language": lang}))
        if not replies:
            raise DialogueUnavailable("no usable payload in Rasa's answer")
    except DialogueUnavailable as exc:
        log.warning("dialogue unavailable: %s", exc)
        if topic in OFFLINE_PAGES:
            replies = [Reply(key=f"page:{OFFLINE_PAGES[topic]}", menu=True)]
        else:
            replies = [Reply(key="error.rasa_down", menu=True)]
    await _deliver(context, update.effective_chat.id, lang, replies)


async def start(update: Update, context: Context) -> None:
    """/start: offer the language picker, preselected from the stored or guessed language."""
    assert update.effective_chat is not None
    lang = await _user_language(services(context), update)
    await _send_picker(context, update.effective_chat.id, lang)


async def language_command(update: Update, context: Context) -> None:
    """/language: the same picker."""
    await start(update, context)


async def help_command(update: Update, context: Context) -> None:
    """/help: ask the dialogue for help, as if the Help button was pressed."""
    await _converse(update, context, "/help", topic="help")


async def free_text(update: Update, context: Context) -> None:
    """Typed text goes to Rasa (never raw if it starts with '/': commands are handled apart)."""
    assert update.message is not None and update.message.text is not None
    assert update.effective_chat is not None
    svc = services(context)
    text = update.message.text.strip()
    limit = svc.settings.max_text_length
    if len(text) > limit:
        lang = await _user_language(svc, update)
        await _say(
            context,
            update.effective_chat.id,
            svc.catalogue.text(lang, "error.too_long", limit=limit),
        )
        return
    if svc.settings.log_message_text:
        log.info("text from chat %s: %r", update.effective_chat.id, text)
    # Rasa's RegexMessageHandler treats a leading '/' as an intent: never let users inject one.
    await _converse(update, context, text.lstrip("/") or text)


async def unsupported(update: Update, context: Context) -> None:
    """Stickers, photos, voice and the like: say what the bot can read, then the menu."""
    assert update.effective_chat is not None
    lang = await _user_language(services(context), update)
    await _send_menu(context, update.effective_chat.id, lang, key="error.unsupported")


async def unknown_command(update: Update, context: Context) -> None:
    """A /command we do not have."""
    assert update.effective_chat is not None
    lang = await _user_language(services(context), update)
    await _send_menu(context, update.effective_chat.id, lang, key="error.unknown_command")


async def on_callback(update: Update, context: Context) -> None:
    """Every button press: answer the query first, then act on the parsed code."""
    query = update.callback_query
    assert query is not None and update.effective_chat is not None
    await query.answer()
    parsed = callbacks.parse(query.data)
    svc = services(context)
    chat_id = update.effective_chat.id
    if parsed is None:
        lang = await _user_language(svc, update)
        await _send_menu(context, chat_id, lang, key="error.expired_button")
    elif parsed.kind == "language":
        await language_chosen(update, context, parsed.value)
    elif parsed.kind == "lang":
        await _send_picker(context, chat_id, await _user_language(svc, update))
    elif parsed.kind == "menu":
        await _send_menu(context, chat_id, await _user_language(svc, update))
    else:
        await _converse(update, context, f"/{parsed.value}", topic=parsed.value)


async def language_chosen(update: Update, context: Context, lang: str) -> None:
    """Store the language, confirm it in place of the picker, then welcome and show the menu."""
    svc = services(context)
    query = update.callback_query
    assert update.effective_user is not None and update.effective_chat is not None
    first_time = await svc.db.get_language(update.effective_user.id) is None
    await svc.db.set_language(update.effective_user.id, lang)
    confirmation = svc.catalogue.text(
        lang, "lang.changed", language_name=svc.catalogue.label(lang, f"lang.name.{lang}")
    )
    edited = False
    if query is not None and query.message is not None and query.message.is_accessible:
        try:
            await query.edit_message_text(confirmation, parse_mode=ParseMode.HTML)
            edited = True
        except BadRequest as exc:
            # Pressing the same language twice leaves the text unchanged: not an error.
            log.info("picker not edited: %s", exc)
    if not edited:
        await _say(context, update.effective_chat.id, confirmation)
    key = "welcome" if first_time else "menu.title"
    await _send_menu(context, update.effective_chat.id, lang, key=key)


async def on_error(update: object, context: Context) -> None:
    """Log the failure without message text, and tell the user something went wrong."""
    log.error("error while handling an update", exc_info=context.error)
    if isinstance(update, Update) and update.effective_chat is not None:
        svc = services(context)
        try:
            lang = await _user_language(svc, update) if update.effective_user else "ru"
        except Exception:  # the database itself may be what failed
            lang = language.guess(
                update.effective_user.language_code if update.effective_user else None
            )
        try:
            await _send_menu(context, update.effective_chat.id, lang, key="error.generic")
        except Exception:
            log.exception("could not even send the error message")
