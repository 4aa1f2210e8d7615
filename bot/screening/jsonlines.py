"""`python -m bot screen`: JSON lines in, one verdict (or error) per line out, same order."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any, TextIO

from bot.screening.engine import NoRuleMatched, evaluate
from bot.screening.fields import CaseError, validate
from bot.screening.rules import RuleBook


def screen_line(book: RuleBook, line: str, reasons_language: str | None = None) -> dict[str, Any]:
    """The answer for one input line: the verdict, or {"error": ...} naming what is wrong."""
    try:
        raw = json.loads(line)
    except ValueError as exc:
        return {"error": f"not valid JSON: {exc}"}
    try:
        outcome = evaluate(book, validate(raw))
    except (CaseError, NoRuleMatched) as exc:
        return {"error": str(exc)}
    answer = outcome.as_json(book)
    if reasons_language:
        answer["reasons"] = [book.rule(r).reasons[reasons_language] for r in outcome.rules]
    return answer


def run(book: RuleBook, lines: Iterable[str], out: TextIO, reasons: str | None = None) -> int:
    """Process every line (errors do not stop the rest); 2 if any line had an error, else 0."""
    status = 0
    for line in lines:
        answer = screen_line(book, line.rstrip("\r\n"), reasons)
        if "error" in answer:
            status = 2
        out.write(json.dumps(answer, ensure_ascii=False) + "\n")
        # One line out per line in, as it comes: a caller may be waiting on a pipe.
        out.flush()
    return status
