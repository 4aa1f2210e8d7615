"""Turns per second and turn latency of the full stack, against bare Rasa on the same model.

A turn is one user message: from the update entering the Bot API emulator to the bot's reply
reaching it, on the emulator's own clock. The baseline posts the same messages straight to
Rasa's REST channel. Loops are bounded in count and time; everything runs on 127.0.0.1.

    python -m bench.turns [--users 1 8] [--seconds 20] [--out bench/out/turns.json]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import platform
import statistics
import tempfile
import threading
import time
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path

import aiohttp
import psutil

from bot import model
from bot.stack import Ports, Stack
from bot.storage import migrate
from tests.support.stack import free_port

MESSAGES = [
    "what is mediation",
    "что такое медиация",
    "медиация деген не",
    "hello",
    "что ты умеешь",
    "Medıasıa degenimiz ne?",
    "рахмет",
    "how much does a mediator cost",
]


@dataclass
class Result:
    scenario: str
    users: int
    turns: int
    seconds: float
    turns_per_second: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    errors: int
    peak_rss_mb: dict[str, float] = field(default_factory=dict)


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


class MemoryWatch:
    """Peak RSS of each stack process (with its children), sampled in a thread."""

    def __init__(self, stack: Stack) -> None:
        self.pids = {c.name: c.process.pid for c in stack.children}
        self.peak: dict[str, float] = dict.fromkeys(self.pids, 0.0)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _rss(self, pid: int) -> float:
        try:
            proc = psutil.Process(pid)
            procs = [proc, *proc.children(recursive=True)]
            return sum(p.memory_info().rss for p in procs) / 2**20
        except psutil.Error:
            return 0.0

    def _run(self) -> None:
        while not self._stop.wait(0.2):
            for name, pid in self.pids.items():
                self.peak[name] = max(self.peak[name], self._rss(pid))

    def __enter__(self) -> MemoryWatch:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


async def _bot_user(
    http: aiohttp.ClientSession, base: str, index: int, deadline: float, out: list[float]
) -> int:
    async with http.post(
        f"{base}/control/users", json={"first_name": f"bench{index}", "language_code": "en"}
    ) as response:
        user = await response.json()
    uid = user["id"]
    errors = 0
    for text in itertools.cycle(MESSAGES):
        if time.monotonic() > deadline:
            break
        async with http.post(f"{base}/control/users/{uid}/messages", json={"text": text}) as r:
            sent = await r.json()
        params = {"after": str(sent["seq"]), "timeout": "30", "all": "1"}
        async with http.get(f"{base}/control/users/{uid}/wait", params=params) as r:
            events = await r.json()
        incoming = [e for e in events if e["direction"] == "out" and e["kind"] == "message"]
        start_at = await _event_time(http, base, uid, sent["seq"])
        if not incoming or start_at is None:
            errors += 1
            continue
        out.append((incoming[0]["at"] - start_at) * 1000)
    return errors


async def _event_time(http: aiohttp.ClientSession, base: str, uid: int, seq: int) -> float | None:
    async with http.get(f"{base}/control/users/{uid}/chat", params={"after": str(seq - 1)}) as r:
        events = await r.json()
    for event in events:
        if event["seq"] == seq:
            return float(event["at"])
    return None


async def _rasa_user(
    http: aiohttp.ClientSession, rasa_url: str, index: int, deadline: float, out: list[float]
) -> int:
    sender = f"bench-{index}-{uuid.uuid4().hex[:6]}"
    errors = 0
    for text in itertools.cycle(MESSAGES):
        if time.monotonic() > deadline:
            break
        started = time.perf_counter()
        async with http.post(
            f"{rasa_url}/webhooks/rest/webhook",
            json={"sender": sender, "message": text, "metadata": {"language": "en"}},
        ) as response:
            body = await response.json()
        if not body:
            errors += 1
            continue
        out.append((time.perf_counter() - started) * 1000)
    return errors


async def _drive(scenario: str, stack: Stack, users: int, seconds: float) -> Result:
    latencies: list[float] = []
    timeout = aiohttp.ClientTimeout(total=60)
    connector = aiohttp.TCPConnector(limit=users * 4)
    async with aiohttp.ClientSession(timeout=timeout, connector=connector) as http:
        # Warm up: the first turn pays for lazy loading in every process.
        warm: list[float] = []
        if scenario == "bot":
            await _bot_user(http, stack.emulator_url, 10_000, time.monotonic() + 2, warm)
        else:
            await _rasa_user(http, stack.rasa_url, 10_000, time.monotonic() + 2, warm)
        with MemoryWatch(stack) as memory:
            started = time.monotonic()
            deadline = started + seconds
            if scenario == "bot":
                jobs = [
                    _bot_user(http, stack.emulator_url, i, deadline, latencies)
                    for i in range(users)
                ]
            else:
                jobs = [
                    _rasa_user(http, stack.rasa_url, i, deadline, latencies) for i in range(users)
                ]
            errors = sum(await asyncio.gather(*jobs))
            elapsed = time.monotonic() - started
    return Result(
        scenario=scenario,
        users=users,
        turns=len(latencies),
        seconds=round(elapsed, 2),
        turns_per_second=round(len(latencies) / elapsed, 1),
        p50_ms=round(statistics.median(latencies), 1) if latencies else float("nan"),
        p95_ms=round(percentile(latencies, 95), 1),
        p99_ms=round(percentile(latencies, 99), 1),
        errors=errors,
        peak_rss_mb={k: round(v) for k, v in memory.peak.items()},
    )


def start(tmp: Path, with_bot: bool, env: dict[str, str] | None = None) -> Stack:
    """The stack on a fresh SQLite file under `tmp`, in playground mode; `env` adds settings."""
    tmp.mkdir(parents=True, exist_ok=True)
    database_url = f"sqlite:///{tmp / 'bench.db'}"
    migrate.upgrade(database_url)
    stack = Stack(
        ports=Ports(emulator=free_port(), rasa=free_port(), actions=free_port()),
        env={
            "DATABASE_URL": database_url,
            "KELISIM_VAR_DIR": str(tmp),
            "SENDER_ID_SECRET": "bench",
            **(env or {}),
        },
        playground=True,
        with_bot=with_bot,
        log_dir=tmp / "log",
    )
    stack.start()
    return stack


def run(users: list[int], seconds: float) -> list[Result]:
    model.train()
    results: list[Result] = []
    with tempfile.TemporaryDirectory() as tmp:
        for scenario, with_bot in (("rasa-baseline", False), ("bot", True)):
            stack = start(Path(tmp) / scenario, with_bot)
            try:
                for count in users:
                    result = asyncio.run(_drive(scenario, stack, count, seconds))
                    print(json.dumps(asdict(result), ensure_ascii=False), flush=True)
                    results.append(result)
            finally:
                stack.stop()
    return results


def machine() -> dict[str, str]:
    """Today's date and the machine, recorded beside every figure."""
    return {
        "date": time.strftime("%Y-%m-%d"),
        "machine": f"{platform.machine()}, {psutil.cpu_count()} cores, "
        f"{round(psutil.virtual_memory().total / 2**30)} GiB, {platform.python_version()}",
    }


def table(results: list[Result]) -> str:
    base = {r.users: r for r in results if r.scenario == "rasa-baseline"}
    lines = [
        "| scenario | users | turns/s | p50 ms | p95 ms | p99 ms | turns/s vs baseline"
        " | errors | peak RSS MB |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        ratio = (
            r.turns_per_second / base[r.users].turns_per_second if r.users in base else float("nan")
        )
        rss = ", ".join(f"{k} {v:.0f}" for k, v in r.peak_rss_mb.items())
        lines.append(
            f"| {r.scenario} | {r.users} | {r.turns_per_second} | {r.p50_ms} | {r.p95_ms} | "
            f"{r.p99_ms} | {ratio:.2f} | {r.errors} | {rss} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.turns", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--users", type=int, nargs="+", default=[1, 8])
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--out", type=Path, default=Path("bench/out/turns.json"))
    args = parser.parse_args(argv)
    results = run(args.users, args.seconds)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    meta = machine()
    args.out.write_text(json.dumps({**meta, "results": [asdict(r) for r in results]}, indent=2))
    print(f"\n{meta['date']} · {meta['machine']}\n\n{table(results)}")


if __name__ == "__main__":
    main()
