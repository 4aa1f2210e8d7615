"""Finding a mediator in Telegram: where the person is, the nearest listings, what to do next.

The dialogue decides that a search happens (payloads `ask_place` and `mediators`); paging,
filters and the buttons on each listing are handled here, from the query carried in the
buttons themselves (bot/telegram/directory_codes.py).
"""

from __future__ import annotations

import html
import logging
from collections.abc import Callable, Sequence

from babel import Locale
from babel.dates import format_date
from babel.lists import format_list
from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)
from telegram.error import BadRequest

from bot.content import LANGUAGES, Catalogue
from bot.dialogue.topics import DISPUTE_TYPES
from bot.directory.csvio import LAT_RANGE, LON_RANGE
from bot.directory.gazetteer import Gazetteer, Place
from bot.directory.models import FREE_KINDS, Listing
from bot.directory.search import Hit, Query
from bot.offices import counts
from bot.screening.fields import VERDICTS
from bot.telegram import callbacks, keyboards, send
from bot.telegram import directory_codes as codes
from bot.telegram.directory_codes import MAX_PAGE, Op, SearchKey, parse_point, point_code
from bot.telegram.services import Context, count, person

log = logging.getLogger(__name__)
Rows = send.Rows

PAGE_SIZE = 5
# Five listings must fit Telegram's 4096 characters whatever a register wrote in its CSV.
FIELD_CHARS = 80
_KEYBOARD_SHOWN = "place_keyboard"  # user_data: the "send my location" keyboard is up


def in_kazakhstan(lat: float, lon: float) -> bool:
    return LAT_RANGE[0] <= lat <= LAT_RANGE[1] and LON_RANGE[0] <= lon <= LON_RANGE[1]


def _button(
    catalogue: Catalogue, language: str, key: str, data: str, **args: object
) -> InlineKeyboardButton:
    label = (
        catalogue.label(language, key).format(**args) if args else catalogue.label(language, key)
    )
    return InlineKeyboardButton(label, callback_data=data)


# --- where ----------------------------------------------------------------------------------


async def ask_place(context: Context, chat_id: int, language: str, unknown: bool) -> None:
    """Ask where: the location button under the keyboard, and the regions as buttons."""
    catalogue = context.services.catalogue
    location = KeyboardButton(
        catalogue.label(language, "btn.dir.send_location"), request_location=True
    )
    keyboard = ReplyKeyboardMarkup([[location]], resize_keyboard=True, one_time_keyboard=True)
    key = "dir.unknown_place" if unknown else "dir.ask_place"
    await send.say(context, chat_id, catalogue.text(language, key), keyboard)
    if context.user_data is not None:
        context.user_data[_KEYBOARD_SHOWN] = True
    # Someone who came through an office's link most likely lives in its region: start there.
    svc = context.services
    region_id = (await person(context, chat_id)).region
    region = svc.places.get(region_id) if region_id else None
    if region is not None and region.kind == "region":
        await show_settlements(context, chat_id, language, region.id, None)
    else:
        await show_regions(context, chat_id, language)


def region_rows(catalogue: Catalogue, places: Gazetteer, language: str) -> Rows:
    """Cities of republican significance search at once; a region opens its settlements."""
    buttons = [
        InlineKeyboardButton(
            places.name(p, language),
            callback_data=codes.search_in(p.id) if p.kind == "city" else codes.region(p.id),
        )
        for p in places.regions()
    ]
    rows = send.rows_of(buttons, 2)
    rows.append([keyboards.menu_button(catalogue, language)])
    return rows


async def show_regions(
    context: Context, chat_id: int, language: str, message: Message | None = None
) -> None:
    """The regions and the three cities as buttons (edited in place when going back)."""
    svc = context.services
    rows = region_rows(svc.catalogue, svc.places, language)
    text = svc.catalogue.text(language, "dir.choose_region")
    await send.show(context, chat_id, text, InlineKeyboardMarkup(rows), message)


def settlement_rows(catalogue: Catalogue, places: Gazetteer, language: str, region: Place) -> Rows:
    settlements = places.settlements_in(region.id)
    # The region's centre first, then by population: the likeliest answers on top.
    settlements.sort(key=lambda p: not p.centre)
    buttons = [
        InlineKeyboardButton(places.name(p, language), callback_data=codes.search_in(p.id))
        for p in settlements[:30]
    ]
    rows = send.rows_of(buttons, 2)
    rows.append([_button(catalogue, language, "dir.whole_region", codes.search_in(region.id))])
    rows.append([_button(catalogue, language, "btn.back", codes.bare(Op.REGIONS))])
    return rows


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


# --- results --------------------------------------------------------------------------------


def key_from_payload(
    args: dict[str, str], language: str, point: tuple[float, float] | None
) -> SearchKey | None:
    """The first page of the search the dialogue asked for, filtered to the user's language."""
    if point is not None:
        where = point_code(*point)
    elif args.get("place"):
        where = args["place"]
    else:
        return None
    dispute_type = args.get("type", "")
    verdict = args.get("verdict", "")
    return SearchKey(
        where=where,
        dispute_type=dispute_type if dispute_type in DISPUTE_TYPES else "",
        language=language,
        verdict=verdict if verdict in VERDICTS else "",
    )


def _origin(places: Gazetteer, key: SearchKey) -> tuple[float, float, Place] | None:
    """The point searched from and the place it is in (for a point: the nearest settlement)."""
    point = parse_point(key.where)
    if point is not None:
        if not in_kazakhstan(*point):
            return None
        return point[0], point[1], places.nearest(*point)
    place = places.get(key.where)
    if place is None:
        return None
    return place.lat, place.lon, place


def place_label(catalogue: Catalogue, places: Gazetteer, language: str, key: SearchKey) -> str:
    origin = _origin(places, key)
    if origin is None:
        return ""
    name = places.name(origin[2], language)
    if parse_point(key.where) is not None:
        return catalogue.text(language, "dir.point", place=name)
    return name


def language_name(language: str, code: str) -> str:
    return str(Locale.parse(language).languages.get(code, code))


def _filters_line(catalogue: Catalogue, language: str, key: SearchKey) -> str:
    parts = []
    if key.dispute_type:
        kind = catalogue.label(language, f"dir.type.{key.dispute_type}")
        parts.append(catalogue.text(language, "dir.filter.type", type=kind))
    if key.language:
        parts.append(
            catalogue.text(
                language, "dir.filter.language", language_name=language_name(language, key.language)
            )
        )
    if key.kind:
        parts.append(catalogue.text(language, f"dir.filter.{key.kind}"))
    if key.online:
        parts.append(catalogue.text(language, "dir.filter.online"))
    if not parts:
        return ""
    return catalogue.text(language, "dir.filters", filters=" · ".join(parts))


def short(value: str, limit: int = FIELD_CHARS) -> str:
    return value if len(value) <= limit else value[: limit - 1].rstrip() + "…"


def listing_text(
    catalogue: Catalogue, places: Gazetteer, language: str, number: int, hit: Hit
) -> str:
    """One listing: who, how far, what they handle, where it comes from, how to reach them."""
    listing = hit.listing
    lines = [
        catalogue.text(
            language,
            "dir.listing.title",
            n=str(number),
            name=short(listing.name),
            distance=catalogue.format_distance(language, hit.km),
        )
    ]
    spoken = [language_name(language, c) for c in listing.languages.strip(",").split(",") if c]
    lines.append(
        html.escape(
            catalogue.label(language, f"dir.kind.{listing.kind}")
            + " · "
            + format_list(spoken, locale=language)
        )
    )
    types = [
        catalogue.label(language, f"dir.type.{t}")
        for t in listing.dispute_types.strip(",").split(",")
        if t in DISPUTE_TYPES
    ]
    if types:
        lines.append(
            catalogue.text(language, "dir.listing.types", types=format_list(types, locale=language))
        )
    lines.append(
        catalogue.text(
            language,
            "dir.listing.register",
            register=short(listing.register),
            entry=short(listing.entry),
        )
    )
    settlement = places.get(listing.settlement_id)
    where = ", ".join(
        part
        for part in (listing.address, places.name(settlement, language) if settlement else "")
        if part
    )
    if where:
        lines.append("📍 " + html.escape(short(where)))
    contacts = [listing.phone, listing.email, f"@{listing.telegram}" if listing.telegram else ""]
    if any(contacts):
        lines.append("☎️ " + html.escape(" · ".join(c for c in contacts if c)))
    extras = []
    if listing.online:
        extras.append(catalogue.text(language, "dir.listing.online"))
    if listing.kind in FREE_KINDS:
        extras.append(catalogue.text(language, "dir.listing.free"))
    elif listing.fee_note:
        extras.append(html.escape(short(listing.fee_note)))
    if extras:
        lines.append(" · ".join(extras))
    lines.append(
        "<i>"
        + catalogue.text(
            language,
            "dir.listing.verified",
            date=format_date(listing.verified_on, format="medium", locale=language),
            source=short(listing.source),
        )
        + "</i>"
    )
    return "\n".join(lines)


def _listing_row(
    catalogue: Catalogue, language: str, key: SearchKey, number: int, listing: Listing
) -> list[InlineKeyboardButton]:
    n = str(number)
    row = []
    if listing.phone:
        row.append(
            _button(
                catalogue, language, "btn.dir.call", codes.for_listing(Op.CALL, listing.id), n=n
            )
        )
    if listing.telegram:
        label = catalogue.label(language, "btn.dir.write").format(n=n)
        row.append(InlineKeyboardButton(label, url=f"https://t.me/{listing.telegram}"))
    elif listing.email:
        row.append(
            _button(
                catalogue, language, "btn.dir.write", codes.for_listing(Op.WRITE, listing.id), n=n
            )
        )
    row.append(
        _button(catalogue, language, "btn.dir.map", codes.for_listing(Op.MAP, listing.id), n=n)
    )
    row.append(_button(catalogue, language, "btn.dir.more", key.listing(Op.MORE, listing.id), n=n))
    return row


def _filter_rows(catalogue: Catalogue, language: str, key: SearchKey) -> Rows:
    kind_next = {"": ("free", "only_free"), "free": ("professional", "only_professional"),
                 "professional": ("", "all_kinds")}  # fmt: skip
    kind, kind_label = kind_next[key.kind]
    online_label = "not_online" if key.online else "online"
    language_button = (
        _button(catalogue, language, "btn.dir.any_language", key.with_(language="").code())
        if key.language
        else _button(
            catalogue, language, "btn.dir.my_language", key.with_(language=language).code()
        )
    )
    return [
        [
            _button(catalogue, language, f"btn.dir.{kind_label}", key.with_(kind=kind).code()),
            _button(
                catalogue,
                language,
                f"btn.dir.{online_label}",
                key.with_(online=not key.online).code(),
            ),
        ],
        [language_button, _button(catalogue, language, "btn.dir.type", key.type_chooser())],
    ]


def results_page(
    catalogue: Catalogue,
    places: Gazetteer,
    language: str,
    key: SearchKey,
    hits: Sequence[Hit],
    more: bool,
) -> tuple[str, InlineKeyboardMarkup]:
    """One page of five: a header (place, filters, sample notice) and the listings."""
    first = key.page * PAGE_SIZE + 1
    header = [
        catalogue.text(language, "dir.header", place=place_label(catalogue, places, language, key))
    ]
    filters = _filters_line(catalogue, language, key)
    if filters:
        header.append(filters)
    header.append(
        catalogue.text(language, "dir.range", first=str(first), last=str(first + len(hits) - 1))
    )
    if key.page == 0 and hits and hits[0].km > 50:
        header.append(
            catalogue.text(
                language, "dir.far", distance=catalogue.format_distance(language, hits[0].km)
            )
        )
    if any(hit.listing.sample for hit in hits):
        header.append(catalogue.text(language, "dir.sample"))
    blocks = ["\n".join(header)]
    blocks += [
        listing_text(catalogue, places, language, first + i, hit) for i, hit in enumerate(hits)
    ]
    rows = [
        _listing_row(catalogue, language, key, first + i, hit.listing) for i, hit in enumerate(hits)
    ]
    nav = []
    if key.page > 0:
        nav.append(_button(catalogue, language, "btn.dir.prev", key.code(key.page - 1)))
    if more and key.page < MAX_PAGE:
        nav.append(_button(catalogue, language, "btn.dir.next", key.code(key.page + 1)))
    if nav:
        rows.append(nav)
    rows += _filter_rows(catalogue, language, key)
    rows.append(
        [
            _button(catalogue, language, "btn.dir.place", codes.bare(Op.ASK_PLACE)),
            _button(catalogue, language, "btn.dir.invite", codes.bare(Op.INVITE)),
        ]
    )
    rows.append([keyboards.menu_button(catalogue, language)])
    return "\n\n".join(blocks), InlineKeyboardMarkup(rows)


def none_found(
    catalogue: Catalogue, places: Gazetteer, language: str, key: SearchKey
) -> tuple[str, InlineKeyboardMarkup]:
    """Nothing anywhere with these filters: which filter to loosen, and who else can help."""
    parts = [
        catalogue.text(language, "dir.header", place=place_label(catalogue, places, language, key))
    ]
    filters = _filters_line(catalogue, language, key)
    if filters:
        parts.append(filters)
    parts.append(catalogue.text(language, "dir.none"))
    rows: Rows = []
    if key.dispute_type:
        rows.append(
            [_button(catalogue, language, "btn.dir.any_type", key.with_(dispute_type="").code())]
        )
    if key.language:
        rows.append(
            [_button(catalogue, language, "btn.dir.any_language", key.with_(language="").code())]
        )
    if key.kind:
        rows.append([_button(catalogue, language, "btn.dir.all_kinds", key.with_(kind="").code())])
    if key.online:
        rows.append(
            [_button(catalogue, language, "btn.dir.not_online", key.with_(online=False).code())]
        )
    rows.append([_button(catalogue, language, "btn.dir.place", codes.bare(Op.ASK_PLACE))])
    for intent in ("talk_to_human", "mediator_requirements"):
        rows.append(
            [
                InlineKeyboardButton(
                    catalogue.label(language, f"btn.{intent}"),
                    callback_data=callbacks.topic(intent),
                )
            ]
        )
    rows.append([keyboards.menu_button(catalogue, language)])
    return "\n\n".join(parts), InlineKeyboardMarkup(rows)


def query_of(places: Gazetteer, key: SearchKey) -> Query | None:
    origin = _origin(places, key)
    if origin is None:
        return None
    return Query(
        lat=origin[0],
        lon=origin[1],
        dispute_type=key.dispute_type or None,
        language=key.language or None,
        kind=key.kind or None,
        online=key.online,
    )


async def show_results(
    context: Context, chat_id: int, language: str, key: SearchKey, message: Message | None = None
) -> None:
    """Search and show one page; an unknown place (a forged button) asks where again."""
    svc = context.services
    query = query_of(svc.places, key)
    if query is None:
        await ask_place(context, chat_id, language, unknown=True)
        return
    if context.user_data is not None and context.user_data.pop(_KEYBOARD_SHOWN, False):
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


def type_rows(catalogue: Catalogue, language: str, key: SearchKey) -> Rows:
    buttons = [
        InlineKeyboardButton(
            catalogue.label(language, f"btn.page.mediation_vs_court_{t}"),
            callback_data=key.with_(dispute_type=t).code(),
        )
        for t in DISPUTE_TYPES
    ]
    rows = send.rows_of(buttons, 2)
    rows.append(
        [_button(catalogue, language, "btn.dir.any_type", key.with_(dispute_type="").code())]
    )
    return rows


async def choose_type(
    context: Context, chat_id: int, language: str, key: SearchKey, message: Message | None
) -> None:
    """The kinds of dispute as buttons; each one reruns the search with it."""
    catalogue = context.services.catalogue
    text = catalogue.text(language, "dir.choose_type")
    await send.show(
        context, chat_id, text, InlineKeyboardMarkup(type_rows(catalogue, language, key)), message
    )


# --- one listing ----------------------------------------------------------------------------


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
        chat_id, phone_number=listing.phone, first_name=listing.name[:64]
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
        title=listing.name[:100],
        address=address[:100],
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
        [_button(catalogue, language, "btn.dir.summary", key.listing(Op.SUMMARY, listing.id))],
        [_button(catalogue, language, "btn.dir.report", codes.for_listing(Op.REPORT, listing.id))],
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
        _button(catalogue, language, label, code(listing.id)),
        _button(catalogue, language, "btn.dir.cancel", codes.bare(Op.DISMISS)),
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


def summary(catalogue: Catalogue, places: Gazetteer, language: str, key: SearchKey) -> str:
    """Only what the buttons chose: kind of dispute, language, place, verdict. No free text."""
    not_given = catalogue.label(language, "dir.handoff.not_given")
    origin = _origin(places, key)
    return catalogue.text(
        language,
        "dir.handoff.summary",
        type=catalogue.label(language, f"dir.type.{key.dispute_type}")
        if key.dispute_type
        else not_given,
        language_name=language_name(language, key.language or language),
        place=places.name(origin[2], language) if origin else not_given,
        verdict=catalogue.label(language, f"dir.verdict.{key.verdict or 'none'}"),
    )


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
