"""Load pages and strings from content/<lang>/ and render them for one language."""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from babel import Locale
from babel.dates import format_date
from babel.lists import format_list
from babel.numbers import format_decimal
from babel.units import format_unit

from bot.content.markup import inline, to_html
from bot.languages import DEFAULT_LANGUAGE, LANGUAGES

# CLDR plural categories; a string with an `other` child is a set of plural forms.
PLURAL_CATEGORIES = frozenset({"zero", "one", "two", "few", "many", "other"})
PLURAL_OTHER = "other"
_FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*\n(.*)\Z", re.S)
# `reviewed_by` written exactly like this is shown with the translated team name.
CONTENT_TEAM = "Kelisim content team"
LEGAL_REVIEW_PENDING = "pending"
# A lawyer's name: two or more capitalised words (letters with an inner hyphen or apostrophe, or
# an initial with a dot), a comma, the date the lawyer signed: "Aigerim Nurlanova, 2026-12-20".
_NAME_WORD = r"[^\W\d_]+(?:[-'’][^\W\d_]+)*\.?"
_LEGAL_REVIEW = re.compile(
    rf"(?P<name>{_NAME_WORD}(?: {_NAME_WORD})+), (?P<date>\d{{4}}-\d{{2}}-\d{{2}})"
)
LEGAL_REVIEW_FORMAT = "`pending`, or the lawyer's name and date: Name Surname, YYYY-MM-DD"


class ContentError(Exception):
    """The content tree cannot be loaded; the message says which file and why."""


@dataclass(frozen=True)
class LegalReview:
    """A lawyer's sign-off, or none yet (`pending`): shown to users under every page."""

    lawyer: str = ""
    signed_on: dt.date | None = None

    @property
    def pending(self) -> bool:
        return self.signed_on is None

    def __str__(self) -> str:
        if self.signed_on is None:
            return LEGAL_REVIEW_PENDING
        return f"{self.lawyer}, {self.signed_on.isoformat()}"


PENDING = LegalReview()


def parse_legal_review(value: object) -> LegalReview:
    """`pending` or `Name Surname, YYYY-MM-DD`; ValueError (saying what is wrong) otherwise."""
    if not isinstance(value, str):
        raise ValueError(f"must be {LEGAL_REVIEW_FORMAT}, not {value}")
    text = " ".join(value.split())
    if text.casefold() == LEGAL_REVIEW_PENDING:
        return PENDING
    match = _LEGAL_REVIEW.fullmatch(text)
    if not match:
        raise ValueError(f"must be {LEGAL_REVIEW_FORMAT}, not {value!r}")
    name = match["name"]
    if "kelisim" in name.casefold():
        raise ValueError("needs the name of the lawyer who signed, not the content team")
    if any(not word[0].isupper() for word in name.split()):
        raise ValueError(f"the lawyer's name must be capitalised (Name Surname), not {name!r}")
    try:
        signed_on = dt.date.fromisoformat(match["date"])
    except ValueError as exc:
        raise ValueError(f"{match['date']} is not a real YYYY-MM-DD date") from exc
    return LegalReview(lawyer=name, signed_on=signed_on)


@dataclass(frozen=True)
class Page:
    """One page in one language, with the front matter a reviewer fills in."""

    page_id: str
    language: str
    title: str
    body: str
    sources: tuple[str, ...]
    reviewed_by: str
    reviewed_on: dt.date
    # None: the front matter has no `legal_review` (content check refuses it; users see pending).
    legal_review: LegalReview | None = None


def flatten(tree: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in tree.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat.update(flatten(value, f"{name}."))
        else:
            flat[name] = "" if value is None else str(value)
    return flat


def logical_strings(strings: dict[str, str]) -> dict[str, dict[str, str]]:
    """Group plural forms under their key: {"count.files": {"one": ..., "other": ...}}.

    A plain string is {"": value}. Languages need different plural forms (Russian one, few,
    many; Kazakh and English one), so forms are compared by key, not one by one.
    """
    children: dict[str, set[str]] = {}
    for key in strings:
        base, _, last = key.rpartition(".")
        children.setdefault(base, set()).add(last)
    # An answer option may be called `other` too: plural forms have another category beside it.
    bases = {
        base
        for base, names in children.items()
        if PLURAL_OTHER in names and names & (PLURAL_CATEGORIES - {PLURAL_OTHER})
    }
    grouped: dict[str, dict[str, str]] = {}
    for key, value in strings.items():
        base, _, last = key.rpartition(".")
        if base in bases and last in PLURAL_CATEGORIES:
            grouped.setdefault(base, {})[last] = value
        else:
            grouped[key] = {"": value}
    return grouped


def load_page(path: Path, language: str) -> Page:
    match = _FRONT_MATTER.match(path.read_text(encoding="utf-8"))
    if not match:
        raise ContentError(f"{path}: no front matter between '---' lines")
    meta = yaml.safe_load(match.group(1)) or {}
    if not isinstance(meta, dict):
        raise ContentError(f"{path}: front matter is not a mapping")
    reviewed = meta.get("reviewed_on")
    if isinstance(reviewed, str):
        try:
            reviewed = dt.date.fromisoformat(reviewed)
        except ValueError as exc:
            raise ContentError(f"{path}: reviewed_on is not a YYYY-MM-DD date") from exc
    if not isinstance(reviewed, dt.date):
        raise ContentError(f"{path}: reviewed_on is missing")
    legal_review = None
    if meta.get("legal_review") is not None:
        try:
            legal_review = parse_legal_review(meta["legal_review"])
        except ValueError as exc:
            raise ContentError(f"{path}: legal_review {exc}") from exc
    sources = meta.get("sources") or []
    if isinstance(sources, str):
        sources = [sources]
    return Page(
        page_id=path.stem,
        language=language,
        title=str(meta.get("title", "")).strip(),
        body=match.group(2).strip(),
        sources=tuple(str(s) for s in sources),
        reviewed_by=str(meta.get("reviewed_by", "")).strip(),
        reviewed_on=reviewed,
        legal_review=legal_review,
    )


class Catalogue:
    """All content in memory; immutable once loaded, so a reload swaps the whole object."""

    def __init__(
        self, strings: dict[str, dict[str, str]], pages: dict[str, dict[str, Page]]
    ) -> None:
        self.strings = strings
        self.pages = pages

    @classmethod
    def load(cls, root: Path) -> Catalogue:
        strings: dict[str, dict[str, str]] = {}
        pages: dict[str, dict[str, Page]] = {}
        for language in LANGUAGES:
            folder = root / language
            path = folder / "strings.yml"
            try:
                tree = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            except (OSError, yaml.YAMLError) as exc:
                raise ContentError(f"{path}: {exc}") from exc
            if not isinstance(tree, Mapping):
                raise ContentError(f"{path}: not a mapping of keys to strings")
            strings[language] = flatten(tree)
            pages[language] = {
                p.stem: load_page(p, language) for p in sorted((folder / "pages").glob("*.md"))
            }
        return cls(strings, pages)

    def has(self, language: str, key: str) -> bool:
        return key in self.strings.get(language, {})

    def raw(self, language: str, key: str) -> str:
        """The string as written; falls back to another language rather than failing a user."""
        for lang in (language, DEFAULT_LANGUAGE, *LANGUAGES):
            value = self.strings.get(lang, {}).get(key)
            if value is not None:
                return value
        raise KeyError(key)

    def text(self, language: str, key: str, **args: object) -> str:
        """A short string as Telegram HTML, placeholders filled (their values escaped).

        Numbers are formatted for the locale; a string written as plural forms
        (`one`/`few`/`many`/`other`) is chosen by the `count` argument with Babel's rules.
        """
        count = args.get("count")
        if not self.has(language, key) and isinstance(count, int | float):
            try:
                raw = self.plural(language, key, count)
            except KeyError:
                raw = self.raw(language, key)
        else:
            raw = self.raw(language, key)
        rendered = inline(raw)
        if not args:
            return rendered
        # Values are data (a mediator's name from a CSV file, an office's name): escaped, never
        # read as Markdown, so they cannot make links or formatting of their own.
        safe = {
            name: html.escape(self.format_value(language, value), quote=False)
            for name, value in args.items()
        }
        return rendered.format_map(_Missing(safe))

    def plural(self, language: str, key: str, count: float) -> str:
        """The plural form of `key` for `count` in this language (falls back like raw())."""
        for lang in (language, DEFAULT_LANGUAGE, *LANGUAGES):
            forms = self.strings.get(lang, {})
            if f"{key}.{PLURAL_OTHER}" in forms:
                category = Locale.parse(lang).plural_form(count)
                return forms.get(f"{key}.{category}", forms[f"{key}.{PLURAL_OTHER}"])
        raise KeyError(key)

    @staticmethod
    def format_distance(language: str, kilometres: float) -> str:
        """ "750 м", "2,5 км", "12 km": metres under one kilometre, one decimal under ten."""
        if kilometres < 1:
            metres = max(10, round(kilometres * 1000, -1))
            return format_unit(metres, "length-meter", locale=language, length="short")
        value = round(kilometres, 1) if kilometres < 10 else round(kilometres)
        return format_unit(value, "length-kilometer", locale=language, length="short")

    @staticmethod
    def format_value(language: str, value: object) -> str:
        if isinstance(value, bool):
            return str(value)
        if isinstance(value, int | float):
            return format_decimal(value, locale=language)
        if isinstance(value, list | tuple):
            return format_list([str(v) for v in value], locale=language)
        return str(value)

    def label(self, language: str, key: str) -> str:
        """A button label: plain text, no markup."""
        return self.raw(language, key)

    def page(self, language: str, page_id: str) -> Page:
        for lang in (language, DEFAULT_LANGUAGE, *LANGUAGES):
            page = self.pages.get(lang, {}).get(page_id)
            if page is not None:
                return page
        raise KeyError(page_id)

    def has_page(self, page_id: str) -> bool:
        return any(page_id in pages for pages in self.pages.values())

    def render_page(self, language: str, page_id: str) -> str:
        """Title, body, and the footer: sources, who checked it when, legal review, disclaimer."""
        page = self.page(language, page_id)
        parts = [f"<b>{inline(page.title)}</b>", to_html(page.body)]
        footer = []
        if page.sources:
            # Citations contain commas themselves, so one per line reads better than a list.
            sources = "".join(f"\n• {source}" for source in page.sources)
            footer.append(self.text(language, "page.sources", sources=sources))
        footer.extend(
            self.review_note(language, page.reviewed_by, page.reviewed_on, page.legal_review)
        )
        footer.append(self.text(language, "page.disclaimer"))
        parts.append("<i>" + "\n".join(footer) + "</i>")
        return "\n\n".join(parts)

    def review_note(
        self,
        language: str,
        reviewed_by: str,
        reviewed_on: dt.date,
        legal_review: LegalReview | None,
    ) -> list[str]:
        """Two lines of Telegram HTML: who checked the text and when; the lawyer's review.

        "Checked by the Kelisim content team on <date>" (or by whoever `reviewed_by` names),
        then "Legal review: pending" or "Legal review: <lawyer>, <date>". None counts as pending:
        nothing may suggest that a lawyer saw a text that no lawyer signed.
        """
        date = format_date(reviewed_on, format="long", locale=language)
        who = reviewed_by.strip()
        if who.casefold() == CONTENT_TEAM.casefold():
            checked = self.text(language, "page.checked_team", date=date)
        else:
            checked = self.text(language, "page.checked_by", name=who, date=date)
        review = legal_review or PENDING
        if review.signed_on is None:
            legal = self.text(language, "page.legal_pending")
        else:
            signed = format_date(review.signed_on, format="long", locale=language)
            legal = self.text(language, "page.legal_signed", name=review.lawyer, date=signed)
        return [checked, legal]


class _Missing(dict[str, str]):
    """Leave an unknown {placeholder} visible instead of raising in front of a user."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"
