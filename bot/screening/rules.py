"""The rule book: content/screening/rules.yml, loaded and checked against the case contract."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bot.content.catalogue import LegalReview, parse_legal_review
from bot.languages import LANGUAGES
from bot.screening.fields import EXCLUDING, FIELDS, VERDICTS, allowed_values

RULES_FILE = Path("screening") / "rules.yml"
_FIRM = ("eligible", "not_eligible")
_CONFIDENCE = ("High", "Medium-High", "Medium", "Low", "UNCONFIRMED")
# From the most to the least favourable to mediation: an adjustment may only move down.
RANK = {"eligible": 0, "conditional": 1, "unsure": 2, "not_eligible": 3, "safety_first": 4}
# "Art. 68", "Arts. 64 and 99", «ст. 68(4)», «статье 99», «64 және 99(1-1)-баптар»: the articles
# a reason names, which must then be among the rule's citations (a reason quoting another article
# than it cites contradicts its own grounds).
_NUMBER = r"\d+(?:-\d+)?(?:\s*\([^)]*\))*"
_LIST = rf"{_NUMBER}(?:\s*(?:,|and|и|және)\s*{_NUMBER})*"
_ARTICLES_IN_TEXT = re.compile(
    rf"(?:\bArt(?:icle)?s?\.?|\bст\.|\bстат[а-я]*)\s*(?P<after>{_LIST})"
    rf"|(?P<before>{_LIST})-бап"
)


# Words that rule mediation out: a rule that says "eligible" must not give them as its reason
# (the reason would contradict the verdict the person reads above it).
_EXCLUDING_WORDS: dict[str, tuple[str, ...]] = {
    "en": ("does not allow", "is not allowed", "not possible", "not available", "does not apply",
           "cannot go to mediation", "cannot be settled"),
    "ru": ("не допускает", "не допускается", "невозможн", "не применяется", "нельзя урегулировать"),
    "kk": ("жол бермейді", "мүмкін емес", "қолданылмайды", "реттеуге болмайды"),
}  # fmt: skip


def articles_named(text: str) -> set[str]:
    """The article numbers (without their parts) a text names."""
    found = set()
    for match in _ARTICLES_IN_TEXT.finditer(text):
        listed = re.sub(r"\([^)]*\)", "", match["after"] or match["before"])
        found.update(re.findall(r"\d+(?:-\d+)?", listed))
    return found


class RuleBookError(ValueError):
    """The rules file cannot be used; the message says where and why."""


@dataclass(frozen=True)
class Condition:
    """One field's test: its value must (or, negated, must not) be one of `values`."""

    field: str
    values: tuple[object, ...]
    negated: bool = False

    def holds(self, value: object) -> bool:
        return (value in self.values) != self.negated


@dataclass(frozen=True)
class Citation:
    act: str
    article: str  # "" for a policy of ours, which has no articles

    @property
    def base_article(self) -> str:
        """The article without its parts: "68(4)" -> "68"."""
        return self.article.split("(")[0].strip()


@dataclass(frozen=True)
class Rule:
    id: str
    conditions: tuple[Condition, ...]
    verdict: str  # for an adjustment: "" (see `changes`)
    citations: tuple[Citation, ...]
    reasons: Mapping[str, str]
    confidence: str
    changes: Mapping[str, str]  # adjustments only: old verdict -> new verdict
    # `when_unknown: skip`: an answer this rule needs that is not known passes the rule over
    # instead of keeping the verdict unsure (and the questionnaire does not ask for it).
    skip_unknown: bool = False

    @property
    def fields(self) -> tuple[str, ...]:
        return tuple(c.field for c in self.conditions)


@dataclass(frozen=True)
class RuleBook:
    rules: tuple[Rule, ...]
    adjustments: tuple[Rule, ...]
    acts: Mapping[str, Mapping[str, Any]]
    citation_format: Mapping[str, str]
    reviewed_on: dt.date
    reviewed_by: str
    legal_review: LegalReview  # pending, or the lawyer who reviewed the rules and when

    def rule(self, rule_id: str) -> Rule:
        for rule in (*self.rules, *self.adjustments):
            if rule.id == rule_id:
                return rule
        raise KeyError(rule_id)

    def cite(self, citation: Citation, language: str = "en") -> str:
        act = str(self.acts[citation.act][language])
        if not citation.article:
            return act
        return self.citation_format[language].format(act=act, article=citation.article)


def _condition(where: str, field: object, spec: object) -> Condition:
    if field not in FIELDS:
        raise RuleBookError(f"{where}: unknown field {field!r}")
    assert isinstance(field, str)
    negated = isinstance(spec, dict)
    if negated:
        assert isinstance(spec, dict)
        if set(spec) != {"not"}:
            raise RuleBookError(f"{where}: {field}: a mapping must be {{not: ...}}")
        spec = spec["not"]
    values = tuple(spec) if isinstance(spec, list) else (spec,)
    allowed = allowed_values(field)
    for value in values:
        # `1 == True` in Python: compare types too, so that only true and false are booleans.
        if not any(value == a and type(value) is type(a) for a in allowed):
            shown = ", ".join(str(a).lower() if isinstance(a, bool) else str(a) for a in allowed)
            raise RuleBookError(f"{where}: {field}: {value!r} is not one of {shown}")
    return Condition(field, values, negated)


def _texts(where: str, raw: object, what: str) -> dict[str, str]:
    if not isinstance(raw, dict):
        raise RuleBookError(f"{where}: {what} must give a text per language")
    missing = [lang for lang in LANGUAGES if not str(raw.get(lang) or "").strip()]
    if missing:
        raise RuleBookError(f"{where}: {what} missing in {', '.join(missing)}")
    return {lang: str(raw[lang]).strip() for lang in LANGUAGES}


def _citations(where: str, raw: dict[str, Any], acts: Mapping[str, Any]) -> list[Citation]:
    """The acts and articles a rule cites: a known act, and an article unless it is a policy."""
    citations = []
    for cite in raw.get("citations") or []:
        if not isinstance(cite, dict) or cite.get("act") not in acts:
            raise RuleBookError(f"{where}: a citation needs a known act: {cite!r}")
        article = str(cite.get("article") or "")
        if not article and not acts[cite["act"]].get("policy"):
            raise RuleBookError(f"{where}: a citation of a law needs an article: {cite!r}")
        citations.append(Citation(str(cite["act"]), article))
    return citations


def _outcome(
    where: str, raw: dict[str, Any], adjustment: bool
) -> tuple[str, dict[str, str], tuple[str, ...]]:
    """A rule's verdict, or an adjustment's changes; and the verdicts it can produce."""
    if not adjustment:
        verdict = str(raw.get("verdict") or "")
        if verdict not in VERDICTS:
            raise RuleBookError(f"{where}: verdict must be one of {', '.join(VERDICTS)}")
        if verdict == "unsure":
            raise RuleBookError(
                f"{where}: no rule gives `unsure`: the engine does, naming what is not known"
            )
        return verdict, {}, (verdict,)
    raw_changes = raw.get("changes")
    if not isinstance(raw_changes, dict) or not raw_changes:
        raise RuleBookError(f"{where}: an adjustment needs `changes: {{old: new}}`")
    changes: dict[str, str] = {}
    for old, new in raw_changes.items():
        if old not in VERDICTS or new not in VERDICTS:
            raise RuleBookError(f"{where}: unknown verdict in changes {old!r}: {new!r}")
        changes[str(old)] = str(new)
    return "", changes, tuple(changes.values())


def _reasons(where: str, raw: dict[str, Any], verdict: str, cited: set[str]) -> dict[str, str]:
    """The reasons in every language: an eligible one never says mediation is excluded, and
    none names an article the rule does not cite."""
    reasons = _texts(where, raw.get("reasons"), "reasons")
    if verdict == "eligible":
        for lang, reason in reasons.items():
            said = [w for w in _EXCLUDING_WORDS.get(lang, ()) if w in reason.casefold()]
            if said:
                raise RuleBookError(
                    f"{where}: the verdict is eligible, but the {lang} reason says {said[0]!r}"
                )
    for lang, reason in reasons.items():
        for number in sorted(articles_named(reason) - cited):
            raise RuleBookError(
                f"{where}: the {lang} reason names article {number}, which the rule does not cite"
            )
    return reasons


def _rule(raw: object, index: int, adjustment: bool, acts: Mapping[str, Any]) -> Rule:
    if not isinstance(raw, dict) or not isinstance(raw.get("id"), str):
        raise RuleBookError(f"rule #{index + 1}: needs an id")
    rule_id = raw["id"]
    where = f"rule {rule_id}"
    when = raw.get("when")
    if not isinstance(when, dict) or not when:
        raise RuleBookError(f"{where}: `when` must list at least one answer")
    conditions = tuple(_condition(where, f, spec) for f, spec in when.items())
    citations = _citations(where, raw, acts)
    confidence = str(raw.get("confidence") or "")
    if confidence not in _CONFIDENCE:
        raise RuleBookError(f"{where}: confidence must be one of {', '.join(_CONFIDENCE)}")
    verdict, changes, produced = _outcome(where, raw, adjustment)
    if not citations:
        raise RuleBookError(f"{where}: every verdict except unsure needs a citation")
    if confidence in ("Low", "UNCONFIRMED") and any(v in _FIRM for v in produced):
        raise RuleBookError(f"{where}: a {confidence} rule cannot give a firm verdict")
    for old, new in changes.items():
        if RANK[new] < RANK[old]:
            raise RuleBookError(f"{where}: an adjustment may not raise {old} to {new}")
    when_unknown = raw.get("when_unknown", "ask")
    if when_unknown not in ("ask", "skip"):
        raise RuleBookError(f"{where}: when_unknown must be ask or skip")
    if when_unknown == "skip" and (adjustment or verdict not in EXCLUDING):
        # Passing over a rule that would allow mediation could let a later, more favourable
        # rule decide on an answer nobody gave.
        raise RuleBookError(f"{where}: only a rule that excludes mediation may skip unknowns")
    reasons = _reasons(where, raw, verdict, {c.base_article for c in citations})
    return Rule(
        id=rule_id,
        conditions=conditions,
        verdict=verdict,
        citations=tuple(citations),
        reasons=reasons,
        confidence=confidence,
        changes=changes,
        skip_unknown=when_unknown == "skip",
    )


def parse(data: object) -> RuleBook:
    """A RuleBook from the YAML document, or RuleBookError naming the first problem."""
    if not isinstance(data, dict):
        raise RuleBookError("the rules file must be a mapping with `rules:`")
    raw_acts = data.get("acts")
    if not isinstance(raw_acts, dict) or not raw_acts:
        raise RuleBookError("`acts` must name each act in every language")
    acts: dict[str, dict[str, Any]] = {}
    for key, raw_act in raw_acts.items():
        acts[str(key)] = {**_texts(f"act {key}", raw_act, "the name")}
        if isinstance(raw_act, dict) and raw_act.get("policy") is True:
            # Kelisim's own policy, shown as such, never as a law: it has no articles.
            acts[str(key)]["policy"] = True
    citation_format = _texts("citation_format", data.get("citation_format"), "the format")
    for lang, fmt in citation_format.items():
        if "{act}" not in fmt or "{article}" not in fmt:
            raise RuleBookError(f"citation_format {lang}: needs {{act}} and {{article}}")
    reviewed_on = data.get("reviewed_on")
    if not isinstance(reviewed_on, dt.date):
        raise RuleBookError("`reviewed_on` must be a date (YYYY-MM-DD)")
    rules = tuple(_rule(r, i, False, acts) for i, r in enumerate(data.get("rules") or []))
    adjustments = tuple(
        _rule(r, i, True, acts) for i, r in enumerate(data.get("adjustments") or [])
    )
    if not rules:
        raise RuleBookError("no rules")
    ids = [r.id for r in (*rules, *adjustments)]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise RuleBookError(f"rule id used twice: {duplicates[0]}")
    try:
        legal_review = parse_legal_review(data.get("legal_review"))
    except ValueError as exc:
        raise RuleBookError(f"`legal_review` {exc}") from exc
    return RuleBook(
        rules=rules,
        adjustments=adjustments,
        acts=acts,
        citation_format=citation_format,
        reviewed_on=reviewed_on,
        reviewed_by=str(data.get("reviewed_by") or ""),
        legal_review=legal_review,
    )


def load(content_dir: Path) -> RuleBook:
    path = content_dir / RULES_FILE
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise RuleBookError(f"{path}: {exc}") from exc
    try:
        return parse(data)
    except RuleBookError as exc:
        raise RuleBookError(f"{path}: {exc}") from exc
