"""What the offices see: the HTML report."""

from __future__ import annotations

import argparse
import sys

from bot import clock
from bot.cli.common import Adder, sync_session
from bot.languages import DEFAULT_LANGUAGE, LANGUAGES


def cmd_report(args: argparse.Namespace) -> None:
    """One self-contained HTML page: funnel per office, pages, verdicts, languages, regions."""
    import datetime as dt
    from pathlib import Path

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
    regions = {p.id: str(getattr(p.names, args.language)) for p in gazetteer().regions()}
    with sync_session(settings.database_url) as session:
        rows = report.load(session, since, until)
        page = report.render(
            rows,
            report.load_offices(session),
            regions,
            since,
            until,
            report.load_unanswered(session, since, until),
            catalogue=catalogue,
            language=args.language,
            news=report.load_news(session, since, until),
        )
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(page, encoding="utf-8")
    print(f"{out}: {len(rows)} counts from {since} to {until}")


def register(add: Adder) -> None:
    """Its commands, their arguments and help."""
    report_cmd = add("report", cmd_report)
    report_cmd.add_argument("--since", required=True, help="first day, YYYY-MM-DD")
    report_cmd.add_argument("--until", help="last day, YYYY-MM-DD (default: today)")
    report_cmd.add_argument("--out", default="report.html", help="the HTML file to write")
    report_cmd.add_argument(
        "--language",
        choices=LANGUAGES,
        default=DEFAULT_LANGUAGE,
        help="language of the page (default: ru)",
    )
