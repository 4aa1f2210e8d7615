"""The mediator directory: CSV import and export, samples, wrong-contact reports."""

from __future__ import annotations

import argparse
import sys

from bot.cli.common import Adder, sync_session


def cmd_mediators(args: argparse.Namespace) -> None:
    """Import (checked row by row) or export the directory of mediators as CSV."""
    from pathlib import Path

    from bot.config import Settings
    from bot.directory import csvio
    from bot.places.gazetteer import default as gazetteer

    with sync_session(Settings.from_env().database_url) as session:
        if args.action == "sample":
            from bot.directory import loading

            added = loading.load_samples(session, gazetteer(), args.count)
            print(f"{added} sample listings loaded (earlier sample listings replaced)")
            return
        if args.action == "remove-samples":
            from bot.directory import loading

            print(f"{loading.remove_samples(session)} sample listings removed")
            return
        if args.action == "reports":
            _print_reports(session, args.clear)
            return
        if args.action == "export":
            text = csvio.export_text(session)
            if args.file and args.file != "-":
                Path(args.file).write_text(text, encoding="utf-8")
            else:
                sys.stdout.write(text)
            return
        try:
            text = Path(args.file).read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            sys.exit(f"cannot read {args.file}: {exc}")
        report = csvio.import_text(
            session, text, gazetteer(), dry_run=args.dry_run, skip_bad_rows=args.skip_bad_rows
        )
        if report.written:
            from bot.directory.tidy import tidy

            tidy(session)
    for problem in report.problems:
        print(problem)
    summary = f"{report.rows} rows, {report.valid} valid, {len(report.bad_lines)} with problems"
    if report.written:
        print(f"{summary}: {report.created} added, {report.updated} updated")
    elif args.dry_run:
        print(f"{summary}: nothing written (--dry-run)")
    else:
        print(
            f"{summary}: nothing written"
            + (" (fix the rows above, or --skip-bad-rows)" if report.problems else "")
        )
    sys.exit(1 if report.problems else 0)


def _print_reports(session: object, clear: list[str] | None) -> None:
    """Listings reported as having wrong contact details, or clear one listing's reports."""
    from sqlalchemy.orm import Session

    from bot.directory import reports
    from bot.directory.csvio import spreadsheet_safe

    assert isinstance(session, Session)
    if clear:
        removed = reports.clear(session, clear[0], clear[1])
        print(f"{removed} report(s) cleared for {clear[0]} {clear[1]}")
        return
    found = reports.reported(session)
    if not found:
        print("no listing has been reported")
        return
    print("reports;last_reported;register;entry;name;phone;email;telegram")
    for r in found:
        item = r.listing
        # Often saved as a .csv and opened in a spreadsheet: no cell may run as a formula.
        text = [spreadsheet_safe(v) for v in (item.register, item.entry, item.name, item.email)]
        print(
            f"{r.reports};{r.last.isoformat()};{text[0]};{text[1]};{text[2]};"
            f"{item.phone};{text[3]};{item.telegram}"
        )


def register(add: Adder) -> None:
    """Its commands, their arguments and help."""
    mediators = add("mediators", cmd_mediators)
    directory = mediators.add_subparsers(dest="action", required=True, metavar="ACTION")
    imp = directory.add_parser(
        "import",
        help="check every row of a CSV file and write it (all rows, or nothing)",
        description="Check every row (docs/directory-csv.md) and write the listings in one "
        "transaction; any bad row means nothing is written, unless --skip-bad-rows.",
    )
    imp.add_argument("file", help="the CSV file")
    imp.add_argument("--dry-run", action="store_true", help="check and report, write nothing")
    imp.add_argument(
        "--skip-bad-rows",
        action="store_true",
        help="write the valid rows even if others have problems",
    )
    exp = directory.add_parser("export", help="write the directory as CSV (the import format)")
    exp.add_argument("file", nargs="?", help="where to write (default: standard output)")
    smp = directory.add_parser(
        "sample", help="replace the made-up sample listings (about 300; --count for benchmarks)"
    )
    smp.add_argument("--count", type=int, help="how many listings to generate")
    directory.add_parser(
        "remove-samples",
        help="delete the made-up sample listings (real listings stay)",
        description="Delete every sample listing. A bot with a real token never shows them, "
        "but a database that served the playground still holds them until this is run.",
    )
    rep = directory.add_parser(
        "reports",
        help="listings people reported as having wrong contact details",
        description="List the listings reported in the bot as having wrong contact details "
        "(most reported first; no one's identity is kept), or clear one listing's reports "
        "after checking it.",
    )
    rep.add_argument(
        "--clear", nargs=2, metavar=("REGISTER", "ENTRY"), help="clear this listing's reports"
    )
