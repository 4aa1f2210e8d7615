"""One CLI with --help everywhere: `python -m bot <command> --help`."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from bot import clock, config
from bot.languages import DEFAULT_LANGUAGE, LANGUAGES

if TYPE_CHECKING:
    from bot.content.live import ContentRefused


def _logging(level: str = "INFO") -> None:
    from bot.config import load_dotenv, log_level, log_message_text

    load_dotenv()  # LOG_LEVEL and LOG_MESSAGE_TEXT in .env count too
    logging.basicConfig(
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        level=log_level() or level,
    )
    root = logging.getLogger()
    if root.level < logging.INFO and not log_message_text():
        # At DEBUG, libraries log what passes through them: PTB each update with its text and
        # Telegram ids, SQLAlchemy and aiosqlite each statement with its values. Kelisim's own
        # code keeps message text out of DEBUG, so below INFO only its loggers follow
        # LOG_LEVEL, unless LOG_MESSAGE_TEXT=1 says a person's words may be logged.
        logging.getLogger("bot").setLevel(root.level)
        root.setLevel(logging.INFO)
    # httpx logs every request URL, and URLs contain the bot token.
    logging.getLogger("httpx").setLevel(logging.WARNING)


class _Hide(logging.Filter):
    def __init__(self, secret: str) -> None:
        super().__init__()
        self.secret = secret

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if self.secret in message:
            record.msg, record.args = message.replace(self.secret, "<token>"), None
        return True


def _hide_in_logs(secret: str) -> None:
    """Replace `secret` wherever a log line would show it: PTB logs the Bot API URL, with the
    token in it, at DEBUG (allowed with LOG_MESSAGE_TEXT=1)."""
    for handler in logging.getLogger().handlers:
        handler.addFilter(_Hide(secret))


def _content_refused(exc: ContentRefused) -> str:
    """What to print when content fails the check at start-up: the check's own list first."""
    return (
        f"{exc}\nKelisim does not start on content that fails `content check` ({exc.root}): "
        "fix the errors above (`python -m bot content check` lists them) and start it again"
    )


def cmd_serve(args: argparse.Namespace) -> None:
    """Run the Telegram bot (long polling, or a webhook when WEBHOOK_URL is set)."""
    from bot.config import Settings
    from bot.content.live import ContentRefused
    from bot.telegram.app import run

    _logging()
    settings = Settings.from_env()
    _hide_in_logs(settings.token)
    try:
        run(settings)
    except ContentRefused as exc:
        sys.exit(_content_refused(exc))


def _one_sanic_process() -> None:
    """Serve the action server from this process alone, unless SANIC_WORKERS asks for more.

    Sanic's default is a manager process and a worker: SIGTERM while the worker is still
    starting leaves the manager spinning for 30 s, holding the port (seen when the stack was
    killed just after start-up), and the second process costs memory for nothing."""
    from rasa_sdk import utils
    from sanic import Sanic

    if utils.number_of_sanic_workers() != 1:
        return

    def serve(
        cls: type[Sanic],  # type: ignore[type-arg]
        primary: Sanic | None = None,  # type: ignore[type-arg]
        *,
        app_loader: Any = None,
        factory: Callable[[], Sanic] | None = None,  # type: ignore[type-arg]
    ) -> None:
        if primary is None:
            primary = factory() if factory else app_loader.load()
        cls.serve_single(primary)

    # rasa-sdk calls Sanic.serve with no way to ask for serve_single.
    Sanic.serve = classmethod(serve)  # type: ignore[method-assign,assignment]


def cmd_actions(args: argparse.Namespace) -> None:
    """Run the Rasa action server (rasa-sdk) on 127.0.0.1."""
    # rasa-sdk binds 0.0.0.0 unless told otherwise; the action server must stay private.
    os.environ.setdefault("SANIC_HOST", args.host)
    sys.argv = ["rasa_sdk", "--actions", "bot.actions", "--port", str(args.port)]
    import contextlib

    from rasa_sdk.__main__ import main as rasa_sdk_main

    from bot.actions.screening import rule_book
    from bot.content.live import ContentRefused

    # Check the content now: its problems are logged from the start, and the first person
    # screened does not wait for the check. Content that fails it is refused (and logged) there.
    with contextlib.suppress(ContentRefused):
        rule_book()
    _one_sanic_process()
    rasa_sdk_main()


def cmd_emulator(args: argparse.Namespace) -> None:
    """Run the Bot API emulator and the playground page (its own options: --help)."""
    from bot.emulator.server import main as emulator_main

    _logging("WARNING")
    emulator_main(args.rest)


def cmd_db(args: argparse.Namespace) -> None:
    """Create or migrate the database tables (Alembic)."""
    from bot.config import Settings
    from bot.storage import migrate

    url = Settings.from_env().database_url
    if args.action == "upgrade":
        migrate.upgrade(url, args.revision or "head")
    else:
        migrate.downgrade(url, args.revision or "-1")
    print(f"database {args.action} done")


def cmd_model(args: argparse.Namespace) -> None:
    """Train the Rasa model if its data changed (--force: always), or report on it."""
    from bot import model

    if args.action == "report":
        from pathlib import Path

        from bot import nlu_report
        from bot.understanding.nlu import warn_if_stale

        warn_if_stale()
        _, scores = nlu_report.run(Path(args.out).resolve())
        print(nlu_report.table(scores))
        print()
        print(nlu_report.targets(scores))
        print()
        print(nlu_report.confusions(scores))
        print(
            f"\nfor review: {args.out}/disagreements.md (dispute types and places read otherwise "
            f"than annotated); every example: {args.out}/predictions.jsonl"
        )
        return
    if args.action == "status":
        print("current" if model.is_current() else "stale")
        sys.exit(0 if model.is_current() else 1)
    model.train(force=args.force)


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


def cmd_understand(args: argparse.Namespace) -> None:
    """What the bot understood in each message: JSON lines in, one reading per line out."""
    from bot.understanding import cli as understand

    sys.exit(understand.main(args.input))


def cmd_mediators(args: argparse.Namespace) -> None:
    """Import (checked row by row) or export the directory of mediators as CSV."""
    from pathlib import Path

    from sqlalchemy.orm import Session

    from bot.config import Settings
    from bot.directory import csvio
    from bot.directory.gazetteer import default as gazetteer
    from bot.storage import migrate
    from bot.storage.urls import sync_engine

    url = Settings.from_env().database_url
    migrate.upgrade(url)
    engine = sync_engine(url)
    try:
        with Session(engine) as session:
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
    finally:
        engine.dispose()
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


def _sync_session(url: str) -> Any:
    from sqlalchemy.orm import Session

    from bot.storage import migrate
    from bot.storage.urls import sync_engine

    migrate.upgrade(url)
    return Session(sync_engine(url))


def cmd_offices(args: argparse.Namespace) -> None:
    """The offices that share the bot: add one, import a CSV, or list them with their links."""
    from pathlib import Path

    from bot.config import Settings
    from bot.directory.csvio import spreadsheet_safe
    from bot.directory.gazetteer import default as gazetteer
    from bot.offices import links, registry
    from bot.offices.models import Office

    with _sync_session(Settings.from_env().database_url) as session:
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
            office = session.get(Office, checked.values["code"])
            _link_files(office, args.language or None, args.poster, args.out, args.bot)
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

    with _sync_session(Settings.from_env().database_url) as session:
        office = session.get(Office, args.office.lower())
        if office is None:
            sys.exit(f"no office with code {args.office!r}: see `python -m bot offices list`")
        _link_files(
            office, args.language or office.language or None, args.poster, args.out, args.bot
        )


def cmd_report(args: argparse.Namespace) -> None:
    """One self-contained HTML page: funnel per office, pages, verdicts, languages, regions."""
    import datetime as dt
    from pathlib import Path

    from sqlalchemy import func, select

    from bot.config import Settings
    from bot.content.catalogue import Catalogue
    from bot.directory.gazetteer import default as gazetteer
    from bot.offices import report
    from bot.offices.models import Office, UnansweredQuestion

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
    with _sync_session(settings.database_url) as session:
        rows = report.load(session, since, until)
        offices = {o.code: o for o in session.scalars(select(Office))}
        asked = session.execute(
            select(UnansweredQuestion.language, UnansweredQuestion.text, func.count())
            .where(UnansweredQuestion.day >= since, UnansweredQuestion.day <= until)
            .group_by(UnansweredQuestion.language, UnansweredQuestion.text)
            .order_by(func.count().desc(), UnansweredQuestion.text)
            .limit(200)
        ).all()
        page = report.render(
            rows,
            offices,
            regions,
            since,
            until,
            [(a, b, int(c)) for a, b, c in asked],
            catalogue=catalogue,
            language=args.language,
        )
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(page, encoding="utf-8")
    print(f"{out}: {len(rows)} counts from {since} to {until}")


def cmd_broadcast(args: argparse.Namespace) -> None:
    """Send opt-in news to every subscriber in their language (at most once each, resumable)."""
    import asyncio
    from pathlib import Path

    from sqlalchemy.exc import SQLAlchemyError
    from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine
    from telegram import Bot
    from telegram.error import TelegramError

    from bot.config import Settings
    from bot.offices import broadcast
    from bot.storage import migrate
    from bot.storage.urls import async_url, connect_args, tune

    settings = Settings.from_env()
    if not args.rate > 0:
        sys.exit("--rate must be a positive number of messages a second")
    try:
        broadcast_id, messages = broadcast.load(Path(args.file))
    except (OSError, broadcast.BroadcastError) as exc:
        sys.exit(str(exc))
    if args.dry_run:
        print(f"id: {broadcast_id}")
        for language, text in messages.items():
            print(f"--- {language} ({len(text)} characters)\n{text}")
        return
    if args.rate > broadcast.MAX_RATE:
        print(f"--rate {args.rate:g}: sending {broadcast.MAX_RATE:g} a second at most, so that "
              "the bot's own answers keep their share of Telegram's limit")  # fmt: skip
    migrate.upgrade(settings.database_url)
    tty = sys.stderr.isatty()

    def show(progress: broadcast.Progress) -> None:
        if tty:
            print("\r" + broadcast.bar(progress), end="", file=sys.stderr, flush=True)

    async def run() -> broadcast.Progress:
        url = async_url(settings.database_url)
        engine = create_async_engine(url, connect_args=connect_args(url, interactive=False))
        tune(engine.sync_engine)
        bot = Bot(
            settings.token,
            base_url=settings.telegram_api_base_url,
            request=broadcast.BroadcastRequest(),
        )
        try:
            try:
                await bot.initialize()
            except TelegramError as exc:
                raise broadcast.BroadcastError(f"Telegram cannot be reached: {exc}") from None
            sessions = async_sessionmaker(engine, expire_on_commit=False)
            return await broadcast.send(
                bot,
                sessions,
                broadcast_id,
                messages,
                args.rate,
                on_progress=show,
                resend_unknown=args.resend_unknown,
            )
        finally:
            await bot.shutdown()
            await engine.dispose()

    try:
        progress = asyncio.run(run())
    except broadcast.BroadcastError as exc:
        sys.exit(f"{args.file}: {exc}; nothing more was sent")
    except SQLAlchemyError as exc:
        sys.exit(
            f"the database failed ({exc.__class__.__name__}); the broadcast stopped. Run the same "
            "command again when the database is back: nobody gets it twice"
        )
    if tty:
        print(file=sys.stderr)
    print(f"{broadcast_id}: " + broadcast.bar(progress))
    unknown = progress.unknown + progress.unknown_before
    if unknown:
        print(
            f"{unknown} may or may not have it (the run stopped, or Telegram's answer was lost, "
            "while sending to them): they are not sent it again. --resend-unknown sends it to "
            "them as well, and some of them may then get it twice"
        )
    if progress.interrupted:
        print("interrupted: run the same command again to send the rest (nobody gets it twice)")
        sys.exit(130)
    if progress.failed:
        print(
            f"{progress.failed} not delivered (Telegram refused or could not be reached): run "
            "the same command again to try them again"
        )
        sys.exit(1)


def cmd_stack(args: argparse.Namespace) -> None:
    """Start emulator (without a token), action server, Rasa and bot; Ctrl-C stops them all."""
    from bot.config import Settings
    from bot.stack import Stack
    from bot.storage import migrate

    settings = Settings.from_env()
    migrate.upgrade(settings.database_url)
    # Made-up listings are for the playground only: never loaded for real Telegram users.
    if settings.playground and config.sample_listings():
        from bot.directory.gazetteer import default as gazetteer
        from bot.directory.loading import ensure_samples

        if added := ensure_samples(settings.database_url, gazetteer()):
            print(f"the directory was empty: {added} sample listings loaded")
    from bot.stack import StoreRefused, conversation_store

    try:
        redis_url, store_line = conversation_store(dict(os.environ), settings.playground)
    except StoreRefused as exc:
        sys.exit(str(exc))
    print(store_line, flush=True)
    from bot.content.live import ContentRefused, LiveContent
    from bot.telegram.content_manifest import uses

    # The bot would refuse it too, but only after Rasa took its minute to load.
    try:
        LiveContent.checked(settings.content_dir, uses())
    except ContentRefused as exc:
        sys.exit(_content_refused(exc))
    from bot.stack import HEALTH_PORT_DEFAULT, Ports
    from bot.supervisor import GiveUp, exit_with_parent

    stack = Stack(
        playground=settings.playground,
        env={"REDIS_URL": redis_url},
        ports=Ports(health=settings.health_port or HEALTH_PORT_DEFAULT),
        log_dir=settings.var_dir / "log",
    )
    if args.exit_with_parent:
        exit_with_parent()

    def terminate(signum: int, frame: object) -> None:
        # `kill`, systemd, docker stop, a closed terminal, and (with --exit-with-parent) the
        # end of `make`: stop the children as Ctrl-C does.
        raise KeyboardInterrupt

    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, terminate)
    print(f"Kelisim is starting; logs are in {stack.log_dir}/", flush=True)
    try:
        stack.start(say=lambda line: print(f"  {line}", flush=True))
        if settings.playground:
            print(f"\nReady. Open {stack.emulator_url}/ to talk to the bot (Ctrl-C stops it all).")
        else:
            print("\nReady. The bot is talking to Telegram (Ctrl-C stops it all).")
        print(f"Health: {stack.health_url}/healthz. A process that crashes is started again.")
        stack.supervise()
    except KeyboardInterrupt:
        print("\nstopping...")
    except GiveUp as exc:
        print(f"\n{exc}; stopping everything", file=sys.stderr)
        sys.exit(1)
    except RuntimeError as exc:
        print(f"\n{exc}", file=sys.stderr)
        sys.exit(1)
    finally:
        # One orderly stop: more signals (a second Ctrl-C, make ending) must not cut it short;
        # whatever is left when this process ends gets SIGTERM from the kernel anyway.
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, signal.SIG_IGN)
        stack.stop()


def build_parser() -> argparse.ArgumentParser:
    from bot.screening.fields import CATEGORIES, DISPUTE_TYPES

    parser = argparse.ArgumentParser(
        prog="python -m bot", description="Kelisim: the mediation bot for Kazakhstan."
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(name: str, func: Callable[[argparse.Namespace], None]) -> argparse.ArgumentParser:
        doc = (func.__doc__ or "").strip()
        command = sub.add_parser(name, help=doc, description=doc)
        command.set_defaults(func=func)
        return command

    add("serve", cmd_serve)
    actions = add("actions", cmd_actions)
    actions.add_argument("--host", default="127.0.0.1")
    actions.add_argument("--port", type=int, default=5055)
    # The emulator parses its own options; main() hands them over untouched.
    add("emulator", cmd_emulator).add_argument("rest", nargs="*", help=argparse.SUPPRESS)
    db = add("db", cmd_db)
    db.add_argument("action", choices=["upgrade", "downgrade"])
    db.add_argument("revision", nargs="?")
    mdl = add("model", cmd_model)
    mdl.add_argument(
        "action",
        choices=["train", "status", "report"],
        help="train: if the data changed; status: exit 1 if stale; "
        "report: score what the bot understands on the held-out NLU set, per language "
        "slice (intents, dispute types, places)",
    )
    mdl.add_argument("--force", action="store_true", help="train even if nothing changed")
    mdl.add_argument("--out", default="results/nlu", help="where `report` writes its files")
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
    understand = add("understand", cmd_understand)
    understand.description = (
        'Reads one message per line as a JSON object: {"text": "...", "language": "kk", '
        '"ru" or "en" (optional: the language to name the place in)}. Writes one line per '
        'message, in order: {"intent", "confidence", "ranking" (the classifier\'s top 3, '
        '[{name, confidence}]), "dispute_type" (' + ", ".join(DISPUTE_TYPES) + " or null), "
        '"location" (null or the place the bot would search from: {id, name, region, latitude, '
        'longitude}), "language" (the language the text is written in, or null)}, or '
        '{"error": ...} for a bad line, and goes on. The trained model (models/kelisim.tar.gz) '
        "runs in one Rasa worker process, no server needed, with the resolvers the "
        "conversation uses: this is what the bot acts on. `intent` is Rasa's, so nlu_fallback "
        'when the classifier is unsure (the bot then asks "did you mean …?" with the '
        "ranking's topics). Exit status 2 if any line had an error, 1 if Rasa failed."
    )
    understand.add_argument(
        "--in", dest="input", metavar="FILE", help="read the JSON lines from FILE (default: stdin)"
    )
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
    cast = add("broadcast", cmd_broadcast)
    cast.add_argument("file", help="YAML with id: (the news' name), then kk:, ru: and en:")
    cast.add_argument(
        "--rate",
        type=float,
        default=15.0,
        help="messages per second (15 by default, at most 20: the bot's own answers share "
        "Telegram's limit of about 30)",
    )
    cast.add_argument("--dry-run", action="store_true", help="check and show the messages only")
    cast.add_argument(
        "--resend-unknown",
        action="store_true",
        help="also send to whoever may or may not have it (an earlier run stopped or lost "
        "Telegram's answer while sending to them): some of them may get it twice",
    )
    add("stack", cmd_stack).add_argument(
        "--exit-with-parent",
        action="store_true",
        help="stop everything when the process that started this one ends (make run uses it)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> None:
    arguments = list(sys.argv[1:] if argv is None else argv)
    if arguments[:1] == ["emulator"]:
        cmd_emulator(argparse.Namespace(rest=arguments[1:]))
        return
    args = build_parser().parse_args(arguments)
    args.func(args)
