"""Real bot and emulator processes for unit tests: cheap enough (a few seconds each) to test
what only a running process shows (signals, health endpoints, logs)."""

from __future__ import annotations

import http.server
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.config import ROOT
from bot.stack import http_get

TOKEN = "4242:processes-test-token"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"not within {timeout} s: {what}")


class FakeRasa:
    """Answers GET / as Rasa does, until shut down."""

    def __init__(self) -> None:
        class Hello(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self.send_response(200)
                self.end_headers()
                self.wfile.write(b"Hello from Rasa: 3.6.21")

            def log_message(self, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Hello)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def shutdown(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class Processes:
    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.started: list[subprocess.Popen[bytes]] = []

    def emulator(self, port: int, *options: str) -> subprocess.Popen[bytes]:
        process = self._start("emulator", ["emulator", "--port", str(port), *options], {})
        wait_until(
            lambda: http_get(f"http://127.0.0.1:{port}/control/users") is not None, 30, "emulator"
        )
        return process

    def bot(
        self, api_port: int, health_port: int, rasa_url: str, **more: str
    ) -> subprocess.Popen[bytes]:
        env = {
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_BASE_URL": f"http://127.0.0.1:{api_port}/bot",
            "HEALTH_PORT": str(health_port),
            "RASA_URL": rasa_url,
            "KELISIM_VAR_DIR": str(self.tmp),
            "DATABASE_URL": f"sqlite:///{self.tmp / 'kelisim.db'}",
            "SENDER_ID_SECRET": "health-test",
            "CONTENT_WATCH": "0",
            **more,
        }
        process = self._start("bot", ["serve"], env)
        if not health_port:
            return process
        live = f"http://127.0.0.1:{health_port}/livez"
        wait_until(lambda: http_get(live) is not None or process.poll() is not None, 90, "livez")
        assert process.poll() is None, (self.tmp / "bot.log").read_text()
        return process

    def _start(self, name: str, args: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
        with (self.tmp / f"{name}.log").open("ab") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "bot", *args], cwd=ROOT, env={**os.environ, **env},
                stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip
        self.started.append(process)
        return process


@pytest.fixture
def processes(tmp_path: Path) -> Iterator[Processes]:
    running = Processes(tmp_path)
    yield running
    for process in running.started:
        if process.poll() is None:
            process.kill()
        process.wait()
