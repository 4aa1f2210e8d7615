"""Evaluate the rule book: the verdict for a case, and what is still worth asking.

The same engine serves `python -m bot screen`, the Rasa actions and the bot.

How a case is decided (docs/screening-rules.md, contract version 2):
1. A rule that excludes mediation (`safety_first`, `not_eligible`) and whose answers are all
   known decides at once, whatever else is not known; among several, the first in the file.
2. Otherwise the first rule that holds decides, unless a rule above it could not be decided
   because an answer it needs is not known: then the verdict is `unsure`, and the outcome names
   the answers to find out. Not knowing is never read as "no".
3. Adjustments then lower the deciding rule's verdict when their answers are known (limited
   capacity turns `eligible` into `conditional`); every one that holds is named.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.screening.fields import EXCLUDING, UNKNOWN, complete
from bot.screening.rules import RANK, Citation, Rule, RuleBook


@dataclass(frozen=True)
class Outcome:
    verdict: str
    rules: tuple[str, ...]  # the deciding rule, then any adjustment that changed the verdict
    citations: tuple[Citation, ...]
    unknown: tuple[str, ...] = ()  # for `unsure`: the answers to find out, in rule order

    def as_json(self, book: RuleBook) -> dict[str, Any]:
        answer: dict[str, Any] = {
            "verdict": self.verdict,
            "rules": list(self.rules),
            "citations": [book.cite(c) for c in self.citations],
        }
        if self.unknown:
            answer["unknown"] = list(self.unknown)
        return answer


class NoRuleMatched(LookupError):
    """The rule book has no rule for this case: a gap for the legal reviewer to fill."""


@dataclass(frozen=True)
class _Tested:
    rule: Rule
    state: bool | None  # holds, does not hold, or cannot tell yet
    open_fields: tuple[str, ...]  # when it cannot tell: the answers it needs that are not known


def _test(rule: Rule, full: Mapping[str, Any]) -> _Tested:
    open_fields = []
    for condition in rule.conditions:
        value = full[condition.field]
        if value == UNKNOWN:
            open_fields.append(condition.field)
        elif not condition.holds(value):
            return _Tested(rule, False, ())
    return _Tested(rule, None if open_fields else True, tuple(open_fields))


def _blocks(tested: _Tested) -> bool:
    """Does this undecided rule keep a later rule from deciding?"""
    return tested.state is None and not tested.rule.skip_unknown


def _decide(book: RuleBook, rule: Rule, full: Mapping[str, Any]) -> Outcome:
    """The rule's verdict, lowered by every adjustment that holds for it; each one that holds
    is named (its reason is part of the answer), even when another lowered the verdict first."""
    verdict, applied, citations = rule.verdict, [rule.id], list(rule.citations)
    for adjustment in book.adjustments:
        changed = adjustment.changes.get(rule.verdict)
        if changed is not None and _test(adjustment, full).state is True:
            verdict = max(verdict, changed, key=RANK.__getitem__)
            applied.append(adjustment.id)
            citations += [c for c in adjustment.citations if c not in citations]
    return Outcome(verdict, tuple(applied), tuple(citations))


def evaluate(book: RuleBook, case: Mapping[str, Any]) -> Outcome:
    """The verdict for a case; answers missing from `case` (or None) are not known."""
    full = complete(case)
    return _outcome(book, full, [_test(rule, full) for rule in book.rules])


def _outcome(book: RuleBook, full: Mapping[str, Any], tested: list[_Tested]) -> Outcome:
    for t in tested:
        if t.state is True and t.rule.verdict in EXCLUDING:
            return _decide(book, t.rule, full)
    unknown: list[str] = []
    for t in tested:
        if t.state is True:
            if unknown:
                break
            return _decide(book, t.rule, full)
        # What to find out first: a rule's later answers matter only once its first is known
        # ("was the offender a minor?" only for a crime against a minor).
        if _blocks(t) and t.open_fields[0] not in unknown:
            unknown.append(t.open_fields[0])
    if unknown:
        return Outcome("unsure", (), (), tuple(unknown))
    raise NoRuleMatched(f"no rule matches category {full['category']!r}")


@dataclass(frozen=True)
class Progress:
    wanted: tuple[str, ...]  # fields whose answer could still change the outcome, rule order

    @property
    def settled(self) -> bool:
        return not self.wanted


def progress(book: RuleBook, answers: Mapping[str, Any]) -> Progress:
    """Which fields are still worth asking, given the answers so far.

    `answers` holds the fields the person was asked; None is "I don't know" (a field that was
    asked and is not known stays unknown: it is not asked again). A question is worth asking
    while its answer could still decide a rule that matters: one that excludes mediation, or
    one above the rule that would decide now. A rule that an "I don't know" already left
    undecidable asks nothing more (its other answers could not decide it).
    """
    full = complete(answers)
    tested = [_test(rule, full) for rule in book.rules]
    outcome = _outcome(book, full, tested)  # danger decides even before the kind of dispute
    if outcome.verdict in EXCLUDING:
        return Progress(())
    deciding = next((i for i, t in enumerate(tested) if t.state is True), len(tested))
    wanted: list[str] = []

    def want(t: _Tested) -> None:
        if all(f not in answers for f in t.open_fields):
            wanted.extend(f for f in t.open_fields if f not in wanted)

    for i, t in enumerate(tested):
        matters = i < deciding or t.rule.verdict in EXCLUDING
        if t.state is None and not t.rule.skip_unknown and matters:
            want(t)
    for adjustment in book.adjustments:
        t = _test(adjustment, full)
        if t.state is None and (
            outcome.verdict == "unsure" or outcome.verdict in adjustment.changes
        ):
            want(t)
    return Progress(tuple(wanted))
