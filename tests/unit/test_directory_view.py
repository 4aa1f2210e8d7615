"""How listings read in Telegram: Babel distances and dates, the sample notice, the buttons,
what to try when nothing is found, and the summary that carries no free text."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.content import Catalogue
from bot.directory.models import Listing
from bot.directory.search import Hit
from bot.places.gazetteer import default as gazetteer
from bot.telegram import directory_view as directory
from bot.telegram.directory_codes import SearchKey, parse, point_code

PLACES = gazetteer()


def listing(n: int, **changes: object) -> Listing:
    values: dict[str, object] = {
        "id": n, "kind": "professional", "name": f"Mediator {n}", "register": "Register of X",
        "entry": f"E-{n}", "languages": ",kk,ru,", "dispute_types": ",labour,family,",
        "settlement_id": "shymkent", "region_id": "shymkent", "address": "Tauke khan 1",
        "lat": 42.34, "lon": 69.59, "phone": "+77001234567", "email": f"m{n}@example.invalid",
        "telegram": "", "online": False, "fee_note": "By agreement", "sample": False,
        "verified_on": dt.date(2026, 3, 12), "source": "Register of X, 2026",
    }  # fmt: skip
    values.update(changes)
    return Listing(**values)


def page(catalogue: Catalogue, language: str, hits: list[Hit], key: SearchKey | None = None,
         more: bool = False) -> tuple[str, list[list[object]]]:  # fmt: skip
    text, markup = directory.results_page(
        catalogue, PLACES, language, key or SearchKey("shymkent", "labour", language), hits, more
    )
    return text, [list(row) for row in markup.inline_keyboard]


@pytest.mark.parametrize(("language", "distance"), [("ru", "1,2 км"), ("kk", "1,2 км"),
                                                    ("en", "1.2 km")])  # fmt: skip
def test_distances_and_dates_follow_the_locale(
    catalogue: Catalogue, language: str, distance: str
) -> None:
    text, _ = page(catalogue, language, [Hit(listing(1), 1.234)])
    assert distance in text
    assert {"ru": "12 мар. 2026", "en": "Mar 12, 2026", "kk": "2026"}[language] in text


def test_a_listing_names_kind_languages_types_register_and_source(catalogue: Catalogue) -> None:
    text, _ = page(catalogue, "en", [Hit(listing(1), 0.4)])
    for part in ("Mediator 1", "400 m", "Professional mediator", "Kazakh", "Russian",
                 "labour", "family", "Register of X, entry E-1", "Tauke khan 1, Shymkent",
                 "+77001234567", "By agreement", "Verified on Mar 12, 2026",
                 "Source: Register of X, 2026", "Listings 1–1"):  # fmt: skip
        assert part in text, part


def test_public_mediators_are_said_to_be_free(catalogue: Catalogue) -> None:
    text, _ = page(catalogue, "ru", [Hit(listing(1, kind="public", fee_note=""), 2.0)])
    assert "Общественный медиатор" in text
    assert "Бесплатно" in text


def test_sample_listings_are_announced_as_such(catalogue: Catalogue) -> None:
    real, _ = page(catalogue, "kk", [Hit(listing(1), 1.0)])
    sample, _ = page(catalogue, "kk", [Hit(listing(1, sample=True), 1.0)])
    notice = catalogue.text("kk", "dir.sample")
    assert notice not in real
    assert notice in sample


def test_each_listing_has_call_write_map_and_more(catalogue: Catalogue) -> None:
    hits = [
        Hit(listing(7), 1.0),
        Hit(listing(8, telegram="mediator_8", phone=""), 2.0),
        Hit(listing(9, email="", telegram=""), 3.0),
    ]
    _, rows = page(catalogue, "en", hits)
    first, second, third = rows[:3]
    assert [b.callback_data for b in first][:3] == ["c:7", "e:7", "v:7"]  # type: ignore[attr-defined]
    assert second[0].url == "https://t.me/mediator_8"  # type: ignore[attr-defined]
    assert [b.callback_data for b in third][:2] == ["c:9", "v:9"]  # type: ignore[attr-defined]
    more = parse(first[-1].callback_data)  # type: ignore[attr-defined]
    assert more is not None
    assert more.op == "o"
    assert more.listing_id == 7


def test_paging_buttons_carry_the_whole_query(catalogue: Catalogue) -> None:
    key = SearchKey("shymkent", "labour", "kk", page=1)
    _, rows = page(catalogue, "kk", [Hit(listing(i), float(i)) for i in range(5)], key, more=True)
    codes = [b.callback_data for row in rows for b in row]  # type: ignore[attr-defined]
    assert key.code(0) in codes
    assert key.code(2) in codes
    assert key.with_(kind="free").code() in codes
    assert key.with_(language="").code() in codes
    assert key.type_chooser() in codes


def test_five_long_listings_still_fit_one_message(catalogue: Catalogue) -> None:
    long = dict.fromkeys(("name", "register", "address", "source", "fee_note"), "W" * 300)
    hits = [Hit(listing(i, **long, entry="9" * 64), 999.0) for i in range(5)]
    for language in ("kk", "ru", "en"):
        text, _ = page(catalogue, language, hits, SearchKey("58.0,70.0"))
        assert len(text) < 4096


def test_nothing_found_says_what_to_try(catalogue: Catalogue) -> None:
    key = SearchKey("shymkent", "criminal", "en", "professional", True)
    text, markup = directory.none_found(catalogue, PLACES, "en", key)
    codes = [b.callback_data for row in markup.inline_keyboard for b in row]
    assert catalogue.text("en", "dir.none") in text
    for relaxed in (key.with_(dispute_type=""), key.with_(language=""), key.with_(kind=""),
                    key.with_(online=False)):  # fmt: skip
        assert relaxed.code() in codes
    assert "a" in codes
    assert "t:human" in codes


def test_the_summary_holds_only_what_buttons_chose(catalogue: Catalogue) -> None:
    key = SearchKey(point_code(42.3417, 69.5901), "labour", "kk", verdict="eligible")
    text = directory.summary(catalogue, PLACES, "ru", key)
    assert "трудовой" in text
    assert "казахский" in text
    assert "Шымкент" in text
    assert "медиация, похоже, возможна" in text
    # The exact point stays out: the summary names the settlement only.
    assert "42.3" not in text
    assert "69.5" not in text


def test_a_summary_says_its_verdict_rests_on_the_persons_own_answers(
    catalogue: Catalogue,
) -> None:
    """Security review L8: the verdict letter rides in the button, so anyone can forge one. The
    summary a mediator receives says so instead of vouching for it."""
    from bot.telegram import directory_codes

    forged = directory_codes.parse("hy:1:shymkent:le:ru")  # "eligible", never screened
    assert forged is not None
    assert forged.key is not None
    assert forged.key.verdict == "eligible"
    own = {
        "en": "from my own answers (the bot does not verify them)",
        "ru": "по моим собственным ответам (бот их не подтверждает)",
        "kk": "өз жауаптарым бойынша (бот оларды растамайды)",
    }
    for language, words in own.items():
        text = directory.summary(catalogue, PLACES, language, forged.key)
        verdict = catalogue.label(language, "dir.verdict.eligible")
        assert f"{words}: {verdict}" in text, language


def test_a_point_outside_kazakhstan_is_not_searched() -> None:
    assert directory.query_of(PLACES, SearchKey("55.751,37.618")) is None  # Moscow
    assert directory.query_of(PLACES, SearchKey("nowhere")) is None
    query = directory.query_of(PLACES, SearchKey("42.342,69.590", "labour", "kk", "free"))
    assert query is not None
    assert (query.lat, query.dispute_type, query.kind) == (
        42.342,
        "labour",
        "free",
    )
