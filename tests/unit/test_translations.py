"""Stale translations and the translator's round-trip, through the real content and the CLI.

Each test works on a private copy of the shipped content: the source text changes, `content
check` warns, `content status` counts it, a translator's file goes out and comes back in.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from aiohttp.test_utils import TestClient, TestServer

from bot import clock
from bot.cli import main
from bot.content.check import check
from bot.content.translations import (
    PAGE_PREFIX,
    RECORDS_FILE,
    Status,
    Tracking,
    load_records,
    revision,
)
from bot.emulator.server import create_app
from bot.telegram.content_manifest import uses

CONTENT = Path(__file__).resolve().parents[2] / "content"
TODAY = dt.date(2026, 12, 28)
MENU_EN = '  menu: "🏠 Main menu"'
MENU_KK = '  menu: "🏠 Басты мәзір"'


@pytest.fixture
def content(tmp_path: Path) -> Path:
    """A private copy of the shipped content, every translation stamped up to date."""
    copy = tmp_path / "content"
    shutil.copytree(CONTENT, copy)
    tracking = Tracking.load(copy)
    for lang in ("kk", "ru", "en"):
        tracking.stamp(lang)
    return copy


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _stale_menu(content: Path) -> None:
    """Change the English source of btn.menu: its kk and ru translations become stale."""
    _edit(content / "en" / "strings.yml", MENU_EN, '  menu: "🏠 Back to the menu"')


def _status(root: Path, item: str, lang: str) -> Status:
    (entry,) = [e for e in Tracking.load(root).survey() if e.item == item and e.language == lang]
    return entry.status


def _cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    """Run `python -m bot ...`: its exit status and what it printed (sys.exit's message too)."""
    code: object = 0
    try:
        main(list(argv))
    except SystemExit as done:
        code = done.code
    captured = capsys.readouterr()
    if isinstance(code, str):
        return 1, captured.out + captured.err + code
    return (1 if code else 0), captured.out + captured.err


# -- the records


def test_shipped_translations_have_records() -> None:
    """The shipped content was stamped: every translation has a record of its source."""
    records = {lang: load_records(CONTENT, lang) for lang in ("kk", "ru")}
    assert "btn.menu" in records["kk"]
    assert f"{PAGE_PREFIX}what_is_mediation" in records["ru"]
    assert records["kk"]["btn.menu"].source == "en"


def test_a_changed_source_makes_its_translations_stale_as_a_warning(content: Path) -> None:
    _stale_menu(content)
    report = check(content, uses(), today=TODAY)
    assert report.ok, report.text()
    for lang in ("kk", "ru"):
        assert any(
            w.startswith(f"{lang}/strings.yml: 'btn.menu': stale translation")
            for w in report.warnings
        ), report.warnings
    assert _status(content, "btn.menu", "kk") is Status.STALE
    assert _status(content, "btn.menu", "en") is Status.SOURCE
    assert _status(content, "btn.help", "kk") is Status.UP_TO_DATE


def test_rewrapping_a_source_changes_nothing(content: Path) -> None:
    assert revision("a  b\n c") == revision("a b c")
    page = content / "en" / "pages" / "cost.md"
    text = page.read_text(encoding="utf-8")
    page.write_text(text.replace(". ", ".\n", 1), encoding="utf-8")
    assert _status(content, "page:cost", "kk") is Status.UP_TO_DATE


def test_a_changed_page_is_stale_in_both_translations(content: Path) -> None:
    _edit(content / "en" / "pages" / "cost.md", "### ", "### Now: ")
    warnings = check(content, uses(), today=TODAY).warnings
    assert any(w.startswith("kk/pages/cost.md: stale translation") for w in warnings)
    assert any(w.startswith("ru/pages/cost.md: stale translation") for w in warnings)


def test_a_translation_without_a_record_is_unknown_not_an_error(content: Path) -> None:
    (content / "kk" / RECORDS_FILE).unlink()
    report = check(content, uses(), today=TODAY)
    assert report.ok
    assert not any("stale" in w for w in report.warnings)
    assert _status(content, "btn.menu", "kk") is Status.UNKNOWN


def test_the_source_language_is_declared_per_page(content: Path) -> None:
    _edit(content / "sources.yml", "pages: {}", 'pages:\n  "c*": kk\n  cost: ru')
    tracking = Tracking.load(content)
    assert tracking.sources.of("page:cost") == "ru"  # its own name before a pattern
    assert tracking.sources.of("page:confidentiality") == "kk"
    assert tracking.sources.of("page:safety") == "en"
    assert tracking.sources.of("btn.menu") == "en"
    # The records say "from en": against a Russian source they tell nothing.
    assert _status(content, "page:cost", "ru") is Status.SOURCE
    assert _status(content, "page:cost", "kk") is Status.UNKNOWN
    assert _status(content, "page:cost", "en") is Status.UNKNOWN


def test_a_broken_sources_file_is_an_error(content: Path) -> None:
    _edit(content / "sources.yml", "default: en", "default: fr")
    errors = check(content, uses(), today=TODAY).errors
    assert any(e.startswith("sources.yml: default: 'fr' is not one of") for e in errors), errors


def test_stamp_records_what_a_translator_confirmed(
    content: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _stale_menu(content)
    code, out = _cli(capsys, "content", "stamp", "--dir", str(content), "--to", "kk", "btn.men?")
    assert code == 0
    assert "kk: 1 translation(s) recorded as up to date" in out
    assert _status(content, "btn.menu", "kk") is Status.UP_TO_DATE
    assert _status(content, "btn.menu", "ru") is Status.STALE
    code, out = _cli(capsys, "content", "stamp", "--dir", str(content), "--to", "kk", "btn.nope")
    assert code != 0
    assert "no kk translation is called btn.nope" in out


# -- the status table


def test_status_table_in_each_format(content: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _stale_menu(content)
    (content / "ru" / "pages" / "cost.md").unlink()
    base = ["content", "status", "--dir", str(content)]
    code, text = _cli(capsys, *base)
    assert code == 0
    header, *rows = text.splitlines()
    assert header.split()[:4] == ["language", "up", "to", "date"]
    kk = next(row for row in rows if row.startswith("kk")).split()
    ru = next(row for row in rows if row.startswith("ru")).split()
    assert kk[2:4] == ["1", "0"]  # one stale, none missing
    assert ru[2:4] == ["1", "1"]  # one stale, one missing
    _, markdown = _cli(capsys, *base, "--format", "markdown", "--list")
    assert "| language | up to date | stale | missing | unknown | source |" in markdown
    assert "| ru | missing | page:cost | en |" in markdown
    assert "| kk | stale | btn.menu | en |" in markdown
    _, csv_text = _cli(capsys, *base, "--format", "csv", "--to", "kk")
    lines = csv_text.splitlines()
    assert lines[0] == "language,up to date,stale,missing,unknown,source,up to date %"
    assert lines[1].startswith("kk,")
    kk_row = lines[1].split(",")
    assert kk_row[2:4] == ["1", "0"]
    # One stale among all of kk's: 99 %, rounded down (100 only when every one is).
    up, stale, missing, unknown = map(int, kk_row[1:5])
    assert kk_row[6] == str(100 * up // (up + stale + missing + unknown)) == "99"
    assert len(lines) == 2


# -- the round-trip


def _export(
    capsys: pytest.CaptureFixture[str], content: Path, out: Path, fmt: str, *extra: str
) -> str:
    code, text = _cli(
        capsys,
        "content",
        "export",
        "--dir",
        str(content),
        "--to",
        "kk",
        "--format",
        fmt,
        "--out",
        str(out),
        *extra,
    )
    assert code == 0, text
    return text


def _import(
    capsys: pytest.CaptureFixture[str], content: Path, path: Path, *extra: str
) -> tuple[int, str]:
    return _cli(capsys, "content", "import", "--dir", str(content), str(path), *extra)


def _fill_xlsx(path: Path, translations: dict[str, str]) -> list[str]:
    """As a translator would in a spreadsheet: type into the translation column."""
    from openpyxl import load_workbook

    book = load_workbook(path)
    sheet = book.active
    assert sheet is not None
    header = [cell.value for cell in sheet[1]]
    key_column, text_column = header.index("key"), header.index("translation")
    keys = []
    for row in sheet.iter_rows(min_row=2):
        key = str(row[key_column].value)
        keys.append(key)
        if key in translations:
            row[text_column].value = translations[key]
    book.save(path)
    return keys


def test_xlsx_round_trip_writes_the_change_and_makes_it_up_to_date(
    content: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _stale_menu(content)
    kk_strings = content / "kk" / "strings.yml"
    before = kk_strings.read_text(encoding="utf-8")
    sheet = tmp_path / "kk.xlsx"
    assert "1 text(s) to translate into kk" in _export(capsys, content, sheet, "xlsx")
    keys = _fill_xlsx(sheet, {"btn.menu": "🏠 Мәзірге оралу"})
    assert keys == ["btn.menu"]
    code, out = _import(capsys, content, sheet)
    assert code == 0, out
    assert "kk: 1 text(s) changed, 1 recorded as up to date" in out
    after = kk_strings.read_text(encoding="utf-8")
    # Only that line changed: comments, quoting and the other values are as they were.
    assert after == before.replace(MENU_KK, '  menu: "🏠 Мәзірге оралу"')
    assert _status(content, "btn.menu", "kk") is Status.UP_TO_DATE
    assert _status(content, "btn.menu", "ru") is Status.STALE
    assert check(content, uses(), today=TODAY).ok


def test_a_broken_placeholder_is_refused_with_its_key_and_nothing_is_written(
    content: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _edit(content / "en" / "strings.yml", "{language_name} is set.", "{language_name} is on.")
    snapshot = {p: p.read_bytes() for p in content.rglob("*") if p.is_file()}
    sheet = tmp_path / "kk.xlsx"
    _export(capsys, content, sheet, "xlsx")
    _fill_xlsx(sheet, {"lang.changed": "Таңдалған тіл: {language}."})
    code, out = _import(capsys, content, sheet)
    assert code == 1
    assert "lang.changed: placeholders {language}, but the source has {language_name}" in out
    assert "nothing was written" in out
    assert {p: p.read_bytes() for p in content.rglob("*") if p.is_file()} == snapshot
    _fill_xlsx(sheet, {"lang.changed": "Таңдалған тіл: {language_name"})
    code, out = _import(capsys, content, sheet)
    assert code == 1
    assert "lang.changed: a broken {placeholder}" in out


def test_what_content_check_refuses_is_refused_before_writing(
    content: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _stale_menu(content)
    before = (content / "kk" / "strings.yml").read_bytes()
    sheet = tmp_path / "kk.xlsx"
    _export(capsys, content, sheet, "xlsx")
    _fill_xlsx(sheet, {"btn.menu": "🏠 Басты мәзірге қайта оралу, басынан бастау"})
    code, out = _import(capsys, content, sheet)
    assert code == 1
    assert "kk/strings.yml: 'btn.menu': button label is" in out
    assert (content / "kk" / "strings.yml").read_bytes() == before


def test_an_empty_cell_is_not_translated_and_a_dry_run_writes_nothing(
    content: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _stale_menu(content)
    sheet = tmp_path / "kk.xlsx"
    _export(capsys, content, sheet, "xlsx")
    code, out = _import(capsys, content, sheet)
    assert code == 0
    assert "0 text(s) changed, 0 recorded as up to date, 1 left empty" in out
    _fill_xlsx(sheet, {"btn.menu": "🏠 Мәзірге оралу"})
    before = (content / "kk" / "strings.yml").read_bytes()
    code, out = _import(capsys, content, sheet, "--dry-run")
    assert code == 0
    assert "would write: kk/strings.yml, kk/translations.yml" in out
    assert (content / "kk" / "strings.yml").read_bytes() == before
    assert _status(content, "btn.menu", "kk") is Status.STALE


def test_po_round_trip_of_a_page_and_plural_forms(
    content: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import polib

    _edit(content / "en" / "pages" / "cost.md", "### ", "### Now: ")
    _edit(
        content / "en" / "strings.yml", "…and {count} more problems", "…and {count} other problems"
    )
    catalogue_path = tmp_path / "kk.po"
    _export(capsys, content, catalogue_path, "po")
    catalogue = polib.pofile(str(catalogue_path))
    assert catalogue.metadata["Language"] == "kk"
    by_key = {entry.msgctxt: entry for entry in catalogue}
    assert set(by_key) == {
        "admin.more_problems.one",
        "admin.more_problems.other",
        "page:cost#title",
        "page:cost#sources",
        "page:cost#body",
    }
    assert "{count}" in by_key["admin.more_problems.other"].comment
    assert "4096" in by_key["page:cost#body"].comment
    kk_page = Tracking.load(content).pages["kk"]["cost"]
    for entry in catalogue:
        entry.msgstr = {
            "admin.more_problems.one": "…және тағы {count} мәселе",
            "admin.more_problems.other": "…және тағы {count} мәселе",
            "page:cost#title": kk_page.title,
            "page:cost#sources": "\n".join(kk_page.sources),
            "page:cost#body": kk_page.body.replace("### ", "### Енді: ", 1),
        }[entry.msgctxt]
    catalogue.save(str(catalogue_path))
    # A changed page tells people who checked it and when: whoever read the translation says so.
    code, out = _import(capsys, content, catalogue_path)
    assert code == 1
    assert "page:cost: a changed page tells people who checked it and when" in out
    assert Tracking.load(content).pages["kk"]["cost"].body == kk_page.body  # nothing written
    code, out = _import(capsys, content, catalogue_path, "--reviewed-by", "Айгерим Сейтқали")
    assert code == 0, out
    assert "2 recorded as up to date" in out
    tracking = Tracking.load(content)
    page = tracking.pages["kk"]["cost"]
    assert page.body.startswith("### Енді: ")
    assert page.reviewed_on == clock.today()  # the text changed: checked again today
    assert page.reviewed_by == "Айгерим Сейтқали"
    assert tracking.strings["kk"]["admin.more_problems.other"] == "…және тағы {count} мәселе"
    assert _status(content, "page:cost", "kk") is Status.UP_TO_DATE
    assert _status(content, "admin.more_problems", "kk") is Status.UP_TO_DATE


def test_xliff_round_trip(
    content: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from translate.storage import xliff

    _stale_menu(content)
    path = tmp_path / "kk.xlf"
    _export(capsys, content, path, "xliff")
    store: Any = xliff.xlifffile(path.read_bytes())
    (unit,) = [u for u in store.units if not u.isheader()]
    assert unit.xmlelement.get("id") == "btn.menu"
    assert unit.source == "🏠 Back to the menu"
    assert unit.xmlelement.get("maxwidth") == "32"
    unit.target = "🏠 Мәзірге оралу"
    path.write_bytes(bytes(store))
    code, out = _import(capsys, content, path)
    assert code == 0, out
    assert Tracking.load(content).strings["kk"]["btn.menu"] == "🏠 Мәзірге оралу"
    assert _status(content, "btn.menu", "kk") is Status.UP_TO_DATE


def test_a_source_edited_after_the_export_stays_stale(
    content: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _stale_menu(content)
    sheet = tmp_path / "kk.xlsx"
    _export(capsys, content, sheet, "xlsx")
    _fill_xlsx(sheet, {"btn.menu": "🏠 Мәзірге оралу"})
    _edit(content / "en" / "strings.yml", "Back to the menu", "Menu again")
    code, out = _import(capsys, content, sheet)
    assert code == 0, out
    assert _status(content, "btn.menu", "kk") is Status.STALE


def test_export_all_lists_the_up_to_date_texts_after_the_others(
    content: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _stale_menu(content)
    sheet = tmp_path / "kk.xlsx"
    _export(capsys, content, sheet, "xlsx", "--all")
    keys = _fill_xlsx(sheet, {})
    assert keys[0] == "btn.menu"
    assert "page:what_is_mediation#body" in keys
    assert len(keys) > 100


def test_a_key_that_is_not_a_translation_is_refused(
    content: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sheet = tmp_path / "kk.xlsx"
    _export(capsys, content, sheet, "xlsx", "--all")
    from openpyxl import load_workbook

    book = load_workbook(sheet)
    sheet_ = book.active
    assert sheet_ is not None
    sheet_.append(["btn.no_such_button", "", "en", "x", "Жоқ"])
    book.save(sheet)
    code, out = _import(capsys, content, sheet)
    assert code == 1
    assert "btn.no_such_button: not a text to translate into kk" in out


# -- the playground's badge


async def test_the_playground_is_told_what_is_stale(content: Path) -> None:
    _stale_menu(content)
    _edit(content / "en" / "pages" / "cost.md", "### ", "### Now: ")
    server = TestServer(create_app(content_dir=content), host="127.0.0.1")
    client: TestClient[Any, Any] = TestClient(server)
    await client.start_server()
    try:
        response = await client.get("/control/translations")
        assert response.status == 200
        stale = (await response.json())["stale"]
        kk = {entry["item"]: entry for entry in stale if entry["language"] == "kk"}
        assert kk["btn.menu"] == {
            "item": "btn.menu",
            "language": "kk",
            "kind": "button",
            "shown": ["🏠 Басты мәзір"],
        }
        assert kk["page:cost"]["kind"] == "page"
        assert kk["page:cost"]["shown"] == [Tracking.load(content).pages["kk"]["cost"].title]
        # Stamped, the badge goes.
        Tracking.load(content).stamp("kk", ["btn.menu"])
        again = (await (await client.get("/control/translations")).json())["stale"]
        assert "btn.menu" not in {e["item"] for e in again if e["language"] == "kk"}
    finally:
        await client.close()


def test_a_text_is_stamped_only_when_all_its_parts_came_back(
    content: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _edit(content / "en" / "pages" / "cost.md", "### ", "### Now: ")
    kk_page = Tracking.load(content).pages["kk"]["cost"]
    sheet = tmp_path / "kk.xlsx"
    _export(capsys, content, sheet, "xlsx")
    _fill_xlsx(sheet, {"page:cost#body": kk_page.body.replace("### ", "### Енді: ", 1)})
    code, out = _import(capsys, content, sheet, "--reviewed-by", "Kelisim content team")
    assert code == 0, out
    assert "1 text(s) changed, 0 recorded as up to date, 2 left empty" in out
    assert Tracking.load(content).pages["kk"]["cost"].body.startswith("### Енді: ")
    assert _status(content, "page:cost", "kk") is Status.STALE  # the title is not confirmed


def test_a_missing_page_comes_in_whole_with_its_review_pending(
    content: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    kk_page = Tracking.load(content).pages["kk"]["cost"]
    (content / "kk" / "pages" / "cost.md").unlink()
    sheet = tmp_path / "kk.xlsx"
    _export(capsys, content, sheet, "xlsx")
    parts = {
        "page:cost#title": kk_page.title,
        "page:cost#sources": "\n".join(kk_page.sources),
        "page:cost#body": kk_page.body,
    }
    _fill_xlsx(sheet, {"page:cost#body": parts["page:cost#body"]})
    code, out = _import(capsys, content, sheet)
    assert code == 1
    assert (
        "page:cost: new in this language, so also needs page:cost#title, page:cost#sources" in out
    )
    assert not (content / "kk" / "pages" / "cost.md").exists()
    _fill_xlsx(sheet, parts)
    code, out = _import(capsys, content, sheet, "--reviewed-by", "Kelisim content team")
    assert code == 0, out
    page = Tracking.load(content).pages["kk"]["cost"]
    assert (page.title, page.sources, page.body) == (kk_page.title, kk_page.sources, kk_page.body)
    assert page.legal_review is not None
    assert page.legal_review.pending
    assert _status(content, "page:cost", "kk") is Status.UP_TO_DATE


def test_a_text_that_looks_like_a_formula_stays_a_text(
    content: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from openpyxl import load_workbook

    _edit(content / "en" / "strings.yml", MENU_EN, '  menu: "=🏠 Main menu"')
    sheet = tmp_path / "kk.xlsx"
    _export(capsys, content, sheet, "xlsx")
    row = load_workbook(sheet).worksheets[0][2]
    assert (row[0].value, row[3].value, row[3].data_type) == ("btn.menu", "=🏠 Main menu", "s")


FAMILY_REASON_EN = "Family disputes — property, alimony,"


def test_a_changed_rule_reason_is_stale_in_both_translations_but_not_exported(
    content: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A screening rule's reasons are legal text: tracked like the rest, changed in rules.yml
    with the legal reviewers rather than through a translator's file."""
    rules = content / "screening" / "rules.yml"
    _edit(rules, FAMILY_REASON_EN, "Family disputes — property, alimony, debts,")
    report = check(content, uses(), today=TODAY)
    assert report.ok, report.text()
    for lang in ("kk", "ru"):
        assert any(
            w.startswith(f"screening/rules.yml: rule family_dispute: the {lang} reason: stale")
            for w in report.warnings
        ), report.warnings
        assert _status(content, "rule:family_dispute", lang) is Status.STALE
    assert _status(content, "rule:labour_dispute", "kk") is Status.UP_TO_DATE
    sheet = tmp_path / "kk.xlsx"
    _export(capsys, content, sheet, "xlsx", "--all")
    assert not any(key.startswith("rule:") for key in _fill_xlsx(sheet, {}))
    # Once the kk reason is brought in line, stamping it clears the warning, in its own section.
    Tracking.load(content).stamp("kk", ["rule:family_dispute"])
    assert _status(content, "rule:family_dispute", "kk") is Status.UP_TO_DATE
    records = yaml.safe_load((content / "kk" / RECORDS_FILE).read_text("utf-8"))
    assert "family_dispute" in records["rules"]
    assert _status(content, "rule:family_dispute", "ru") is Status.STALE


def test_a_stale_rule_reason_is_marked_where_a_verdict_quotes_it(content: Path) -> None:
    """The playground marks a verdict whose reason is stale: the whole reason, as shown."""
    from bot.content.translations import stale_marks

    _edit(content / "screening" / "rules.yml", FAMILY_REASON_EN, "Family disputes — debts,")
    tracking = Tracking.load(content)
    [mark] = [m for m in stale_marks(tracking) if m["language"] == "ru"]
    reason = tracking.texts["ru"]["rule:family_dispute"]
    assert mark == {"item": "rule:family_dispute", "language": "ru", "kind": "text",
                    "shown": [" ".join(reason.split())]}  # fmt: skip
