"""The turn bench's own bookkeeping: CPU per process and the table it prints."""

from __future__ import annotations

import subprocess
import sys

from bench.turns import KELISIM, MemoryWatch, Report, Result, table


def test_the_watch_reads_each_processs_cpu_time() -> None:
    busy = (
        "import time\nend = time.process_time() + 0.3\n"
        "while time.process_time() < end: pass\nprint('done', flush=True)\ntime.sleep(30)\n"
    )
    idle = "import time\nprint('done', flush=True)\ntime.sleep(30)\n"
    run = [sys.executable, "-c"]
    with (
        subprocess.Popen([*run, busy], stdout=subprocess.PIPE, text=True) as spinning,
        subprocess.Popen([*run, idle], stdout=subprocess.PIPE, text=True) as sleeping,
    ):
        try:
            with MemoryWatch({"spinning": spinning.pid, "sleeping": sleeping.pid}) as watch:
                assert spinning.stdout is not None
                assert sleeping.stdout is not None
                assert spinning.stdout.readline() == sleeping.stdout.readline() == "done\n"
        finally:
            spinning.kill()
            sleeping.kill()
    # What each ran while watched: the busy loop's 0.3 s (or most of it), and next to nothing.
    assert 0.15 < watch.cpu_seconds["spinning"] < 2.0
    assert watch.cpu_seconds["sleeping"] < 0.1


def test_the_table_shows_cpu_per_turn_beside_memory() -> None:
    result = Result("short", KELISIM, 1, 100, 1.0, 100.0, 6.1, 9.0, 10.0, 0,
                    {"rasa": 366.0, "emulator": 133.0}, {"rasa": 3.02, "bot": 2.7})  # fmt: skip
    shown = table(Report([result], []))
    assert "| CPU ms per turn |" in shown.splitlines()[0]
    assert (
        "rasa 366, emulator 133 (stack without the emulator 366) | rasa 3.02, bot 2.70 |" in shown
    )
