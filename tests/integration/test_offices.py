"""An office's link end to end (emulator ⇄ bot ⇄ database): /start with its payload presets
the language and shows in the office's counts; a malformed or unknown payload, or a bare
/start, gets the language picker and then "Where did you hear about us?"."""

from __future__ import annotations

import asyncio
import time

import aiohttp
import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from bot.content import Catalogue
from bot.offices.models import DailyCount, Office
from bot.stack import Stack
from bot.storage.urls import sync_url
from bot.telegram import callbacks, directory_codes
from bot.telegram.directory_codes import Op
from tests.support.playground import Chat, callback_data
from tests.support.stack import STATS_ADMIN, new_chat
from tests.support.views import plain

pytestmark = pytest.mark.integration


def database(stack: Stack) -> Session:
    return Session(create_engine(sync_url(stack.env["DATABASE_URL"])))


@pytest.fixture(scope="module")
def office(stack_without_rasa: Stack) -> str:
    with database(stack_without_rasa) as session, session.begin():
        session.merge(
            Office(
                code="turk_akimat",
                kind="akimat",
                region_id="turkistan-region",
                name_kk="Түркістан әкімдігі",
                name_ru="Акимат Туркестана",
                name_en="Turkistan akimat",
                language="kk",
            )
        )
    return "turk_akimat"


def counts(stack: Stack, office: str) -> dict[tuple[str, str, str], int]:
    with database(stack) as session:
        rows = session.scalars(select(DailyCount).where(DailyCount.office == office))
        return {(r.event, r.language, r.region): r.count for r in rows}


async def counted(stack: Stack, office: str, key: tuple[str, str, str]) -> int:
    """The count once the bot has written it: it writes counts together once a second."""
    deadline = time.monotonic() + 5
    while True:
        found = counts(stack, office).get(key, 0)
        if found or time.monotonic() > deadline:
            return found
        await asyncio.sleep(0.2)


async def test_a_start_through_an_office_link_presets_language_and_counts(
    stack_without_rasa: Stack, http: aiohttp.ClientSession, catalogue: Catalogue, office: str
) -> None:
    chat = await new_chat(http, stack_without_rasa, "ru")
    [welcome] = await chat.send(f"/start o_{office}")
    # The office's language (kk) was preset: the welcome comes in Kazakh, no picker.
    assert welcome["text"] == plain(catalogue, "kk", "welcome")
    assert await counted(stack_without_rasa, office, ("started", "kk", "turkistan-region")) >= 1

    other = await new_chat(http, stack_without_rasa, "kk")
    [welcome] = await other.send(f"/start o_{office}-ru")  # the link's own language wins
    assert welcome["text"] == plain(catalogue, "ru", "welcome")
    [page] = await other.press(callbacks.page("legal_basis"), forge=True)
    assert page["text"].startswith(catalogue.page("ru", "legal_basis").title)
    # The office's region is preset: "Find a mediator" opens its towns, the centre first.
    ask, towns = await other.press(callbacks.topic("find_mediator"), count=2)
    assert ask["text"] == plain(catalogue, "ru", "dir.ask_place")
    assert callback_data(towns)[0] == directory_codes.search_in("turkistan")
    assert directory_codes.bare(Op.REGIONS) in callback_data(towns)
    assert await counted(stack_without_rasa, office, ("page:legal_basis", "ru", "turkistan-region"))


@pytest.mark.parametrize("payload", ["", "o_no_such_office", "o_bad code!", "x" * 70])
async def test_a_bare_or_broken_start_asks_where_they_heard_of_us(
    stack_without_rasa: Stack, http: aiohttp.ClientSession, catalogue: Catalogue, payload: str
) -> None:
    chat = await new_chat(http, stack_without_rasa, "en")
    [picker] = await chat.send(f"/start {payload}".strip())
    assert picker["text"] == plain(catalogue, "en", "lang.prompt")
    _, welcome = await chat.press(callbacks.choose_language("en"), count=2)
    assert welcome["text"] == plain(catalogue, "en", "welcome")
    assert callback_data(welcome)[-1] == callbacks.SOURCE_QUESTION  # offered, not insisted on
    [question] = await chat.press(callbacks.SOURCE_QUESTION)
    assert question["text"] == plain(catalogue, "en", "source.ask")
    assert callbacks.source("psc") in callback_data(question)
    assert callbacks.source("code") in callback_data(question)


async def test_an_office_code_typed_from_a_poster_is_noted(
    stack_without_rasa: Stack, http: aiohttp.ClientSession, catalogue: Catalogue, office: str
) -> None:
    chat = await new_chat(http, stack_without_rasa, "ru")
    await chat.send("/start")
    await chat.press(callbacks.choose_language("ru"), count=2)
    await chat.press(callbacks.SOURCE_QUESTION)
    [prompt] = await chat.press(callbacks.source("code"))
    assert prompt["text"] == plain(catalogue, "ru", "source.code_prompt")
    [unknown] = await chat.send("nowhere_42")
    assert unknown["text"] == plain(catalogue, "ru", "source.unknown_code")
    await chat.press(callbacks.source("code"))
    [noted] = await chat.send(office.upper())
    assert "Акимат Туркестана" in noted["text"]
    assert await counted(stack_without_rasa, office, ("heard:code", "ru", "turkistan-region")) >= 1

    again = await new_chat(http, stack_without_rasa, "ru")
    await again.send("/start")
    await again.press(callbacks.choose_language("ru"), count=2)
    await again.press(callbacks.SOURCE_QUESTION)
    [thanks] = await again.press(callbacks.source("internet"))
    assert thanks["text"] == plain(catalogue, "ru", "source.thanks")
    assert await counted(stack_without_rasa, "", ("heard:internet", "ru", "")) >= 1


async def test_stats_for_admins_only(
    stack_without_rasa: Stack, http: aiohttp.ClientSession, catalogue: Catalogue, office: str
) -> None:
    for _ in range(5):  # five starts through the office: enough to be shown
        visitor = await new_chat(http, stack_without_rasa, "ru")
        await visitor.send(f"/start o_{office}-ru")
    admin = await Chat.open(http, stack_without_rasa.emulator_url, "en", user_id=STATS_ADMIN)
    await admin.send("/start")
    await admin.press(callbacks.choose_language("en"), count=2)
    [stats] = await admin.send("/stats")
    assert stats["text"].startswith(plain(catalogue, "en", "admin.stats.title"))
    block = stats["text"].split("Turkistan akimat\n")[1].split("\n")[0]
    started = int(block.split("Started ")[1].split(" /")[0])
    assert started >= 5
    assert "Summaries <5 / <5" in block  # nobody prepared one: hidden, not 0

    stranger = await new_chat(http, stack_without_rasa, "en")
    [reply] = await stranger.send("/stats")
    assert reply["text"] == plain(catalogue, "en", "error.unknown_command")
