"""The questionnaire and its verdict as Telegram messages, in every language."""

from __future__ import annotations

import pytest

from bot.config import ROOT
from bot.content import LANGUAGES, Catalogue
from bot.screening import rules
from bot.screening.questions import QUESTIONS
from bot.telegram import callbacks, screening
from bot.text.telegram_html import parse_html

BOOK = rules.load(ROOT / "content")


def data_of(markup: object) -> list[str]:
    rows = getattr(markup, "inline_keyboard", None) or ()
    return [b.callback_data for row in rows for b in row]


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_question_renders_with_its_options_and_controls(
    catalogue: Catalogue, language: str
) -> None:
    for question in QUESTIONS:
        shown = screening.question(catalogue, language, question.name, answered=1)
        assert shown is not None
        text, markup = shown
        plain, _ = parse_html(text)  # raises if Telegram would refuse the HTML
        assert plain.strip()
        codes = data_of(markup)
        assert codes[: len(question.options)] == [
            callbacks.screen_answer(question.name, o.code) for o in question.options
        ]
        assert codes[-2:] == ["s:back", "s:stop"]


def test_the_first_question_has_no_back_button(catalogue: Catalogue) -> None:
    shown = screening.question(catalogue, "en", "category", answered=0)
    assert shown is not None
    assert data_of(shown[1])[-1:] == ["s:stop"]
    assert "s:back" not in data_of(shown[1])


def test_an_unknown_question_is_none(catalogue: Catalogue) -> None:
    assert screening.question(catalogue, "en", "nope", answered=0) is None


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_rule_renders_as_a_verdict(catalogue: Catalogue, language: str) -> None:
    for rule in BOOK.rules:
        for extra in ([], ["party_limited_capacity"]):
            text, _ = screening.result(
                catalogue, BOOK, language, rule.verdict, [rule.id, *extra], "family"
            )
            plain, _ = parse_html(text)
            assert len(plain) <= 4096
            if rule.verdict != "safety_first":
                assert rule.reasons[language] in plain
                for citation in rule.citations:
                    assert BOOK.cite(citation, language) in plain
                assert "2026" in plain  # the review date


@pytest.mark.parametrize(
    ("verdict", "category", "expected"),
    [
        ("eligible", "family",
         ["t:find", "p:mediation_vs_court_family", "t:start", "t:inv"]),
        ("conditional", "public_law",
         ["t:find", "p:mediation_vs_court_administrative", "t:start", "t:inv"]),
        ("not_eligible", "criminal", ["p:instead_of_mediation", "t:human"]),
        ("unsure", "criminal", ["p:eligibility_unsure", "t:human"]),
    ],
)  # fmt: skip
def test_next_steps_by_verdict(
    catalogue: Catalogue, verdict: str, category: str, expected: list[str]
) -> None:
    _, markup = screening.result(catalogue, BOOK, "en", verdict, [], category)
    votes = [f"f:v.{verdict}:up", f"f:v.{verdict}:down"]
    assert data_of(markup) == [*votes, *expected, "s:change", "s:restart", "menu"]


def test_safety_first_shows_the_emergency_numbers_and_nothing_after(
    catalogue: Catalogue,
) -> None:
    text, markup = screening.result(catalogue, BOOK, "kk", "safety_first", ["safety_risk"], "")
    plain, _ = parse_html(text)
    assert all(number in plain for number in ("102", "112", "111"))
    assert markup is None


def test_a_rule_removed_since_the_verdict_is_skipped(catalogue: Catalogue) -> None:
    text, _ = screening.result(catalogue, BOOK, "en", "eligible", ["gone", "private_law"], "labour")
    assert BOOK.rule("private_law").reasons["en"] in parse_html(text)[0]


@pytest.mark.parametrize("language", LANGUAGES)
def test_unsure_says_what_to_find_out_and_who_checked_the_rules(
    catalogue: Catalogue, language: str
) -> None:
    unknown = ["safety_risk", "past_violence", "state_body_party"]
    text, markup = screening.result(catalogue, BOOK, language, "unsure", [], "family", unknown)
    plain, _ = parse_html(text)
    for field in ("title", *unknown):
        hint, _ = parse_html(catalogue.text(language, f"screen.unknown.{field}"))
        assert hint in plain
    # Who checked the rules, and that no lawyer has yet: never a bare "reviewed".
    assert parse_html(catalogue.text(language, "page.legal_pending"))[0] in plain
    assert "t:inv" not in data_of(markup)
    assert "t:find" not in data_of(markup)
