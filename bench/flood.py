"""Does one flooding person slow everyone else down? (security review M3)

Sixty ordinary users talk to the full stack (Bot API emulator → bot → Rasa → action server),
each sending a message, waiting for the answer, then pausing 1–3 s as a person would. The same
run is repeated with one more user who sends as fast as a script can (--flood-rate messages a
second), first with the bot's limits on (the shipped settings), then with them off. Reported:
the ordinary users' p50/p95 turn latency in each run and the ratio to the calm run.

    python -m bench.flood [--users 60] [--seconds 30] [--flood-rate 50]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import random
import statistics
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import aiohttp

from bench.messages import MESSAGES
from bench.turns import machine, percentile, start
from bot import model
from bot.stack import Stack

# Everything the limits do, switched off: a queue and a bucket no one fills.
NO_LIMITS = {"MAX_QUEUED_PER_CHAT": "1000000", "USER_BURST": "1000000"}  # not turns.NO_LIMITS:
# the flood bench keeps Telegram's send cap, as production does.


@dataclass
class Result:
    scenario: str
    users: int
    turns: int
    p50_ms: float
    p95_ms: float
    errors: int
    flood_sent: int
    flood_answered: int


async def _post_json(http: aiohttp.ClientSession, url: str, body: object) -> dict[str, object]:
    async with http.post(url, json=body) as response:
        result: dict[str, object] = await response.json()
        return result


async def _ordinary(
    http: aiohttp.ClientSession, base: str, index: int, deadline: float, out: list[float]
) -> int:
    rng = random.Random(index)
    user = await _post_json(
        http, f"{base}/control/users", {"first_name": f"calm{index}", "language_code": "en"}
    )
    uid = user["id"]
    errors = 0
    await asyncio.sleep(rng.uniform(0, 2))  # people do not all start in the same instant
    for text in itertools.cycle(MESSAGES[index % len(MESSAGES) :] + MESSAGES):
        if time.monotonic() > deadline:
            break
        sent = await _post_json(http, f"{base}/control/users/{uid}/messages", {"text": text})
        params = {"after": str(sent["seq"]), "timeout": "30", "all": "1"}
        started = time.monotonic()
        async with http.get(f"{base}/control/users/{uid}/wait", params=params) as r:
            events = await r.json()
        if not any(e["direction"] == "out" and e["kind"] == "message" for e in events):
            errors += 1
        else:
            out.append((time.monotonic() - started) * 1000)
        await asyncio.sleep(rng.uniform(1, 3))
    return errors


async def _flooder(
    http: aiohttp.ClientSession, base: str, deadline: float, rate: float
) -> tuple[int, int]:
    user = await _post_json(
        http, f"{base}/control/users", {"first_name": "flood", "language_code": "ru"}
    )
    uid = user["id"]
    sent = 0
    while time.monotonic() < deadline:
        await _post_json(http, f"{base}/control/users/{uid}/messages", {"text": f"спам {sent}"})
        sent += 1
        await asyncio.sleep(1 / rate)
    await asyncio.sleep(3)
    async with http.get(f"{base}/control/users/{uid}/chat") as r:
        events = await r.json()
    answered = sum(1 for e in events if e["direction"] == "out" and e["kind"] == "message")
    return sent, answered


async def _drive(scenario: str, stack: Stack, users: int, seconds: float, rate: float) -> Result:
    latencies: list[float] = []
    timeout = aiohttp.ClientTimeout(total=90)
    connector = aiohttp.TCPConnector(limit=users * 3 + 10)
    async with aiohttp.ClientSession(timeout=timeout, connector=connector) as http:
        base = stack.emulator_url
        warm: list[float] = []
        await _ordinary(http, base, 10_000, time.monotonic() + 2, warm)
        deadline = time.monotonic() + seconds
        jobs = [_ordinary(http, base, i, deadline, latencies) for i in range(users)]
        flood = _flooder(http, base, deadline, rate) if scenario != "calm" else None
        if flood is not None:
            errors, (sent, answered) = await asyncio.gather(asyncio.gather(*jobs), flood)
        else:
            errors, (sent, answered) = list(await asyncio.gather(*jobs)), (0, 0)
    return Result(
        scenario=scenario,
        users=users,
        turns=len(latencies),
        p50_ms=round(statistics.median(latencies), 1) if latencies else float("nan"),
        p95_ms=round(percentile(latencies, 95), 1),
        errors=sum(int(e) for e in errors),
        flood_sent=sent,
        flood_answered=answered,
    )


def run(users: int, seconds: float, rate: float) -> list[Result]:
    model.train()
    results: list[Result] = []
    with tempfile.TemporaryDirectory() as tmp:
        for scenario, extra in (("calm", {}), ("flood", {}), ("flood, limits off", NO_LIMITS)):
            stack = start(Path(tmp) / scenario.replace(",", "").replace(" ", "-"), True, extra)
            try:
                result = asyncio.run(_drive(scenario, stack, users, seconds, rate))
                print(json.dumps(asdict(result), ensure_ascii=False), flush=True)
                results.append(result)
            finally:
                stack.stop()
    return results


def table(results: list[Result]) -> str:
    calm = next(r for r in results if r.scenario == "calm")
    lines = [
        "| run | ordinary users | their turns | p50 ms | p95 ms | p95 vs calm | errors"
        " | flood sent | flood answered |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(
            f"| {r.scenario} | {r.users} | {r.turns} | {r.p50_ms} | {r.p95_ms} | "
            f"{r.p95_ms / calm.p95_ms:.2f} | {r.errors} | {r.flood_sent} | {r.flood_answered} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.flood", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--users", type=int, default=60)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--flood-rate", type=float, default=50.0, help="messages a second")
    parser.add_argument("--out", type=Path, default=Path("bench/out/flood.json"))
    args = parser.parse_args(argv)
    results = run(args.users, args.seconds, args.flood_rate)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    meta = machine()
    args.out.write_text(json.dumps({**meta, "results": [asdict(r) for r in results]}, indent=2))
    print(f"\n{meta['date']} · {meta['machine']}\n\n{table(results)}")


if __name__ == "__main__":
    main()
