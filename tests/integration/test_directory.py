"""Finding a mediator end to end: emulator ⇄ bot ⇄ Rasa (trained model) ⇄ actions ⇄ database.

The three "done when" cases of the directory issue, the region → settlement buttons, paging,
filters, each listing's buttons, the summary and the invitation, bad buttons, and the same
search on PostgreSQL with the dialogue down. Expected listings come from the database itself:
the nearest by brute force over the sample directory the stack loads, as `make run` does.
"""

from __future__ import annotations

import html
import re
from typing import Any

import aiohttp
import pytest
from sqlalchemy import create_engine, delete, select
from sqlalchemy.orm import Session

from bot.content import Catalogue
from bot.directory.csvio import split
from bot.directory.models import FREE_KINDS, ContactReport, Listing
from bot.directory.search import great_circle_km
from bot.languages import LANGUAGES
from bot.places.gazetteer import default as gazetteer
from bot.stack import Stack
from bot.storage.urls import sync_url
from bot.telegram import callbacks
from bot.telegram.directory_codes import (
    MAX_PAGE,
    Op,
    SearchKey,
    bare,
    for_listing,
    invite,
    region,
    search_in,
)
from tests.support.playground import Chat, callback_data, directory_buttons
from tests.support.questionnaire import answer_until_verdict
from tests.support.stack import new_chat

pytestmark = pytest.mark.integration

PLACES = gazetteer()
SHYMKENT_POINT = (42.3155, 69.5869)  # a street in Shymkent, away from the centre's coordinates


def nearest(
    stack: Stack,
    lat: float,
    lon: float,
    *,
    dispute_type: str = "",
    language: str = "",
    kind: str = "",
    count: int = 5,
) -> list[tuple[str, float]]:
    """Brute force over the stack's own database: names and distances, nearest first."""
    engine = create_engine(sync_url(stack.env["DATABASE_URL"]))
    try:
        with Session(engine) as session:
            rows = list(session.scalars(select(Listing)))
    finally:
        engine.dispose()
    found = [
        (row.name, great_circle_km(lat, lon, row.lat, row.lon), row.id)
        for row in rows
        if (not dispute_type or dispute_type in split(row.dispute_types))
        and (not language or language in split(row.languages))
        and (kind != "free" or row.kind in FREE_KINDS)
    ]
    found.sort(key=lambda f: (f[1], f[2]))
    return [(name, km) for name, km, _ in found[:count]]


def shown_names(event: dict[str, Any]) -> list[str]:
    """The listing names on a results page, in order ("1. Name · 2,5 км")."""
    return [html.unescape(m) for m in re.findall(r"<b>\d+\. (.+?)</b>", event["html"])]


async def started(chat: Chat, language: str) -> None:
    await chat.send("/start")
    await chat.press(callbacks.choose_language(language), count=2)


async def test_a_location_shared_in_shymkent_after_screening_a_labour_dispute(
    stack: Stack, http: aiohttp.ClientSession, catalogue: Catalogue
) -> None:
    """Screening (labour) → "Find a mediator" → share the location: two taps to the list."""
    chat = await new_chat(http, stack, "kk")
    await started(chat, "kk")
    _, first = await chat.press(callbacks.topic("check_eligibility"), count=2)
    _, verdict = await answer_until_verdict(chat, catalogue, "kk", first, {"category": "labour"})
    find = callbacks.topic("find_mediator")
    assert find in callback_data(verdict), verdict["text"]  # the verdict's next steps

    ask, regions = await chat.press(find, count=2)
    assert ask["text"] == html.unescape(
        re.sub("<[^>]+>", "", catalogue.text("kk", "dir.ask_place"))
    )
    keyboard = ask["reply_markup"]["keyboard"]
    assert keyboard[0][0]["request_location"] is True
    assert search_in("almaty") in callback_data(regions)
    assert region("abai-region") in callback_data(regions)

    searching, results = await chat.send_location(*SHYMKENT_POINT, count=2)
    assert searching["reply_markup"] == {"remove_keyboard": True}
    text = results["text"]
    assert "Шымкент" in text
    assert catalogue.label("kk", "dir.type.labour") in text  # the screening's category
    expected = nearest(stack, *SHYMKENT_POINT, dispute_type="labour", language="kk")
    assert shown_names(results) == [name for name, _ in expected]
    assert expected[0][1] < 15  # the sample directory has listings in Shymkent itself
    assert catalogue.text("kk", "dir.sample") in results["html"]

    # Next page: the same message, listings 6-10.
    key_next = next(
        data
        for data, code in directory_buttons(results, Op.RESULTS)
        if code.key is not None and code.key.page == 1
    )
    [page2] = await chat.press(key_next)
    assert page2["kind"] == "edit"
    more = nearest(stack, *SHYMKENT_POINT, dispute_type="labour", language="kk", count=10)
    assert shown_names(page2) == [name for name, _ in more[5:]]


async def test_each_listing_can_be_called_mapped_reported_and_handed_off(
    stack: Stack, http: aiohttp.ClientSession, catalogue: Catalogue
) -> None:
    chat = await new_chat(http, stack, "ru")
    await started(chat, "ru")
    [results] = await chat.press(search_in("taraz"), forge=True)
    call, code = directory_buttons(results, Op.CALL)[0]
    listing_id = code.listing_id

    [contact] = await chat.press(call)
    assert contact["contact"]["phone_number"].startswith("+7")
    [venue] = await chat.press(for_listing(Op.MAP, listing_id))
    assert venue["venue"]["title"]
    assert venue["location"]["latitude"] > 40

    more = next(d for d, c in directory_buttons(results, Op.MORE) if c.listing_id == listing_id)
    [actions] = await chat.press(more)
    handoff, asked = directory_buttons(actions, Op.SUMMARY)[0]
    [consent] = await chat.press(handoff)
    assert asked.key is not None
    consented = asked.key.listing(Op.SUMMARY_CONSENTED, listing_id)
    assert consented in callback_data(consent)
    edited, summary, how = await chat.press(consented, count=3)
    assert edited["kind"] == "edit"
    assert callback_data(edited) == []
    assert "Тараз" in summary["text"]
    assert "русский" in summary["text"]
    assert "по моим собственным ответам" in summary["text"]  # its verdict can be forged (L8)
    assert callback_data(summary) == []  # made to be forwarded
    assert how["text"].startswith("Перешлите")

    [confirm] = await chat.press(for_listing(Op.REPORT, listing_id))
    confirmed = for_listing(Op.REPORT_CONFIRMED, listing_id)
    assert callback_data(confirm) == [confirmed, bare(Op.DISMISS)]
    [done] = await chat.press(confirmed)
    assert done["text"] == catalogue.text("ru", "dir.report.done")
    engine = create_engine(sync_url(stack.env["DATABASE_URL"]))

    def reported() -> int:
        with Session(engine) as session:
            rows = session.scalars(
                select(ContactReport).where(ContactReport.listing_id == listing_id)
            )
            return len(list(rows))

    try:
        first = reported()
        assert first >= 1
        for _ in range(3):  # the same report replayed: thanked, not counted again (L8)
            await chat.press(confirmed, forge=True)
        assert reported() == first
        # Which listing and when: nothing about who reported it.
        assert set(ContactReport.__table__.columns.keys()) == {
            "id", "listing_id", "reported_on",
        }  # fmt: skip
    finally:
        engine.dispose()


async def test_the_invitation_is_in_the_language_chosen_for_the_other_party(
    stack: Stack, http: aiohttp.ClientSession, catalogue: Catalogue
) -> None:
    chat = await new_chat(http, stack, "en")
    await started(chat, "en")
    [results] = await chat.press(search_in("astana"), forge=True)
    assert bare(Op.INVITE) in callback_data(results)
    # Nothing was asked about safety in this conversation: the two questions come first.
    ask, question = await chat.press(bare(Op.INVITE), count=2)
    assert ask["text"] == catalogue.text("en", "screen.invite.ask")
    safe = callbacks.screen_answer("safety", "no")
    assert safe in callback_data(question)
    [question] = await chat.press(safe)
    no_violence = callbacks.screen_answer("past_violence", "no")
    assert no_violence in callback_data(question)
    page, choose = await chat.press(no_violence, count=2)
    assert page["text"].startswith(catalogue.page("en", "invite_other_party").title)
    assert set(callback_data(choose)) == {invite(language) for language in LANGUAGES}
    intro, invitation = await chat.press(invite("kk"), count=2)
    assert intro["text"] == catalogue.text("en", "dir.invite.intro")
    assert "https://t.me/kelisim_bot" in invitation["text"]
    assert "медиация" in invitation["text"].lower()  # Kazakh, as chosen


@pytest.mark.parametrize(
    ("language", "text", "place"),
    [
        ("ru", "медиатор в Усть-Каменогорске", "oskemen"),
        ("kk", "Qaraǵandyda medıator kerek", "karaganda"),
    ],
)
async def test_a_place_typed_in_any_script_gives_listings_there(
    stack: Stack, http: aiohttp.ClientSession, language: str, text: str, place: str
) -> None:
    chat = await new_chat(http, stack, language)
    await started(chat, language)
    [results] = await chat.send(text)
    where = PLACES.get(place)
    assert where is not None
    assert PLACES.name(where, language) in results["text"]
    expected = nearest(stack, where.lat, where.lon, language=language)
    assert shown_names(results) == [name for name, _ in expected]
    assert expected[0][1] < 15


async def test_region_then_settlement_buttons_then_filters(
    stack: Stack, http: aiohttp.ClientSession, catalogue: Catalogue
) -> None:
    chat = await new_chat(http, stack, "ru")
    await started(chat, "ru")
    _, regions = await chat.press(callbacks.topic("find_mediator"), count=2)
    assert region("turkistan-region") in callback_data(regions)
    [settlements] = await chat.press(region("turkistan-region"))
    turkestan = PLACES.get("turkistan")
    assert turkestan is not None
    assert callback_data(settlements)[0] == search_in("turkistan")  # the region's centre first
    searching, results = await chat.press(search_in("turkistan"), count=2)
    assert searching["reply_markup"] == {"remove_keyboard": True}
    assert shown_names(results) == [n for n, _ in nearest(stack, turkestan.lat, turkestan.lon,
                                                          language="ru")]  # fmt: skip

    free = SearchKey("turkistan", language="ru", kind="free").code()
    [filtered] = await chat.press(free)
    assert filtered["kind"] == "edit"
    assert catalogue.text("ru", "dir.filter.free") in filtered["text"]
    expected = nearest(stack, turkestan.lat, turkestan.lon, language="ru", kind="free")
    assert shown_names(filtered) == [name for name, _ in expected]


async def test_unknown_places_and_forged_buttons_get_a_clear_answer(
    stack: Stack, http: aiohttp.ClientSession, catalogue: Catalogue
) -> None:
    chat = await new_chat(http, stack, "ru")
    await started(chat, "ru")
    ask, _ = await chat.send("найдите медиатора в Готэм-Сити", count=2)
    assert ask["text"] == catalogue.text("ru", "dir.unknown_place")

    [expired] = await chat.press(for_listing(Op.CALL, 999_999_999), forge=True)  # no such listing
    assert expired["text"] == catalogue.text("ru", "error.expired_button")
    [expired] = await chat.press(search_in("atlantis"), forge=True)
    assert expired["text"] == catalogue.text("ru", "error.expired_button")
    beyond = SearchKey("shymkent", "labour", "kk", verdict="eligible").code(page=MAX_PAGE + 1)
    [menu] = await chat.press(beyond, forge=True)  # beyond the last page
    assert menu["text"] == catalogue.text("ru", "error.expired_button")
    outside, _ = await chat.send_location(55.7558, 37.6173, count=2)  # Moscow
    assert outside["text"] == catalogue.text("ru", "dir.outside")


async def test_on_postgresql_with_the_dialogue_down_a_location_still_finds_mediators(
    postgres_stack_without_rasa: Stack, http: aiohttp.ClientSession, catalogue: Catalogue
) -> None:
    stack = postgres_stack_without_rasa
    chat = await new_chat(http, stack, "kk")
    await started(chat, "kk")
    [results] = await chat.send_location(*SHYMKENT_POINT)
    expected = nearest(stack, *SHYMKENT_POINT, language="kk")
    assert shown_names(results) == [name for name, _ in expected]

    # A kind of dispute nobody handles any more: what to try instead, never an empty list.
    engine = create_engine(sync_url(stack.env["DATABASE_URL"]))
    try:
        with Session(engine) as session, session.begin():
            session.execute(delete(Listing).where(Listing.dispute_types.like("%,criminal,%")))
    finally:
        engine.dispose()
    key = SearchKey("shymkent", "criminal", "kk")
    [none] = await chat.press(key.code(), forge=True)
    assert catalogue.text("kk", "dir.none") in none["html"]
    assert key.with_(dispute_type="").code() in callback_data(none)
