"""Run a check script of tests/support/ in Rasa's environment and read its RESULT line."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

from bot.model import rasa_bin, rasa_env


def run_check(script: str, *args: str, timeout: float = 300) -> dict[str, Any]:
    """`script` (a file name in tests/support/) prints `RESULT {json}`; its parsed JSON."""
    path = Path(__file__).with_name(script)
    done = subprocess.run(
        [str(rasa_bin().parent / "python"), str(path), *args],
        env=rasa_env(), capture_output=True, text=True, timeout=timeout,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    line = next(x for x in done.stdout.splitlines() if x.startswith("RESULT "))
    result: dict[str, Any] = json.loads(line.removeprefix("RESULT "))
    return result
