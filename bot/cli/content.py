"""Content and screening: the check, the translations' status and round-trip, and screening
cases from the command line."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from bot.cli.common import Adder
from bot.languages import LANGUAGES

if TYPE_CHECKING:
    from bot.content.translations import Tracking

STATUS_FORMATS = ("text", "csv", "markdown")


def cmd_content(args: argparse.Namespace) -> None:
    """The content: `check` every problem a user or Telegram would hit (exit 1 on errors);
    `status` of the translations per language; `stamp` translations as done from their
    source's current text; `export` what needs translating to a file for a translator, and
    `import` it back, checked first (docs/content-guide.md, "Translating: the round-trip")."""
    actions = {
        "check": _check,
        "status": _status,
        "stamp": _stamp,
        "export": _export,
        "import": _import,
    }
    actions[args.action](args)


def _check(args: argparse.Namespace) -> None:
    import datetime as dt
    from pathlib import Path

    from bot.content.check import check
    from bot.telegram.content_manifest import uses

    today = dt.date.fromisoformat(args.today) if args.today else None
    report = check(Path(args.dir), uses(), today=today)
    print(report.text())
    sys.exit(0 if report.ok else 1)


def _tracking(args: argparse.Namespace) -> Tracking:
    from pathlib import Path

    from bot.content.catalogue import ContentError
    from bot.content.translations import Tracking, TranslationError

    try:
        return Tracking.load(Path(args.dir))
    except (ContentError, TranslationError) as exc:
        sys.exit(f"cannot read the content: {exc} (`python -m bot content check` says more)")


def _status(args: argparse.Namespace) -> None:
    from bot.content.translations import status_table

    entries = _tracking(args).survey()
    if args.to:
        entries = [entry for entry in entries if entry.language == args.to]
    print(status_table(entries, args.format, listed=args.list))


def _stamp(args: argparse.Namespace) -> None:
    from bot.content.translations import TranslationError

    if args.names and not args.to:
        sys.exit("name the language of these translations: --to kk, ru or en")
    tracking = _tracking(args)
    for lang in [args.to] if args.to else LANGUAGES:
        try:
            stamped = tracking.stamp(lang, args.names)
        except TranslationError as exc:
            sys.exit(str(exc))
        print(f"{lang}: {len(stamped)} translation(s) recorded as up to date")


def _export(args: argparse.Namespace) -> None:
    from pathlib import Path

    from bot.content.exchange import export

    count = export(_tracking(args), args.to, args.format, Path(args.out), everything=args.all)
    print(f"{args.out}: {count} text(s) to translate into {args.to}")


def _import(args: argparse.Namespace) -> None:
    from pathlib import Path

    from bot.content.catalogue import ContentError
    from bot.content.exchange import import_file, summary
    from bot.content.translations import TranslationError
    from bot.telegram.content_manifest import uses

    try:
        result = import_file(
            Path(args.dir),
            Path(args.file),
            uses(),
            dry_run=args.dry_run,
            reviewed_by=args.reviewed_by,
        )
    except (ContentError, TranslationError) as exc:
        sys.exit(f"cannot import: {exc}")
    print(summary(result, args.dry_run))
    sys.exit(0 if result.ok else 1)


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
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--dir", default="content", help="the content tree (default: content)")
    actions = content.add_subparsers(dest="action", required=True, metavar="ACTION")

    def action(name: str, text: str) -> argparse.ArgumentParser:
        return actions.add_parser(name, parents=[common], help=text, description=text)

    check = action("check", "every problem a user or Telegram would hit (exit 1 on errors)")
    check.add_argument("--today", help="check review ages as of this date (YYYY-MM-DD)")
    status = action("status", "per language: translations up to date, stale, missing, unknown")
    status.add_argument("--to", choices=LANGUAGES, help="this language only (default: all)")
    status.add_argument(
        "--list", action="store_true", help="also name the stale, missing and unknown texts"
    )
    status.add_argument("--format", choices=STATUS_FORMATS, default="text")
    stamp = action(
        "stamp", "record translations a translator confirmed as made from today's source"
    )
    stamp.add_argument("--to", choices=LANGUAGES, help="this language only (default: all)")
    stamp.add_argument(
        "names",
        nargs="*",
        metavar="KEY",
        help="a key (btn.menu), page:<id>, or a pattern (* matches anything); none: all",
    )
    export = action("export", "write what needs translating into a file for a translator")
    export.add_argument("--to", choices=LANGUAGES, required=True, help="the language")
    export.add_argument("--format", choices=("xlsx", "po", "xliff"), required=True)
    export.add_argument("--out", required=True, help="the file to write")
    export.add_argument("--all", action="store_true", help="every text, the up-to-date ones last")
    imported = action(
        "import", "read a translated file back: checked first, written only without errors"
    )
    imported.add_argument("file", help="the translated .xlsx, .po, .xlf or .xliff file")
    imported.add_argument("--dry-run", action="store_true", help="check and report only")
    imported.add_argument(
        "--reviewed-by",
        default="",
        metavar="NAME",
        help="who read the translation (needed when a page changes: the page shows people who "
        "checked it and when, with today's date)",
    )
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
