"""Throughput of `python -m bot screen`, against reading and writing the same JSON lines.

    python -m bench.screen [--cases 100000]

Generates random valid cases (a fixed seed), then times, in one process and one session:
- baseline: parse each line with json.loads and write json.dumps of a fixed answer;
- screen: the real command's loop (bot.screening.jsonlines.run) on the same lines;
- progress: the questionnaire's "what is still worth asking" on every partial case.
Reports cases per second and the ratio to the baseline.
"""

from __future__ import annotations

import argparse
import io
import json
import platform
import random
import time
from collections.abc import Callable

from bot.config import ROOT
from bot.screening import engine, jsonlines, rules
from bot.screening.fields import BOOLEAN_FIELDS, CHOICE_FIELDS


def cases(count: int, seed: int = 42) -> list[str]:
    rng = random.Random(seed)
    lines = []
    for _ in range(count):
        case: dict[str, object] = {
            field: rng.choice(values) for field, values in CHOICE_FIELDS.items()
        }
        for field in BOOLEAN_FIELDS:
            if rng.random() < 0.5:
                case[field] = rng.choice([True, False, None])
        lines.append(json.dumps(case))
    return lines


def timed(label: str, work: Callable[[], object], count: int) -> float:
    start = time.perf_counter()
    work()
    seconds = time.perf_counter() - start
    rate = count / seconds
    print(f"{label:<10} {count:>8} cases in {seconds:6.2f} s: {rate:>10,.0f} cases/s")
    return rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    args = parser.parse_args()
    book = rules.load(ROOT / "content")
    lines = cases(args.cases)
    fixed = {"verdict": "eligible", "rules": ["private_law"], "citations": ["x"]}

    def baseline() -> None:
        out = io.StringIO()
        for line in lines:
            json.loads(line)
            out.write(json.dumps(fixed) + "\n")

    def screen() -> None:
        jsonlines.run(book, lines, io.StringIO())

    partial = [json.loads(line) for line in lines]

    def progress() -> None:
        for case in partial:
            engine.progress(book, case)

    print(f"{platform.processor() or platform.machine()}, Python {platform.python_version()}")
    base = timed("baseline", baseline, len(lines))
    full = timed("screen", screen, len(lines))
    ask = timed("progress", progress, len(lines))
    print(f"screen / baseline = {full / base:.2f}; progress / baseline = {ask / base:.2f}")


if __name__ == "__main__":
    main()
