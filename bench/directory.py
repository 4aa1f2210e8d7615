"""The nearest-mediator query over 100,000 listings, on SQLite and on PostgreSQL.

    python -m bench.directory [--listings 100000] [--queries 2000]

Loads generated listings (bot.directory.samples.many, fixed seed) into a fresh SQLite file and
a fresh PostgreSQL schema, then times `search()` from random points in towns (weighted by
population) with random filters, as a person would ask. The baseline is the same number of
primary-key lookups on the same database: the cheapest query a listing page could make.
Reports p50/p95/p99 milliseconds per search and the ratio of the p95 to the baseline's.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import random
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import create_engine, insert, select, text
from sqlalchemy.orm import Session

from bot.directory import samples
from bot.directory.models import Listing
from bot.directory.search import Query, search
from bot.directory.tidy import tidy
from bot.places.gazetteer import default as gazetteer
from bot.screening.dispute_types import DISPUTE_TYPES
from bot.storage import migrate
from bot.storage.urls import sync_url

POSTGRES = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


def percentiles(samples_ms: list[float]) -> tuple[float, float, float]:
    cuts = statistics.quantiles(samples_ms, n=100)
    return statistics.median(samples_ms), cuts[94], cuts[98]


def timed(work: Callable[[], object], count: int) -> list[float]:
    times = []
    for _ in range(count):
        start = time.perf_counter()
        work()
        times.append((time.perf_counter() - start) * 1000)
    return times


def queries(count: int) -> list[Query]:
    rng = random.Random(11)
    places, weights = samples.places_by_weight(gazetteer())
    found = []
    for place in rng.choices(places, weights, k=count):
        found.append(
            Query(
                place.lat + rng.uniform(-0.03, 0.03),
                place.lon + rng.uniform(-0.03, 0.03),
                dispute_type=rng.choice([None, *DISPUTE_TYPES]),
                language=rng.choice([None, "kk", "ru", "ru", "en"]),
                kind=rng.choice([None, None, "free", "professional"]),
                online=rng.random() < 0.1,
            )
        )
    return found


def run(label: str, url: str, listings: int, count: int) -> None:
    migrate.upgrade(url)
    engine = create_engine(sync_url(url))
    with Session(engine) as session:
        start = time.perf_counter()
        with session.begin():
            rows = samples.many(gazetteer(), listings, dt.date(2026, 11, 26))
            batch: list[dict[str, object]] = []
            for row in rows:
                batch.append(row)
                if len(batch) == 5000:
                    session.execute(insert(Listing), batch)
                    batch = []
            if batch:
                session.execute(insert(Listing), batch)
        tidy(session)  # what an import and the sample loader do after writing
        load_s = time.perf_counter() - start
        ids = list(session.scalars(select(Listing.id)))
        rng = random.Random(3)
        base = timed(lambda: session.get(Listing, rng.choice(ids)), count)
        session.expunge_all()
        work = iter(queries(count))
        found = timed(lambda: search(session, next(work), want=5), count)
    engine.dispose()
    b50, b95, _ = percentiles(base)
    p50, p95, p99 = percentiles(found)
    print(
        f"{label:<10} {listings} listings loaded in {load_s:5.1f} s; "
        f"search p50 {p50:.2f} ms, p95 {p95:.2f} ms, p99 {p99:.2f} ms; "
        f"baseline (get by id) p50 {b50:.3f} ms, p95 {b95:.3f} ms; "
        f"search p95 / baseline p95 = {p95 / b95:.1f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listings", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=2000)
    args = parser.parse_args()
    print(f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    with tempfile.TemporaryDirectory() as tmp:
        run("SQLite", f"sqlite:///{Path(tmp) / 'bench.db'}", args.listings, args.queries)
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(sync_url(POSTGRES))
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        url = f"{POSTGRES}?options=-csearch_path%3D{schema}"
        run("PostgreSQL", url, args.listings, args.queries)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


if __name__ == "__main__":
    main()
