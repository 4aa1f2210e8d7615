"""Finding a mediator in Telegram: where the person is, the nearest listings, what to do next.

The dialogue decides that a search happens (payloads `ask_place` and `mediators`); paging,
filters and the buttons on each listing are handled here, from the query carried in the
buttons themselves (bot/telegram/directory_codes.py). What each message says and which buttons
it has is built, without sending anything, in bot/telegram/directory_view.py.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)
from telegram.error import BadRequest

from bot.directory.models import Listing
from bot.languages import LANGUAGES
from bot.outreach import counts
from bot.storage.db import Flag
from bot.telegram import directory_codes as codes
from bot.telegram import keyboards, send
from bot.telegram.directory_codes import Op, SearchKey
from bot.telegram.directory_view import (
    PAGE_SIZE,
    button,
    none_found,
    place_label,
    query_of,
    region_rows,
    results_page,
    settlement_rows,
    summary,
    type_rows,
)
from bot.telegram.services import Context, count, person, set_flag, take_flag

log = logging.getLogger(__name__)


# Telegram's limits on a shared contact's first name and a venue's title and address.
CONTACT_NAME_LIMIT = 64
VENUE_LIMIT = 100


async def ask_place(context: Context, chat_id: int, language: str, unknown: bool) -> None:
    """Ask where: the location button under the keyboard, and the regions as buttons."""
    catalogue = context.services.catalogue
    location = KeyboardButton(
        catalogue.label(language, "btn.dir.send_location"), request_location=True
    )
    keyboard = ReplyKeyboardMarkup([[location]], resize_keyboard=True, one_time_keyboard=True)
    key = "dir.unknown_place" if unknown else "dir.ask_place"
    await send.say(context, chat_id, catalogue.text(language, key), keyboard)
    await set_flag(context, chat_id, Flag.PLACE_KEYBOARD)
    # Someone who came through an office's link most likely lives in its region: start there.
    svc = context.services
    region_id = (await person(context, chat_id)).region
    region = svc.places.get(region_id) if region_id else None
    if region is not None and region.kind == "region":
        await show_settlements(context, chat_id, language, region.id, None)
    else:
        await show_regions(context, chat_id, language)


async def show_regions(
    context: Context, chat_id: int, language: str, message: Message | None = None
) -> None:
    """The regions and the three cities as buttons (edited in place when going back)."""
    svc = context.services
    rows = region_rows(svc.catalogue, svc.places, language)
    text = svc.catalogue.text(language, "dir.choose_region")
    await send.show(context, chat_id, text, InlineKeyboardMarkup(rows), message)


async def show_settlements(
    context: Context, chat_id: int, language: str, region_id: str, message: Message | None
) -> None:
    """A region's settlements as buttons, its centre first."""
    svc = context.services
    region = svc.places.get(region_id)
    if region is None or region.kind != "region":
        await send.say(context, chat_id, svc.catalogue.text(language, "error.expired_button"))
        return
    text = svc.catalogue.text(
        language, "dir.choose_settlement", region=svc.places.name(region, language)
    )
    rows = settlement_rows(svc.catalogue, svc.places, language, region)
    await send.show(context, chat_id, text, InlineKeyboardMarkup(rows), message)


async def show_results(
    context: Context, chat_id: int, language: str, key: SearchKey, message: Message | None = None
) -> None:
    """Search and show one page; an unknown place (a forged button) asks where again."""
    svc = context.services
    query = query_of(svc.places, key)
    if query is None:
        await ask_place(context, chat_id, language, unknown=True)
        return
    if await take_flag(context, chat_id, Flag.PLACE_KEYBOARD):
        # The "send my location" keyboard has done its job: take it away.
        label = place_label(svc.catalogue, svc.places, language, key)
        await send.say(
            context,
            chat_id,
            svc.catalogue.text(language, "dir.searching", place=label),
            ReplyKeyboardRemove(),
        )
    start = key.page * PAGE_SIZE
    result = await svc.directory.search(query, want=start + PAGE_SIZE + 1)
    hits = result.hits[start : start + PAGE_SIZE]
    if not hits and key.page > 0:  # the directory shrank since the button was made
        key = key.with_()
        start = 0
        hits = result.hits[:PAGE_SIZE]
    if not hits:
        text, markup = none_found(svc.catalogue, svc.places, language, key)
    else:
        more = len(result.hits) > start + PAGE_SIZE
        text, markup = results_page(svc.catalogue, svc.places, language, key, hits, more)
    await send.show(context, chat_id, text, markup, message)
    # In a private chat the chat is the user: counted for their office, never by name.
    if message is None:
        await count(context, chat_id, language, counts.MEDIATOR_SEARCH)
    if hits:
        await count(context, chat_id, language, counts.CONTACTS_SHOWN, n=len(hits))


async def choose_type(
    context: Context, chat_id: int, language: str, key: SearchKey, message: Message | None
) -> None:
    """The kinds of dispute as buttons; each one reruns the search with it."""
    catalogue = context.services.catalogue
    text = catalogue.text(language, "dir.choose_type")
    await send.show(
        context, chat_id, text, InlineKeyboardMarkup(type_rows(catalogue, language, key)), message
    )


async def _listing(
    context: Context, chat_id: int, language: str, listing_id: int
) -> Listing | None:
    svc = context.services
    listing = await svc.directory.listing(listing_id)
    if listing is None:
        await send.say(
            context,
            chat_id,
            svc.catalogue.text(language, "error.expired_button"),
            keyboards.main_menu(svc.catalogue, language),
        )
    return listing


async def call(context: Context, chat_id: int, language: str, listing_id: int) -> None:
    """A contact card: Telegram shows it with a call button."""
    listing = await _listing(context, chat_id, language, listing_id)
    if listing is None:
        return
    if not listing.phone:
        await send.say(
            context, chat_id, context.services.catalogue.text(language, "dir.no_contact")
        )
        return
    await context.bot.send_contact(
        chat_id, phone_number=listing.phone, first_name=listing.name[:CONTACT_NAME_LIMIT]
    )


async def write(context: Context, chat_id: int, language: str, listing_id: int) -> None:
    """The e-mail address as text: Telegram makes it a link (inline buttons cannot be mailto:)."""
    listing = await _listing(context, chat_id, language, listing_id)
    if listing is None:
        return
    catalogue = context.services.catalogue
    if not listing.email:
        await send.say(context, chat_id, catalogue.text(language, "dir.no_contact"))
        return
    await send.say(
        context,
        chat_id,
        catalogue.text(language, "dir.write", name=listing.name, contact=listing.email),
    )


async def show_on_map(context: Context, chat_id: int, language: str, listing_id: int) -> None:
    """A venue: Telegram shows a map and opens the phone's map app."""
    listing = await _listing(context, chat_id, language, listing_id)
    if listing is None:
        return
    svc = context.services
    settlement = svc.places.get(listing.settlement_id)
    address = listing.address or (svc.places.name(settlement, language) if settlement else "—")
    await context.bot.send_venue(
        chat_id,
        latitude=listing.lat,
        longitude=listing.lon,
        title=listing.name[:VENUE_LIMIT],
        address=address[:VENUE_LIMIT],
    )


async def more(
    context: Context, chat_id: int, language: str, listing_id: int, key: SearchKey
) -> None:
    """The rest of a listing's actions: a summary to forward, a wrong-contact report."""
    listing = await _listing(context, chat_id, language, listing_id)
    if listing is None:
        return
    catalogue = context.services.catalogue
    rows = [
        [button(catalogue, language, "btn.dir.summary", key.listing(Op.SUMMARY, listing.id))],
        [button(catalogue, language, "btn.dir.report", codes.for_listing(Op.REPORT, listing.id))],
    ]
    await send.say(
        context,
        chat_id,
        catalogue.text(language, "dir.more", name=listing.name),
        InlineKeyboardMarkup(rows),
    )


async def _ask_about(
    context: Context,
    chat_id: int,
    language: str,
    listing_id: int,
    question: str,
    yes: tuple[str, Callable[[int], str]],
) -> None:
    """A yes / cancel question about one listing; `yes` is the label and its code."""
    listing = await _listing(context, chat_id, language, listing_id)
    if listing is None:
        return
    catalogue = context.services.catalogue
    label, code = yes
    rows = [[
        button(catalogue, language, label, code(listing.id)),
        button(catalogue, language, "btn.dir.cancel", codes.bare(Op.DISMISS)),
    ]]  # fmt: skip
    text = catalogue.text(language, question, name=listing.name)
    await send.say(context, chat_id, text, InlineKeyboardMarkup(rows))


async def confirm_report(context: Context, chat_id: int, language: str, listing_id: int) -> None:
    """Ask before recording that a listing's contact details are wrong."""
    yes = ("btn.dir.report_yes", lambda i: codes.for_listing(Op.REPORT_CONFIRMED, i))
    await _ask_about(context, chat_id, language, listing_id, "dir.report.confirm", yes)


async def report(
    context: Context, chat_id: int, language: str, listing_id: int, message: Message | None
) -> None:
    """Record the report (the listing and the day, nobody's id) and thank the person; a
    repeated press is thanked too and records nothing more (DirectoryStore.report_contact)."""
    svc = context.services
    if not await svc.directory.report_contact(listing_id, chat_id):
        await send.say(context, chat_id, svc.catalogue.text(language, "error.expired_button"))
        return
    await send.show(
        context, chat_id, svc.catalogue.text(language, "dir.report.done"), None, message
    )


async def ask_consent(
    context: Context, chat_id: int, language: str, listing_id: int, key: SearchKey
) -> None:
    """Ask before preparing the summary: the person decides what leaves the chat."""
    yes = ("btn.dir.handoff_yes", lambda i: key.listing(Op.SUMMARY_CONSENTED, i))
    await _ask_about(context, chat_id, language, listing_id, "dir.handoff.consent", yes)


async def handoff(
    context: Context,
    chat_id: int,
    language: str,
    listing_id: int,
    key: SearchKey,
    message: Message | None,
) -> None:
    """With consent given: the summary on its own (to forward), then how to reach the mediator."""
    listing = await _listing(context, chat_id, language, listing_id)
    if listing is None:
        return
    svc = context.services
    if message is not None:
        try:
            await message.edit_reply_markup(reply_markup=None)
        except BadRequest as exc:
            log.info("consent buttons not removed: %s", exc)
    await send.say(context, chat_id, summary(svc.catalogue, svc.places, language, key))
    await count(context, chat_id, language, counts.HANDOFF, once=f"handoff:{listing_id}")
    contact = f"@{listing.telegram}" if listing.telegram else listing.email or listing.phone
    text = svc.catalogue.text(language, "dir.handoff.how", name=listing.name, contact=contact)
    await send.say(context, chat_id, text)


async def dismiss(context: Context, chat_id: int, language: str, message: Message | None) -> None:
    """Cancel on a question: say so in place of the question."""
    catalogue = context.services.catalogue
    await send.show(
        context, chat_id, catalogue.text(language, "dir.handoff.declined"), None, message
    )


async def choose_invitation_language(context: Context, chat_id: int, language: str) -> None:
    """Which language the invitation for the other party should be in."""
    catalogue = context.services.catalogue
    rows = [[
        InlineKeyboardButton(catalogue.label(lang, f"lang.name.{lang}"),
                             callback_data=codes.invite(lang))
        for lang in LANGUAGES
    ]]  # fmt: skip
    await send.say(
        context, chat_id, catalogue.text(language, "dir.invite.choose"), InlineKeyboardMarkup(rows)
    )


async def invitation(context: Context, chat_id: int, language: str, invite_language: str) -> None:
    """The invitation on its own, in the language chosen for the other party, with our link."""
    catalogue = context.services.catalogue
    link = f"https://t.me/{context.bot.username}"
    await send.say(context, chat_id, catalogue.text(language, "dir.invite.intro"))
    await send.say(
        context, chat_id, catalogue.text(invite_language, "dir.invite.message", link=link)
    )
