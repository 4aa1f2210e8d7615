"""A turn of the dialogue: text to Rasa, and each of its replies delivered by its instruction (one
route per `Do`); the questionnaire's buttons, a shared location and pages.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Update,
)

from bot.dialogue.client import TURN_KEY, DialogueUnavailable
from bot.dialogue.language_guess import clear_language
from bot.dialogue.payloads import Do, Reply
from bot.dialogue.topics import GATED_PAGES, OFFLINE_PAGES
from bot.languages import LANGUAGES
from bot.offices.models import MAX_EVENT_LENGTH
from bot.places.gazetteer import in_kazakhstan
from bot.screening.safety import reveals_danger
from bot.storage.db import Flag, offered
from bot.telegram import callbacks, directory, directory_view, keyboards, screening
from bot.telegram.handlers.account import news_stop_typed
from bot.telegram.handlers.common import (
    concerned,
    pseudonym,
    safety_reply,
    say,
    send_menu,
    send_picker,
    user_language,
)
from bot.telegram.handlers.feedback import awaited_feedback, end_feedback_wait, feedback_typed
from bot.telegram.handlers.onboarding import office_code_typed
from bot.telegram.replies import render, replies_from
from bot.telegram.services import (
    Context,
    count,
    has_flag,
    next_turn_id,
    person_changed,
    set_flag,
    take_flag,
)
from bot.text.stop_words import NewsStop, news_stop

log = logging.getLogger(__name__)


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
    svc = to.context.services
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
    await say(to.context, to.chat_id, text, markup)


async def _ask_place(to: _Delivery, reply: Reply) -> None:
    """Where to look for mediators (again, when the place given was not found)."""
    unknown = bool(reply.args.get("unknown"))
    await directory.ask_place(to.context, to.chat_id, to.lang, unknown=unknown)


async def _mediators(to: _Delivery, reply: Reply) -> None:
    """The nearest mediators for the dialogue's search, or the place question without one."""
    key = directory_view.key_from_payload(reply.args, to.lang, to.point)
    if key is None:
        await directory.ask_place(to.context, to.chat_id, to.lang, unknown=False)
    else:
        await directory.show_results(to.context, to.chat_id, to.lang, key)


async def _language_picker(to: _Delivery, reply: Reply) -> None:
    """The language picker."""
    await send_picker(to.context, to.chat_id, to.lang)


async def _set_language(to: _Delivery, reply: Reply) -> None:
    """A language asked for in words: stored, and the rest of the turn in it."""
    new = reply.args.get("language", "")
    if new not in LANGUAGES or to.user_id is None:
        await send_picker(to.context, to.chat_id, to.lang)
        return
    to.lang = new
    await to.context.services.db.set_language(to.user_id, new)
    person_changed(to.context)
    await send_menu(to.context, to.chat_id, new, key="lang.switched")


async def _invitation(to: _Delivery, reply: Reply) -> None:
    """The invitation to forward to the other side, in the language chosen for it."""
    invited = reply.args.get("language", to.lang)
    await directory.invitation(to.context, to.chat_id, to.lang, invited)


async def _invite_languages(to: _Delivery, reply: Reply) -> None:
    """Which language the invitation should be written in."""
    await directory.choose_invitation_language(to.context, to.chat_id, to.lang)


async def _screen_question(to: _Delivery, reply: Reply) -> None:
    """The questionnaire's next question."""
    await deliver_screening(to.context, to.chat_id, to.lang, reply)


async def _screening_result(to: _Delivery, reply: Reply) -> None:
    """The verdict, counted once a day per person (replayed answers must not add more)."""
    await deliver_screening(to.context, to.chat_id, to.lang, reply)
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


async def deliver(
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
        if concern:
            await set_flag(context, user_id or chat_id, Flag.SAFETY_CONCERN)
        await _DELIVER[reply.do](to, reply)


async def deliver_screening(context: Context, chat_id: int, lang: str, reply: Reply) -> None:
    """A question of the questionnaire, or its verdict, rendered from content and the rules."""
    svc = context.services
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
    await say(context, chat_id, *shown)


async def converse(
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
    svc = context.services
    assert update.effective_user is not None and update.effective_chat is not None
    lang = await user_language(context, update)
    sender = await pseudonym(svc, context, update.effective_user.id)
    metadata: dict[str, object] = {"language": lang}
    if screen:
        metadata["screen"] = screen
    if place:
        metadata["directory"] = place
    if invite:
        metadata["invite"] = invite
    # The turn's name, so a turn sent twice (an update handled again after a worker died, or
    # resent to another Rasa) is applied once: rasa_project/kelisim_engine/once.py.
    metadata[TURN_KEY] = next_turn_id(context, update)
    try:
        replies = replies_from(await svc.rasa.send(sender, message, metadata))
        if not replies:
            raise DialogueUnavailable("no usable payload in Rasa's answer")
    except DialogueUnavailable as exc:
        log.warning("dialogue unavailable: %s", exc)
        if topic in OFFLINE_PAGES:
            replies = [Reply(key=f"page:{OFFLINE_PAGES[topic]}", menu=True)]
        elif topic == "find_mediator" and await concerned(context, update.effective_user.id):
            replies = [safety_reply()]
        elif topic == "find_mediator":
            # The directory is ours, not Rasa's: search without the screening's answers.
            offline = {"place": next(iter((place or {}).values()), "")}
            do = Do.MEDIATORS if offline["place"] else Do.ASK_PLACE
            replies = [Reply(do=do, args=offline)]
        else:
            replies = [Reply(key="error.rasa_down", menu=True)]
    await deliver(context, update.effective_chat.id, lang, replies, update.effective_user.id, point)
    return lang, replies


async def help_command(update: Update, context: Context) -> None:
    """/help: ask the dialogue for help, as if the Help button was pressed."""
    await converse(update, context, "/help", topic="help")


async def free_text(update: Update, context: Context) -> None:
    """Typed text goes to Rasa (never raw if it starts with '/': commands are handled apart)."""
    assert update.message is not None and update.message.text is not None
    assert update.effective_chat is not None
    svc = context.services
    text = update.message.text.strip()
    limit = svc.settings.max_text_length
    if len(text) > limit:
        lang = await user_language(context, update)
        await say(
            context,
            update.effective_chat.id,
            svc.catalogue.text(lang, "error.too_long", limit=limit),
        )
        return
    if svc.settings.log_message_text and update.effective_user is not None:
        # For debugging only, and never with the Telegram id: the pseudonym Rasa sees.
        who = await pseudonym(svc, context, update.effective_user.id)
        log.info("text from %s: %r", who, text)
    # «стоп», «тоқта», "stop", «отписаться»: a subscriber's news stops at any moment, before
    # anything else reads the text (a STOP word then goes on, and leaves the questionnaire).
    asked = news_stop(text)
    if asked is not None and await news_stop_typed(update, context, asked):
        return
    if update.effective_user is not None and await take_flag(
        context, update.effective_user.id, Flag.AWAITING_CODE
    ):
        await office_code_typed(update, context, text)
        return
    subject = None
    if update.effective_user is not None:
        subject = await awaited_feedback(context, update.effective_user.id)
    if subject is not None and not reveals_danger(text):
        await feedback_typed(update, context, subject, text)
        return
    if reveals_danger(text):
        # Safety first, even when asked what was missing: help, and that text is not kept.
        if subject is not None and update.effective_user is not None:
            await end_feedback_wait(context, update.effective_user.id)
        # Violence, threats or a child at risk: the safety answer, whatever else was asked.
        await converse(update, context, "/check_eligibility", "safety", {"do": "danger"})
        return
    # Rasa's RegexMessageHandler treats a leading '/' as an intent: never let users inject one.
    lang, replies = await converse(update, context, _not_an_intent(text))
    if any(reply.key in ("fallback", "out_of_scope") for reply in replies):
        await svc.unanswered.add(lang, text)
    if all(reply.do is Do.SHOW for reply in replies):
        await _offer_language(update, context, text, lang)


async def stop_command(update: Update, context: Context) -> None:
    """/stop: what typing "stop" does (no more news for a subscriber, said at once; out of
    the questionnaire for anyone in it; otherwise the dialogue's answer to "stop")."""
    await news_stop_typed(update, context, NewsStop.STOP)
    await converse(update, context, "stop")


def _not_an_intent(text: str) -> str:
    """Rasa strips a message before reading a leading '/' as an intent: strip every leading
    slash and space here ("/ /restart", "/\n/intent"), so typed text is always read as text."""
    return re.sub(r"^[\s/]+", "", text) or "?"


async def _offer_language(update: Update, context: Context, text: str, lang: str) -> None:
    """Written clearly in another language than the setting: offer it, once per language."""
    svc = context.services
    assert update.effective_chat is not None
    guessed = clear_language(text)
    if guessed is None or guessed == lang:
        return
    assert update.effective_user is not None
    if await has_flag(context, update.effective_user.id, offered(guessed)):
        return
    await set_flag(context, update.effective_user.id, offered(guessed))
    # Asked in the language the person wrote in: that is the one they read.
    button = InlineKeyboardButton(
        svc.catalogue.label(guessed, "btn.switch_language"),
        callback_data=callbacks.choose_language(guessed),
    )
    await say(
        context,
        update.effective_chat.id,
        svc.catalogue.text(guessed, "lang.offer"),
        InlineKeyboardMarkup([[button]]),
    )


async def unsupported(update: Update, context: Context) -> None:
    """Stickers, photos, voice and the like: say what the bot can read, then the menu."""
    assert update.effective_chat is not None
    lang = await user_language(context, update)
    await send_menu(context, update.effective_chat.id, lang, key="error.unsupported")


async def unknown_command(update: Update, context: Context) -> None:
    """A /command we do not have."""
    assert update.effective_chat is not None
    lang = await user_language(context, update)
    await send_menu(context, update.effective_chat.id, lang, key="error.unknown_command")


async def screen_button(update: Update, context: Context, value: str, option: str) -> None:
    """A questionnaire button: an answer, or back / restart / stop, for the form in Rasa."""
    control = "back" if value == "change" else value
    screen = {"q": value, "a": option} if option else {"do": control}
    await converse(update, context, "/check_eligibility", screen=screen)


async def location_shared(update: Update, context: Context) -> None:
    """A shared location: the nearest mediators to that very point."""
    assert update.message is not None and update.message.location is not None
    assert update.effective_chat is not None
    svc = context.services
    lat, lon = update.message.location.latitude, update.message.location.longitude
    if not in_kazakhstan(lat, lon):
        lang = await user_language(context, update)
        await say(context, update.effective_chat.id, svc.catalogue.text(lang, "dir.outside"))
        await directory.show_regions(context, update.effective_chat.id, lang)
        return
    # Rasa hears only the nearest settlement; the exact point never enters its tracker.
    near = svc.places.nearest(lat, lon)
    await converse(
        update,
        context,
        "/find_mediator",
        "find_mediator",
        place={"near": near.id},
        point=(lat, lon),
    )


async def show_page(update: Update, context: Context, page_id: str) -> None:
    """A page button: the page straight from content, no dialogue needed (works offline too)."""
    svc = context.services
    assert update.effective_chat is not None
    if page_id in GATED_PAGES:
        # The invitation: the dialogue asks about safety before it shows the page.
        await converse(update, context, f"/{GATED_PAGES[page_id]}", GATED_PAGES[page_id])
        return
    lang = await user_language(context, update)
    if not svc.catalogue.has_page(page_id):
        await send_menu(context, update.effective_chat.id, lang, key="error.expired_button")
        return
    user_id = update.effective_user.id if update.effective_user else None
    reply = Reply(key=f"page:{page_id}", menu=True)
    await deliver(context, update.effective_chat.id, lang, [reply], user_id)
