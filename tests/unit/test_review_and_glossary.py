"""Honest review labels (`legal_review`, the page footer) and the terminology glossary."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest
import yaml

from bot.content import glossary
from bot.content.catalogue import (
    Catalogue,
    LegalReview,
    load_page,
    parse_legal_review,
)
from bot.content.check import check
from bot.languages import LANGUAGES
from bot.telegram.content_manifest import uses

CONTENT = Path(__file__).resolve().parents[2] / "content"
TODAY = dt.date(2026, 12, 28)
PAGE = Path("en") / "pages" / "cost.md"


@pytest.fixture
def content(tmp_path: Path) -> Path:
    copy = tmp_path / "content"
    shutil.copytree(CONTENT, copy)
    return copy


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return Catalogue.load(CONTENT)


def _errors(root: Path, today: dt.date = TODAY) -> list[str]:
    return check(root, uses(), today=today).errors


def _front(path: Path, **fields: str | None) -> None:
    """Set (or, with None, remove) front matter fields of a page."""
    text = path.read_text(encoding="utf-8")
    head, body = text.split("\n---\n", 1)
    for name, value in fields.items():
        head = re.sub(rf"(?m)^{name}:.*\n?", "", head).rstrip("\n")
        if value is not None:
            head += f"\n{name}: {value}"
    path.write_text(head + "\n---\n" + body, encoding="utf-8")


def _append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8").rstrip("\n") + "\n\n" + text + "\n")


# -- legal_review in the front matter


def test_legal_review_is_required(content: Path) -> None:
    _front(content / PAGE, legal_review=None)
    assert any(
        e.startswith("en/pages/cost.md: front matter has no legal_review")
        and "legal_review: pending" in e
        for e in _errors(content)
    )


@pytest.mark.parametrize(
    "value",
    [
        "Aigerim",  # one word
        "2026-12-20",  # a date alone
        "Aigerim Nurlanova",  # no date
        "Aigerim Nurlanova, 20.12.2026",  # not ISO
        "Aigerim Nurlanova, 2026-02-30",  # no such day
        "aigerim nurlanova, 2026-12-20",  # not capitalised
        "Kelisim content team, 2026-12-20",  # the team is not a lawyer
        "yes",
    ],
)
def test_malformed_legal_review_is_refused(content: Path, value: str) -> None:
    _front(content / PAGE, legal_review=value)
    assert any(e.startswith("en/pages/cost.md: legal_review") for e in _errors(content))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("pending", LegalReview()),
        ("Aigerim Nurlanova, 2026-12-20", LegalReview("Aigerim Nurlanova", dt.date(2026, 12, 20))),
        (
            "Ә. Ж. Сәрсенбаева-Оспан, 2026-12-01",
            LegalReview("Ә. Ж. Сәрсенбаева-Оспан", dt.date(2026, 12, 1)),
        ),
    ],
)
def test_legal_review_forms(value: str, expected: LegalReview) -> None:
    review = parse_legal_review(value)
    assert review == expected
    assert str(review) == value


def test_legal_review_is_parsed_into_the_page(content: Path) -> None:
    _front(content / PAGE, legal_review="Aigerim Nurlanova, 2026-12-20")
    page = load_page(content / PAGE, "en")
    assert page.legal_review == LegalReview("Aigerim Nurlanova", dt.date(2026, 12, 20))
    _front(content / PAGE, legal_review="pending")
    assert load_page(content / PAGE, "en").legal_review == LegalReview()


def _legal_errors(content: Path) -> list[str]:
    return [e for e in _errors(content) if e.startswith("en/pages/cost.md") and "legal" in e]


def test_signed_legal_review_passes(content: Path) -> None:
    _front(content / PAGE, reviewed_on="2026-12-01", legal_review="Aigerim Nurlanova, 2026-12-20")
    assert _legal_errors(content) == []


def test_legal_review_in_the_future(content: Path) -> None:
    _front(content / PAGE, reviewed_on="2026-12-01", legal_review="Aigerim Nurlanova, 2027-01-05")
    assert _legal_errors(content) == ["en/pages/cost.md: legal_review 2027-01-05 is in the future"]


def test_text_changed_after_the_lawyer_signed(content: Path) -> None:
    _front(content / PAGE, reviewed_on="2026-12-21", legal_review="Aigerim Nurlanova, 2026-12-20")
    [error] = _legal_errors(content)
    assert "changed on 2026-12-21" in error
    assert "legal review of 2026-12-20" in error


# -- the footer


FOOTERS = {
    "en": (
        "Checked by the Kelisim content team on November 25, 2026.",
        "Legal review: pending.",
        "Legal review: Aigerim Nurlanova, December 20, 2026.",
    ),
    "ru": (
        "Текст проверен командой Kelisim 25 ноября 2026 г.",
        "Проверка юристом: ещё не проведена",
        "Проверка юристом: Aigerim Nurlanova, 20 декабря 2026 г.",
    ),
    "kk": (
        "Мәтінді Kelisim командасы тексерген күні: 2026 ж. 25 қараша.",
        "Заңгердің тексеруі: әлі жүргізілген жоқ.",
        "Заңгердің тексеруі: Aigerim Nurlanova, 2026 ж. 20 желтоқсан.",
    ),
}


def _spaces(text: str) -> str:
    """Babel writes dates with (narrow) no-break spaces; compare them as plain spaces."""
    return text.replace("\u202f", " ").replace("\xa0", " ")


def _note(
    catalogue: Catalogue, language: str, by: str, on: dt.date, review: LegalReview | None
) -> list[str]:
    return [_spaces(line) for line in catalogue.review_note(language, by, on, review)]


@pytest.mark.parametrize("language", LANGUAGES)
def test_review_note_pending_and_signed(catalogue: Catalogue, language: str) -> None:
    checked, pending, signed = FOOTERS[language]
    on = dt.date(2026, 11, 25)
    team = "Kelisim content team"
    assert _note(catalogue, language, team, on, LegalReview()) == [checked, pending]
    assert _note(catalogue, language, team, on, None) == [checked, pending]
    lawyer = LegalReview("Aigerim Nurlanova", dt.date(2026, 12, 20))
    assert _note(catalogue, language, team, on, lawyer) == [checked, signed]


def test_review_note_names_another_checker(catalogue: Catalogue) -> None:
    [checked, _] = _note(catalogue, "en", "Dana Sadykova", dt.date(2026, 11, 25), None)
    assert checked == "Checked by Dana Sadykova on November 25, 2026."


@pytest.mark.parametrize("language", LANGUAGES)
def test_page_footer_shows_both_lines(content: Path, language: str) -> None:
    page = content / language / "pages" / "cost.md"
    _front(page, reviewed_on="2026-11-25", legal_review="pending")
    rendered = _spaces(Catalogue.load(content).render_page(language, "cost"))
    checked, pending, signed = FOOTERS[language]
    assert checked in rendered
    assert pending in rendered
    _front(page, legal_review="Aigerim Nurlanova, 2026-12-20")
    rendered = _spaces(Catalogue.load(content).render_page(language, "cost"))
    assert checked in rendered
    assert signed in rendered
    assert pending not in rendered
    if language == "en":
        assert "Reviewed" not in rendered


# -- the glossary: matching


def _glossary(entries: object, language: str = "ru") -> glossary.Glossary:
    terms, problems = glossary.parse({language: entries}, LANGUAGES)
    assert problems == []
    return terms


def _found(terms: glossary.Glossary, text: str, language: str = "ru") -> list[str]:
    return [hit.found for hit in terms.find(language, text)]


def test_case_and_endings() -> None:
    terms = _glossary(
        [{"concept": "c", "use": "в связи с примирением", "avoid": ["за примирени*"]}]
    )
    assert _found(terms, "Освобождение ЗА ПРИМИРЕНИЕМ.") == ["ЗА ПРИМИРЕНИЕМ"]
    assert _found(terms, "освобождали за\n**примирением**") == ["за примирением"]
    assert _found(terms, "в связи с примирением") == []
    assert _found(terms, "запримирением") == []


def test_a_stem_does_not_catch_a_longer_word() -> None:
    avoid_short = _glossary(
        [{"concept": "c", "use": "құпиялылық", "avoid": ["құпиялық*", "құпиялығ*"]}], "kk"
    )
    assert _found(avoid_short, "Құпиялық — қағидат. Құпиялығы сақталады.", "kk") == [
        "Құпиялық",
        "Құпиялығы",
    ]
    assert _found(avoid_short, "Құпиялылық. Құпиялылықты сақтау.", "kk") == []
    # And the other way round: avoiding the longer word leaves the shorter one alone.
    avoid_long = _glossary([{"concept": "c", "use": "x", "avoid": ["құпиялылық*"]}], "kk")
    assert _found(avoid_long, "Құпиялық, құпиялығы", "kk") == []
    assert _found(avoid_long, "құпиялылықты", "kk") == ["құпиялылықты"]


def test_a_word_without_star_must_end_there() -> None:
    terms = _glossary([{"concept": "c", "use": "y", "avoid": ["суд"]}])
    assert _found(terms, "Суд решил; в суде.") == ["Суд"]


def test_unless_and_allow() -> None:
    terms = _glossary(
        [
            {
                "concept": "decision",
                "use": "шешім",
                "avoid": ["үкім*"],
                "unless": ["үкімет*", "үкім* заңды күшіне*"],
                "allow": {"pages": ["mediation_vs_court_criminal"], "rules": ["criminal_*"]},
            }
        ],
        "kk",
    )
    assert _found(terms, "Мұнда үкім жоқ.", "kk") == ["үкім"]
    assert _found(terms, "Үкімет шешті. Үкім заңды күшіне енгенге дейін.", "kk") == []
    text = "Сот: үкім шығарады."
    assert terms.find("kk", text, "pages", "mediation_vs_court_criminal") == []
    assert terms.find("kk", text, "rules", "criminal_serious") == []
    assert len(terms.find("kk", text, "rules", "private_law")) == 1


def test_hit_names_line_found_word_and_term_to_use() -> None:
    terms = _glossary(
        [{"concept": "the principle", "use": "құпиялылық", "avoid": ["құпиялық*"]}], "kk"
    )
    [hit] = terms.find("kk", "Бірінші жол.\nЕкінші: құпиялықты сақтау.", "pages", "x")
    assert hit.line == 2
    assert hit.message() == "glossary: «құпиялықты» — use «құпиялылық» (the principle)"


@pytest.mark.parametrize(
    ("entry", "problem"),
    [
        ({"concept": "c", "use": "құпиялылық", "avoid": ["құпиял*"]}, "is itself caught"),
        ({"concept": "c", "use": "y", "avoid": ["a*b"]}, "only at the end"),
        ({"concept": "c", "use": "y", "avoid": []}, "needs `avoid:`"),
        ({"concept": "c", "use": "y", "avoid": ["x"], "avoid_typo": 1}, "unknown field"),
        ({"concept": "c", "use": "y", "avoid": ["x"], "allow": {"page": ["a"]}}, "allow"),
        ({"use": "y", "avoid": ["x"]}, "needs `concept:`"),
    ],
)
def test_glossary_mistakes_are_reported(entry: dict[str, object], problem: str) -> None:
    _, problems = glossary.parse({"kk": [entry]}, LANGUAGES)
    assert any(problem in p for p in problems), problems


def test_shipped_glossary_loads() -> None:
    terms, problems = glossary.load(CONTENT, LANGUAGES)
    assert problems == []
    assert all(terms.terms.get(language) for language in LANGUAGES)
    kk = {term.use for term in terms.terms["kk"]}
    assert {"құпиялылық", "әкімшілік дискреция", "дауды реттеу туралы келісім"} <= kk
    assert "decision" in {term.use for term in terms.terms["en"]}


# -- the glossary in `content check`


def _glossary_errors(content: Path) -> list[str]:
    return [e for e in _errors(content) if "glossary" in e]


def test_check_reports_a_page(content: Path) -> None:
    _append(content / "kk" / "pages" / "cost.md", "Құпиялығы сақталады.")
    assert any(
        re.match(r"kk/pages/cost\.md:\d+: glossary: «Құпиялығы» — use «құпиялылық»", e)
        for e in _glossary_errors(content)
    )


def test_check_reports_a_page_title(content: Path) -> None:
    _front(content / "ru" / "pages" / "cost.md", title='"Освобождение за примирением"')
    assert any(
        e.startswith("ru/pages/cost.md: title: glossary: «за примирением»")
        for e in _glossary_errors(content)
    )


def test_check_reports_a_string(content: Path) -> None:
    path = content / "en" / "strings.yml"
    text = path.read_text(encoding="utf-8")
    old = 'disclaimer: "This is general information, not legal advice."'
    assert old in text
    path.write_text(text.replace(old, 'disclaimer: "No verdict here, only information."'))
    assert any(
        e.startswith("en/strings.yml: 'page.disclaimer': glossary: «verdict» — use «decision»")
        for e in _glossary_errors(content)
    )


def _add_to_reason(content: Path, rule_prefix: str, language: str, words: str) -> str:
    path = content / "screening" / "rules.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    rule = next(r for r in data["rules"] if r["id"].startswith(rule_prefix))
    rule["reasons"][language] += " " + words
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return str(rule["id"])


def test_check_reports_a_rule_reason(content: Path) -> None:
    rule_id = _add_to_reason(content, "private_law", "kk", "Әкімшілік қалауы бар.")
    expected = f"screening/rules.yml: rule {rule_id}: the kk reason: glossary: «Әкімшілік қалауы»"
    assert any(e.startswith(expected) for e in _glossary_errors(content))


def test_check_allows_the_exceptions(content: Path) -> None:
    _append(content / "kk" / "pages" / "cost.md", "Құпиялылықты сақтаймыз. Үкімет шешімі.")
    _append(
        content / "en" / "pages" / "mediation_vs_court_criminal.md", "The court gives a verdict."
    )
    _append(content / "en" / "pages" / "duration.md", "Until the verdict enters into force.")
    rule_id = _add_to_reason(content, "criminal_", "ru", "Суд выносит приговор.")
    errors = _glossary_errors(content)
    assert not any(e.startswith("kk/pages/cost.md") for e in errors), errors
    assert not any(e.startswith("en/pages/mediation_vs_court_criminal.md") for e in errors)
    assert not any(e.startswith("en/pages/duration.md") and "verdict" in e for e in errors)
    assert not any(f"rule {rule_id}: the ru reason" in e for e in errors)


def test_placeholders_are_not_words(content: Path) -> None:
    # en `dir.handoff.summary` has a {verdict} placeholder: it is not the word "verdict".
    assert "{verdict}" in (content / "en" / "strings.yml").read_text(encoding="utf-8")
    assert not any("'dir.handoff.summary'" in e for e in _glossary_errors(content))


def test_rules_file_legal_review_is_checked_like_a_page(content: Path) -> None:
    path = content / "screening" / "rules.yml"
    text = path.read_text(encoding="utf-8")
    assert re.search(r"(?m)^legal_review: pending$", text)
    text = re.sub(r"(?m)^reviewed_on: .*$", "reviewed_on: 2026-12-21", text)
    path.write_text(
        text.replace("\nlegal_review: pending", "\nlegal_review: Aigerim Nurlanova, 2026-12-20")
    )
    assert any(
        e.startswith("screening/rules.yml: the text changed on 2026-12-21")
        for e in _errors(content)
    )
