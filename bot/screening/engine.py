"""Evaluate the rule book: the verdict for a case, and what is still worth asking.

The same engine serves `python -m bot screen`, the Rasa actions and the bot.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.screening.fields import complete
from bot.screening.rules import Citation, Rule, RuleBook


@dataclass(frozen=True)
class Outcome:
    verdict: str
    rules: tuple[str, ...]  # the deciding rule, then any adjustment that changed the verdict
    citations: tuple[Citation, ...]

    def as_json(self, book: RuleBook) -> dict[str, Any]:
        return {
            "verdict": self.verdict,
            "rules": list(self.rules),
            "citations": [book.cite(c) for c in self.citations],
        }


class NoRuleMatched(LookupError):
    """The rule book has no rule for this case: a gap for the legal reviewer to fill."""


def evaluate(book: RuleBook, case: Mapping[str, Any]) -> Outcome:
    """The first matching rule decides; then each adjustment may change the verdict."""
    full = complete(case)
    decided = next((r for r in book.rules if _holds(r, full)), None)
    if decided is None:
        raise NoRuleMatched(f"no rule matches category {full['category']!r}")
    verdict, applied, citations = decided.verdict, [decided.id], list(decided.citations)
    for adjustment in book.adjustments:
        if verdict in adjustment.changes and _holds(adjustment, full):
            verdict = adjustment.changes[verdict]
            applied.append(adjustment.id)
            citations += [c for c in adjustment.citations if c not in citations]
    return Outcome(verdict, tuple(applied), tuple(citations))


def _holds(rule: Rule, full: Mapping[str, Any]) -> bool:
    return all(c.holds(full[c.field]) for c in rule.conditions)


def _state(rule: Rule, answers: Mapping[str, Any]) -> tuple[bool | None, list[str]]:
    """True or False when the answers given decide the rule; else None and the open fields."""
    full = complete(answers)
    open_fields = []
    for condition in rule.conditions:
        if condition.field not in answers:
            open_fields.append(condition.field)
        elif not condition.holds(full[condition.field]):
            return False, []
    return (None, open_fields) if open_fields else (True, [])


@dataclass(frozen=True)
class Progress:
    possible: frozenset[str]  # verdicts the open answers could still lead to
    wanted: tuple[str, ...]  # fields whose answer could still change the verdict, rule order

    @property
    def settled(self) -> bool:
        return len(self.possible) == 1


def progress(book: RuleBook, answers: Mapping[str, Any]) -> Progress:
    """What the answers given so far settle, and which fields could still change the verdict.

    `answers` holds only the fields the person answered; None means "I don't know" (read as
    the field's missing value). A question is worth asking only while its answer could change
    the verdict: once every way forward leads to the same verdict, the questions stop.
    """
    possible: set[str] = set()
    wanted: list[str] = []
    decided = False
    for rule in book.rules:
        state, open_fields = _state(rule, answers)
        if state is False:
            continue
        possible.add(rule.verdict)
        if state is True:
            decided = True
            break
        wanted += [f for f in open_fields if f not in wanted]
    if not decided and "category" in answers:
        # Unanswered fields count as "no" in the end: that reading is one more way forward.
        possible.add(evaluate(book, answers).verdict)
    for adjustment in book.adjustments:
        touched = possible & set(adjustment.changes)
        if not touched:
            continue
        state, open_fields = _state(adjustment, answers)
        if state is False:
            continue
        changed = {adjustment.changes[v] for v in touched}
        possible = (possible - touched) | changed if state is True else possible | changed
        wanted += [f for f in open_fields if f not in wanted]
    if len(possible) == 1:
        wanted = []
    return Progress(frozenset(possible), tuple(wanted))
