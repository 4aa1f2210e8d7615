"""Feedback, "was this helpful?": 👍 / 👎 under a page or a verdict, then what was missing.

Counted anonymously through the daily counts (bot/outreach/counts.py), once per person, page or
verdict and day: `helpful:<subject>`, `unhelpful:<subject>`, `missing:<reason>:<subject>`, where
the subject is `page:<id>` or `verdict:<code>`. Nothing about the person is stored: the
question after a 👎 can be ignored. Free text is asked for only after "something else" and only
when KEEP_UNANSWERED_DAYS keeps typed text: then the next message is taken (a flag on the
conversation, cleared by it, by any other button or command, or with the conversation), kept
anonymised like an unanswered question and never linked to the person.
"""

from __future__ import annotations

import logging

from telegram import Message, Update
from telegram.error import BadRequest

from bot.offices.models import MAX_EVENT_LENGTH
from bot.storage.db import awaiting_feedback, feedback_awaited
from bot.telegram import keyboards, send
from bot.telegram.callbacks import FEEDBACK_SKIP, Callback
from bot.telegram.handlers.common import say, send_menu, user_language
from bot.telegram.services import Context, count, person, set_flag

log = logging.getLogger(__name__)

# What a vote is counted as, by the button's answer.
VOTE_EVENTS = {"up": "helpful", "down": "unhelpful"}
# The reason after which, when typed text may be kept, the person is invited to type it.
TELL_MORE = "other"


def event_of(answer: str, subject: str) -> str:
    """The daily count's event for an answer on a subject (a vote or a reason)."""
    if answer in VOTE_EVENTS:
        return f"{VOTE_EVENTS[answer]}:{subject}"[:MAX_EVENT_LENGTH]
    return f"missing:{answer}:{subject}"[:MAX_EVENT_LENGTH]


def _pressed_on(update: Update) -> Message | None:
    """The message the button was on, when it can still be edited."""
    query = update.callback_query
    message = query.message if query is not None and isinstance(query.message, Message) else None
    return message if message is not None and message.is_accessible else None


async def feedback_pressed(update: Update, context: Context, pressed: Callback) -> None:
    """👍 or 👎 (thanks in a toast, the two buttons gone; after 👎, what was missing?), or a
    reason after a 👎 (thanks, the question's buttons gone). This route answers the press."""
    query = update.callback_query
    assert query is not None and update.effective_chat is not None
    assert update.effective_user is not None
    svc = context.services
    chat_id, user_id = update.effective_chat.id, update.effective_user.id
    lang = await user_language(context, update)
    subject, answer = pressed.value, pressed.option
    kind, _, name = subject.partition(":")
    if kind == "page" and not svc.catalogue.has_page(name):
        await send.answer(query)
        await send_menu(context, chat_id, lang, key="error.expired_button")
        return
    message = _pressed_on(update)
    if answer in VOTE_EVENTS:
        await send.answer(query, svc.catalogue.label(lang, "feedback.thanks"))
        # One vote per person, subject and day, whichever message it was pressed on.
        await count(context, user_id, lang, event_of(answer, subject), once=f"vote:{subject}")
        if message is not None:
            await _drop_feedback(message)
        if answer == "down":
            markup = keyboards.missing_reasons(svc.catalogue, lang, subject)
            await say(context, chat_id, svc.catalogue.text(lang, "feedback.missing"), markup)
        return
    await send.answer(query)
    if answer == FEEDBACK_SKIP:
        await end_feedback_wait(context, user_id)
        await send.show(context, chat_id, svc.catalogue.text(lang, "feedback.noted"), None, message)
        return
    await count(context, user_id, lang, event_of(answer, subject), once=f"missing:{subject}")
    if answer == TELL_MORE and svc.unanswered.keeps:
        await end_feedback_wait(context, user_id)
        await set_flag(context, user_id, awaiting_feedback(subject))
        if await awaited_feedback(context, user_id) == subject:
            text = svc.catalogue.text(lang, "feedback.tell_more", count=svc.unanswered.keep_days)
            markup = keyboards.skip_telling(svc.catalogue, lang, subject)
            await send.show(context, chat_id, text, markup, message)
            return
        # No row to keep the flag on (it is never made for a flag): just thanks.
    await send.show(context, chat_id, svc.catalogue.text(lang, "feedback.noted"), None, message)


async def end_feedback_wait(context: Context, user_id: int) -> None:
    """Whatever was asked to be typed after "something else" is no longer awaited."""
    subject = await awaited_feedback(context, user_id)
    if subject is not None:
        await set_flag(context, user_id, awaiting_feedback(subject), on=False)


async def awaited_feedback(context: Context, user_id: int) -> str | None:
    """The subject whose "what was missing" the person's next text answers, if any."""
    return feedback_awaited((await person(context, user_id)).flags)


async def feedback_typed(update: Update, context: Context, subject: str, text: str) -> None:
    """The typed "something else": kept anonymised (not linked to the person), thanks."""
    assert update.effective_chat is not None and update.effective_user is not None
    svc = context.services
    lang = await user_language(context, update)
    await end_feedback_wait(context, update.effective_user.id)
    await svc.unanswered.add(lang, text, subject=subject)
    await send_menu(context, update.effective_chat.id, lang, key="feedback.text_thanks")


async def _drop_feedback(message: Message) -> None:
    """The message's 👍 / 👎 taken away, its other buttons kept."""
    kept = keyboards.without_feedback(message.reply_markup)
    if kept == message.reply_markup:
        return
    try:
        await message.edit_reply_markup(reply_markup=kept)
    except BadRequest as exc:  # too old to edit: the buttons stay, the vote counted
        log.info("feedback buttons not removed: %s", exc)


async def command_given(update: Update, context: Context) -> None:
    """Any command ends a wait for typed feedback (run before the command's own handler)."""
    if update.effective_user is not None:
        await end_feedback_wait(context, update.effective_user.id)
