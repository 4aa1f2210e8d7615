"""Babel does the locale work: plural forms, numbers, lists and dates per language."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.content import Catalogue

CONTENT = Path(__file__).resolve().parents[2] / "content"


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return Catalogue.load(CONTENT)


@pytest.mark.parametrize(
    ("count", "word"), [(1, "проблема"), (3, "проблемы"), (5, "проблем"), (21, "проблема")]
)
def test_russian_plural_forms(catalogue: Catalogue, count: int, word: str) -> None:
    text = catalogue.text("ru", "admin.more_problems", count=count)
    assert text == f"…и ещё {count} {word}"


def test_english_and_kazakh_plurals(catalogue: Catalogue) -> None:
    assert catalogue.text("en", "admin.more_problems", count=1).endswith("1 more problem")
    assert catalogue.text("en", "admin.more_problems", count=2).endswith("2 more problems")
    assert catalogue.text("kk", "admin.more_problems", count=7) == "…және тағы 7 қате"


def test_numbers_and_lists_are_formatted_for_the_locale() -> None:
    assert Catalogue.format_value("ru", 12500) == "12\xa0500"
    assert Catalogue.format_value("en", 12500) == "12,500"
    assert Catalogue.format_value("ru", ["kk", "ru", "en"]) == "kk, ru и en"
    assert Catalogue.format_value("en", ["a", "b", "c"]) == "a, b, and c"


def test_review_date_in_the_users_locale(catalogue: Catalogue) -> None:
    page = catalogue.page("ru", "cost")
    rendered = catalogue.render_page("ru", "cost")
    months = ("января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа",
              "сентября", "октября", "ноября", "декабря")  # fmt: skip
    assert f"{page.reviewed_on.day} {months[page.reviewed_on.month - 1]}" in rendered


@pytest.mark.parametrize(
    ("language", "km", "expected"),
    [
        ("ru", 2.46, "2,5\xa0км"),
        ("kk", 0.74, "740\xa0м"),
        ("en", 12.4, "12\xa0km"),
        ("en", 0.001, "10\xa0m"),
    ],
)
def test_distances(language: str, km: float, expected: str) -> None:
    assert Catalogue.format_distance(language, km).replace(" ", "\xa0") == expected
