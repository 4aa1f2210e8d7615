"""The rules file: the real one loads, and a reviewer's mistake is refused with a message that
says where (content/screening/rules.yml, contract version 2)."""

from __future__ import annotations

import copy
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.config import ROOT
from bot.content.check import check
from bot.screening import rules
from bot.screening.fields import EXCLUDING, FIELDS, VERDICTS
from bot.telegram.content_manifest import uses

RAW = yaml.safe_load((ROOT / "content" / rules.RULES_FILE).read_text(encoding="utf-8"))

Change = Callable[[dict[str, Any]], Any]


def edited(change: Change) -> dict[str, Any]:
    """A copy of the real rules file with one change."""
    data: dict[str, Any] = copy.deepcopy(RAW)
    change(data)
    return data


def rule(data: dict[str, Any], rule_id: str) -> dict[str, Any]:
    return next(r for r in (*data["rules"], *data["adjustments"]) if r["id"] == rule_id)


def set_in(rule_id: str, **values: Any) -> Change:
    """Set keys of one rule, e.g. set_in("family_dispute", confidence="Low")."""
    return lambda d: rule(d, rule_id).update(values)


def when(rule_id: str, **answers: Any) -> Change:
    return lambda d: rule(d, rule_id)["when"].update(answers)


def add_to_reasons(rule_id: str, language: str, text: str) -> Change:
    def change(d: dict[str, Any]) -> None:
        reasons = rule(d, rule_id)["reasons"] = dict(rule(d, rule_id)["reasons"])
        reasons[language] += " " + text

    return change


# --- The real file ------------------------------------------------------------------------------


def test_the_rules_file_loads() -> None:
    book = rules.load(ROOT / "content")
    ids = [r.id for r in (*book.rules, *book.adjustments)]
    assert len(ids) == len(set(ids))
    assert {"safety_risk", "party_incapable", "party_limited_capacity"} <= set(ids)
    for r in (*book.rules, *book.adjustments):
        assert r.citations, r.id
        assert set(r.fields) <= set(FIELDS), r.id
    assert {r.verdict for r in book.rules} <= set(VERDICTS) - {"unsure"}
    # Only rules that exclude mediation skip an answer that is not known.
    assert all(r.verdict in EXCLUDING for r in book.rules if r.skip_unknown)
    assert book.rule("past_violence_told").skip_unknown
    assert book.legal_review is not None


def test_the_current_file_parses_to_the_same_rules() -> None:
    assert rules.parse(copy.deepcopy(RAW)) == rules.load(ROOT / "content")


def test_a_policy_is_cited_without_an_article() -> None:
    book = rules.load(ROOT / "content")
    policy = [c for c in book.rule("safety_risk").citations if c.act == "policy"]
    assert policy
    assert policy[0].article == ""
    assert book.cite(policy[0], "ru") == RAW["acts"]["policy"]["ru"]
    # A policy citation may be the only one a rule has (its reasons then name no article).
    plain = {"en": "Safety first.", "ru": "Сначала безопасность.", "kk": "Алдымен қауіпсіздік."}
    book = rules.parse(edited(set_in("safety_risk", citations=[{"act": "policy"}], reasons=plain)))
    assert [c.act for c in book.rule("safety_risk").citations] == ["policy"]


# --- What parse refuses -------------------------------------------------------------------------

REFUSED: list[Any] = [
    # A reason that contradicts its verdict
    pytest.param(add_to_reasons("private_law", "en", "The law does not allow it."),
                 "the verdict is eligible, but the en reason says 'does not allow'",
                 id="eligible-reason-says-not-allowed"),
    pytest.param(add_to_reasons("family_dispute", "ru", "Медиация невозможна."),
                 "ru reason says 'невозможн'", id="eligible-reason-says-impossible-ru"),
    pytest.param(add_to_reasons("labour_dispute", "kk", "Медиация мүмкін емес."),
                 "kk reason says 'мүмкін емес'", id="eligible-reason-says-impossible-kk"),
    # Fields and values
    pytest.param(when("safety_risk", danger=True), "unknown field 'danger'", id="unknown-field"),
    pytest.param(when("admin_offence_other", family_offence=True), "unknown field 'family_offence'",
                 id="version-1-field"),
    pytest.param(when("safety_risk", safety_risk="yes"), "safety_risk", id="not-a-boolean"),
    pytest.param(when("safety_risk", safety_risk=1), "safety_risk", id="one-is-not-true"),
    pytest.param(when("safety_risk", safety_risk="unknown"), "safety_risk",
                 id="a-rule-never-tests-unknown"),
    pytest.param(when("family_dispute", category="divorce"), "divorce", id="unknown-category"),
    pytest.param(when("family_dispute", category=["family", "divorce"]), "divorce",
                 id="unknown-category-in-a-list"),
    pytest.param(when("admin_offence_other", admin_offence="domestic"), "domestic",
                 id="unknown-admin-offence"),
    pytest.param(when("criminal_excluded_crime", excluded_crime="theft"), "theft",
                 id="unknown-excluded-crime"),
    pytest.param(when("family_dispute", state_body_party={"is": True}), "not: ...",
                 id="a-mapping-other-than-not"),
    pytest.param(set_in("safety_risk", when={}), "at least one answer", id="empty-when"),
    # Verdicts
    pytest.param(set_in("family_dispute", verdict="unsure"), "no rule gives `unsure`",
                 id="a-rule-giving-unsure"),
    pytest.param(set_in("safety_risk", verdict="maybe"), "verdict must be one of",
                 id="unknown-verdict"),
    pytest.param(set_in("party_limited_capacity", changes={"eligible": "perhaps"}),
                 "unknown verdict", id="unknown-verdict-in-changes"),
    pytest.param(set_in("party_limited_capacity", changes={}), "needs `changes", id="no-changes"),
    # An adjustment may only lower a verdict.
    pytest.param(set_in("party_limited_capacity", changes={"conditional": "eligible"}),
                 "may not raise conditional to eligible", id="raise-conditional"),
    pytest.param(set_in("minor_offender", changes={"not_eligible": "conditional"}),
                 "may not raise not_eligible to conditional", id="raise-not-eligible"),
    pytest.param(set_in("minor_offender", changes={"safety_first": "eligible"}),
                 "may not raise safety_first to eligible", id="raise-safety-first"),
    # Confidence: a Low or UNCONFIRMED fact cannot carry a firm verdict.
    pytest.param(set_in("party_incapable", confidence="Low"), "Low rule cannot give a firm",
                 id="low-not-eligible"),
    pytest.param(set_in("family_dispute", confidence="Low"), "Low rule cannot give a firm",
                 id="low-eligible"),
    pytest.param(set_in("labour_dispute", confidence="UNCONFIRMED"),
                 "UNCONFIRMED rule cannot give a firm", id="unconfirmed-eligible"),
    pytest.param(set_in("party_limited_capacity", confidence="Low",
                        changes={"conditional": "not_eligible"}),
                 "Low rule cannot give a firm", id="low-adjustment-to-not-eligible"),
    pytest.param(set_in("family_dispute", confidence="Certain"), "confidence must be one of",
                 id="unknown-confidence"),
    # when_unknown
    pytest.param(set_in("family_dispute", when_unknown="skip"),
                 "only a rule that excludes mediation may skip", id="skip-on-eligible"),
    pytest.param(set_in("private_state_body_party", when_unknown="skip"),
                 "only a rule that excludes mediation may skip", id="skip-on-conditional"),
    pytest.param(set_in("party_limited_capacity", when_unknown="skip"),
                 "only a rule that excludes mediation may skip", id="skip-on-adjustment"),
    pytest.param(set_in("party_incapable", when_unknown="no"), "when_unknown must be ask or skip",
                 id="bad-when-unknown"),
    # Citations
    pytest.param(set_in("safety_risk", citations=[]), "needs a citation", id="no-citation"),
    pytest.param(set_in("party_limited_capacity", citations=[]), "needs a citation",
                 id="adjustment-without-citation"),
    pytest.param(set_in("safety_risk", citations=[{"act": "tax", "article": "1"}]), "known act",
                 id="unknown-act"),
    pytest.param(set_in("party_incapable", citations=[{"act": "mediation_law"}]),
                 "a citation of a law needs an article", id="law-without-article"),
    pytest.param(lambda d: rule(d, "family_dispute")["citations"].append({"act": "family_code"}),
                 "a citation of a law needs an article", id="one-law-without-article"),
    pytest.param(lambda d: d["acts"]["policy"].update(policy="yes"),
                 "a citation of a law needs an article", id="policy-flag-must-be-true"),
    # An article a reason names must be cited.
    pytest.param(add_to_reasons("family_dispute", "en", "See Family Code, Art. 99."),
                 "en reason names article 99", id="en-article"),
    pytest.param(add_to_reasons("family_dispute", "en", "See Arts. 73 and 74."),
                 "en reason names article 73", id="en-articles"),
    pytest.param(add_to_reasons("family_dispute", "ru", "См. ст. 99 Кодекса."),
                 "ru reason names article 99", id="ru-article"),
    pytest.param(add_to_reasons("family_dispute", "ru", "См. статья 73-3 Кодекса."),
                 "ru reason names article 73-3", id="ru-article-spelled-out"),
    pytest.param(add_to_reasons("family_dispute", "kk", "Кодекстің 99-бабын қараңыз, 99-бап."),
                 "kk reason names article 99", id="kk-article"),
    pytest.param(add_to_reasons("admin_offence_other", "kk", "64(1-1)-бап, 73-3-бап."),
                 "kk reason names article 73-3", id="kk-article-with-part"),
    pytest.param(add_to_reasons("party_limited_capacity", "en", "Art. 5 says so."),
                 "en reason names article 5", id="adjustment-reason"),
    # Texts
    pytest.param(lambda d: rule(d, "safety_risk")["reasons"].pop("kk"), "missing in kk",
                 id="reason-missing"),
    pytest.param(lambda d: rule(d, "safety_risk")["reasons"].update(ru="  "), "missing in ru",
                 id="reason-blank"),
    pytest.param(lambda d: d["acts"]["cc"].pop("en"), "act cc: the name missing in en",
                 id="act-name-missing"),
    pytest.param(lambda d: d["citation_format"].update(en="{act}"), "needs {act} and {article}",
                 id="citation-format"),
    # The file as a whole
    pytest.param(lambda d: rule(d, "party_incapable").update(id="safety_risk"), "used twice",
                 id="duplicate-id"),
    pytest.param(lambda d: d["rules"].append({"when": {"safety_risk": True}}), "needs an id",
                 id="no-id"),
    pytest.param(lambda d: d.update(rules=[]), "no rules", id="no-rules"),
    pytest.param(lambda d: d.update(reviewed_on="soon"), "reviewed_on", id="reviewed-on"),
]  # fmt: skip


# Article numbers in other spellings: lists, words spelled out, Russian cases, Kazakh parts.
ARTICLE_SPELLINGS: list[Any] = [
    pytest.param(add_to_reasons("admin_offence_other", "en", "See Arts. 64 and 99."),
                 "en reason names article 99", id="en-second-article-of-a-list"),
    pytest.param(add_to_reasons("admin_offence_other", "en", "See Article 99."),
                 "en reason names article 99", id="en-article-spelled-out"),
    pytest.param(add_to_reasons("admin_offence_other", "ru", "Согласно статье 99."),
                 "ru reason names article 99", id="ru-article-in-the-dative"),
    pytest.param(add_to_reasons("admin_offence_other", "kk", "99(1-1)-бап."),
                 "kk reason names article 99", id="kk-article-with-a-hyphenated-part"),
]  # fmt: skip


@pytest.mark.parametrize(("change", "message"), REFUSED + ARTICLE_SPELLINGS)
def test_a_broken_rule_book_is_refused(change: Change, message: str) -> None:
    with pytest.raises(rules.RuleBookError, match=re.escape(message)):
        rules.parse(edited(change))


ACCEPTED: list[Any] = [
    pytest.param(set_in("party_incapable", when_unknown="skip"), id="skip-on-not-eligible"),
    pytest.param(set_in("safety_risk", when_unknown="skip"), id="skip-on-safety-first"),
    pytest.param(set_in("party_incapable", when_unknown="ask"), id="ask-said-aloud"),
    pytest.param(set_in("party_limited_capacity", changes={"eligible": "not_eligible"}),
                 id="lower-further"),
    pytest.param(set_in("private_state_body_party", confidence="UNCONFIRMED"),
                 id="unconfirmed-conditional"),
    pytest.param(add_to_reasons("family_dispute", "en", "Family Code, Art. 22(1)."),
                 id="a-cited-article-with-a-part"),
    pytest.param(add_to_reasons("family_dispute", "kk", "22-бап."), id="a-cited-article-kk"),
    pytest.param(when("family_dispute", state_body_party={"not": True}), id="not"),
    pytest.param(when("family_dispute", category=["family"]), id="a-list-of-one"),
]  # fmt: skip


@pytest.mark.parametrize("change", ACCEPTED)
def test_an_allowed_edit_is_accepted(change: Change) -> None:
    rules.parse(edited(change))


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("soon", "must be"),
        (None, "must be"),
        (42, "must be"),
        ("Kelisim content team, 2026-12-03", "name of the lawyer"),
        ("aigerim nurlanova, 2026-12-03", "capitalised"),
        ("Aigerim Nurlanova, 2026-02-30", "real YYYY-MM-DD date"),
        ("Aigerim Nurlanova", "must be"),
    ],
)
def test_a_bad_legal_review_is_refused(value: object, message: str) -> None:
    with pytest.raises(rules.RuleBookError, match=f"`legal_review` .*{message}"):
        rules.parse(edited(lambda d: d.update(legal_review=value)))


@pytest.mark.parametrize("value", ["pending", "Pending", "Aigerim Nurlanova, 2026-12-03"])
def test_a_good_legal_review_is_accepted(value: str) -> None:
    book = rules.parse(edited(lambda d: d.update(legal_review=value)))
    if value.casefold() != "pending":
        assert book.legal_review.lawyer == "Aigerim Nurlanova"
        assert str(book.legal_review.signed_on) == "2026-12-03"


# --- The file on disk -----------------------------------------------------------------------


def _tree(tmp_path: Path) -> Path:
    """A copy of content/ to edit."""
    shutil.copytree(ROOT / "content", tmp_path / "content")
    return tmp_path / "content"


def test_content_check_reports_a_broken_rules_file(tmp_path: Path) -> None:
    content = _tree(tmp_path)
    path = content / rules.RULES_FILE
    path.write_text(
        path.read_text(encoding="utf-8").replace("safety_risk: true", "danger: true", 1),
        encoding="utf-8",
    )
    report = check(content, uses())
    assert not report.ok
    assert any("screening/rules.yml" in e and "danger" in e for e in report.errors)
