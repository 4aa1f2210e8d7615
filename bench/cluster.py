"""Turns per second of Kelisim as replicas: one of each part against two of each, in one run.

The cluster of the cluster test (bot/cluster/runner.py: emulator -> webhook receiver -> Redis
Streams -> bot workers -> balancer -> Rasa servers -> balancer -> action servers; PostgreSQL
and Redis), started with one worker, one Rasa server and one action server, then with two of
each. The same simulated people (tests/support/people.py: /start, the language, the whole
questionnaire, a question in words, again and again as new people) talk for `--seconds`. A turn
is one step of theirs and its answer. Reported per shape: turns/s, latency percentiles,
unanswered steps, the CPU each kind of process used per turn, peak memory per process, and how
busy the machine's cores were: where the machine, not the design, sets the limit. The ratio of
the two shapes is the figure to keep (docs/benchmarks.md).

Telegram's cap on sends (30 a second for a bot) and the per-person flood limits are off: the
bench measures the system, not the limits.

    python -m bench.cluster [--people 50] [--seconds 30] [--out bench/out/cluster.json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import psutil

from bench.turns import MemoryWatch, machine, percentile
from bot import model
from bot.cluster.runner import Cluster, Shape, free_base_port
from bot.directory.loading import ensure_samples
from bot.places.gazetteer import default as gazetteer
from bot.storage import migrate
from tests.support.databases import database_at
from tests.support.people import Script, person, record
from tests.support.stack import REDIS_URL, delete_keys

LANGUAGES = ("kk", "ru", "en")
NO_LIMITS = {
    "MAX_QUEUED_PER_CHAT": "1000000",
    "USER_BURST": "1000000",
    "TELEGRAM_SENDS_PER_SECOND": "0",
}


@dataclass
class Result:
    shape: str
    people: int
    seconds: float
    turns: int
    turns_per_second: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    unanswered: int
    # How busy the machine's cores were while people talked (the simulated people included).
    machine_busy: float
    cpu_ms_per_turn: dict[str, float] = field(default_factory=dict)
    peak_rss_mb: dict[str, float] = field(default_factory=dict)


def _kind(name: str) -> str:
    """worker-2 -> worker; rasa-lb stays itself."""
    head, _, tail = name.rpartition("-")
    return head if tail.isdigit() else name


async def _prepare(cluster: Cluster, people: int) -> dict[str, Script]:
    """The reference conversations, and a warm-up round so that the figures are not the
    processes' first turns."""
    async with _session(people) as http:
        base = cluster.emulator_url
        scripts = {lang: await record(http, base, lang) for lang in LANGUAGES}
        warm_until = time.monotonic() + 3
        await asyncio.gather(
            *(
                person(http, base, scripts[LANGUAGES[i % 3]], lambda: time.monotonic() > warm_until)
                for i in range(min(people, 6))
            )
        )
    return scripts


async def _talk(
    cluster: Cluster, scripts: dict[str, Script], people: int, seconds: float
) -> tuple[list[float], int]:
    async with _session(people) as http:
        until = time.monotonic() + seconds
        outcomes = await asyncio.gather(
            *(
                person(
                    http,
                    cluster.emulator_url,
                    scripts[LANGUAGES[i % 3]],
                    lambda: time.monotonic() > until,
                )
                for i in range(people)
            )
        )
    latencies = [ms for o in outcomes for ms in o.latencies]
    return latencies, sum(o.unanswered for o in outcomes)


def _session(people: int) -> aiohttp.ClientSession:
    return aiohttp.ClientSession(
        timeout=aiohttp.ClientTimeout(total=120),
        connector=aiohttp.TCPConnector(limit=people * 3),
    )


def measure(shape: Shape, people: int, seconds: float, database_url: str, tmp: Path) -> Result:
    """One shape: start it, let the people talk, stop it."""
    prefix = f"kelisimbench{uuid.uuid4().hex[:8]}"
    cluster = Cluster(
        shape=shape,
        base_port=free_base_port(),
        log_dir=tmp / "log" / f"{shape.workers}{shape.rasa}{shape.actions}",
        redis_prefix=prefix,
        env={
            **NO_LIMITS,
            "DATABASE_URL": database_url,
            "REDIS_URL": REDIS_URL,
            "KELISIM_VAR_DIR": str(tmp),
            "SENDER_ID_SECRET": "bench",
            "RASA_TIMEOUT": "30",
            "LOG_LEVEL": "WARNING",
        },
    )
    cluster.start()
    try:
        scripts = asyncio.run(_prepare(cluster, people))
        pids = {c.name: c.process.pid for c in cluster.children}
        started = time.monotonic()
        before = psutil.cpu_times()
        with MemoryWatch(pids) as watch:
            latencies, unanswered = asyncio.run(_talk(cluster, scripts, people, seconds))
        wall = time.monotonic() - started
        busy = _busy(before, psutil.cpu_times())
    finally:
        cluster.stop()
        delete_keys(prefix)
    turns = len(latencies)
    per_kind: dict[str, float] = {}
    for name, cpu in watch.cpu_seconds.items():
        per_kind[_kind(name)] = per_kind.get(_kind(name), 0.0) + cpu
    return Result(
        shape=f"{shape.workers} worker(s), {shape.rasa} Rasa, {shape.actions} action server(s)",
        people=people,
        seconds=seconds,
        turns=turns,
        turns_per_second=round(turns / wall, 1),
        p50_ms=round(percentile(latencies, 50)),
        p95_ms=round(percentile(latencies, 95)),
        p99_ms=round(percentile(latencies, 99)),
        unanswered=unanswered,
        machine_busy=busy,
        cpu_ms_per_turn={k: round(v * 1000 / max(turns, 1), 2) for k, v in per_kind.items()},
        peak_rss_mb={k: round(v) for k, v in watch.peak.items()},
    )


def _busy(before: Any, after: Any) -> float:
    """The share of the machine's CPU time not idle between two psutil.cpu_times()."""
    total = sum(after) - sum(before)
    idle = (after.idle + after.iowait) - (before.idle + before.iowait)
    return round(1 - idle / total, 2) if total > 0 else 0.0


def table(results: list[Result]) -> str:
    lines = [
        "| shape | people | turns/s | vs one of each | p50 ms | p95 ms | p99 ms | unanswered"
        " | cores busy | CPU ms per turn | peak RSS MB |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    base = results[0].turns_per_second or 1.0
    for r in results:
        cpu = ", ".join(f"{k} {v}" for k, v in sorted(r.cpu_ms_per_turn.items()))
        rss = ", ".join(f"{k} {v:.0f}" for k, v in r.peak_rss_mb.items())
        lines.append(
            f"| {r.shape} | {r.people} | {r.turns_per_second} | "
            f"{r.turns_per_second / base:.2f}x | {r.p50_ms} | {r.p95_ms} | {r.p99_ms} | "
            f"{r.unanswered} | {r.machine_busy:.0%} | {cpu} | {rss} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.cluster", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--people", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--out", type=Path, default=Path("bench/out/cluster.json"))
    args = parser.parse_args(argv)
    model.train()
    results: list[Result] = []
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        for shape in (Shape(1, 1, 1), Shape(2, 2, 2)):
            with database_at("postgresql", tmp) as database_url:
                migrate.upgrade(database_url)
                ensure_samples(database_url, gazetteer())
                results.append(measure(shape, args.people, args.seconds, database_url, tmp))
    report: dict[str, Any] = {**machine(), "results": [asdict(r) for r in results]}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2, ensure_ascii=False))
    print(f"{report['date']}, {report['machine']}")
    print(table(results))


if __name__ == "__main__":
    main()
