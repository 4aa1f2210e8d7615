"""`content check` passes on the shipped content and catches each defect in a broken copy."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from bot.cli import main
from bot.config import RASA_PROJECT
from bot.content.check import check, display_width
from bot.telegram.content_manifest import uses

CONTENT = Path(__file__).resolve().parents[2] / "content"
TODAY = dt.date(2026, 12, 28)


@pytest.fixture
def content(tmp_path: Path) -> Path:
    """A private copy of the shipped content, to break."""
    copy = tmp_path / "content"
    shutil.copytree(CONTENT, copy)
    return copy


def _errors(root: Path, today: dt.date = TODAY) -> list[str]:
    return check(root, uses(), today=today).errors


def _edit(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def test_shipped_content_passes() -> None:
    report = check(CONTENT, uses())
    assert report.ok, report.text()


def test_cli_exit_codes(content: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as ok:
        main(["content", "check", "--dir", str(content), "--today", TODAY.isoformat()])
    assert ok.value.code == 0
    (content / "ru" / "pages" / "cost.md").unlink()
    with pytest.raises(SystemExit) as failed:
        main(["content", "check", "--dir", str(content), "--today", TODAY.isoformat()])
    assert failed.value.code == 1
    assert "page 'cost' is missing in ru" in capsys.readouterr().out


def test_missing_page(content: Path) -> None:
    (content / "kk" / "pages" / "duration.md").unlink()
    assert "page 'duration' is missing in kk" in _errors(content)


def test_missing_string(content: Path) -> None:
    _edit(content / "en" / "strings.yml", 'thank: "', 'thanks_typo: "')
    errors = _errors(content)
    assert "string 'thank' is missing in en" in errors
    assert "string 'thanks_typo' is missing in kk, ru" in errors


def test_placeholders_differ(content: Path) -> None:
    _edit(content / "ru" / "strings.yml", "{limit}", "{limt}")
    [error] = [e for e in _errors(content) if "placeholders" in e]
    assert "error.too_long" in error
    assert "ru: limt" in error


def test_broken_placeholder_brace(content: Path) -> None:
    _edit(content / "kk" / "strings.yml", "{limit}", "{limit")
    assert any("broken {placeholder}" in e for e in _errors(content))


@pytest.mark.parametrize("field", ["sources", "reviewed_on", "legal_review"])
def test_front_matter_without_sources_or_review_date(content: Path, field: str) -> None:
    page = content / "en" / "pages" / "cost.md"
    text = page.read_text(encoding="utf-8")
    head, body = text.split("\n---\n", 1)
    if field == "sources":
        head = re.sub(r"sources:\n(  - .*\n?)+", "", head)
    else:
        head = re.sub(rf"{field}: .*", "", head)
    page.write_text(head + "\n---\n" + body, encoding="utf-8")
    errors = _errors(content)
    expected = {
        "sources": "no sources",
        "reviewed_on": "reviewed_on is missing",
        "legal_review": "no legal_review",
    }[field]
    assert any(e.startswith("en/pages/cost.md") and expected in e for e in errors), errors


def test_front_matter_missing_altogether(content: Path) -> None:
    page = content / "ru" / "pages" / "help.md"
    page.write_text("Just text, no front matter.\n", encoding="utf-8")
    assert any("ru/pages/help.md" in e and "front matter" in e for e in _errors(content))


def test_old_review_is_a_warning_not_an_error(content: Path) -> None:
    report = check(content, uses(), today=TODAY + dt.timedelta(days=400))
    assert report.ok
    assert any("more than 12 months ago" in w for w in report.warnings)
    assert not check(content, uses(), today=TODAY).warnings


def test_page_over_telegram_limit(content: Path) -> None:
    page = content / "ru" / "pages" / "duration.md"
    page.write_text(page.read_text(encoding="utf-8") + "\n\n" + "очень длинный текст " * 250)
    assert any(
        e.startswith("ru/pages/duration.md") and "over Telegram's limit" in e
        for e in _errors(content)
    )


def test_html_that_telegram_rejects(content: Path) -> None:
    # Overlapping bold and italic render to mis-nested tags, which Telegram refuses.
    page = content / "kk" / "pages" / "cost.md"
    page.write_text(page.read_text(encoding="utf-8") + "\n\n**қалың _көлбеу** мәтін_\n")
    assert any(
        e.startswith("kk/pages/cost.md") and "Telegram would reject" in e for e in _errors(content)
    )


def test_button_label_too_long(content: Path) -> None:
    _edit(content / "en" / "strings.yml", '"💰 Cost"', '"💰 How much does mediation cost in total"')
    assert any("btn.mediation_cost" in e and "fits a phone" in e for e in _errors(content))


def test_formatting_in_a_button(content: Path) -> None:
    _edit(content / "ru" / "strings.yml", '"⏱ Сколько длится"', '"**Сколько**"')
    assert any("btn.mediation_duration" in e and "formatting" in e for e in _errors(content))


def test_callback_data_over_64_bytes(content: Path) -> None:
    long = "t:" + "x" * 63
    report = check(content, replace(uses(), callback_data=frozenset(["menu", long])), today=TODAY)
    assert report.errors == [f"callback data '{long}' is 65 bytes, over Telegram's 64"]


def test_every_shipped_callback_fits() -> None:
    from bot.telegram.callbacks import all_callback_data

    too_long_or_not_ascii = [
        code for code in all_callback_data() if len(code.encode()) > 64 or not code.isascii()
    ]
    assert too_long_or_not_ascii == []


def _domain_with(tmp_path: Path, responses: str) -> Path:
    """The shipped domain and one more file of `responses`."""
    domain = tmp_path / "domain"
    shutil.copytree(RASA_PROJECT / "domain", domain)
    (domain / "extra.yml").write_text("responses:\n" + responses)
    return domain


def test_key_used_by_the_dialogue_but_missing(content: Path, tmp_path: Path) -> None:
    domain = _domain_with(
        tmp_path,
        '  utter_x:\n    - custom: {key: "page:no_such_page"}\n'
        "  utter_y:\n    - custom: {key: no.such.string}\n",
    )
    errors = check(content, replace(uses(), domain_dir=domain), today=TODAY).errors
    assert "page 'no_such_page' is used by the bot but missing in kk" in errors
    assert "string 'no.such.string' is used by the bot but missing in en" in errors


def test_an_instruction_the_bot_does_not_follow_is_refused(content: Path, tmp_path: Path) -> None:
    domain = _domain_with(
        tmp_path,
        "  utter_pick:\n    - custom: {do: language_picker}\n"
        "  utter_typo:\n    - custom: {do: languge_picker}\n",
    )
    errors = check(content, replace(uses(), domain_dir=domain), today=TODAY).errors
    assert [e for e in errors if "instruction" in e] == [
        "response 'utter_typo' gives the bot the instruction do: 'languge_picker', which it"
        " does not know (one of: ask_place, invitation, invite_languages, language_picker,"
        " mediators, screen_question, screening_result, set_language)"
    ]


def test_unreadable_yaml_is_reported_with_its_file(content: Path) -> None:
    (content / "en" / "strings.yml").write_text("btn: [unclosed\n")
    assert any(e.startswith("en/strings.yml: cannot be read") for e in _errors(content))


def test_display_width_counts_emoji_double() -> None:
    assert display_width("abc") == 3
    assert display_width("💰 ab") == 5


def test_plural_forms_follow_each_language(content: Path) -> None:
    # Russian needs one, few and many; dropping "few" is an error in ru only.
    _edit(content / "ru" / "strings.yml", '    few: "❌', '    fev: "❌')
    errors = _errors(content)
    assert "ru/strings.yml: 'admin.reload_failed' lacks the plural form(s) few" in errors
    assert not any("lacks" in e for e in errors if not e.startswith("ru/"))


def test_an_option_called_other_is_not_a_plural() -> None:
    from bot.content.catalogue import logical_strings

    grouped = logical_strings(
        {"opt.kind.other": "Other", "opt.kind.unknown": "?", "n.one": "1 file", "n.other": "files"}
    )
    assert grouped["opt.kind.other"] == {"": "Other"}
    assert grouped["n"] == {"one": "1 file", "other": "files"}
