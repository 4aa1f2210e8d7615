"""Content and screening: the check, and screening cases from the command line."""

from __future__ import annotations

import argparse
import sys

from bot.cli.common import Adder
from bot.languages import LANGUAGES


def cmd_content(args: argparse.Namespace) -> None:
    """Check content/ for every problem a user or Telegram would hit (exit 1 on errors)."""
    import datetime as dt
    from pathlib import Path

    from bot.content.check import check
    from bot.telegram.content_manifest import uses

    today = dt.date.fromisoformat(args.today) if args.today else None
    report = check(Path(args.dir), uses(), today=today)
    print(report.text())
    sys.exit(0 if report.ok else 1)


def cmd_screen(args: argparse.Namespace) -> None:
    """Screen cases: JSON lines on stdin, one verdict per line on stdout (exit 2 on bad lines)."""
    from pathlib import Path

    from bot.screening import jsonlines, rules

    try:
        book = rules.load(Path(args.content))
    except rules.RuleBookError as exc:
        sys.exit(f"cannot use the rules: {exc}")
    sys.exit(jsonlines.run(book, sys.stdin, sys.stdout, reasons=args.reasons))


def register(add: Adder) -> None:
    """Its commands, their arguments and help."""
    from bot.screening.fields import CATEGORIES

    content = add("content", cmd_content)
    content.add_argument("action", choices=["check"])
    content.add_argument("--dir", default="content", help="the content tree (default: content)")
    content.add_argument("--today", help="check review ages as of this date (YYYY-MM-DD)")
    screen = add("screen", cmd_screen)
    screen.description = (
        "Reads one case per line as a JSON object: category (required: "
        + ", ".join(CATEGORIES)
        + ") and any of the answers listed in docs/screening-rules.md (contract version 2: "
        "true or false; crime_gravity, excluded_crime and admin_offence take names; null, "
        '"unknown" or leaving it out mean not known, never "no"). Writes one line per case, '
        'in order: {"verdict": ..., "rules": [...], "citations": [...]} with "unknown": '
        '[the answers to find out] when the verdict is unsure, or {"error": ...} for a bad '
        "line, and goes on. Exit status 2 if any line had an error."
    )
    screen.add_argument("--content", default="content", help="the content tree with screening/")
    screen.add_argument("--reasons", choices=LANGUAGES, help="also give the plain-language reasons")
