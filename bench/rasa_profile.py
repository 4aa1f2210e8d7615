"""Where a Rasa turn's milliseconds go: cProfile over turns handled by the loaded model.

Run in the engine's environment (it imports Rasa), from the repository root:

    PYTHONPATH=rasa_project:. .venv-rasa/bin/python -m bench.rasa_profile [--model PATH]
        [--turns 400] [--tensorflow]

The model is served as `make run` serves it (kelisim_engine/serve.py: no TensorFlow when the
model needs none), with the compacting in-memory tracker store, no action server (these
messages need none) and a new person every 10 turns. Prints the turn time and the functions
with the most cumulative time, as a share of the total.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import pstats
import time

from bench.messages import MESSAGES, SHORT_CONVERSATION


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.rasa_profile")
    parser.add_argument("--model", default="models/kelisim.tar.gz")
    parser.add_argument("--turns", type=int, default=400)
    parser.add_argument("--tensorflow", action="store_true", help="load the real TensorFlow")
    parser.add_argument("--top", type=int, default=30)
    args = parser.parse_args()

    # As `import a.b as b`: mypy's incremental cache can lose `from a import b` (mypy#20799).
    import kelisim_engine.serve as serve

    if not args.tensorflow:
        serve.without_tensorflow(args.model)
    import kelisim_engine.speedups as speedups
    from kelisim_engine.tracker_stores import CompactInMemoryTrackerStore

    speedups.install()
    import logging

    from rasa.core.agent import Agent
    from rasa.shared.core.domain import Domain
    from rasa.utils.log_utils import configure_structlog

    # As the server runs (LOG_LEVEL=WARNING): Rasa's debug logging would be half the profile.
    logging.basicConfig(level=logging.WARNING)
    configure_structlog(logging.WARNING)

    agent = Agent.load(args.model, tracker_store=CompactInMemoryTrackerStore(Domain.empty()))
    if agent.tracker_store is not None and agent.domain is not None:
        agent.tracker_store.domain = agent.domain

    async def turns(count: int, tag: str) -> float:
        started = time.perf_counter()
        for i in range(count):
            sender = f"{tag}-{i // SHORT_CONVERSATION}"
            await agent.handle_text(MESSAGES[i % len(MESSAGES)], sender_id=sender)
        return (time.perf_counter() - started) * 1000 / count

    asyncio.run(turns(40, "warm"))
    profiler = cProfile.Profile()
    profiler.enable()
    per_turn = asyncio.run(turns(args.turns, "run"))
    profiler.disable()
    stats = pstats.Stats(profiler, stream=io.StringIO())
    rows = sorted(stats.stats.items(), key=lambda kv: -kv[1][3])  # type: ignore[attr-defined]
    total = max(sum(v[2] for _, v in rows), 1e-9)
    print(f"{per_turn:.1f} ms per turn over {args.turns} turns (profiled)")
    print(f"{'cumulative':>10}  {'share':>6}  function")
    for (path, line, name), (_, _, _, cumulative, _) in rows[: args.top]:
        short = path.split("site-packages/")[-1].split("/work/main/")[-1]
        per_turn_ms = cumulative * 1000 / args.turns
        print(f"{per_turn_ms:8.2f}ms  {cumulative / total:6.1%}  {short}:{line} {name}")


if __name__ == "__main__":
    main()
