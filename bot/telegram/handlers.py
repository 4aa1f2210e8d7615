"""One small handler per step; wiring lives in app.py."""

from __future__ import annotations

import asyncio
import datetime as dt
import html
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import cast

from telegram import (
    Bot,
    ChatMember,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    Update,
    User,
)
from telegram.constants import ChatType, ParseMode
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import ContextTypes

from bot.content import LANGUAGES
from bot.content.live import ReloadResult
from bot.dialogue.client import DialogueUnavailable, sender_id
from bot.dialogue.forget import forget_conversation
from bot.dialogue.language_guess import clear_language
from bot.dialogue.payloads import Do, Reply
from bot.dialogue.topics import GATED_PAGES, OFFLINE_PAGES
from bot.offices import counts, links, report
from bot.offices.models import MAX_EVENT_LENGTH
from bot.privacy.retention import note_seen
from bot.screening.safety import reveals_danger
from bot.telegram import callbacks, directory, keyboards, language, screening
from bot.telegram.callbacks import Callback, Kind
from bot.telegram.directory_codes import WITH_SEARCH, DirectoryCode, Op, SearchKey
from bot.telegram.replies import render, replies_from
from bot.telegram.services import Services, count, person, person_changed, services

log = logging.getLogger(__name__)
Context = ContextTypes.DEFAULT_TYPE
# user_data flags: ask "Where did you hear about us?" after the language; an office code is due.
_ASK_SOURCE = "ask_source"
_AWAITING_CODE = "awaiting_office_code"
# The dialogue showed the safety answer for danger, violence or control (its `safety_concern`
# slot): the bot's own mediator-search buttons then show that answer too, and so does the
# search when the dialogue is down. Cleared with everything else by /forget.
_SAFETY_CONCERN = "safety_concern"


_PSEUDONYM = "pseudonym"


async def _pseudonym(svc: Services, context: Context, telegram_id: int) -> str:
    """The name Rasa knows this person by: salted, and new after /forget."""
    cached = context.user_data.get(_PSEUDONYM) if context.user_data is not None else None
    if isinstance(cached, str):
        pseudonym = cached
    else:
        salt = await svc.db.salt(telegram_id)
        pseudonym = sender_id(svc.settings.sender_secret, telegram_id, salt)
        if context.user_data is not None:
            context.user_data[_PSEUDONYM] = pseudonym
    # A turn is on its way to Rasa: its conversation must be purged in time (at most one
    # write an hour; the row exists now that the salt does).
    await note_seen(svc.db, svc.settings, context.user_data, telegram_id)
    return pseudonym


def _concerned(context: Context) -> bool:
    return bool(context.user_data and context.user_data.get(_SAFETY_CONCERN))


def _safety_reply() -> Reply:
    return Reply(key="page:safety", topics=("talk_to_human",), menu=True)


async def _say(
    context: Context, chat_id: int, text: str, markup: InlineKeyboardMarkup | None = None
) -> None:
    await context.bot.send_message(chat_id, text, parse_mode=ParseMode.HTML, reply_markup=markup)


async def _user_language(context: Context, update: Update) -> str:
    assert update.effective_user is not None
    found = await person(context, update.effective_user.id)
    lang, _ = language.stored_or_guessed(found, update.effective_user)
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


@dataclass
class _Delivery:
    """Where a turn's replies go; `lang` follows a language switch among them."""

    context: Context
    chat_id: int
    lang: str
    user_id: int | None
    point: tuple[float, float] | None


async def _show(to: _Delivery, reply: Reply) -> None:
    """A string or a page from content, with its topics and menu (a page is counted)."""
    svc = services(to.context)
    if reply.key.startswith("page:") and to.user_id is not None:
        await count(to.context, to.user_id, to.lang, reply.key)
    try:
        text, markup = render(svc.catalogue, to.lang, reply)
    except KeyError:
        log.error("content missing for key %r (%s)", reply.key, to.lang)
        text, markup = (
            svc.catalogue.text(to.lang, "error.generic"),
            keyboards.main_menu(svc.catalogue, to.lang),
        )
    await _say(to.context, to.chat_id, text, markup)


async def _ask_place(to: _Delivery, reply: Reply) -> None:
    """Where to look for mediators (again, when the place given was not found)."""
    unknown = bool(reply.args.get("unknown"))
    await directory.ask_place(to.context, to.chat_id, to.lang, unknown=unknown)


async def _mediators(to: _Delivery, reply: Reply) -> None:
    """The nearest mediators for the dialogue's search, or the place question without one."""
    key = directory.key_from_payload(reply.args, to.lang, to.point)
    if key is None:
        await directory.ask_place(to.context, to.chat_id, to.lang, unknown=False)
    else:
        await directory.show_results(to.context, to.chat_id, to.lang, key)


async def _language_picker(to: _Delivery, reply: Reply) -> None:
    """The language picker."""
    await _send_picker(to.context, to.chat_id, to.lang)


async def _set_language(to: _Delivery, reply: Reply) -> None:
    """A language asked for in words: stored, and the rest of the turn in it."""
    new = reply.args.get("language", "")
    if new not in LANGUAGES or to.user_id is None:
        await _send_picker(to.context, to.chat_id, to.lang)
        return
    to.lang = new
    await services(to.context).db.set_language(to.user_id, new)
    person_changed(to.context)
    await _send_menu(to.context, to.chat_id, new, key="lang.switched")


async def _invitation(to: _Delivery, reply: Reply) -> None:
    """The invitation to forward to the other side, in the language chosen for it."""
    invited = reply.args.get("language", to.lang)
    await directory.invitation(to.context, to.chat_id, to.lang, invited)


async def _invite_languages(to: _Delivery, reply: Reply) -> None:
    """Which language the invitation should be written in."""
    await directory.choose_invitation_language(to.context, to.chat_id, to.lang)


async def _screen_question(to: _Delivery, reply: Reply) -> None:
    """The questionnaire's next question."""
    await _deliver_screening(to.context, to.chat_id, to.lang, reply)


async def _screening_result(to: _Delivery, reply: Reply) -> None:
    """The verdict, counted once a day per person (replayed answers must not add more)."""
    await _deliver_screening(to.context, to.chat_id, to.lang, reply)
    if to.user_id is not None:
        verdict = reply.args.get("verdict", "")
        key = f"screened:{verdict}"[:MAX_EVENT_LENGTH]
        await count(to.context, to.user_id, to.lang, key, once="screened")


# One route per instruction the dialogue can give (bot/dialogue/payloads.py, `Do`).
_DELIVER: dict[Do, Callable[[_Delivery, Reply], Awaitable[None]]] = {
    Do.SHOW: _show,
    Do.ASK_PLACE: _ask_place,
    Do.MEDIATORS: _mediators,
    Do.LANGUAGE_PICKER: _language_picker,
    Do.SET_LANGUAGE: _set_language,
    Do.INVITATION: _invitation,
    Do.INVITE_LANGUAGES: _invite_languages,
    Do.SCREEN_QUESTION: _screen_question,
    Do.SCREENING_RESULT: _screening_result,
}


async def _deliver(
    context: Context,
    chat_id: int,
    lang: str,
    replies: list[Reply],
    user_id: int | None = None,
    point: tuple[float, float] | None = None,
) -> None:
    to = _Delivery(context, chat_id, lang, user_id, point)
    for reply in replies:
        concern = reply.args.get("concern") or (
            reply.do is Do.SCREENING_RESULT and reply.args.get("verdict") == "safety_first"
        )
        if concern and context.user_data is not None:
            context.user_data[_SAFETY_CONCERN] = True
        await _DELIVER[reply.do](to, reply)


async def _deliver_screening(context: Context, chat_id: int, lang: str, reply: Reply) -> None:
    """A question of the questionnaire, or its verdict, rendered from content and the rules."""
    svc = services(context)
    shown: tuple[str, InlineKeyboardMarkup | None] | None
    if reply.do is Do.SCREEN_QUESTION:
        answered = int(reply.args.get("answered", "0") or 0)
        shown = screening.question(svc.catalogue, lang, reply.args.get("question", ""), answered)
    else:
        # The rule book checked and published with this catalogue, never the file as it is now.
        shown = screening.result(
            svc.catalogue,
            svc.rules,
            lang,
            reply.args.get("verdict", ""),
            [r for r in reply.args.get("rules", "").split(",") if r],
            reply.args.get("category", ""),
            [f for f in reply.args.get("unknown", "").split(",") if f],
        )
    if shown is None:
        log.error("unknown screening payload %s", reply.args)
        shown = (
            svc.catalogue.text(lang, "error.generic"),
            keyboards.main_menu(svc.catalogue, lang),
        )
    await _say(context, chat_id, *shown)


async def _converse(
    update: Update,
    context: Context,
    message: str,
    topic: str = "",
    screen: dict[str, str] | None = None,
    place: dict[str, str] | None = None,
    point: tuple[float, float] | None = None,
    invite: dict[str, str] | None = None,
) -> tuple[str, list[Reply]]:
    """Send one turn to Rasa and deliver its answer (degraded when it is down); return the
    language answered in, so callers need not look it up again. `screen` carries a
    questionnaire button (an answer or back/restart/stop) as message metadata; `place` a
    place chosen for the mediator search, and `point` the shared location it came from,
    which stays in the bot."""
    svc = services(context)
    assert update.effective_user is not None and update.effective_chat is not None
    lang = await _user_language(context, update)
    sender = await _pseudonym(svc, context, update.effective_user.id)
    metadata: dict[str, object] = {"language": lang}
    if screen:
        metadata["screen"] = screen
    if place:
        metadata["directory"] = place
    if invite:
        metadata["invite"] = invite
    try:
        replies = replies_from(await svc.rasa.send(sender, message, metadata))
        if not replies:
            raise DialogueUnavailable("no usable payload in Rasa's answer")
    except DialogueUnavailable as exc:
        log.warning("dialogue unavailable: %s", exc)
        if topic in OFFLINE_PAGES:
            replies = [Reply(key=f"page:{OFFLINE_PAGES[topic]}", menu=True)]
        elif topic == "find_mediator" and _concerned(context):
            replies = [_safety_reply()]
        elif topic == "find_mediator":
            # The directory is ours, not Rasa's: search without the screening's answers.
            offline = {"place": next(iter((place or {}).values()), "")}
            do = Do.MEDIATORS if offline["place"] else Do.ASK_PLACE
            replies = [Reply(do=do, args=offline)]
        else:
            replies = [Reply(key="error.rasa_down", menu=True)]
    await _deliver(
        context, update.effective_chat.id, lang, replies, update.effective_user.id, point
    )
    return lang, replies


async def start(update: Update, context: Context) -> None:
    """/start: through an office's link, note the office and preset its language; otherwise
    the language picker, preselected from the stored or guessed language."""
    svc = services(context)
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
        await _send_menu(context, update.effective_chat.id, lang, key="welcome")
        return
    if office is None and context.user_data is not None:
        # Some clients drop the payload: ask where they heard of us once they have a language.
        context.user_data[_ASK_SOURCE] = True
    await _send_picker(context, update.effective_chat.id, lang)


async def language_command(update: Update, context: Context) -> None:
    """/language: the language picker, preselected from the stored or guessed language."""
    assert update.effective_chat is not None
    lang = await _user_language(context, update)
    await _send_picker(context, update.effective_chat.id, lang)


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
        lang = await _user_language(context, update)
        await _say(
            context,
            update.effective_chat.id,
            svc.catalogue.text(lang, "error.too_long", limit=limit),
        )
        return
    if svc.settings.log_message_text and update.effective_user is not None:
        # For debugging only, and never with the Telegram id: the pseudonym Rasa sees.
        who = await _pseudonym(svc, context, update.effective_user.id)
        log.info("text from %s: %r", who, text)
    if context.user_data is not None and context.user_data.pop(_AWAITING_CODE, False):
        await office_code_typed(update, context, text)
        return
    if reveals_danger(text):
        # Violence, threats or a child at risk: the safety answer, whatever else was asked.
        await _converse(update, context, "/check_eligibility", "safety", {"do": "danger"})
        return
    # Rasa's RegexMessageHandler treats a leading '/' as an intent: never let users inject one.
    lang, replies = await _converse(update, context, _not_an_intent(text))
    if any(reply.key in ("fallback", "out_of_scope") for reply in replies):
        await svc.unanswered.add(lang, text)
    if all(reply.do is Do.SHOW for reply in replies):
        await _offer_language(update, context, text, lang)


def _not_an_intent(text: str) -> str:
    """Rasa strips a message before reading a leading '/' as an intent: strip every leading
    slash and space here ("/ /restart", "/\n/intent"), so typed text is always read as text."""
    return re.sub(r"^[\s/]+", "", text) or "?"


async def _offer_language(update: Update, context: Context, text: str, lang: str) -> None:
    """Written clearly in another language than the setting: offer it, once per language."""
    svc = services(context)
    assert update.effective_chat is not None
    guessed = clear_language(text)
    if guessed is None or guessed == lang:
        return
    offered: set[str] = context.user_data.setdefault("languages_offered", set())  # type: ignore[union-attr]
    if guessed in offered:
        return
    offered.add(guessed)
    # Asked in the language the person wrote in: that is the one they read.
    button = InlineKeyboardButton(
        svc.catalogue.label(guessed, "btn.switch_language"),
        callback_data=callbacks.choose_language(guessed),
    )
    await _say(
        context,
        update.effective_chat.id,
        svc.catalogue.text(guessed, "lang.offer"),
        InlineKeyboardMarkup([[button]]),
    )


async def unsupported(update: Update, context: Context) -> None:
    """Stickers, photos, voice and the like: say what the bot can read, then the menu."""
    assert update.effective_chat is not None
    lang = await _user_language(context, update)
    await _send_menu(context, update.effective_chat.id, lang, key="error.unsupported")


async def unknown_command(update: Update, context: Context) -> None:
    """A /command we do not have."""
    assert update.effective_chat is not None
    lang = await _user_language(context, update)
    await _send_menu(context, update.effective_chat.id, lang, key="error.unknown_command")


async def on_callback(update: Update, context: Context) -> None:
    """Every button press: answer the query first, then act on the parsed code."""
    query = update.callback_query
    assert query is not None and update.effective_chat is not None
    try:
        await query.answer()
    except BadRequest:
        # Too old to answer (pressed while the bot was restarting or busy): the spinner stops
        # by itself, and the press still does what it says.
        log.info("a button press too old to answer; acting on it anyway")
    if update.effective_chat.type != ChatType.PRIVATE:
        return  # a button left in a group the bot has left: nothing to say there
    pressed = callbacks.parse(query.data)
    if pressed is None:
        lang = await _user_language(context, update)
        await _send_menu(context, update.effective_chat.id, lang, key="error.expired_button")
        return
    await _ON_BUTTON[pressed.kind](update, context, pressed)


async def _menu_pressed(update: Update, context: Context, pressed: Callback) -> None:
    """The main menu."""
    assert update.effective_chat is not None
    await _send_menu(context, update.effective_chat.id, await _user_language(context, update))


async def _picker_pressed(update: Update, context: Context, pressed: Callback) -> None:
    """The language picker."""
    assert update.effective_chat is not None
    await _send_picker(context, update.effective_chat.id, await _user_language(context, update))


async def _topic_pressed(update: Update, context: Context, pressed: Callback) -> None:
    """A topic: the dialogue answers it as if its intent was typed."""
    await _converse(update, context, f"/{pressed.value}", topic=pressed.value)


# One route per kind of button (bot/telegram/callbacks.py, `Kind`).
_ON_BUTTON: dict[Kind, Callable[[Update, Context, Callback], Awaitable[None]]] = {
    Kind.MENU: _menu_pressed,
    Kind.LANGUAGE_PICKER: _picker_pressed,
    Kind.LANGUAGE: lambda update, context, pressed: language_chosen(update, context, pressed.value),
    Kind.TOPIC: _topic_pressed,
    Kind.PAGE: lambda update, context, pressed: show_page(update, context, pressed.value),
    Kind.FORGET: lambda update, context, pressed: forget_command(update, context),
    Kind.FORGET_CONFIRMED: lambda update, context, pressed: forget_confirmed(update, context),
    Kind.SCREEN: lambda update, context, pressed: screen_button(
        update, context, pressed.value, pressed.option
    ),
    Kind.SOURCE: lambda update, context, pressed: source_chosen(update, context, pressed.value),
    Kind.DIRECTORY: lambda update, context, pressed: directory_button(
        update, context, cast(DirectoryCode, pressed.directory)
    ),
}


async def source_chosen(update: Update, context: Context, value: str) -> None:
    """An answer to "Where did you hear about us?": counted, or an office code to type."""
    svc = services(context)
    assert update.effective_user is not None and update.effective_chat is not None
    lang = await _user_language(context, update)
    if value == "ask":
        markup = keyboards.sources(svc.catalogue, lang)
        await _say(
            context, update.effective_chat.id, svc.catalogue.text(lang, "source.ask"), markup
        )
        return
    if value == "code":
        if context.user_data is not None:
            context.user_data[_AWAITING_CODE] = True
        await _say(
            context, update.effective_chat.id, svc.catalogue.text(lang, "source.code_prompt")
        )
        return
    if value != "skip":
        await count(context, update.effective_user.id, lang, f"heard:{value}", once="heard")
    await _say(context, update.effective_chat.id, svc.catalogue.text(lang, "source.thanks"))


async def office_code_typed(update: Update, context: Context, text: str) -> None:
    """The office code from a poster, typed after "I have a code"."""
    svc = services(context)
    assert update.effective_user is not None and update.effective_chat is not None
    lang = await _user_language(context, update)
    office = (
        await svc.offices.get(text.strip().lower())
        if links.CODE.fullmatch(text.strip().lower())
        else None
    )
    if office is None:
        await _say(
            context,
            update.effective_chat.id,
            svc.catalogue.text(lang, "source.unknown_code"),
            keyboards.sources(svc.catalogue, lang),
        )
        return
    await svc.db.set_origin(update.effective_user.id, office.code, office.region_id, None)
    person_changed(context)
    await count(context, update.effective_user.id, lang, "heard:code", once="heard")
    await _say(
        context,
        update.effective_chat.id,
        svc.catalogue.text(lang, "source.office_noted", office=office.name(lang)),
    )


async def screen_button(update: Update, context: Context, value: str, option: str) -> None:
    """A questionnaire button: an answer, or back / restart / stop, for the form in Rasa."""
    control = "back" if value == "change" else value
    screen = {"q": value, "a": option} if option else {"do": control}
    await _converse(update, context, "/check_eligibility", screen=screen)


async def location_shared(update: Update, context: Context) -> None:
    """A shared location: the nearest mediators to that very point."""
    assert update.message is not None and update.message.location is not None
    assert update.effective_chat is not None
    svc = services(context)
    lat, lon = update.message.location.latitude, update.message.location.longitude
    if not directory.in_kazakhstan(lat, lon):
        lang = await _user_language(context, update)
        await _say(context, update.effective_chat.id, svc.catalogue.text(lang, "dir.outside"))
        await directory.show_regions(context, update.effective_chat.id, lang)
        return
    # Rasa hears only the nearest settlement; the exact point never enters its tracker.
    near = svc.places.nearest(lat, lon)
    await _converse(
        update,
        context,
        "/find_mediator",
        "find_mediator",
        place={"near": near.id},
        point=(lat, lon),
    )


@dataclass
class _DirectoryPress:
    """A press of a mediator-search button, with what every route needs."""

    update: Update
    context: Context
    code: DirectoryCode
    chat_id: int
    lang: str
    message: Message | None  # the message pressed on, when it can be edited in place

    @property
    def key(self) -> SearchKey:
        assert self.code.key is not None  # directory_button checks it first (WITH_SEARCH)
        return self.code.key


async def directory_button(update: Update, context: Context, code: DirectoryCode) -> None:
    """A button of the mediator search: where, a page, a filter, or one listing's action."""
    assert update.effective_chat is not None
    chat_id = update.effective_chat.id
    lang = await _user_language(context, update)
    query = update.callback_query
    # PTB reads an inaccessible message (date 0) as a Message too: only an accessible one can
    # be edited in place.
    message = query.message if query is not None and isinstance(query.message, Message) else None
    if message is not None and not message.is_accessible:
        message = None
    if _concerned(context) and code.op is not Op.INVITE:
        # Told of danger or violence: an older search's buttons lead to help, not to listings.
        await _deliver(context, chat_id, lang, [_safety_reply()])
        return
    if code.op in WITH_SEARCH and code.key is None:
        await _send_menu(context, chat_id, lang, key="error.expired_button")
        return
    await _ON_DIRECTORY[code.op](_DirectoryPress(update, context, code, chat_id, lang, message))


async def _search_in(p: _DirectoryPress) -> None:
    """A place chosen: the dialogue searches there (after its safety questions)."""
    if services(p.context).places.get(p.code.place) is None:
        await _send_menu(p.context, p.chat_id, p.lang, key="error.expired_button")
        return
    place = {"place": p.code.place}
    await _converse(p.update, p.context, "/find_mediator", "find_mediator", place=place)


async def _regions(p: _DirectoryPress) -> None:
    """The regions, or one region's settlements."""
    if p.code.place:
        await directory.show_settlements(p.context, p.chat_id, p.lang, p.code.place, p.message)
    else:
        await directory.show_regions(p.context, p.chat_id, p.lang, p.message)


async def _invite(p: _DirectoryPress) -> None:
    """The dialogue decides: the safety questions first, then the invitation or help."""
    invite = {"language": p.code.language} if p.code.language else None
    await _converse(p.update, p.context, "/invite_other_party", "invite_other_party", invite=invite)


# One route per op of the mediator search (bot/telegram/directory_codes.py, `Op`).
_ON_DIRECTORY: dict[Op, Callable[[_DirectoryPress], Awaitable[None]]] = {
    Op.SEARCH_IN: _search_in,
    Op.REGIONS: _regions,
    Op.ASK_PLACE: lambda p: directory.ask_place(p.context, p.chat_id, p.lang, unknown=False),
    Op.RESULTS: lambda p: directory.show_results(p.context, p.chat_id, p.lang, p.key, p.message),
    Op.CHOOSE_TYPE: lambda p: directory.choose_type(p.context, p.chat_id, p.lang, p.key, p.message),
    Op.CALL: lambda p: directory.call(p.context, p.chat_id, p.lang, p.code.listing_id),
    Op.WRITE: lambda p: directory.write(p.context, p.chat_id, p.lang, p.code.listing_id),
    Op.MAP: lambda p: directory.show_on_map(p.context, p.chat_id, p.lang, p.code.listing_id),
    Op.MORE: lambda p: directory.more(p.context, p.chat_id, p.lang, p.code.listing_id, p.key),
    Op.REPORT: lambda p: directory.confirm_report(p.context, p.chat_id, p.lang, p.code.listing_id),
    Op.REPORT_CONFIRMED: lambda p: directory.report(
        p.context, p.chat_id, p.lang, p.code.listing_id, p.message
    ),
    Op.SUMMARY: lambda p: directory.ask_consent(
        p.context, p.chat_id, p.lang, p.code.listing_id, p.key
    ),
    Op.SUMMARY_CONSENTED: lambda p: directory.handoff(
        p.context, p.chat_id, p.lang, p.code.listing_id, p.key, p.message
    ),
    Op.DISMISS: lambda p: directory.dismiss(p.context, p.chat_id, p.lang, p.message),
    Op.INVITE: _invite,
}


async def subscribe_command(update: Update, context: Context) -> None:
    """/subscribe: opt in to occasional news, in the user's language."""
    await _set_news(update, context, True)


async def unsubscribe_command(update: Update, context: Context) -> None:
    """/unsubscribe: no more news."""
    await _set_news(update, context, False)


async def _set_news(update: Update, context: Context, wanted: bool) -> None:
    svc = services(context)
    assert update.effective_user is not None and update.effective_chat is not None
    lang = await _user_language(context, update)
    await svc.db.set_news(update.effective_user.id, wanted, lang)
    key = "news.subscribed" if wanted else "news.unsubscribed"
    await _say(context, update.effective_chat.id, svc.catalogue.text(lang, key))


async def forget_command(update: Update, context: Context) -> None:
    """/forget or the privacy page's button: ask before deleting anything."""
    svc = services(context)
    assert update.effective_chat is not None
    lang = await _user_language(context, update)
    await _say(
        context,
        update.effective_chat.id,
        svc.catalogue.text(lang, "forget.confirm"),
        keyboards.confirm_forget(svc.catalogue, lang),
    )


async def forget_confirmed(update: Update, context: Context) -> None:
    """Delete what the database and Rasa's Redis stores hold about this user, then say so."""
    svc = services(context)
    assert update.effective_user is not None and update.effective_chat is not None
    lang = await _user_language(context, update)
    # The conversation is under the current pseudonym: delete it before the salt goes with
    # the row, after which no one can compute that pseudonym again. No salt, no conversation.
    salt = await svc.db.existing_salt(update.effective_user.id)
    if salt:
        pseudonym = sender_id(svc.settings.sender_secret, update.effective_user.id, salt)
        await svc.rasa.purge(pseudonym)  # the text leaves the tracker, in memory too
        await forget_conversation(svc.settings, pseudonym)  # and Redis keeps no copy nor lock
    existed = await svc.db.forget_user(update.effective_user.id)
    person_changed(context)
    if context.user_data is not None:
        context.user_data.clear()
    key = "forget.deleted" if existed else "forget.nothing"
    await _say(context, update.effective_chat.id, svc.catalogue.text(lang, key))


async def show_page(update: Update, context: Context, page_id: str) -> None:
    """A page button: the page straight from content, no dialogue needed (works offline too)."""
    svc = services(context)
    assert update.effective_chat is not None
    if page_id in GATED_PAGES:
        # The invitation: the dialogue asks about safety before it shows the page.
        await _converse(update, context, f"/{GATED_PAGES[page_id]}", GATED_PAGES[page_id])
        return
    lang = await _user_language(context, update)
    if not svc.catalogue.has_page(page_id):
        await _send_menu(context, update.effective_chat.id, lang, key="error.expired_button")
        return
    user_id = update.effective_user.id if update.effective_user else None
    reply = Reply(key=f"page:{page_id}", menu=True)
    await _deliver(context, update.effective_chat.id, lang, [reply], user_id)


async def language_chosen(update: Update, context: Context, lang: str) -> None:
    """Store the language, confirm it in place of the picker, then welcome and show the menu."""
    svc = services(context)
    query = update.callback_query
    assert update.effective_user is not None and update.effective_chat is not None
    before = await person(context, update.effective_user.id)
    first_time = not before.language
    await svc.db.set_language(update.effective_user.id, lang)
    person_changed(context)
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
    ask_source = context.user_data is not None and context.user_data.pop(_ASK_SOURCE, False)
    if ask_source and first_time and not before.office:
        # Came without an office's link: offer, without insisting, to say where they heard of us.
        markup = keyboards.main_menu(svc.catalogue, lang)
        offer = InlineKeyboardButton(
            svc.catalogue.label(lang, "btn.source.ask"), callback_data=callbacks.SOURCE_QUESTION
        )
        rows = [*markup.inline_keyboard, (offer,)]
        await _say(
            context,
            update.effective_chat.id,
            svc.catalogue.text(lang, key),
            InlineKeyboardMarkup(rows),
        )
    else:
        await _send_menu(context, update.effective_chat.id, lang, key=key)
    await count(context, update.effective_user.id, lang, counts.LANGUAGE_CHOSEN)


def _is_admin(svc: Services, update: Update) -> bool:
    return update.effective_user is not None and update.effective_user.id in svc.settings.admin_ids


def _reload_report(svc: Services, lang: str, errors: tuple[str, ...]) -> str:
    # Problems are file names and keys, not user text: safe to show to admins as they are.
    shown = "\n".join(f"• {html.escape(e)}" for e in errors[:15])
    more = len(errors) - 15
    if more > 0:
        shown += "\n" + svc.catalogue.text(lang, "admin.more_problems", count=more)
    return svc.catalogue.text(lang, "admin.reload_failed", count=len(errors)) + "\n" + shown


async def reload_command(update: Update, context: Context) -> None:
    """/reload (admins only): check content/ and swap it in, or say why not."""
    svc = services(context)
    if not _is_admin(svc, update):
        await unknown_command(update, context)
        return
    assert update.effective_chat is not None
    result = await asyncio.to_thread(svc.content.reload)
    lang = await _user_language(context, update)
    if result.ok:
        text = svc.catalogue.text(lang, "admin.reloaded")
    else:
        text = _reload_report(svc, lang, result.errors)
    await _say(context, update.effective_chat.id, text)


_STATS = (
    ("started", counts.STARTED),
    ("screened", "screened"),
    ("searches", counts.MEDIATOR_SEARCH),
    ("handoffs", counts.HANDOFF),
)


async def stats_command(update: Update, context: Context) -> None:
    """/stats (admins only): the last 7 and 30 days per office; counts under 5 hidden."""
    svc = services(context)
    if not _is_admin(svc, update):
        await unknown_command(update, context)
        return
    assert update.effective_chat is not None
    lang = await _user_language(context, update)
    today = dt.date.today()
    await svc.counter.flush()  # what this process still holds in memory counts too
    week = await svc.counter.totals(today - dt.timedelta(days=6))
    month = await svc.counter.totals(today - dt.timedelta(days=29))
    offices = sorted({office for office, _ in month}, key=lambda o: (o == "", o))
    lines = [svc.catalogue.text(lang, "admin.stats.title")]
    if not offices:
        lines.append(svc.catalogue.text(lang, "admin.stats.none"))
    for code in offices:
        office = await svc.offices.get(code) if code else None
        name = (
            office.name(lang)
            if office
            else code or svc.catalogue.label(lang, "admin.stats.no_office")
        )
        values = {
            label: " / ".join(
                report.shown(days.get((code, event), 0), lang) for days in (week, month)
            )
            for label, event in _STATS
        }
        lines.append(
            f"<b>{html.escape(name)}</b>\n" + svc.catalogue.text(lang, "admin.stats.line", **values)
        )
    await _say(context, update.effective_chat.id, "\n\n".join(lines))


async def tell_admins_about_reload(bot: Bot, svc: Services, result: ReloadResult) -> None:
    """After an automatic reload, tell every admin whether the edit went live."""
    for admin in sorted(svc.settings.admin_ids):
        try:
            lang = await svc.db.get_language(admin) or "ru"
            if result.ok:
                text = svc.catalogue.text(lang, "admin.reloaded")
            else:
                text = _reload_report(svc, lang, result.errors)
            await bot.send_message(admin, text, parse_mode=ParseMode.HTML)
        except Exception:  # an admin who never wrote to the bot cannot be messaged
            log.warning("could not tell admin %s about the content reload", admin)


async def in_a_group(update: Update, context: Context) -> None:
    """A message in a group: say once that the bot talks one to one, with a link, and leave."""
    chat = update.effective_chat
    assert chat is not None
    if chat.id in _left_chats(context):
        return  # written before the bot left, queued behind the message it answered
    await _leave_with_a_word(context, chat.id, update.effective_user)


async def membership_changed(update: Update, context: Context) -> None:
    """Blocked or unblocked in a private chat: note it; added to a group or a channel: leave."""
    change = update.my_chat_member
    if change is None:
        return
    if change.chat.type == ChatType.PRIVATE:
        # The person blocked the bot (news stops) or came back (news may go again).
        blocked = change.new_chat_member.status == ChatMember.BANNED
        await services(context).db.set_blocked(change.chat.id, blocked)
        return
    if change.new_chat_member.status not in (ChatMember.MEMBER, ChatMember.ADMINISTRATOR):
        return
    _left_chats(context).pop(change.chat.id, None)  # added again: it says so again
    if change.chat.type == ChatType.CHANNEL:
        await _leave(context, change.chat.id)
    else:
        await _leave_with_a_word(context, change.chat.id, change.from_user)


async def _leave_with_a_word(context: Context, chat_id: int, user: User | None) -> None:
    # The chat's language is not known; the person who wrote or added the bot has one.
    lang = language.guess(user.language_code if user else None)
    link = f"https://t.me/{context.bot.username}"
    catalogue = services(context).catalogue
    notice = catalogue.text(lang, "group.private_only", link=link)
    try:
        await context.bot.send_message(chat_id, notice)
    except TelegramError:
        log.info("could not post the one-to-one notice in a group")
    await _leave(context, chat_id)


async def _leave(context: Context, chat_id: int) -> None:
    try:
        await context.bot.leave_chat(chat_id)
    except TelegramError:
        log.info("could not leave a group or channel")
    left = _left_chats(context)
    left[chat_id] = None
    if len(left) > _MAX_LEFT_CHATS:
        del left[next(iter(left))]


# Groups and channels the bot has left, oldest first. Messages written there before it left
# may still be queued; answering them would only be refused (it is no longer a member).
_LEFT_CHATS = "left_chats"
_MAX_LEFT_CHATS = 10_000


def _left_chats(context: Context) -> dict[int, None]:
    left: dict[int, None] = context.bot_data.setdefault(_LEFT_CHATS, {})
    return left


async def on_error(update: object, context: Context) -> None:
    """Log the failure without message text, and tell the user something went wrong."""
    if isinstance(context.error, Forbidden):
        # The person blocked the bot while it was answering (the sending layer has marked
        # them): nothing failed on our side, and no one is left to tell.
        log.warning("could not answer: %s", context.error.message)
        return
    log.error("error while handling an update", exc_info=context.error)
    chat = update.effective_chat if isinstance(update, Update) else None
    # Only ever in a private chat: never an error message posted into a group or a channel.
    if isinstance(update, Update) and chat is not None and chat.type == ChatType.PRIVATE:
        try:
            lang = await _user_language(context, update) if update.effective_user else "ru"
        except Exception:  # the database itself may be what failed
            lang = language.guess(
                update.effective_user.language_code if update.effective_user else None
            )
        try:
            await _send_menu(context, chat.id, lang, key="error.generic")
        except Exception:
            log.exception("could not even send the error message")
