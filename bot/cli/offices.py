"""Offices that share the bot: the registry, their links and posters."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from bot import config
from bot.cli.common import Adder, sync_session
from bot.languages import LANGUAGES


def cmd_offices(args: argparse.Namespace) -> None:
    """The offices that share the bot: add one, import a CSV, or list them with their links."""
    from pathlib import Path

    from bot.config import Settings
    from bot.directory.csvio import spreadsheet_safe
    from bot.offices import links, registry
    from bot.offices.models import Office
    from bot.places.gazetteer import default as gazetteer

    with sync_session(Settings.from_env().database_url) as session:
        if args.action == "list":
            for office in registry.all_offices(session):
                link = links.deep_link(args.bot, office.code, office.language or None)
                name = spreadsheet_safe(office.name_ru)
                print(f"{office.code};{office.kind};{office.region_id};{name};{link}")
            return
        if args.action == "add":
            row = {
                "code": args.code, "kind": args.kind, "region": args.region,
                "name_kk": args.name_kk, "name_ru": args.name_ru, "name_en": args.name_en,
                "language": args.language or "",
            }  # fmt: skip
            checked = registry.check(row, gazetteer())
            if checked.values is None:
                sys.exit("\n".join(checked.problems))
            added, _ = registry.save(session, [checked.values])
            print(f"office {checked.values['code']} {'added' if added else 'updated'}")
            saved = session.get(Office, checked.values["code"])
            assert saved is not None  # just written
            _link_files(saved, args.language or None, args.poster, args.out, args.bot)
            return
        try:
            text = Path(args.file).read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            sys.exit(f"cannot read {args.file}: {exc}")
        problems, added, updated = registry.import_csv(session, text, gazetteer())
    for problem in problems:
        print(problem)
    if problems:
        print("nothing written: fix the rows above")
        sys.exit(1)
    print(f"{added} added, {updated} updated")


def _link_files(office: Any, language: str | None, posters: str, out_dir: str, bot: str) -> None:
    """Print the office's deep link; write its QR code and, in `posters` languages, a poster."""
    from pathlib import Path

    from bot.config import Settings
    from bot.content import Catalogue
    from bot.offices import links, poster

    languages = [lang.strip() for lang in posters.split(",") if lang.strip()]
    unknown = [lang for lang in languages if lang not in LANGUAGES]
    if unknown:
        sys.exit(f"--poster: unknown language(s) {', '.join(unknown)} (kk, ru, en)")
    link = links.deep_link(bot, office.code, language)
    print(link)
    out = Path(out_dir)
    stem = f"kelisim-{office.code}" + (f"-{language}" if language else "")
    png, svg = links.write_qr(link, out, stem)
    print(f"QR code: {png}, {svg}")
    if languages:
        catalogue = Catalogue.load(Settings.from_env().content_dir)
        names = {lang: office.name(lang) for lang in LANGUAGES}
        pdf = poster.write_poster(catalogue, languages, names, link, png, out / f"{stem}.pdf")
        print(f"poster: {pdf}")


def cmd_link(args: argparse.Namespace) -> None:
    """Print an office's deep link; write its QR code (PNG, SVG) and an A4 poster (PDF)."""
    from bot.config import Settings
    from bot.offices.models import Office

    with sync_session(Settings.from_env().database_url) as session:
        office = session.get(Office, args.office.lower())
        if office is None:
            sys.exit(f"no office with code {args.office!r}: see `python -m bot offices list`")
        _link_files(
            office, args.language or office.language or None, args.poster, args.out, args.bot
        )


def register(add: Adder) -> None:
    """Its commands, their arguments and help."""
    from bot.offices.models import KINDS as OFFICE_KINDS

    offices = add("offices", cmd_offices)
    office_actions = offices.add_subparsers(dest="action", required=True, metavar="ACTION")
    bot_name = config.bot_username()
    listing = office_actions.add_parser("list", help="every office with its deep link")
    one = office_actions.add_parser("add", help="add or update one office")
    one.add_argument("code", help="2-40 of a-z, 0-9 and _ (it goes into the link)")
    one.add_argument("--kind", required=True, help=", ".join(OFFICE_KINDS))
    one.add_argument("--region", required=True, help="region or city (id or name, any language)")
    one.add_argument("--name-kk", required=True)
    one.add_argument("--name-ru", required=True)
    one.add_argument("--name-en", required=True)
    one.add_argument("--language", choices=LANGUAGES, help="language for its visitors")
    one.add_argument("--poster", default="kk,ru", help="poster languages ('' for none)")
    one.add_argument("--out", default="posters", help="where to write the QR code and poster")
    many = office_actions.add_parser(
        "import", help="offices from a CSV file (code,kind,region,name_kk,name_ru,name_en,language)"
    )
    many.add_argument("file", help="the CSV file; nothing is written if any row is wrong")
    for office_parser in (listing, one, many):
        office_parser.add_argument(
            "--bot", default=bot_name, help="the bot's username (BOT_USERNAME)"
        )
    link = add("link", cmd_link)
    link.add_argument("office", help="the office's code")
    link.add_argument("--language", choices=LANGUAGES, help="preset in the link")
    link.add_argument(
        "--poster", default="kk,ru", help="poster languages, comma-separated ('' for none)"
    )
    link.add_argument("--out", default="posters", help="where to write the QR code and poster")
    link.add_argument("--bot", default=bot_name, help="the bot's username (BOT_USERNAME)")
