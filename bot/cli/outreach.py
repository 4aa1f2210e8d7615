"""What the offices see: the HTML report."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot import clock
from bot.cli.common import Adder, sync_session
from bot.languages import DEFAULT_LANGUAGE, LANGUAGES


def cmd_report(args: argparse.Namespace) -> None:
    """One self-contained HTML page: funnel per office, pages, verdicts, languages, regions."""
    import datetime as dt

    from bot.config import Settings
    from bot.content.catalogue import Catalogue
    from bot.outreach import report
    from bot.places.gazetteer import default as gazetteer

    try:
        since = dt.date.fromisoformat(args.since)
        until = dt.date.fromisoformat(args.until) if args.until else clock.today()
    except ValueError as exc:
        sys.exit(f"dates are YYYY-MM-DD: {exc}")
    if until < since:
        sys.exit("--until is before --since")
    settings = Settings.from_env()
    catalogue = Catalogue.load(settings.content_dir)
    with sync_session(settings.database_url) as session:
        offices = report.load_offices(session)
        if args.office and args.office not in offices:
            sys.exit(f"no office {args.office!r}: `python -m bot offices list` shows them")
        # An office's report is in the office's own language unless another is asked for.
        language = (
            args.language
            or (offices[args.office].language if args.office else "")
            or DEFAULT_LANGUAGE
        )
        regions = {p.id: str(getattr(p.names, language)) for p in gazetteer().regions()}
        rows = report.load(session, since, until)
        if args.office:
            rows = [row for row in rows if row.office == args.office]
        page = report.render(
            rows,
            offices,
            regions,
            since,
            until,
            # What people typed is for the content team, and not linked to any office: an
            # office's report (which it may share) leaves it out.
            () if args.office else report.load_unanswered(session, since, until),
            catalogue=catalogue,
            language=language,
            news=report.load_news(session, since, until),
            translations=_translations(settings.content_dir),
            missing_texts=() if args.office else report.load_missing_texts(session, since, until),
            typed_texts=not args.office,
        )
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(page, encoding="utf-8")
    # For the person who runs it: where the page is and what it covers (a row is one day's
    # count of one thing for one office, not a person).
    print(f"{out}: the report from {since} to {until}, in {language}, made of {len(rows)} daily "
          "figures; open it in a browser")  # fmt: skip


def _translations(content_dir: Path) -> dict[str, dict[str, int]] | None:
    """Per language, how many texts are up to date, stale, missing, unknown; None without
    the translation records (bot/content/translations.py)."""
    from bot.content import translations

    try:
        tracking = translations.Tracking.load(content_dir)
    except translations.TranslationError:
        return None
    table = translations.counts(tracking.survey())
    return {lang: {str(k): v for k, v in found.items()} for lang, found in table.items()}


def register(add: Adder) -> None:
    """Its commands, their arguments and help."""
    report_cmd = add("report", cmd_report)
    report_cmd.add_argument("--since", required=True, help="first day, YYYY-MM-DD")
    report_cmd.add_argument("--until", help="last day, YYYY-MM-DD (default: today)")
    report_cmd.add_argument("--out", default="report.html", help="the HTML file to write")
    report_cmd.add_argument(
        "--language",
        choices=LANGUAGES,
        default="",
        help="language of the page (default: the office's language with --office, else ru)",
    )
    report_cmd.add_argument(
        "--office", default="", help="only this office's counts (its code), in its language"
    )
