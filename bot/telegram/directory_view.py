"""The mediator search's messages and buttons, without sending anything: texts, keyboards
and the search a button asks for, from content and the search's code (bot/telegram/directory.py
sends them)."""

from __future__ import annotations

import html
from collections.abc import Sequence

from babel import Locale
from babel.dates import format_date
from babel.lists import format_list
from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
)

from bot.content import Catalogue
from bot.directory.models import FREE_KINDS, Listing
from bot.directory.search import Hit, Query
from bot.places.gazetteer import Gazetteer, Place, in_kazakhstan
from bot.screening.fields import DISPUTE_TYPES, VERDICTS
from bot.telegram import callbacks, keyboards, send
from bot.telegram import directory_codes as codes
from bot.telegram.directory_codes import MAX_PAGE, Op, SearchKey, parse_point, point_code

Rows = send.Rows


PAGE_SIZE = 5


# Five listings must fit Telegram's 4096 characters whatever a register wrote in its CSV.
FIELD_CHARS = 80


# A region lists its centre and its largest settlements as buttons; the rest are found by
# name or by a shared location.
SETTLEMENTS_SHOWN = 30
# The nearest listing is this far: say so above the results (the person may prefer online).
FAR_KM = 50


def button(
    catalogue: Catalogue, language: str, key: str, data: str, **args: object
) -> InlineKeyboardButton:
    label = (
        catalogue.label(language, key).format(**args) if args else catalogue.label(language, key)
    )
    return InlineKeyboardButton(label, callback_data=data)


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


def settlement_rows(catalogue: Catalogue, places: Gazetteer, language: str, region: Place) -> Rows:
    settlements = places.settlements_in(region.id)
    # The region's centre first, then by population: the likeliest answers on top.
    settlements.sort(key=lambda p: not p.centre)
    buttons = [
        InlineKeyboardButton(places.name(p, language), callback_data=codes.search_in(p.id))
        for p in settlements[:SETTLEMENTS_SHOWN]
    ]
    rows = send.rows_of(buttons, 2)
    rows.append([button(catalogue, language, "dir.whole_region", codes.search_in(region.id))])
    rows.append([button(catalogue, language, "btn.back", codes.bare(Op.REGIONS))])
    return rows


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
            button(catalogue, language, "btn.dir.call", codes.for_listing(Op.CALL, listing.id), n=n)
        )
    if listing.telegram:
        label = catalogue.label(language, "btn.dir.write").format(n=n)
        row.append(InlineKeyboardButton(label, url=f"https://t.me/{listing.telegram}"))
    elif listing.email:
        row.append(
            button(
                catalogue, language, "btn.dir.write", codes.for_listing(Op.WRITE, listing.id), n=n
            )
        )
    row.append(
        button(catalogue, language, "btn.dir.map", codes.for_listing(Op.MAP, listing.id), n=n)
    )
    row.append(button(catalogue, language, "btn.dir.more", key.listing(Op.MORE, listing.id), n=n))
    return row


def _filter_rows(catalogue: Catalogue, language: str, key: SearchKey) -> Rows:
    kind_next = {"": ("free", "only_free"), "free": ("professional", "only_professional"),
                 "professional": ("", "all_kinds")}  # fmt: skip
    kind, kind_label = kind_next[key.kind]
    online_label = "not_online" if key.online else "online"
    language_button = (
        button(catalogue, language, "btn.dir.any_language", key.with_(language="").code())
        if key.language
        else button(catalogue, language, "btn.dir.my_language", key.with_(language=language).code())
    )
    return [
        [
            button(catalogue, language, f"btn.dir.{kind_label}", key.with_(kind=kind).code()),
            button(
                catalogue,
                language,
                f"btn.dir.{online_label}",
                key.with_(online=not key.online).code(),
            ),
        ],
        [language_button, button(catalogue, language, "btn.dir.type", key.type_chooser())],
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
    if key.page == 0 and hits and hits[0].km > FAR_KM:
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
        nav.append(button(catalogue, language, "btn.dir.prev", key.code(key.page - 1)))
    if more and key.page < MAX_PAGE:
        nav.append(button(catalogue, language, "btn.dir.next", key.code(key.page + 1)))
    if nav:
        rows.append(nav)
    rows += _filter_rows(catalogue, language, key)
    rows.append(
        [
            button(catalogue, language, "btn.dir.place", codes.bare(Op.ASK_PLACE)),
            button(catalogue, language, "btn.dir.invite", codes.bare(Op.INVITE)),
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
            [button(catalogue, language, "btn.dir.any_type", key.with_(dispute_type="").code())]
        )
    if key.language:
        rows.append(
            [button(catalogue, language, "btn.dir.any_language", key.with_(language="").code())]
        )
    if key.kind:
        rows.append([button(catalogue, language, "btn.dir.all_kinds", key.with_(kind="").code())])
    if key.online:
        rows.append(
            [button(catalogue, language, "btn.dir.not_online", key.with_(online=False).code())]
        )
    rows.append([button(catalogue, language, "btn.dir.place", codes.bare(Op.ASK_PLACE))])
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
        [button(catalogue, language, "btn.dir.any_type", key.with_(dispute_type="").code())]
    )
    return rows


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
