"""Which translations are up to date: each text's source language, and what it was translated from.

`content/sources.yml` declares the language each page and string is written in first (a
default, and exceptions by page id or key, `*` a wildcard). `content/<lang>/translations.yml`
records, for each page and string of that language translated from another, the source
language and the *revision* of the source text it was translated from: a short hash of the
normalised source text (whitespace runs count as one space, so re-wrapping a paragraph does not
make its translations stale). When the source text changes, its revision changes, and each
translation whose record names the old one is *stale*. A translation with no record is
*unknown* (strings added before the record existed, or by someone who did not stamp them):
never an error. `python -m bot content stamp` writes the records (docs/content-format.md).

Items are named as the dialogue names them: a string by its key (a set of plural forms by the
key above the forms), a page as `page:<id>`, and a screening rule's reasons (what a verdict tells
the person, content/screening/rules.yml) as `rule:<id>`. Rule reasons are legal text, changed in
rules.yml by the legal reviewers in every language at once: they are tracked (stale, stamped,
counted) but not exported to translators (bot/content/exchange.py).
"""

from __future__ import annotations

import csv
import enum
import fnmatch
import hashlib
import io
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from bot.content.catalogue import Page, logical_strings
from bot.languages import LANGUAGES

if TYPE_CHECKING:
    from bot.screening.rules import RuleBook

SOURCES_FILE = "sources.yml"
RECORDS_FILE = "translations.yml"
PAGE_PREFIX = "page:"
RULE_PREFIX = "rule:"
REVISION_LENGTH = 10

_RECORDS_HEADER = """\
# Which source each text in this language was translated from, written by
# `python -m bot content stamp` and `content import`; do not edit by hand.
# page or key: {from: source language, revision: the source text's revision when translated}
# A text without a line here counts as "unknown"; docs/content-format.md, "Translations".
"""


class TranslationError(Exception):
    """sources.yml or a translations.yml cannot be used; the message says which and why."""


class Status(enum.StrEnum):
    """A text in one language, against its source."""

    UP_TO_DATE = "up to date"
    STALE = "stale"
    MISSING = "missing"
    UNKNOWN = "unknown"
    SOURCE = "source"  # the text is the source: nothing to translate


# The order of the status table's columns and of an export (what needs work first).
STATUS_ORDER = (Status.UP_TO_DATE, Status.STALE, Status.MISSING, Status.UNKNOWN, Status.SOURCE)


@dataclass(frozen=True)
class Sources:
    """content/sources.yml: the language each text is written in first."""

    default: str
    pages: tuple[tuple[str, str], ...] = ()  # (page id or pattern, language), in file order
    strings: tuple[tuple[str, str], ...] = ()  # (key or pattern, language)
    rules: tuple[tuple[str, str], ...] = ()  # (screening rule id or pattern, language)

    def of(self, item: str) -> str:
        """The source language of a page (`page:<id>`), a rule's reasons (`rule:<id>`) or a
        string key."""
        if item.startswith(PAGE_PREFIX):
            name, rules = item.removeprefix(PAGE_PREFIX), self.pages
        elif item.startswith(RULE_PREFIX):
            name, rules = item.removeprefix(RULE_PREFIX), self.rules
        else:
            name, rules = item, self.strings
        for pattern, language in rules:
            if pattern == name:
                return language
        for pattern, language in rules:
            if fnmatch.fnmatchcase(name, pattern):
                return language
        return self.default


@dataclass(frozen=True)
class Record:
    """What a translation was made from: the source language and its text's revision."""

    source: str
    revision: str


@dataclass(frozen=True)
class Entry:
    """One text in one language and how it stands against its source."""

    item: str
    language: str
    source: str
    status: Status


def normalised(text: str) -> str:
    """The text as a translator reads it: NFC, whitespace runs as one space, no ends."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def revision(text: str) -> str:
    """A short hash of the normalised text: changes when a word changes, not the wrapping."""
    return hashlib.sha256(normalised(text).encode("utf-8")).hexdigest()[:REVISION_LENGTH]


def page_text(page: Page) -> str:
    """What a page's translator translates: its title, its sources and its text."""
    return "\n".join([page.title, *page.sources, page.body])


def string_text(forms: Mapping[str, str]) -> str:
    """A string, or a set of plural forms as `form: text` lines (sorted)."""
    if set(forms) == {""}:
        return forms[""]
    return "\n".join(f"{form}: {forms[form]}" for form in sorted(forms))


def texts(
    strings: Mapping[str, Mapping[str, str]],
    pages: Mapping[str, Mapping[str, Page]],
    reasons: Mapping[str, Mapping[str, str]] | None = None,
) -> dict[str, dict[str, str]]:
    """Per language, every item's text as it is compared with its source. `reasons`: rule id
    -> its reasons by language."""
    found: dict[str, dict[str, str]] = {}
    for lang in LANGUAGES:
        items = {
            key: string_text(forms)
            for key, forms in logical_strings(dict(strings.get(lang, {}))).items()
        }
        for page_id, page in pages.get(lang, {}).items():
            items[PAGE_PREFIX + page_id] = page_text(page)
        for rule_id, by_language in (reasons or {}).items():
            if lang in by_language:
                items[RULE_PREFIX + rule_id] = by_language[lang]
        found[lang] = items
    return found


def rule_reasons(root: Path) -> dict[str, dict[str, str]]:
    """Each screening rule's reasons by language (none without a rules file; one that cannot
    be read is `content check`'s to report, so it is left out here)."""
    from bot.screening import rules

    if not (root / rules.RULES_FILE).exists():
        return {}
    try:
        book = rules.load(root)
    except rules.RuleBookError:
        return {}
    return reasons_by_rule(book)


def reasons_by_rule(book: RuleBook) -> dict[str, dict[str, str]]:
    """Rule id -> its reasons by language, for every rule and adjustment of the book."""
    return {rule.id: dict(rule.reasons) for rule in (*book.rules, *book.adjustments)}


# -- the files


def _language(value: object, where: str) -> str:
    if not isinstance(value, str) or value not in LANGUAGES:
        raise TranslationError(f"{where}: {value!r} is not one of {', '.join(LANGUAGES)}")
    return value


def _rules(tree: Mapping[str, object], name: str) -> tuple[tuple[str, str], ...]:
    rules = tree.get(name) or {}
    if not isinstance(rules, Mapping):
        raise TranslationError(f"{SOURCES_FILE}: {name} must map a {name[:-1]} to a language")
    return tuple(
        (str(pattern), _language(lang, f"{SOURCES_FILE}: {name}: {pattern}"))
        for pattern, lang in rules.items()
    )


def load_sources(root: Path) -> Sources | None:
    """content/sources.yml, or None if there is none (then nothing is tracked)."""
    path = root / SOURCES_FILE
    if not path.exists():
        return None
    try:
        tree = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise TranslationError(f"{SOURCES_FILE}: cannot be read: {exc}") from exc
    if not isinstance(tree, Mapping):
        raise TranslationError(
            f"{SOURCES_FILE}: must be a mapping (default, pages, strings, rules)"
        )
    unknown = sorted(set(map(str, tree)) - {"default", "pages", "strings", "rules"})
    if unknown:
        raise TranslationError(f"{SOURCES_FILE}: unknown field(s) {', '.join(unknown)}")
    return Sources(
        default=_language(tree.get("default"), f"{SOURCES_FILE}: default"),
        pages=_rules(tree, "pages"),
        strings=_rules(tree, "strings"),
        rules=_rules(tree, "rules"),
    )


def load_records(root: Path, lang: str) -> dict[str, Record]:
    """content/<lang>/translations.yml as {item: Record}; none yet: {}."""
    path = root / lang / RECORDS_FILE
    where = f"{lang}/{RECORDS_FILE}"
    if not path.exists():
        return {}
    try:
        tree = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise TranslationError(f"{where}: cannot be read: {exc}") from exc
    if not isinstance(tree, Mapping) or set(map(str, tree)) - set(_SECTIONS):
        raise TranslationError(f"{where}: must have only `pages:`, `strings:` and `rules:`")
    records: dict[str, Record] = {}
    for section, prefix in _SECTIONS.items():
        entries = tree.get(section) or {}
        if not isinstance(entries, Mapping):
            raise TranslationError(f"{where}: {section} must be a mapping")
        for name, record in entries.items():
            if not (isinstance(record, Mapping) and set(record) == {"from", "revision"}):
                raise TranslationError(f"{where}: {name}: must be {{from: ..., revision: ...}}")
            source = _language(record["from"], f"{where}: {name}: from")
            records[f"{prefix}{name}"] = Record(source, str(record["revision"]))
    return records


# The records file's sections and the prefix of the items each holds ("" last: any other).
_SECTIONS = {"pages": PAGE_PREFIX, "rules": RULE_PREFIX, "strings": ""}


def write_records(root: Path, lang: str, records: Mapping[str, Record]) -> None:
    """Write content/<lang>/translations.yml: sorted, one line per text, for clean diffs."""
    tree: dict[str, dict[str, dict[str, str]]] = {section: {} for section in _SECTIONS}
    for item in sorted(records):
        record = {"from": records[item].source, "revision": records[item].revision}
        section, prefix = next((s, p) for s, p in _SECTIONS.items() if item.startswith(p))
        tree[section][item.removeprefix(prefix)] = record
    if not tree["rules"]:
        del tree["rules"]  # a content tree without screening rules keeps its two sections
    path = root / lang / RECORDS_FILE
    if not records and not path.exists():
        return  # a source language with nothing translated into it: no file to keep
    body = yaml.safe_dump(tree, allow_unicode=True, sort_keys=False, default_flow_style=None)
    path.write_text(_RECORDS_HEADER + body, encoding="utf-8")


# -- where each translation stands


def survey(
    found: Mapping[str, Mapping[str, str]],
    sources: Sources,
    records: Mapping[str, Mapping[str, Record]],
) -> list[Entry]:
    """Every item in every language, against its source (an item its source lacks: skipped,
    `content check` reports it missing)."""
    names: set[str] = set()
    for lang in LANGUAGES:
        names |= set(found.get(lang, {}))
    items = sorted(names)
    entries = []
    for item in items:
        source = sources.of(item)
        original = found.get(source, {}).get(item)
        if original is None:
            continue
        current = revision(original)
        for lang in LANGUAGES:
            record = records.get(lang, {}).get(item)
            if lang == source:
                status = Status.SOURCE
            elif item not in found.get(lang, {}):
                status = Status.MISSING
            elif record is None or record.source != source:
                status = Status.UNKNOWN
            elif record.revision == current:
                status = Status.UP_TO_DATE
            else:
                status = Status.STALE
            entries.append(Entry(item, lang, source, status))
    return entries


@dataclass(frozen=True)
class Tracking:
    """The content's texts with their sources and records: what `status`, `stamp`, `export`
    and `import` work on."""

    root: Path
    sources: Sources
    strings: dict[str, dict[str, str]]  # per language, as flattened from strings.yml
    pages: dict[str, dict[str, Page]]
    texts: dict[str, dict[str, str]]  # per language, each item's text (`texts`)
    records: dict[str, dict[str, Record]]

    @classmethod
    def load(cls, root: Path) -> Tracking:
        """Read the content at root (it must load: `content check` says why not)."""
        from bot.content.catalogue import Catalogue

        sources = load_sources(root)
        if sources is None:
            raise TranslationError(f"{root / SOURCES_FILE}: missing: no source languages declared")
        catalogue = Catalogue.load(root)
        return cls(
            root=root,
            sources=sources,
            strings=catalogue.strings,
            pages=catalogue.pages,
            texts=texts(catalogue.strings, catalogue.pages, rule_reasons(root)),
            records={lang: load_records(root, lang) for lang in LANGUAGES},
        )

    def survey(self) -> list[Entry]:
        return survey(self.texts, self.sources, self.records)

    def stamp(self, lang: str, patterns: Iterable[str] = ()) -> list[str]:
        """Record the current source revision for lang's translations that match patterns
        (`page:<id>`, a key, `*` a wildcard; none: all of them). Returns the items stamped;
        TranslationError for a pattern that matches no translation in lang."""
        wanted = list(patterns)
        candidates = [e for e in self.survey() if e.language == lang and e.status in _STAMPABLE]
        chosen = [e for e in candidates if not wanted or _matches(e.item, wanted)]
        unmatched = [p for p in wanted if not any(_matches(e.item, [p]) for e in candidates)]
        if unmatched:
            raise TranslationError(
                f"no {lang} translation is called {', '.join(unmatched)} (a key such as "
                "btn.menu, or page:<id>; * matches anything)"
            )
        records = dict(self.records[lang])
        for entry in chosen:
            records[entry.item] = Record(
                entry.source, revision(self.texts[entry.source][entry.item])
            )
        write_records(self.root, lang, records)
        self.records[lang] = records
        return [entry.item for entry in chosen]


_STAMPABLE = (Status.UP_TO_DATE, Status.STALE, Status.UNKNOWN)


def _matches(item: str, patterns: Iterable[str]) -> bool:
    return any(item == p or fnmatch.fnmatchcase(item, p) for p in patterns)


# -- the status table


def counts(entries: Iterable[Entry]) -> dict[str, Counter[Status]]:
    """Per language (of those the entries are in, in LANGUAGES' order), each status's count."""
    table: dict[str, Counter[Status]] = {}
    for entry in entries:
        table.setdefault(entry.language, Counter())[entry.status] += 1
    return {lang: table[lang] for lang in LANGUAGES if lang in table}


def status_table(entries: Iterable[Entry], fmt: str = "text", listed: bool = False) -> str:
    """Per language, how many texts are up to date, stale, missing, unknown and source; with
    `listed`, the stale, missing and unknown ones by name. fmt: text, csv or markdown."""
    entries = list(entries)
    header = ["language", *(str(status) for status in STATUS_ORDER), "up to date %"]
    rows = [
        [lang, *(str(numbers[status]) for status in STATUS_ORDER), _share(numbers)]
        for lang, numbers in counts(entries).items()
    ]
    details = [
        [e.language, str(e.status), e.item, e.source]
        for e in sorted(
            (e for e in entries if e.status in STATUS_ORDER[1:4]),
            key=lambda e: (LANGUAGES.index(e.language), STATUS_ORDER.index(e.status), e.item),
        )
    ]
    detail_header = ["language", "status", "page or key", "source"]
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerows([header, *rows])
        if listed:
            writer.writerows([[], detail_header, *details])
        return out.getvalue().rstrip("\n")
    render = _markdown if fmt == "markdown" else _aligned
    parts = [render(header, rows)]
    if listed and details:
        parts.append(render(detail_header, details))
    return "\n\n".join(parts)


def _share(numbers: Counter[Status]) -> str:
    """The share of a language's translations that are up to date, in whole percent (rounded
    down: 100 only when all are); "-" for the language everything is written in."""
    translated = sum(numbers.values()) - numbers[Status.SOURCE]
    if not translated:
        return "-"
    return str(100 * numbers[Status.UP_TO_DATE] // translated)


def _markdown(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def _aligned(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in [header, *rows]
    )


# -- what a stale translation looks like in a chat (the playground's "needs update" badge)


def stale_marks(tracking: Tracking) -> list[dict[str, object]]:
    """Each stale translation with the plain text a chat shows of it: a page's title (a
    message starts with it), a button's label (the whole label), or the pieces of a message
    between its placeholders."""
    from bot.content.markup import inline
    from bot.text.telegram_html import HtmlError, parse_html

    def plain(text: str) -> str:
        try:
            return parse_html(inline(text))[0]
        except HtmlError:
            return text

    marks: list[dict[str, object]] = []
    for entry in tracking.survey():
        if entry.status is not Status.STALE:
            continue
        if entry.item.startswith(PAGE_PREFIX):
            page = tracking.pages[entry.language][entry.item.removeprefix(PAGE_PREFIX)]
            kind, shown = "page", [plain(page.title)]
        elif entry.item.startswith(RULE_PREFIX):
            # A verdict's message quotes the reason whole.
            kind, shown = "text", [normalised(tracking.texts[entry.language][entry.item])]
        else:
            forms = logical_strings(tracking.strings[entry.language]).get(entry.item, {})
            if entry.item.startswith(("btn.", "lang.name.")):
                kind, shown = "button", list(forms.values())
            else:
                kind = "text"
                shown = [
                    piece.strip()
                    for value in forms.values()
                    for piece in _PLACEHOLDER.split(plain(value))
                    if len(piece.strip()) >= _SHORTEST_PIECE
                ]
        marks.append({"item": entry.item, "language": entry.language, "kind": kind, "shown": shown})
    return marks


_PLACEHOLDER = re.compile(r"\{[^{}]*\}")
# Shorter pieces of a message (": ", "…") would mark messages that only share punctuation.
_SHORTEST_PIECE = 6
