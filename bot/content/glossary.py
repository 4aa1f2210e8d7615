"""The terminology glossary, content/glossary.yml: per language, the term to use for a concept
and the words to avoid. `content check` reports every avoided word in pages, strings and the
screening rules' reasons; docs/content-guide.md explains the file to outreach teams.

A pattern is one or more words, matched as whole words in any letter case (ё counts as е; `**`
and `_` between words are ignored). A word ending in `*` matches any ending: «құпиялық*» finds
«құпиялықты» and «Құпиялық», but not «құпиялылық», where «л» follows «құпиялы».
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path

import yaml

GLOSSARY_FILE = Path("glossary.yml")
# Where an avoided word may be right: page ids, string keys, rule ids (`*` is a wildcard).
PLACES = ("pages", "strings", "rules")
_FIELDS = frozenset({"concept", "use", "avoid", "unless", "allow"})
# Between the words of a phrase: spaces and line breaks, and Markdown's ** and _ markers.
_GAP = r"[\s*_]+"


def normalise(text: str) -> str:
    """What matching compares: the same letters whatever their case or Unicode form."""
    return unicodedata.normalize("NFC", text).casefold().replace("ё", "е")


@dataclass(frozen=True)
class Pattern:
    text: str
    regex: re.Pattern[str]

    @classmethod
    def compile(cls, text: str) -> Pattern:
        """ValueError if the pattern cannot be matched as words (says why)."""
        words = normalise(text).split()
        if not words:
            raise ValueError("is empty")
        parts = []
        for word in words:
            stem = word.removesuffix("*")
            if "*" in stem or not any(ch.isalnum() for ch in stem):
                raise ValueError("needs letters in every word, and `*` only at the end of a word")
            part = re.escape(stem)
            if stem[0].isalnum():
                part = r"(?<!\w)" + part
            if word.endswith("*"):
                part += r"\w*"
            elif stem[-1].isalnum():
                part += r"(?!\w)"
            parts.append(part)
        return cls(text, re.compile(_GAP.join(parts)))


@dataclass(frozen=True)
class Term:
    """One concept in one language: the word to use, and the words not to use for it."""

    language: str
    concept: str
    use: str
    avoid: tuple[Pattern, ...]
    unless: tuple[Pattern, ...] = ()  # an avoided word inside one of these phrases is right
    allow: tuple[tuple[str, str], ...] = ()  # (place, name or glob) where the word is right

    def allowed(self, place: str, name: str) -> bool:
        return any(p == place and fnmatchcase(name, glob) for p, glob in self.allow)

    def find(self, normalised: str) -> list[re.Match[str]]:
        """Where the text (already normalised) uses an avoided word for this concept."""
        fine = [m.span() for p in self.unless for m in p.regex.finditer(normalised)]
        hits = []
        for pattern in self.avoid:
            for match in pattern.regex.finditer(normalised):
                start, end = match.span()
                if not any(s < end and start < e for s, e in fine):
                    hits.append(match)
        return sorted(hits, key=lambda m: m.start())


@dataclass(frozen=True)
class Hit:
    term: Term
    found: str  # the words as written in the text
    line: int  # 1-based, within the text searched

    def message(self) -> str:
        return f"glossary: «{self.found}» — use «{self.term.use}» ({self.term.concept})"


@dataclass(frozen=True)
class Glossary:
    terms: Mapping[str, tuple[Term, ...]]

    def find(self, language: str, text: str, place: str = "", name: str = "") -> list[Hit]:
        """Avoided words in `text`, except where the glossary allows them at `place`/`name`."""
        normalised = normalise(text)
        # casefold() may change a string's length (ß → ss), never its line breaks.
        original = unicodedata.normalize("NFC", text)
        same_length = len(original) == len(normalised)
        hits = []
        for term in self.terms.get(language, ()):
            if place and term.allowed(place, name):
                continue
            for match in term.find(normalised):
                found = original[match.start() : match.end()] if same_length else match[0]
                line = normalised.count("\n", 0, match.start()) + 1
                found = " ".join(re.sub(r"\*\*|(?<!\w)_|_(?!\w)", "", found).split())
                hits.append(Hit(term, found, line))
        return sorted(hits, key=lambda h: h.line)


def _strings(value: object) -> list[str] | None:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return list(value)
    return None


def parse(data: object, languages: tuple[str, ...]) -> tuple[Glossary, list[str]]:
    """The glossary and every problem found in it; a broken entry is left out, not fatal."""
    problems: list[str] = []
    if data is None:
        data = {}
    if not isinstance(data, dict):
        return Glossary({}), ["must be a mapping: a language, then its list of concepts"]
    terms: dict[str, tuple[Term, ...]] = {}
    for language, entries in data.items():
        if language not in languages:
            problems.append(f"unknown language {language!r} (one of {', '.join(languages)})")
            continue
        if not isinstance(entries, list):
            problems.append(f"{language}: must be a list of concepts (lines starting with -)")
            continue
        found = []
        for index, raw in enumerate(entries, 1):
            term = _term(language, index, raw, problems)
            if term is not None:
                found.append(term)
        terms[language] = tuple(found)
    glossary = Glossary(terms)
    # The term to use must never be reported as a word to avoid, by its own entry or another.
    for language, language_terms in terms.items():
        for term in language_terms:
            for hit in glossary.find(language, term.use):
                problems.append(
                    f"{language}: the term to use «{term.use}» ({term.concept}) is itself "
                    f"caught as «{hit.found}» by the avoid list of «{hit.term.use}»; "
                    "make that avoid pattern narrower or add an `unless`"
                )
    return glossary, problems


def _allowed(where: str, raw_allow: object, problems: list[str]) -> list[tuple[str, str]]:
    """Where a term to avoid may still appear: (place, name) pairs; problems noted."""
    if not isinstance(raw_allow, dict):
        problems.append(f"{where}: `allow` must map {', '.join(PLACES)} to lists")
        return []
    allow: list[tuple[str, str]] = []
    for place, names in raw_allow.items():
        listed = _strings(names)
        if place not in PLACES or listed is None:
            problems.append(
                f"{where}: allow: {place!r} must be one of {', '.join(PLACES)}, with a list"
            )
            continue
        allow.extend((str(place), name) for name in listed)
    return allow


def _term(language: str, index: int, raw: object, problems: list[str]) -> Term | None:
    where = f"{language} #{index}"
    if not isinstance(raw, dict):
        problems.append(f"{where}: must be a mapping with concept, use and avoid")
        return None
    if isinstance(raw.get("use"), str):
        where = f"{language} «{raw['use']}»"
    unknown = sorted(str(k) for k in raw if k not in _FIELDS)
    if unknown:
        problems.append(f"{where}: unknown field(s) {', '.join(unknown)}")
    concept, use = raw.get("concept"), raw.get("use")
    if not isinstance(concept, str) or not concept.strip():
        problems.append(f"{where}: needs `concept:` (what the term means)")
        return None
    if not isinstance(use, str) or not use.strip():
        problems.append(f"{where}: needs `use:` (the term to use)")
        return None
    compiled: dict[str, tuple[Pattern, ...]] = {}
    for field in ("avoid", "unless"):
        texts = _strings(raw.get(field) or [])
        if texts is None:
            problems.append(f"{where}: `{field}` must be a list of words or phrases")
            return None
        patterns = []
        for text in texts:
            try:
                patterns.append(Pattern.compile(text))
            except ValueError as exc:
                problems.append(f"{where}: {field} «{text}» {exc}")
        compiled[field] = tuple(patterns)
    if not compiled["avoid"]:
        problems.append(f"{where}: needs `avoid:` (at least one word or phrase)")
        return None
    allow = _allowed(where, raw.get("allow") or {}, problems)
    return Term(
        language=language,
        concept=" ".join(concept.split()),
        use=" ".join(use.split()),
        avoid=compiled["avoid"],
        unless=compiled["unless"],
        allow=tuple(allow),
    )


def load(content_dir: Path, languages: tuple[str, ...]) -> tuple[Glossary, list[str]]:
    """The glossary of a content tree and its problems (a missing file is one)."""
    path = content_dir / GLOSSARY_FILE
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return Glossary({}), ["missing"]
    except (OSError, yaml.YAMLError, UnicodeDecodeError) as exc:
        return Glossary({}), [f"cannot be read: {exc}"]
    return parse(data, languages)
