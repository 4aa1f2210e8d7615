"""The real stack under its supervisor, as `make run` runs it (security review M8): healthy
endpoints, a crashed action server started again, and nothing left running once the process
that started it all (make) is killed with SIGKILL."""

from __future__ import annotations

import contextlib
import json
import shlex
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import psutil
import pytest

from bot.config import ROOT
from bot.stack import health_report, http_get

pytestmark = pytest.mark.integration

# What `python -m bot stack --exit-with-parent` does, on free ports (tests/support/stack.py).
SUPERVISED_STACK = """
import json, signal, sys
from pathlib import Path
from bot.supervisor import exit_with_parent
from tests.support.stack import _stack

stack = _stack(Path(sys.argv[1]))
exit_with_parent()

def terminate(signum, frame):
    raise KeyboardInterrupt

signal.signal(signal.SIGTERM, terminate)
try:
    stack.start(say=lambda line: print(line, flush=True))
    p = stack.ports
    print("ready", json.dumps([p.emulator, p.actions, p.rasa, p.health]), flush=True)
    stack.supervise()
except KeyboardInterrupt:
    pass
finally:
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    stack.stop()
"""


def tree(pid: int) -> set[int]:
    process = psutil.Process(pid)
    return {pid} | {p.pid for p in process.children(recursive=True)}


def alive(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def wait_for(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.25)
    raise AssertionError(f"not within {timeout} s: {what}")


class Lines:
    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.process = process
        self.seen: list[str] = []

    def expect(self, start: str, timeout: float) -> str:
        assert self.process.stdout is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            line = self.process.stdout.readline()
            if not line:
                break
            self.seen.append(line.rstrip())
            if line.startswith(start):
                return line
        raise AssertionError(f"no line starting {start!r}: {self.seen}")


@pytest.fixture
def make_like(trained_model: Path, tmp_path: Path) -> Iterator[Lines]:
    """A shell standing in for make: it stays the parent of the supervisor."""
    script = shlex.join([sys.executable, "-c", SUPERVISED_STACK, str(tmp_path)])
    shell = subprocess.Popen(
        ["sh", "-c", f"{script}; echo make-done"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    left: list[psutil.Process] = []
    try:
        yield Lines(shell)
    finally:
        with contextlib.suppress(psutil.NoSuchProcess):
            left = psutil.Process(shell.pid).children(recursive=True)
        shell.kill()
        shell.wait()
        for process in left:  # only if the test failed half-way
            with contextlib.suppress(psutil.NoSuchProcess):
                process.kill()


def test_the_stack_restarts_a_crashed_child_and_dies_with_its_parent(make_like: Lines) -> None:
    emulator, actions, rasa, health = json.loads(make_like.expect("ready", 300).split(" ", 1)[1])
    report = health_report(f"http://127.0.0.1:{health}/healthz")
    assert report is not None, report
    assert report["status"] == "ok", report
    assert http_get(f"http://127.0.0.1:{actions}/health") == b'{"status":"ok"}'

    [supervisor] = psutil.Process(make_like.process.pid).children()
    children = {" ".join(p.cmdline()): p.pid for p in supervisor.children()}
    [server] = [pid for line, pid in children.items() if " actions " in line]
    started = tree(supervisor.pid)

    psutil.Process(server).kill()  # a crash
    assert "starting it again in 1 s" in make_like.expect("actions exited with signal SIGKILL", 30)
    wait_for(lambda: http_get(f"http://127.0.0.1:{actions}/health") is not None, 60, "it is back")
    [again] = [p.pid for p in supervisor.children() if " actions " in " ".join(p.cmdline())]
    assert again != server
    everything = started | tree(supervisor.pid)

    # `make run` killed hard: the supervisor hears of it and stops everything in order.
    psutil.Process(make_like.process.pid).kill()
    wait_for(lambda: not any(alive(pid) for pid in everything), 30, "every process gone")
    for port in (emulator, actions, rasa, health):
        with socket.socket() as probe:
            assert probe.connect_ex(("127.0.0.1", port)) != 0, port
