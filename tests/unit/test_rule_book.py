"""The rules file: a reviewer's mistake is refused with a message that says where."""

from __future__ import annotations

import copy
import os
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.config import ROOT
from bot.content.check import check
from bot.screening import rules

RAW = yaml.safe_load((ROOT / "content" / rules.RULES_FILE).read_text(encoding="utf-8"))


def broken(change: Any) -> dict[str, Any]:
    data = copy.deepcopy(RAW)
    change(data)
    return data


def first_rule(data: dict[str, Any]) -> dict[str, Any]:
    return data["rules"][0]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: first_rule(d)["when"].update(danger=True), "unknown field 'danger'"),
        (lambda d: first_rule(d)["when"].update(safety_risk="yes"), "safety_risk"),
        (lambda d: first_rule(d)["when"].update(category="divorce"), "divorce"),
        (lambda d: first_rule(d).update(verdict="maybe"), "verdict must be one of"),
        (lambda d: first_rule(d).update(citations=[]), "needs a citation"),
        (lambda d: first_rule(d)["citations"].append({"act": "tax", "article": "1"}), "known act"),
        (lambda d: first_rule(d)["reasons"].pop("kk"), "missing in kk"),
        # rules[1] (party_incapable) is not_eligible: a firm verdict.
        (lambda d: d["rules"][1].update(confidence="Low"), "cannot give a firm verdict"),
        (lambda d: d["rules"][1].update(id=d["rules"][0]["id"]), "used twice"),
        (lambda d: first_rule(d).update(when={}), "at least one answer"),
        (lambda d: d.update(reviewed_on="soon"), "reviewed_on"),
        (lambda d: d["adjustments"][0].update(changes={"eligible": "perhaps"}), "unknown verdict"),
    ],
)
def test_a_broken_rule_book_is_refused(change: Any, message: str) -> None:
    with pytest.raises(rules.RuleBookError, match=message):
        rules.parse(broken(change))


def _tree(tmp_path: Path) -> Path:
    """A copy of content/ to edit."""
    import shutil

    shutil.copytree(ROOT / "content", tmp_path / "content")
    return tmp_path / "content"


def test_content_check_reports_a_broken_rules_file(tmp_path: Path) -> None:
    content = _tree(tmp_path)
    path = content / rules.RULES_FILE
    path.write_text(
        path.read_text(encoding="utf-8").replace("safety_risk: true", "danger: true", 1)
    )
    report = check(content)
    assert not report.ok
    assert any("screening/rules.yml" in e and "danger" in e for e in report.errors)


def test_an_edit_is_picked_up_and_a_broken_one_keeps_the_last_good(tmp_path: Path) -> None:
    content = _tree(tmp_path)
    path = content / rules.RULES_FILE
    before = rules.current(content)
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("reviewed_on: 2026-11-26", "reviewed_on: 2026-11-20"))
    os.utime(path, (1, 1))
    edited = rules.current(content)
    assert edited is not before and str(edited.reviewed_on) == "2026-11-20"
    path.write_text("rules: [")
    os.utime(path, (2, 2))
    assert rules.current(content) is edited
