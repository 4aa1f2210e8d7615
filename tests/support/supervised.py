"""A supervisor running stand-in children, for tests that kill it or its children.

python -m tests.support.supervised LOG_DIR SPEC, where SPEC is JSON:
{"programs": [{"name": ..., "command": [...], "ready_url": optional}], "backoff": {...}}.
It prints "ready" once every program serves, then each restart as it happens; on GiveUp it
prints the reason and exits 1; SIGTERM stops the children and exits 0.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import urllib.request
from collections.abc import Callable
from pathlib import Path

from bot.supervisor import Backoff, GiveUp, Program, Supervisor


def _probe(url: str) -> Callable[[], bool]:
    def ready() -> bool:
        try:
            with urllib.request.urlopen(url, timeout=1):
                return True
        except OSError:
            return False

    return ready


def main() -> None:
    log_dir, spec = Path(sys.argv[1]), json.loads(sys.argv[2])
    supervisor = Supervisor(
        log_dir,
        say=lambda line: print(line, flush=True),
        backoff=Backoff(**spec.get("backoff", {})),
        **spec.get("logs", {}),
    )

    def terminate(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, terminate)
    try:
        for item in spec["programs"]:
            ready = _probe(item["ready_url"]) if item.get("ready_url") else None
            program = Program(item["name"], item["command"], dict(os.environ), Path.cwd(), ready)
            supervisor.wait_ready(supervisor.spawn(program), 60)
        print("ready", flush=True)
        supervisor.run(interval=0.1)
    except KeyboardInterrupt:
        pass
    except GiveUp as exc:
        print(f"gave up: {exc}", flush=True)
        sys.exit(1)
    finally:
        supervisor.stop()


if __name__ == "__main__":
    main()
