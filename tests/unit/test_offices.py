"""Offices: codes and /start payloads, the registry (add, CSV import checked row by row), the
QR code and poster files, the `offices` and `link` commands, and the anonymous daily counts on
SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import Session

from bot import clock
from bot.config import ROOT
from bot.content import Catalogue
from bot.offices import links, poster, registry
from bot.offices.models import DailyCount, Office
from bot.outreach.counts import Counter
from bot.places.gazetteer import default as gazetteer
from bot.storage import migrate
from bot.storage.urls import async_url, sync_url

ROW = {
    "code": "Almaty_PSC_1", "kind": "psc", "region": "Алматы", "name_kk": "Алматы ХҚКО №1",
    "name_ru": "ЦОН Алматы №1", "name_en": "Almaty PSC No. 1", "language": "kk",
}  # fmt: skip


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ("o_almaty_psc_1", ("almaty_psc_1", None)),
        ("o_almaty_psc_1-ru", ("almaty_psc_1", "ru")),
        ("o_a1-en", ("a1", "en")),
        ("o_almaty_psc_1-de", None),
        ("almaty_psc_1", None),
        ("o_", None),
        ("o_x", None),
        ("o_" + "a" * 41, None),
        ("o_Almaty", None),
        ("/start o_x", None),
        ("", None),
    ],
)
def test_payloads_are_parsed_strictly(payload: str, expected: object) -> None:
    assert links.parse(payload) == expected


def test_the_longest_link_fits_telegrams_payload_rules() -> None:
    value = links.payload("a" * 40, "kk")
    assert len(value) <= 64
    assert all(c.isalnum() or c in "_-" for c in value)
    assert links.deep_link("kelisim_bot", "abc", "ru") == "https://t.me/kelisim_bot?start=o_abc-ru"
    with pytest.raises(ValueError, match="not an office code"):
        links.payload("Bad code!")


def test_a_row_is_checked_field_by_field() -> None:
    checked = registry.check(ROW, gazetteer())
    assert checked.values is not None
    assert checked.values["code"] == "almaty_psc_1"
    assert checked.values["region_id"] == "almaty"
    settlement = registry.check({**ROW, "region": "Кентау"}, gazetteer())
    assert settlement.values is not None
    assert settlement.values["region_id"] == "turkistan-region"
    bad = registry.check(
        {**ROW, "code": "x!", "kind": "bank", "region": "Paris", "name_en": "", "language": "de"},
        gazetteer(),
    )
    assert bad.values is None
    assert [p.split(":")[0] for p in bad.problems] == [
        "code",
        "kind",
        "region",
        "name_en",
        "language",
    ]


@pytest.fixture
def session(database_url: str) -> Iterator[Session]:
    migrate.upgrade(database_url)
    engine = create_engine(sync_url(database_url))
    with Session(engine) as opened:
        yield opened
    engine.dispose()


def test_a_csv_import_is_all_or_nothing(session: Session) -> None:
    header = ",".join(registry.COLUMNS)
    good = ",".join(ROW[c] for c in registry.COLUMNS)
    other = good.replace("Almaty_PSC_1", "shymkent_akimat").replace("psc", "akimat", 1)
    bad = good.replace("psc", "bank", 1).replace("Almaty_PSC_1", "third")
    problems, added, _ = registry.import_csv(
        session, f"{header}\n{good}\n{bad}\n{good}\n", gazetteer()
    )
    assert problems == [
        "line 3, kind: 'bank' is not one of akimat, psc, court, ngo, friendship_house, other",
        "line 4, code: duplicate of line 2",
    ]
    assert added == 0
    assert registry.all_offices(session) == []
    problems, added, updated = registry.import_csv(
        session, f"{header}\n{good}\n{other}\n", gazetteer()
    )
    assert (problems, added, updated) == ([], 2, 0)
    renamed = good.replace("ЦОН Алматы №1", "ЦОН №1")
    assert registry.import_csv(session, f"{header}\n{renamed}\n", gazetteer())[1:] == (0, 1)
    office = session.get(Office, "almaty_psc_1")
    assert office is not None
    assert office.name("ru") == "ЦОН №1"
    assert registry.import_csv(session, "code,name\nx,y\n", gazetteer())[0][0].startswith(
        "line 1: missing columns"
    )


def test_qr_code_and_poster_files(tmp_path: Path, catalogue: Catalogue) -> None:
    link = links.deep_link("kelisim_bot", "almaty_psc_1", "kk")
    png, svg = links.write_qr(link, tmp_path, "office")
    assert png.read_bytes().startswith(b"\x89PNG")
    assert "<svg" in svg.read_text()
    names = {"kk": "Алматы ХҚКО №1", "ru": "ЦОН Алматы №1", "en": "Almaty PSC No. 1"}
    pdf = poster.write_poster(catalogue, ["kk", "ru", "en"], names, link, png, tmp_path / "p.pdf")
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF")
    assert data.count(b"/Type /Page\n") == 3  # one page per language


@pytest.mark.slow
def test_the_offices_and_link_commands(tmp_path: Path) -> None:
    env = dict(os.environ, DATABASE_URL=f"sqlite:///{tmp_path / 'cli.db'}", BOT_USERNAME="my_bot")

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "bot", *args],
            capture_output=True, text=True, cwd=ROOT, env=env, check=False,
        )  # fmt: skip

    first = tmp_path / "first"
    added = run("offices", "add", "court_7", "--kind", "court", "--region", "Шымкент",
                "--name-kk", "Сот", "--name-ru", "Суд", "--name-en", "Court",
                "--out", str(first))  # fmt: skip
    assert added.returncode == 0, added.stderr
    assert "https://t.me/my_bot?start=o_court_7" in added.stdout
    # One command gives a new office its link, QR code and poster.
    assert sorted(p.suffix for p in first.iterdir()) == [".pdf", ".png", ".svg"]
    wrong = run("offices", "add", "x", "--kind", "bank", "--region", "Mars",
                "--name-kk", "a", "--name-ru", "b", "--name-en", "c")  # fmt: skip
    assert wrong.returncode == 1
    assert "kind:" in wrong.stderr
    assert "region:" in wrong.stderr
    assert (
        "court_7;court;shymkent;Суд;https://t.me/my_bot?start=o_court_7"
        in run("offices", "list").stdout
    )
    out = tmp_path / "out"
    made = run("link", "court_7", "--language", "ru", "--poster", "ru,kk", "--out", str(out))
    assert made.returncode == 0, made.stderr
    assert made.stdout.splitlines()[0] == "https://t.me/my_bot?start=o_court_7-ru"
    assert sorted(p.name for p in out.iterdir()) == [
        "kelisim-court_7-ru.pdf", "kelisim-court_7-ru.png", "kelisim-court_7-ru.svg",
    ]  # fmt: skip
    assert run("link", "nowhere").returncode == 1
    for command in (["offices", "--help"], ["link", "--help"], ["offices", "import", "--help"]):
        assert run(*command).returncode == 0


async def test_counts_add_up_without_anyone_in_them(database_url: str) -> None:
    migrate.upgrade(database_url)
    engine = create_async_engine(async_url(database_url))
    counter = Counter(async_sessionmaker(engine, expire_on_commit=False))
    try:
        await counter.add("started", office="court_7", region="shymkent", language="ru")
        await counter.add("started", office="court_7", region="shymkent", language="ru")
        await counter.add("contacts_shown", office="", language="kk", n=5)
    finally:
        await engine.dispose()
    with Session(create_engine(sync_url(database_url))) as session:
        rows = {
            (r.office, r.event, r.language): r.count for r in session.scalars(select(DailyCount))
        }
        assert rows == {("court_7", "started", "ru"): 2, ("", "contacts_shown", "kk"): 5}
        day = session.scalar(select(DailyCount.day))
        assert day == clock.today()
    assert set(DailyCount.__table__.columns.keys()) == {
        "id", "day", "office", "region", "language", "event", "count",
    }  # fmt: skip


async def test_the_bot_writes_counts_together_and_keeps_them_while_the_database_fails(
    database_url: str,
) -> None:
    migrate.upgrade(database_url)
    engine = create_async_engine(async_url(database_url))
    counter = Counter(async_sessionmaker(engine, expire_on_commit=False))

    def stored() -> dict[str, int]:
        with Session(create_engine(sync_url(database_url))) as session:
            return {r.event: r.count for r in session.scalars(select(DailyCount))}

    batching = asyncio.create_task(counter.run_forever(every=0.2))
    try:
        await asyncio.sleep(0)
        for _ in range(3):
            await counter.add("page:cost", language="kk")
        assert stored() == {}  # nothing written during the turn itself
        await asyncio.sleep(0.5)
        assert stored() == {"page:cost": 3}  # one transaction, a beat later
        real = counter._sessions
        counter._sessions = async_sessionmaker(
            create_async_engine("sqlite+aiosqlite:///nowhere/x.db")
        )
        await counter.add("page:cost", language="kk")
        await asyncio.sleep(0.5)  # a flush failed: the count waits in memory
        counter._sessions = real
        await counter.add("started", language="kk")
    finally:
        batching.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await batching
        await engine.dispose()
    assert stored() == {"page:cost": 4, "started": 1}  # the rest written as it stopped


async def test_a_count_survives_an_unreadable_origin(caplog: pytest.LogCaptureFixture) -> None:
    # Unit test with stand-ins: the user table fails, the count still goes in, without an office.
    from types import SimpleNamespace

    from bot.telegram.services import KEY, Services, count

    added: list[tuple[str, dict[str, object]]] = []

    class BrokenDatabase:
        async def person(self, user_id: int) -> object:
            raise RuntimeError("database unavailable")

    class Recorder:
        async def add(self, event: str, **where: object) -> None:
            added.append((event, where))

    svc = Services.__new__(Services)
    svc.db, svc.counter = BrokenDatabase(), Recorder()  # type: ignore[assignment]
    await count(SimpleNamespace(bot_data={KEY: svc}), 7, "kk", "page:cost")
    assert added == [("page:cost", {"office": "", "region": "", "language": "kk", "n": 1})]
    assert "could not read where user came from" in caplog.text


async def test_where_they_heard_of_us_and_verdicts_count_once_a_day_per_person(
    database_url: str,
) -> None:
    """Security review L8: a replayed or forged `src:*` press, or a verdict reached again, adds
    nothing more to the offices' counts that day."""
    from types import SimpleNamespace

    from bot.storage.daily import DailyMarks
    from bot.storage.db import Database
    from bot.telegram.services import KEY, Services, count

    migrate.upgrade(database_url)
    db = Database(database_url)
    svc = Services.__new__(Services)
    svc.db, svc.counter, svc.marks = db, Counter(db.sessions), DailyMarks()
    context = SimpleNamespace(bot_data={KEY: svc})
    try:
        for value in ("akimat", "akimat", "court", "internet"):  # one person, pressing on
            await count(context, 7001, "kk", f"heard:{value}", once="heard")
        await count(context, 7002, "kk", "heard:court", once="heard")
        for verdict in ("eligible", "eligible", "unsure"):
            await count(context, 7001, "kk", f"screened:{verdict}", once="screened")
        for _ in range(3):  # without `once`, every time (pages read again are read again)
            await count(context, 7001, "kk", "page:cost")
    finally:
        await db.close()
    with Session(create_engine(sync_url(database_url))) as session:
        rows = {r.event: r.count for r in session.scalars(select(DailyCount))}
    assert rows == {"heard:akimat": 1, "heard:court": 1, "screened:eligible": 1, "page:cost": 3}


async def test_stopping_while_counts_are_being_written_loses_none(database_url: str) -> None:
    migrate.upgrade(database_url)
    engine = create_async_engine(async_url(database_url))
    real = async_sessionmaker(engine, expire_on_commit=False)

    class SlowSessions:
        """Sessions whose transaction takes a while to begin: the bot stops meanwhile."""

        @contextlib.asynccontextmanager
        async def begin(self) -> AsyncIterator[AsyncSession]:
            await asyncio.sleep(0.3)
            async with real.begin() as session:
                yield session

    counter = Counter(real)
    counter._sessions = SlowSessions()  # type: ignore[assignment]
    batching = asyncio.create_task(counter.run_forever(every=0.05))
    await asyncio.sleep(0)
    await counter.add("page:cost", language="kk")
    await asyncio.sleep(0.15)  # the write has taken the count out of memory and waits
    batching.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await batching
    await engine.dispose()
    with Session(create_engine(sync_url(database_url))) as session:
        assert {r.event: r.count for r in session.scalars(select(DailyCount))} == {"page:cost": 1}
