"""The office registry: add one office, import many from CSV (checked row by row), list."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.languages import LANGUAGES
from bot.offices.links import CODE
from bot.offices.models import KINDS, Office
from bot.places.gazetteer import Gazetteer

COLUMNS = ("code", "kind", "region", "name_kk", "name_ru", "name_en", "language")


@dataclass
class Checked:
    values: dict[str, str] | None
    problems: list[str] = field(default_factory=list)


def check(row: dict[str, str], places: Gazetteer) -> Checked:
    """An office's fields, each problem named by its field; values are ready to store."""
    get = {name: (row.get(name) or "").strip() for name in COLUMNS}
    problems = []
    code = get["code"].lower()
    if not CODE.fullmatch(code):
        problems.append(f"code: {get['code']!r} must be 2-40 of a-z, 0-9 and _")
    if get["kind"] not in KINDS:
        problems.append(f"kind: {get['kind']!r} is not one of {', '.join(KINDS)}")
    region = places.get(get["region"]) or places.find(get["region"])
    if region is not None and region.kind == "settlement":
        region = places.get(region.region)
    if region is None:
        problems.append(f"region: {get['region']!r} is not a region or city of Kazakhstan")
    for name in ("name_kk", "name_ru", "name_en"):
        if not get[name]:
            problems.append(f"{name}: missing")
        elif len(get[name]) > 200:
            problems.append(f"{name}: longer than 200 characters")
    if get["language"] not in ("", *LANGUAGES):
        problems.append(f"language: {get['language']!r} is not kk, ru or en")
    if problems or region is None:
        return Checked(None, problems)
    values = {
        "code": code, "kind": get["kind"], "region_id": region.id, "name_kk": get["name_kk"],
        "name_ru": get["name_ru"], "name_en": get["name_en"], "language": get["language"],
    }  # fmt: skip
    return Checked(values)


def save(session: Session, values: list[dict[str, str]]) -> tuple[int, int]:
    """Add or update offices by code, in one transaction; (added, updated)."""
    added = updated = 0
    if session.in_transaction():
        session.rollback()
    with session.begin():
        for item in values:
            office = session.get(Office, item["code"])
            if office is None:
                session.add(Office(**item))
                added += 1
            else:
                for name, value in item.items():
                    setattr(office, name, value)
                updated += 1
    return added, updated


def import_csv(session: Session, text: str, places: Gazetteer) -> tuple[list[str], int, int]:
    """Every problem with its line; nothing is written unless every row is right."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = [c for c in COLUMNS if c != "language" and c not in (reader.fieldnames or [])]
    if missing:
        return [f"line 1: missing columns: {', '.join(missing)}"], 0, 0
    problems: list[str] = []
    rows: list[dict[str, str]] = []
    seen: dict[str, int] = {}
    for line, row in enumerate(reader, start=2):
        checked = check(row, places)
        problems += [f"line {line}, {p}" for p in checked.problems]
        if checked.values is None:
            continue
        if checked.values["code"] in seen:
            problems.append(f"line {line}, code: duplicate of line {seen[checked.values['code']]}")
            continue
        seen[checked.values["code"]] = line
        rows.append(checked.values)
    if problems:
        return problems, 0, 0
    added, updated = save(session, rows)
    return [], added, updated


def all_offices(session: Session) -> list[Office]:
    return list(session.scalars(select(Office).order_by(Office.region_id, Office.code)))
