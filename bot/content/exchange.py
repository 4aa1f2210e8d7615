"""The translator's round-trip: what needs translating out to a file, the translations back in.

`export` writes, for one language, the texts that need a translator (stale, missing and
unknown first; with `everything`, all of them) as XLIFF 1.1 (translate-toolkit), gettext PO
(polib) or an Excel workbook (openpyxl), each unit with its source text, the source's
revision, and context: the page or key, the limit Telegram or a phone sets, the placeholders,
the current translation. `import_file` reads such a file back, writes the translations into a
copy of the content tree, runs every check of `content check` on that copy, and only if it
adds no error writes the changed files into the real tree and stamps them as translated from
the revision they were exported with (a source edited in between stays stale).

A unit is a string (`btn.menu`), one plural form of a string (`admin.reload_failed.few`), or
one part of a page (`page:cost#title`, `#sources`, `#body`). An empty translation is not done
yet: it is skipped, and its text is stamped only when every unit of it is filled.
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from babel import Locale

from bot.content import check as checking
from bot.content.catalogue import PLURAL_OTHER, Page, logical_strings
from bot.content.translations import (
    PAGE_PREFIX,
    RECORDS_FILE,
    RULE_PREFIX,
    Record,
    Status,
    Tracking,
    TranslationError,
    load_records,
    revision,
    write_records,
)
from bot.languages import LANGUAGES

FORMATS = ("xlsx", "po", "xliff")
PAGE_PARTS = ("title", "sources", "body")
# CLDR's order of plural categories, for the forms of one string.
_PLURAL_ORDER = ("zero", "one", "two", "few", "many", "other")
_NEEDS_WORK = (Status.STALE, Status.MISSING, Status.UNKNOWN)


@dataclass(frozen=True)
class Unit:
    """One text for a translator, with what they need to know about it."""

    id: str  # btn.menu, admin.reload_failed.few, page:cost#body
    item: str  # what is stamped: btn.menu, admin.reload_failed, page:cost
    source_language: str
    source: str
    revision: str  # of the whole item's source text, when exported
    status: Status
    current: str = ""  # the translation as it is now ("" when missing)
    limit: str = ""  # in words
    max_width: int | None = None  # in characters, for XLIFF's maxwidth
    placeholders: tuple[str, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class Filled:
    """A unit as a translator sent it back."""

    id: str
    text: str
    revision: str


@dataclass(frozen=True)
class Batch:
    """A translated file: its language and its filled units."""

    language: str
    units: tuple[Filled, ...]


@dataclass
class ImportResult:
    language: str
    errors: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)  # unit ids whose text changed
    stamped: list[str] = field(default_factory=list)  # items recorded as up to date
    skipped: list[str] = field(default_factory=list)  # unit ids left empty
    written: list[str] = field(default_factory=list)  # files, relative to the content root

    @property
    def ok(self) -> bool:
        return not self.errors


# -- what a translator sees of each text


def _limit(key: str) -> tuple[str, int | None]:
    if checking.is_button(key):
        return (
            f"button label: at most {checking.BUTTON_WIDTH_LIMIT} wide (emoji count 2), "
            "no formatting",
            checking.BUTTON_WIDTH_LIMIT,
        )
    if key.startswith("commands."):
        limit = checking.COMMAND_DESCRIPTION_LIMIT
        return f"command description: 1-{limit} characters, no formatting", limit
    if key == "bot.description":
        return f"at most {checking.DESCRIPTION_LIMIT} characters", checking.DESCRIPTION_LIMIT
    if key == "bot.short_description":
        limit = checking.SHORT_DESCRIPTION_LIMIT
        return f"at most {limit} characters", limit
    return f"one message: at most {checking.MESSAGE_LIMIT} characters", checking.MESSAGE_LIMIT


def _placeholders(text: str) -> tuple[str, ...]:
    try:
        return tuple(sorted(checking.placeholders(text)))
    except ValueError:
        return ()


def units(tracking: Tracking, lang: str, everything: bool = False) -> list[Unit]:
    """The units to translate into lang: stale, missing and unknown texts in that order (with
    `everything`, the up-to-date ones after them); never those written in lang itself."""
    wanted = (*_NEEDS_WORK, Status.UP_TO_DATE) if everything else _NEEDS_WORK
    entries = [
        e
        for e in tracking.survey()
        # Rule reasons are legal text, changed in rules.yml with the legal reviewers.
        if e.language == lang and e.status in wanted and not e.item.startswith(RULE_PREFIX)
    ]
    entries.sort(key=lambda e: (wanted.index(e.status), e.item))
    found: list[Unit] = []
    for entry in entries:
        source_rev = revision(tracking.texts[entry.source][entry.item])
        if entry.item.startswith(PAGE_PREFIX):
            found += _page_units(tracking, entry.item, entry.source, lang, entry.status, source_rev)
        else:
            found += _string_units(
                tracking, entry.item, entry.source, lang, entry.status, source_rev
            )
    return found


def _page_units(
    tracking: Tracking, item: str, source: str, lang: str, status: Status, rev: str
) -> list[Unit]:
    page_id = item.removeprefix(PAGE_PREFIX)
    original = tracking.pages[source][page_id]
    present = tracking.pages[lang].get(page_id)
    limit = (
        f"the whole page, with its footer, at most {checking.PAGE_COMFORT_LIMIT} characters "
        f"(Telegram: {checking.MESSAGE_LIMIT})"
    )
    notes = {
        "title": "the page's title, shown in bold",
        "sources": "the acts and articles the page rests on, one per line, as cited in "
        "this language",
        "body": "Markdown: **bold**, _italic_, [link](https://…), lines starting with '- ' "
        "are bullets, '### ' a sub-heading; keep the blank lines between paragraphs",
    }
    found = []
    for part in PAGE_PARTS:
        text = _page_part(original, part)
        found.append(
            Unit(
                id=f"{item}#{part}",
                item=item,
                source_language=source,
                source=text,
                revision=rev,
                status=status,
                current=_page_part(present, part) if present else "",
                limit=limit,
                max_width=checking.MESSAGE_LIMIT,
                placeholders=_placeholders(text),
                note=notes[part],
            )
        )
    return found


def _page_part(page: Page, part: str) -> str:
    if part == "sources":
        return "\n".join(page.sources)
    return str(getattr(page, part))


def _string_units(
    tracking: Tracking, item: str, source: str, lang: str, status: Status, rev: str
) -> list[Unit]:
    original = logical_strings(tracking.strings[source])[item]
    present = logical_strings(tracking.strings[lang]).get(item, {})
    limit, width = _limit(item)
    if set(original) == {""}:
        forms = [""]
    else:
        needed = {PLURAL_OTHER, *Locale.parse(lang).plural_form.tags} | set(present)
        forms = [form for form in _PLURAL_ORDER if form in needed]
    found = []
    for form in forms:
        text = original.get(form, original.get(PLURAL_OTHER, ""))
        note = (
            f"plural form '{form}' of {item}, used with {{count}} ({_plural_hint(lang, form)})"
            if form
            else ""
        )
        found.append(
            Unit(
                id=f"{item}.{form}" if form else item,
                item=item,
                source_language=source,
                source=text,
                revision=rev,
                status=status,
                current=present.get(form, ""),
                limit=limit,
                max_width=width,
                placeholders=_placeholders(text),
                note=note,
            )
        )
    return found


_PLURAL_HINTS = {
    ("ru", "one"): "1, 21, 31…",
    ("ru", "few"): "2-4, 22-24…",
    ("ru", "many"): "0, 5-20, 25-30…",
    ("ru", "other"): "fractions",
}


def _plural_hint(lang: str, form: str) -> str:
    if (lang, form) in _PLURAL_HINTS:
        return _PLURAL_HINTS[lang, form]
    return "1" if form == "one" else "any other number"


def context(unit: Unit) -> str:
    """What a translator reads beside the text: the key, its status, limit, placeholders."""
    lines = [f"{unit.id} ({unit.status}; from {unit.source_language})"]
    if unit.note:
        lines.append(unit.note)
    lines.append(f"limit: {unit.limit}")
    if unit.placeholders:
        names = ", ".join("{" + name + "}" for name in unit.placeholders)
        lines.append(f"keep these placeholders as they are: {names}")
    if unit.current and unit.status is not Status.MISSING:
        lines.append(f"current translation: {unit.current}")
    return "\n".join(lines)


# -- the files


def export(tracking: Tracking, lang: str, fmt: str, out: Path, everything: bool = False) -> int:
    """Write lang's units to out in fmt; returns how many units."""
    if lang not in LANGUAGES:
        raise TranslationError(f"no language {lang!r}: one of {', '.join(LANGUAGES)}")
    found = units(tracking, lang, everything)
    _WRITERS[fmt](found, lang, out)
    return len(found)


def read(path: Path) -> Batch:
    """A translated file back, its format known by its ending (.xlsx, .po, .xlf or .xliff)."""
    suffix = path.suffix.lower().lstrip(".")
    reader = _READERS.get("xliff" if suffix == "xlf" else suffix)
    if reader is None:
        raise TranslationError(f"{path.name}: not a .xlsx, .po, .xlf or .xliff file")
    try:
        batch = reader(path)
    except TranslationError:
        raise
    except Exception as exc:  # each library has its own errors for a damaged file
        raise TranslationError(f"{path.name}: cannot be read: {exc}") from exc
    if batch.language not in LANGUAGES:
        raise TranslationError(
            f"{path.name}: its language is {batch.language!r}, not one of {', '.join(LANGUAGES)}"
        )
    return batch


_XLSX_COLUMNS = (
    "key",
    "status",
    "source language",
    "source text",
    "translation",
    "current translation",
    "limit",
    "placeholders",
    "notes",
    "revision",
)


def _write_xlsx(found: list[Unit], lang: str, out: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = lang
    book.properties.language = lang
    book.properties.title = f"Kelisim: texts to translate into {lang}"
    sheet.append(list(_XLSX_COLUMNS))
    for unit in found:
        sheet.append(
            [
                unit.id,
                str(unit.status),
                unit.source_language,
                unit.source,
                "",
                unit.current,
                unit.limit,
                " ".join("{" + name + "}" for name in unit.placeholders),
                unit.note,
                unit.revision,
            ]
        )
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    widths = {"A": 30, "B": 10, "C": 8, "D": 60, "E": 60, "F": 40, "G": 30, "H": 20, "I": 40}
    for column, width in widths.items():
        sheet.column_dimensions[column].width = width
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"  # a text, not a formula for the spreadsheet to compute
    sheet.freeze_panes = "A2"
    book.save(out)


def _read_xlsx(path: Path) -> Batch:
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True)
    sheet = book.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = [str(cell or "").strip().casefold() for cell in next(rows, ())]
    missing = [name for name in ("key", "translation", "revision") if name not in header]
    if missing:
        raise TranslationError(f"{path.name}: no column {', '.join(missing)} in the first row")
    at = {name: header.index(name) for name in ("key", "translation", "revision")}
    filled = []
    for row in rows:
        key = _cell(row, at["key"])
        if key:
            filled.append(
                Filled(key, _cell(row, at["translation"], strip=False), _cell(row, at["revision"]))
            )
    language = str(book.properties.language or sheet.title)
    book.close()
    return Batch(language, tuple(filled))


def _cell(row: tuple[Any, ...], index: int, strip: bool = True) -> str:
    value = row[index] if index < len(row) else None
    text = "" if value is None else str(value).replace("\r\n", "\n")
    return text.strip() if strip else text


def _write_po(found: list[Unit], lang: str, out: Path) -> None:
    import polib

    catalogue = polib.POFile(wrapwidth=0)
    catalogue.metadata = {
        "Project-Id-Version": "Kelisim",
        "Language": lang,
        "MIME-Version": "1.0",
        "Content-Type": "text/plain; charset=UTF-8",
        "Content-Transfer-Encoding": "8bit",
    }
    for unit in found:
        catalogue.append(
            polib.POEntry(
                msgctxt=unit.id,
                msgid=unit.source,
                msgstr="",
                comment=context(unit),
                tcomment=f"revision {unit.revision}",
                flags=["python-brace-format"] if unit.placeholders else [],
            )
        )
    catalogue.save(str(out))


def _read_po(path: Path) -> Batch:
    import polib

    catalogue = polib.pofile(str(path))
    filled = []
    for entry in catalogue:
        if entry.obsolete or not entry.msgctxt:
            continue
        rev = entry.tcomment.removeprefix("revision ").strip() if entry.tcomment else ""
        # A fuzzy entry is a translator's guess, not a translation (gettext's rule).
        text = "" if "fuzzy" in entry.flags else entry.msgstr
        filled.append(Filled(entry.msgctxt, text, rev))
    return Batch(str(catalogue.metadata.get("Language", "")), tuple(filled))


def _write_xliff(found: list[Unit], lang: str, out: Path) -> None:
    from translate.storage import xliff

    # translate-toolkit's types are partial: its stores are Any here.
    store: Any = xliff.xlifffile(sourcelanguage=found[0].source_language if found else "en")
    store.settargetlanguage(lang)
    for unit in found:
        entry = store.addsourceunit(unit.source)
        entry.setid(unit.id)
        entry.xmlelement.set("resname", unit.item)
        if unit.max_width is not None:
            entry.xmlelement.set("maxwidth", str(unit.max_width))
            entry.xmlelement.set("size-unit", "char")
        entry.addnote(context(unit), origin="developer")
        entry.addnote(f"revision {unit.revision}", origin="kelisim-revision")
    out.write_bytes(bytes(store))


def _read_xliff(path: Path) -> Batch:
    from translate.storage import xliff

    store: Any = xliff.xlifffile(path.read_bytes())
    filled = []
    for entry in store.units:
        if entry.isheader():
            continue
        notes = entry.getnotes(origin="kelisim-revision")
        rev = notes.removeprefix("revision ").strip() if notes else ""
        # getid() puts the <file>'s name in front: the trans-unit's own id is the key.
        filled.append(Filled(str(entry.xmlelement.get("id")), str(entry.target or ""), rev))
    return Batch(str(store.gettargetlanguage() or ""), tuple(filled))


_WRITERS: dict[str, Callable[[list[Unit], str, Path], None]] = {
    "xlsx": _write_xlsx,
    "po": _write_po,
    "xliff": _write_xliff,
}
_READERS: dict[str, Callable[[Path], Batch]] = {
    "xlsx": _read_xlsx,
    "po": _read_po,
    "xliff": _read_xliff,
}


# -- reading translations back into the content


def import_file(
    root: Path,
    path: Path,
    uses: checking.Uses,
    dry_run: bool = False,
    today: dt.date | None = None,
    reviewed_by: str = "",
) -> ImportResult:
    """Check the file's translations as `content check` would, in a copy of root; write them
    into root and stamp them only if there is no error and not dry_run. A page that changes
    says who checked it and when: `reviewed_by` names who read the translation (required
    then: the bot shows people that name with today's date)."""
    batch = read(path)
    tracking = Tracking.load(root)
    lang = batch.language
    result = ImportResult(language=lang)
    known = {unit.id: unit for unit in units(tracking, lang, everything=True)}
    chosen: dict[str, tuple[Unit, Filled]] = {}
    for filled in batch.units:
        unit = known.get(filled.id)
        if unit is None:
            result.errors.append(f"{filled.id}: not a text to translate into {lang}")
        elif not filled.text.strip():
            result.skipped.append(filled.id)
        else:
            result.errors += _unit_problems(unit, filled)
            chosen[filled.id] = (unit, filled)
    result.errors += _incomplete_new_texts(chosen, known)
    if not reviewed_by.strip():
        result.errors += [
            f"{page}: a changed page tells people who checked it and when: give --reviewed-by "
            "'Name' (who read this translation; it replaces reviewed_by, with today's date)"
            for page in sorted(
                {u.item for u, f in chosen.values() if u.item.startswith(PAGE_PREFIX)
                 and f.text != u.current}
            )
        ]  # fmt: skip
    if result.errors:
        return result
    with tempfile.TemporaryDirectory() as scratch:
        copy = Path(scratch) / "content"
        shutil.copytree(root, copy)
        result.written, result.changed = _apply(
            tracking, copy, lang, chosen, today, reviewed_by.strip()
        )
        result.stamped = _stamp(copy, lang, chosen, known)
        if result.stamped:
            result.written.append(f"{lang}/{RECORDS_FILE}")
        before = set(checking.check(root, uses, today=today).errors)
        result.errors = [
            e for e in checking.check(copy, uses, today=today).errors if e not in before
        ]
        if result.errors or dry_run:
            return result
        for name in sorted(set(result.written)):
            target = root / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(copy / name, target)
    return result


def _incomplete_new_texts(
    chosen: Mapping[str, tuple[Unit, Filled]], known: Mapping[str, Unit]
) -> list[str]:
    """A text the language does not have yet comes in whole (a page needs its title too)."""
    problems = []
    started = {unit.item for unit, _ in chosen.values() if unit.status is Status.MISSING}
    for item in sorted(started):
        empty = [uid for uid, unit in known.items() if unit.item == item and uid not in chosen]
        if empty:
            problems.append(f"{item}: new in this language, so also needs {', '.join(empty)}")
    return problems


def _unit_problems(unit: Unit, filled: Filled) -> list[str]:
    problems = []
    try:
        names = tuple(sorted(checking.placeholders(filled.text)))
    except ValueError as exc:
        return [f"{unit.id}: a broken {{placeholder}}: {exc}"]
    if names != unit.placeholders:
        want = ", ".join("{" + n + "}" for n in unit.placeholders) or "none"
        got = ", ".join("{" + n + "}" for n in names) or "none"
        problems.append(f"{unit.id}: placeholders {got}, but the source has {want}")
    return problems


def _apply(
    tracking: Tracking,
    copy: Path,
    lang: str,
    chosen: Mapping[str, tuple[Unit, Filled]],
    today: dt.date | None,
    reviewed_by: str,
) -> tuple[list[str], list[str]]:
    """Write the translations into the copy; returns the files written and the units changed."""
    from bot.content import yaml_edit

    written: list[str] = []
    changed: list[str] = []
    strings: dict[str, str] = {}
    pages: dict[str, dict[str, str]] = {}
    for unit_id, (unit, filled) in chosen.items():
        if filled.text == unit.current:
            continue
        changed.append(unit_id)
        if unit.item.startswith(PAGE_PREFIX):
            page_id, _, part = unit_id.removeprefix(PAGE_PREFIX).partition("#")
            pages.setdefault(page_id, {})[part] = filled.text
        else:
            strings[unit_id] = filled.text
    if strings:
        yaml_edit.set_strings(copy / lang / "strings.yml", strings)
        written.append(f"{lang}/strings.yml")
    for page_id, parts in pages.items():
        source = tracking.sources.of(PAGE_PREFIX + page_id)
        yaml_edit.write_page(
            copy / lang / "pages" / f"{page_id}.md",
            copy / source / "pages" / f"{page_id}.md",
            parts,
            today,
            reviewed_by,
        )
        written.append(f"{lang}/pages/{page_id}.md")
    return written, changed


def _stamp(
    copy: Path, lang: str, chosen: Mapping[str, tuple[Unit, Filled]], known: Mapping[str, Unit]
) -> list[str]:
    """Record each item all of whose units came back filled, at the revision exported."""
    records = load_records(copy, lang)
    stamped = []
    for item in sorted({unit.item for unit, _ in chosen.values()}):
        parts = [unit_id for unit_id, unit in known.items() if unit.item == item]
        if not all(unit_id in chosen for unit_id in parts):
            continue
        unit, filled = chosen[parts[0]]
        records[item] = Record(unit.source_language, filled.revision or unit.revision)
        stamped.append(item)
    if stamped:
        write_records(copy, lang, records)
    return stamped


def summary(result: ImportResult, dry_run: bool) -> str:
    """What `content import` prints."""
    lines = [f"ERROR   {error}" for error in result.errors]
    if result.errors:
        lines.append(f"import refused: {len(result.errors)} error(s); nothing was written")
        return "\n".join(lines)
    verb = "would write" if dry_run else "wrote"
    lines.append(
        f"{result.language}: {len(result.changed)} text(s) changed, "
        f"{len(result.stamped)} recorded as up to date, {len(result.skipped)} left empty"
    )
    if result.written:
        lines.append(f"{verb}: {', '.join(sorted(set(result.written)))}")
    return "\n".join(lines)
