"""Turns per second and turn latency of the whole stack, against a bare `rasa init` server.

A turn is one user message and its answer, timed by the simulated user: for Kelisim, from
posting the message to the Bot API emulator to the bot's reply arriving there (emulator -> bot
-> Rasa -> action server -> database and back); for the baseline, one POST to the REST channel
of Rasa's own starter bot (bench/bare_rasa.py). The same messages, the same users, one machine.

Scenarios:
- short: a new person every 10 turns (how people use the bot: a few questions, then gone);
- long: each simulated user keeps one conversation for the whole run;
- growth: one conversation of 210 turns; the p50 of turns 5-15 against turns 195-205.
The baseline runs before and after the stack in each scenario (the machine is noisy); the
ratio is the stack's turns/s over the mean of the two.

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
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import psutil

from bench.bare_rasa import BareRasa
from bench.messages import MESSAGES, SHORT_CONVERSATION
from bot import model
from bot.content import LANGUAGES
from bot.stack import Ports, Stack
from bot.storage import migrate
from bot.telegram import callbacks
from tests.support.stack import free_port

# What the bench measures is the engine: the flood limits (a person may send about one message a
# second, bench/flood.py) and the cap on sends that Telegram imposes on a bot (30 a second,
# bot/telegram/sending.py) are off, or they, not the engine, would set the pace.
NO_LIMITS = {
    "MAX_QUEUED_PER_CHAT": "1000000",
    "USER_BURST": "1000000",
    "TELEGRAM_SENDS_PER_SECOND": "0",
}
GROWTH_TURNS = 210
# Windows of turns whose p50 is compared in the growth scenario: around turn 10 and turn 200.
EARLY = range(5, 16)
LATE = range(195, 206)

KELISIM = "kelisim"
BASELINE = "rasa-init"


@dataclass
class Result:
    scenario: str
    system: str
    users: int
    turns: int
    seconds: float
    turns_per_second: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    errors: int
    peak_rss_mb: dict[str, float] = field(default_factory=dict)
    # CPU time each process spent per turn: with one user a turn passes through them one after
    # another, so this says where a turn's time goes, and a process burning more CPU than
    # the turns take (threads spinning while idle) stands out.
    cpu_ms_per_turn: dict[str, float] = field(default_factory=dict)


@dataclass
class Growth:
    system: str
    p50_early_ms: float
    p50_late_ms: float
    ratio: float
    errors: int


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


class MemoryWatch:
    """Peak RSS of each process (with its children), sampled in a thread, and the CPU time
    each spent between entering and leaving."""

    def __init__(self, pids: dict[str, int]) -> None:
        self.pids = pids
        self.peak: dict[str, float] = dict.fromkeys(self.pids, 0.0)
        self.cpu_seconds: dict[str, float] = {}
        self._cpu_before: dict[str, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    @staticmethod
    def _cpu(pid: int) -> float:
        try:
            proc = psutil.Process(pid)
            procs = [proc, *proc.children(recursive=True)]
            return sum(sum(p.cpu_times()[:2]) for p in procs)
        except psutil.Error:
            return 0.0

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
        self._cpu_before = {name: self._cpu(pid) for name, pid in self.pids.items()}
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.cpu_seconds = {
            name: self._cpu(pid) - self._cpu_before[name] for name, pid in self.pids.items()
        }
        self._stop.set()
        self._thread.join()


# One simulated person: sends `text`, returns the turn's latency in ms (None: no answer).
Turn = Callable[[str], Awaitable[float | None]]
NewPerson = Callable[[aiohttp.ClientSession, int], Awaitable[Turn]]


def kelisim_person(base: str) -> NewPerson:
    """A new Telegram user of the emulator, talking to the bot."""

    async def new(http: aiohttp.ClientSession, index: int) -> Turn:
        name = f"bench{index}-{uuid.uuid4().hex[:6]}"
        async with http.post(
            f"{base}/control/users", json={"first_name": name, "language_code": "en"}
        ) as response:
            uid = (await response.json())["id"]

        async def turn(text: str) -> float | None:
            started = time.perf_counter()
            async with http.post(f"{base}/control/users/{uid}/messages", json={"text": text}) as r:
                sent = await r.json()
            after = sent["seq"]
            while True:
                params = {"after": str(after), "timeout": "30"}
                async with http.get(f"{base}/control/users/{uid}/wait", params=params) as r:
                    events = await r.json()
                if not events:
                    return None
                if any(e["kind"] == "message" and not _offer(e) for e in events):
                    return (time.perf_counter() - started) * 1000
                after = max(e["seq"] for e in events)

        return turn

    return new


def _offer(event: dict[str, Any]) -> bool:
    """The bot's "switch to the language you wrote in?" with its one button: sent after the
    answer to a message in another language, so it is the end of the turn before, never the
    answer to this one (taking it for one would start the next turn while the bot is busy)."""
    rows = (event.get("reply_markup") or {}).get("inline_keyboard") or []
    buttons = [b for row in rows for b in row]
    offers = {callbacks.choose_language(language) for language in LANGUAGES}
    return len(buttons) == 1 and buttons[0].get("callback_data") in offers


def rasa_person(url: str) -> NewPerson:
    """A new sender on a Rasa server's REST channel."""

    async def new(http: aiohttp.ClientSession, index: int) -> Turn:
        sender = f"bench-{index}-{uuid.uuid4().hex[:6]}"

        async def turn(text: str) -> float | None:
            started = time.perf_counter()
            async with http.post(
                f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": text}
            ) as response:
                await response.json()
                ok = response.status == 200
            # The starter bot answers some of our messages with nothing ([]): still a turn served.
            return (time.perf_counter() - started) * 1000 if ok else None

        return turn

    return new


async def _user(
    http: aiohttp.ClientSession,
    new_person: NewPerson,
    index: int,
    deadline: float,
    per_person: int | None,
    out: list[float],
) -> int:
    errors = 0
    turn = await new_person(http, index)
    for count, text in enumerate(itertools.cycle(MESSAGES), start=1):
        if time.monotonic() > deadline:
            break
        latency = await turn(text)
        if latency is None:
            errors += 1
        else:
            out.append(latency)
        if per_person and count % per_person == 0:
            turn = await new_person(http, index)
    return errors


def _session(users: int) -> aiohttp.ClientSession:
    return aiohttp.ClientSession(
        timeout=aiohttp.ClientTimeout(total=60),
        connector=aiohttp.TCPConnector(limit=users * 4),
    )


async def _drive(
    scenario: str,
    system: str,
    new_person: NewPerson,
    pids: dict[str, int],
    users: int,
    seconds: float,
) -> Result:
    per_person = SHORT_CONVERSATION if scenario == "short" else None
    latencies: list[float] = []
    async with _session(users) as http:
        # Warm up: the first turns pay for lazy loading in every process.
        await _user(http, new_person, 10_000, time.monotonic() + 2, per_person, [])
        with MemoryWatch(pids) as memory:
            started = time.monotonic()
            deadline = started + seconds
            jobs = [
                _user(http, new_person, i, deadline, per_person, latencies) for i in range(users)
            ]
            errors = sum(await asyncio.gather(*jobs))
            elapsed = time.monotonic() - started
    return Result(
        scenario=scenario,
        system=system,
        users=users,
        turns=len(latencies),
        seconds=round(elapsed, 2),
        turns_per_second=round(len(latencies) / elapsed, 1),
        p50_ms=round(statistics.median(latencies), 1) if latencies else float("nan"),
        p95_ms=round(percentile(latencies, 95), 1),
        p99_ms=round(percentile(latencies, 99), 1),
        errors=errors,
        peak_rss_mb={k: round(v) for k, v in memory.peak.items()},
        cpu_ms_per_turn={
            k: round(v * 1000 / len(latencies), 2) if latencies else float("nan")
            for k, v in memory.cpu_seconds.items()
        },
    )


async def _growth(system: str, new_person: NewPerson) -> Growth:
    """One conversation of GROWTH_TURNS turns: does a turn cost more as it grows?"""
    latencies: list[float | None] = []
    async with _session(1) as http:
        turn = await new_person(http, 20_000)
        for text in itertools.islice(itertools.cycle(MESSAGES), GROWTH_TURNS):
            latencies.append(await turn(text))
    early = [v for i, v in enumerate(latencies, start=1) if i in EARLY and v is not None]
    late = [v for i, v in enumerate(latencies, start=1) if i in LATE and v is not None]
    p50_early = statistics.median(early) if early else float("nan")
    p50_late = statistics.median(late) if late else float("nan")
    return Growth(
        system=system,
        p50_early_ms=round(p50_early, 1),
        p50_late_ms=round(p50_late, 1),
        ratio=round(p50_late / p50_early, 2),
        errors=sum(v is None for v in latencies),
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


@dataclass
class Report:
    results: list[Result]
    growth: list[Growth]


def run(users: list[int], seconds: float, scenarios: list[str]) -> Report:
    model.train()
    results: list[Result] = []
    growth: list[Growth] = []

    def record(result: Result) -> None:
        print(json.dumps(asdict(result), ensure_ascii=False), flush=True)
        results.append(result)

    with tempfile.TemporaryDirectory() as tmp:
        bare = BareRasa(Path(tmp) / "rasa-init.log")
        bare.start()
        stack = start(Path(tmp) / "stack", with_bot=True, env=NO_LIMITS)
        try:
            assert bare.process is not None
            bare_pids = {"rasa": bare.process.pid}
            # The emulator stands in for Telegram: measured, but not part of the stack's memory.
            stack_pids = {c.name: c.process.pid for c in stack.children}
            ours = kelisim_person(stack.emulator_url)
            theirs = rasa_person(bare.url)
            for scenario in (s for s in scenarios if s != "growth"):
                for count in users:
                    record(
                        asyncio.run(_drive(scenario, BASELINE, theirs, bare_pids, count, seconds))
                    )
                    record(asyncio.run(_drive(scenario, KELISIM, ours, stack_pids, count, seconds)))
                    record(
                        asyncio.run(_drive(scenario, BASELINE, theirs, bare_pids, count, seconds))
                    )
            if "growth" in scenarios:
                for system, person in ((BASELINE, theirs), (KELISIM, ours)):
                    found = asyncio.run(_growth(system, person))
                    print(json.dumps(asdict(found)), flush=True)
                    growth.append(found)
        finally:
            stack.stop()
            bare.stop()
    return Report(results, growth)


def machine() -> dict[str, str]:
    """Today's date and the machine, recorded beside every figure."""
    return {
        "date": time.strftime("%Y-%m-%d"),
        "machine": f"{platform.machine()}, {psutil.cpu_count()} cores, "
        f"{round(psutil.virtual_memory().total / 2**30)} GiB, {platform.python_version()}",
    }


def ratios(results: list[Result]) -> dict[tuple[str, int], float]:
    """Kelisim's turns/s over the mean of the baseline runs beside it, per scenario and users."""
    out: dict[tuple[str, int], float] = {}
    for r in results:
        if r.system != KELISIM:
            continue
        base = [
            b.turns_per_second
            for b in results
            if b.system == BASELINE and b.scenario == r.scenario and b.users == r.users
        ]
        if base and statistics.mean(base):
            out[(r.scenario, r.users)] = r.turns_per_second / statistics.mean(base)
    return out


def table(report: Report) -> str:
    ratio = ratios(report.results)
    lines = [
        "| scenario | system | users | turns/s | p50 ms | p95 ms | p99 ms | vs baseline"
        " | errors | peak RSS MB | CPU ms per turn |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in report.results:
        x = ratio.get((r.scenario, r.users)) if r.system == KELISIM else None
        rss = ", ".join(f"{k} {v:.0f}" for k, v in r.peak_rss_mb.items())
        if r.system == KELISIM:
            total = sum(v for k, v in r.peak_rss_mb.items() if k != "emulator")
            rss += f" (stack without the emulator {total:.0f})"
        cpu = ", ".join(f"{k} {v:.2f}" for k, v in r.cpu_ms_per_turn.items())
        lines.append(
            f"| {r.scenario} | {r.system} | {r.users} | {r.turns_per_second} | {r.p50_ms} | "
            f"{r.p95_ms} | {r.p99_ms} | {'' if x is None else f'{x:.2f}x'} | {r.errors} | {rss} "
            f"| {cpu} |"
        )
    if report.growth:
        lines += [
            "",
            "| growth | p50 turns 5-15 ms | p50 turns 195-205 ms | late / early | errors |",
            "|---|---|---|---|---|",
        ]
        for g in report.growth:
            lines.append(
                f"| {g.system} | {g.p50_early_ms} | {g.p50_late_ms} | {g.ratio:.2f}x | {g.errors} |"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.turns", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--users", type=int, nargs="+", default=[1, 8])
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument(
        "--scenarios", nargs="+", default=["short", "long", "growth"],
        choices=["short", "long", "growth"],
    )  # fmt: skip
    parser.add_argument("--out", type=Path, default=Path("bench/out/turns.json"))
    args = parser.parse_args(argv)
    report = run(args.users, args.seconds, args.scenarios)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    meta = machine()
    args.out.write_text(
        json.dumps(
            {
                **meta,
                "results": [asdict(r) for r in report.results],
                "growth": [asdict(g) for g in report.growth],
            },
            indent=2,
        )
    )
    print(f"\n{meta['date']} · {meta['machine']}\n\n{table(report)}")


if __name__ == "__main__":
    main()
