"""The baseline: a bare `rasa init` project, trained once and served over Rasa's REST channel.

Made with the engine environment (.venv-rasa) under var/bench/rasa-init, so every machine
measures the same reference beside our stack: Rasa's own starter bot, its default pipeline and
policies (DIET, TED, ...), in-memory tracker store, no action server.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
import urllib.request
from pathlib import Path

from bot.config import ROOT
from bot.model import rasa_bin
from tests.support.stack import free_port

PROJECT = ROOT / "var" / "bench" / "rasa-init"


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env.update(
        RASA_TELEMETRY_ENABLED="false",
        TF_CPP_MIN_LOG_LEVEL="3",
        PYTHONWARNINGS="ignore",
        SQLALCHEMY_SILENCE_UBER_WARNING="1",
    )
    return env


def model() -> Path:
    """The trained starter model, made by `rasa init --no-prompt` the first time."""
    models = sorted((PROJECT / "models").glob("*.tar.gz")) if PROJECT.exists() else []
    if models:
        return models[-1]
    shutil.rmtree(PROJECT, ignore_errors=True)
    PROJECT.mkdir(parents=True)
    print(f"creating the baseline: rasa init in {PROJECT.relative_to(ROOT)} (once)", flush=True)
    subprocess.run(
        [str(rasa_bin()), "init", "--no-prompt", "--init-dir", str(PROJECT), "--quiet"],
        cwd=PROJECT, env=_env(), check=True, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    return model()


class BareRasa:
    """`rasa run` on the starter model; `url` serves /webhooks/rest/webhook."""

    def __init__(self, log: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._log = log
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 300) -> None:
        trained = model()
        self._log.parent.mkdir(parents=True, exist_ok=True)
        with self._log.open("wb") as log:
            self.process = subprocess.Popen(
                [str(rasa_bin()), "run", "--enable-api", "--port", str(self.port),
                 "--model", str(trained), "--quiet"],
                cwd=PROJECT, env=_env(), stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"bare Rasa exited; see {self._log}")
            try:
                with urllib.request.urlopen(f"{self.url}/status", timeout=2) as response:
                    if json.load(response).get("model_file"):
                        return
            except (OSError, ValueError):
                pass
            time.sleep(0.5)
        raise TimeoutError(f"bare Rasa did not load its model in {timeout:.0f} s")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
