"""Listings as CSV: the format outreach teams fill in, checked row by row.

`python -m bot mediators import FILE.csv [--dry-run] [--skip-bad-rows]` and
`python -m bot mediators export [FILE.csv]`. The format is in docs/directory-csv.md, with a
template at docs/directory-template.csv.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import clock
from bot.directory.models import KINDS, Listing
from bot.languages import LANGUAGES
from bot.places.gazetteer import LAT_RANGE, LON_RANGE, Gazetteer, Place
from bot.screening.dispute_types import DISPUTE_TYPES

COLUMNS: tuple[str, ...] = (
    "kind", "name", "register", "entry", "languages", "dispute_types", "settlement",
    "address", "lat", "lon", "phone", "email", "telegram", "online", "fee_note",
    "verified_on", "source", "sample",
)  # fmt: skip
REQUIRED: tuple[str, ...] = (
    "kind", "name", "register", "entry", "languages", "dispute_types", "settlement",
    "lat", "lon", "verified_on", "source",
)  # fmt: skip
LANGUAGE_CODES: tuple[str, ...] = LANGUAGES
_LIST_SPLIT = re.compile(r"[\s,;|/]+")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_TELEGRAM = re.compile(r"^@?([A-Za-z][A-Za-z0-9_]{4,31})$")
# A cell longer than this is a mistake (a pasted paragraph, a shifted column), not a name or an
# address: a listing must fit in one Telegram message with four others.
CELL_MAX = 300
# NUL and other control characters break databases (PostgreSQL refuses NUL) and messages.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
# A spreadsheet reads a cell starting with one of these as a formula (CWE-1236).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: str) -> str:
    """A text cell that Excel or LibreOffice shows as text, never runs as a formula."""
    return f"'{value}" if value.startswith(_FORMULA_START) else value


def _from_spreadsheet(value: str) -> str:
    # Undo spreadsheet_safe, so that an exported file imports back to the same values.
    return value[1:] if value.startswith("'") and value[1:].startswith(_FORMULA_START) else value


_TRUE = {"yes", "true", "1", "y", "да", "иә", "ия", "ia", "iá"}
_FALSE = {"no", "false", "0", "n", "нет", "жоқ", "жок", "joq", ""}


@dataclass
class Problem:
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}" + (f", {self.field}" if self.field else "")
        return f"{where}: {self.message}"


@dataclass
class ImportReport:
    rows: int = 0
    valid: int = 0
    created: int = 0
    updated: int = 0
    written: bool = False
    problems: list[Problem] = field(default_factory=list)

    @property
    def bad_lines(self) -> list[int]:
        return sorted({p.line for p in self.problems})


def phone_number(raw: str) -> str | None:
    """+7XXXXXXXXXX from the ways Kazakh numbers are written; None if it is not one."""
    digits = re.sub(r"[\s()\-.]", "", raw)
    if digits.startswith("+"):
        digits = digits[1:]
    elif digits.startswith("8") and len(digits) == 11:
        digits = "7" + digits[1:]
    if not digits.isdigit() or len(digits) != 11 or not digits.startswith("7"):
        return None
    return "+" + digits


def _codes(raw: str, allowed: tuple[str, ...], what: str) -> tuple[list[str], str | None]:
    codes = [c for c in _LIST_SPLIT.split(raw.strip().lower()) if c]
    unknown = [c for c in codes if c not in allowed]
    if not codes:
        return [], f"no {what} given"
    if unknown:
        return [], f"unknown {what} {', '.join(unknown)} (use {', '.join(allowed)})"
    return sorted(set(codes), key=allowed.index), None


def joined(codes: Iterable[str]) -> str:
    """The stored form of a list: ",kk,ru,"."""
    return "," + ",".join(codes) + ","


def split(stored: str) -> list[str]:
    return [c for c in stored.split(",") if c]


def _flag(raw: str) -> bool | None:
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    return None


def _settlement(gazetteer: Gazetteer, raw: str) -> Place | None:
    value = raw.strip()
    place = gazetteer.get(value) or gazetteer.find(value)
    # A listing sits in a town or village, not in a whole region.
    return None if place is None or place.kind == "region" else place


@dataclass
class _Row:
    """One CSV row being checked: its cells, the listing's values so far, and its problems."""

    line: int
    cell: dict[str, str]
    gazetteer: Gazetteer
    today: dt.date
    values: dict[str, Any] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def bad(self, column: str, message: str) -> None:
        self.problems.append(Problem(self.line, column, message))


def _check_cells(row: _Row) -> None:
    """No cell with a control character or over CELL_MAX; the required ones given."""
    for column, value in row.cell.items():
        if _CONTROL.search(value):
            row.bad(column, "contains a control character (such as NUL): retype the cell")
        elif len(value) > CELL_MAX:
            row.bad(column, f"too long: {len(value)} characters (at most {CELL_MAX})")
    for column in REQUIRED:
        if not row.cell[column]:
            row.bad(column, "missing" if column != "entry" else "missing register entry number")


def _check_kind_and_text(row: _Row) -> None:
    """The kind of mediator, and the columns taken as they are written."""
    kind = row.cell["kind"]
    if kind and kind.lower() not in KINDS:
        row.bad("kind", f"unknown kind {kind!r} (use {', '.join(KINDS)})")
    row.values["kind"] = kind.lower()
    for column in ("name", "register", "entry", "address", "fee_note", "source"):
        row.values[column] = row.cell[column]


def _check_lists(row: _Row) -> None:
    """Languages and kinds of dispute: known codes, comma-separated."""
    for column, known, what in (
        ("languages", LANGUAGE_CODES, "language"),
        ("dispute_types", DISPUTE_TYPES, "dispute type"),
    ):
        if row.cell[column]:
            codes, error = _codes(row.cell[column], known, what)
            if error:
                row.bad(column, error)
            row.values[column] = joined(codes)


def _check_place(row: _Row) -> None:
    """The town or village (its region follows), and coordinates inside Kazakhstan."""
    if row.cell["settlement"]:
        place = _settlement(row.gazetteer, row.cell["settlement"])
        if place is None:
            row.bad("settlement", f"unknown town or village {row.cell['settlement']!r}")
        else:
            row.values["settlement_id"] = place.id
            row.values["region_id"] = place.region
    for column, (low, high) in (("lat", LAT_RANGE), ("lon", LON_RANGE)):
        if not row.cell[column]:
            continue
        try:
            number = float(row.cell[column].replace(",", "."))
        except ValueError:
            row.bad(column, f"not a number: {row.cell[column]!r}")
            continue
        if not low <= number <= high:
            row.bad(column, f"{number} is outside Kazakhstan ({low} to {high})")
        row.values[column] = number


def _check_contacts(row: _Row) -> None:
    """Phone, e-mail and Telegram, each well-formed, and at least one of them."""
    cell = row.cell
    phone = phone_number(cell["phone"]) if cell["phone"] else ""
    if phone is None:
        row.bad("phone", f"not a Kazakhstan phone number: {cell['phone']!r} (+7 7XX XXX XX XX)")
    row.values["phone"] = phone or ""
    if cell["email"] and not _EMAIL.match(cell["email"]):
        row.bad("email", f"not an e-mail address: {cell['email']!r}")
    row.values["email"] = cell["email"]
    handle = _TELEGRAM.match(cell["telegram"]) if cell["telegram"] else None
    if cell["telegram"] and handle is None:
        row.bad("telegram", f"not a Telegram username: {cell['telegram']!r}")
    row.values["telegram"] = handle.group(1) if handle else ""
    if not (cell["phone"] or cell["email"] or cell["telegram"]):
        row.bad("phone", "no way to reach them: give a phone, an e-mail or a Telegram username")


def _check_flags_and_date(row: _Row) -> None:
    """Online and sample as yes or no; the day it was verified, not in the future."""
    for column in ("online", "sample"):
        flag = _flag(row.cell[column])
        if flag is None:
            row.bad(column, f"write yes or no, not {row.cell[column]!r}")
        row.values[column] = bool(flag)
    if row.cell["verified_on"]:
        try:
            verified = dt.date.fromisoformat(row.cell["verified_on"])
        except ValueError:
            row.bad("verified_on", f"not a date (YYYY-MM-DD): {row.cell['verified_on']!r}")
        else:
            if verified > row.today:
                row.bad("verified_on", f"{verified} is in the future")
            row.values["verified_on"] = verified


# Every check a row goes through, in the order its problems are listed.
_ROW_CHECKS = (
    _check_cells, _check_kind_and_text, _check_lists, _check_place, _check_contacts,
    _check_flags_and_date,
)  # fmt: skip


def parse_row(
    line: int, row: Mapping[str, str], gazetteer: Gazetteer, today: dt.date
) -> tuple[dict[str, Any] | None, list[Problem]]:
    """One CSV row as Listing values, or the problems that stop it (every one of them)."""
    cell = {c: _from_spreadsheet((row.get(c) or "").strip()) for c in COLUMNS}
    checked = _Row(line, cell, gazetteer, today)
    for check in _ROW_CHECKS:
        check(checked)
    return (None if checked.problems else checked.values), checked.problems


def _delimiter(text: str) -> str:
    # Excel in Russian and Kazakh locales saves with ';': accept both separators.
    first = text.split("\n", 1)[0]
    return ";" if first.count(";") > first.count(",") else ","


def _rows(text: str) -> Iterator[tuple[int, dict[str, str]]]:
    reader = csv.DictReader(io.StringIO(text), delimiter=_delimiter(text))
    for row in reader:
        yield reader.line_num, {str(k).strip().lower(): v for k, v in row.items() if k}


def check_header(text: str) -> list[Problem]:
    first = text.split("\n", 1)[0]
    header = [h.strip().lower() for h in first.strip().split(_delimiter(text))]
    missing = [c for c in REQUIRED if c not in header]
    unknown = [h for h in header if h and h not in COLUMNS]
    problems = [Problem(1, c, "column missing from the header") for c in missing]
    problems += [Problem(1, h, "unknown column") for h in unknown]
    return problems


def import_text(
    session: Session,
    text: str,
    gazetteer: Gazetteer,
    dry_run: bool = False,
    skip_bad_rows: bool = False,
    today: dt.date | None = None,
) -> ImportReport:
    """Check every row; write the valid ones in one transaction unless something is wrong.

    Without `skip_bad_rows`, one bad row means nothing is written. Existing listings are
    updated by register and entry number."""
    report = ImportReport()
    text = text.lstrip("\ufeff")  # Excel's byte-order mark
    report.problems += check_header(text)
    if report.problems:
        return report
    parsed: list[dict[str, Any]] = []
    seen: dict[tuple[str, str], int] = {}
    for line, row in _rows(text):
        if not any((v or "").strip() for v in row.values()):
            continue  # a blank line
        report.rows += 1
        values, problems = parse_row(line, row, gazetteer, today or clock.today())
        key = ((row.get("register") or "").strip(), (row.get("entry") or "").strip())
        if all(key) and key in seen:
            problems.append(
                Problem(line, "entry", f"duplicate of line {seen[key]} (same register and entry)")
            )
            values = None
        elif all(key):
            seen[key] = line
        report.problems += problems
        if values is not None:
            parsed.append(values)
    report.valid = len(parsed)
    if dry_run or (report.problems and not skip_bad_rows) or not parsed:
        return report
    if session.in_transaction():
        session.rollback()  # whatever the caller read before; this import is one transaction
    with session.begin():
        existing = {
            (row.register, row.entry): row
            for row in session.scalars(
                select(Listing).where(Listing.register.in_({v["register"] for v in parsed}))
            )
        }
        for values in parsed:
            current = existing.get((values["register"], values["entry"]))
            if current is None:
                session.add(Listing(**values))
                report.created += 1
            else:
                for name, value in values.items():
                    setattr(current, name, value)
                report.updated += 1
    report.written = True
    return report


def export_rows(session: Session) -> Iterator[dict[str, str]]:
    for listing in session.scalars(select(Listing).order_by(Listing.register, Listing.entry)):
        yield {
            "kind": listing.kind,
            "name": listing.name,
            "register": listing.register,
            "entry": listing.entry,
            "languages": ";".join(split(listing.languages)),
            "dispute_types": ";".join(split(listing.dispute_types)),
            "settlement": listing.settlement_id,
            "address": listing.address,
            "lat": f"{listing.lat:.6f}",
            "lon": f"{listing.lon:.6f}",
            "phone": listing.phone,
            "email": listing.email,
            "telegram": listing.telegram,
            "online": "yes" if listing.online else "no",
            "fee_note": listing.fee_note,
            "verified_on": listing.verified_on.isoformat(),
            "source": listing.source,
            "sample": "yes" if listing.sample else "no",
        }


# Columns whose values are checked on import (numbers, codes, dates, a phone number in
# +7 form, a Telegram handle): never a formula, and "+7…" must stay a phone number.
_COMPUTED = frozenset({"lat", "lon", "languages", "dispute_types", "settlement", "online",
                       "verified_on", "sample", "phone", "telegram"})  # fmt: skip


def export_text(session: Session) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in export_rows(session):
        writer.writerow({k: v if k in _COMPUTED else spreadsheet_safe(v) for k, v in row.items()})
    return out.getvalue()
