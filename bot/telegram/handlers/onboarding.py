"""/start, the language, and "where did you hear about us?" (an office kind or code)."""

from __future__ import annotations

import logging

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    Update,
)

from bot.offices import links
from bot.outreach import counts
from bot.storage.db import Flag
from bot.telegram import callbacks, keyboards, language, send
from bot.telegram.handlers.common import (
    say,
    send_menu,
    send_picker,
    user_language,
)
from bot.telegram.services import Context, count, person, person_changed, set_flag

log = logging.getLogger(__name__)


async def start(update: Update, context: Context) -> None:
    """/start: through an office's link, note the office and preset its language; otherwise
    the language picker, preselected from the stored or guessed language."""
    svc = context.services
    assert update.effective_chat is not None and update.effective_user is not None
    user_id = update.effective_user.id
    # The payload is handled here and never reaches Rasa's /intent parser.
    referral = links.parse(context.args[0]) if context.args else None
    office = await svc.offices.get(referral[0]) if referral else None
    if referral is not None and office is None:
        log.info("a /start link names an office we do not have")
    if office is not None and referral is not None:
        await svc.db.set_origin(
            user_id, office.code, office.region_id, referral[1] or office.language
        )
        person_changed(context)
    lang, chosen = language.stored_or_guessed(await person(context, user_id), update.effective_user)
    await count(context, user_id, lang, counts.STARTED)
    if office is not None and chosen:
        await send_menu(context, update.effective_chat.id, lang, key="welcome")
        return
    await send_picker(context, update.effective_chat.id, lang)


async def language_command(update: Update, context: Context) -> None:
    """/language: the language picker, preselected from the stored or guessed language."""
    assert update.effective_chat is not None
    lang = await user_language(context, update)
    await send_picker(context, update.effective_chat.id, lang)


async def source_chosen(update: Update, context: Context, value: str) -> None:
    """An answer to "Where did you hear about us?": counted, or an office code to type."""
    svc = context.services
    assert update.effective_user is not None and update.effective_chat is not None
    lang = await user_language(context, update)
    if value == "ask":
        markup = keyboards.sources(svc.catalogue, lang)
        await say(context, update.effective_chat.id, svc.catalogue.text(lang, "source.ask"), markup)
        return
    if value == "code":
        await set_flag(context, update.effective_user.id, Flag.AWAITING_CODE)
        await say(context, update.effective_chat.id, svc.catalogue.text(lang, "source.code_prompt"))
        return
    if value != "skip":
        await count(context, update.effective_user.id, lang, f"heard:{value}", once="heard")
    await say(context, update.effective_chat.id, svc.catalogue.text(lang, "source.thanks"))


async def office_code_typed(update: Update, context: Context, text: str) -> None:
    """The office code from a poster, typed after "I have a code"."""
    svc = context.services
    assert update.effective_user is not None and update.effective_chat is not None
    lang = await user_language(context, update)
    office = (
        await svc.offices.get(text.strip().lower())
        if links.CODE.fullmatch(text.strip().lower())
        else None
    )
    if office is None:
        await say(
            context,
            update.effective_chat.id,
            svc.catalogue.text(lang, "source.unknown_code"),
            keyboards.sources(svc.catalogue, lang),
        )
        return
    await svc.db.set_origin(update.effective_user.id, office.code, office.region_id, None)
    person_changed(context)
    await count(context, update.effective_user.id, lang, "heard:code", once="heard")
    await say(
        context,
        update.effective_chat.id,
        svc.catalogue.text(lang, "source.office_noted", office=office.name(lang)),
    )


async def language_chosen(update: Update, context: Context, lang: str) -> None:
    """Store the language, confirm it in place of the picker, then welcome and show the menu."""
    svc = context.services
    query = update.callback_query
    assert update.effective_user is not None and update.effective_chat is not None
    before = await person(context, update.effective_user.id)
    first_time = not before.language
    await svc.db.set_language(update.effective_user.id, lang)
    person_changed(context)
    confirmation = svc.catalogue.text(
        lang, "lang.changed", language_name=svc.catalogue.label(lang, f"lang.name.{lang}")
    )
    # The picker itself now says what was chosen (pressed twice: said again, below it).
    picker = query.message if query is not None else None
    on = picker if isinstance(picker, Message) and picker.is_accessible else None
    await send.show(context, update.effective_chat.id, confirmation, None, on)
    key = "welcome" if first_time else "menu.title"
    if first_time and not before.office:
        # Came without an office's link (some clients drop it): offer, without insisting, to
        # say where they heard of us.
        markup = keyboards.main_menu(svc.catalogue, lang)
        offer = InlineKeyboardButton(
            svc.catalogue.label(lang, "btn.source.ask"), callback_data=callbacks.SOURCE_QUESTION
        )
        rows = [*markup.inline_keyboard, (offer,)]
        await say(
            context,
            update.effective_chat.id,
            svc.catalogue.text(lang, key),
            InlineKeyboardMarkup(rows),
        )
    else:
        await send_menu(context, update.effective_chat.id, lang, key=key)
    await count(context, update.effective_user.id, lang, counts.LANGUAGE_CHOSEN)
