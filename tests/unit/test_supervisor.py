"""The stack's supervisor with real processes (security review M8): children die with it even
when it is killed with SIGKILL, a crashed child comes back with backoff, one that cannot start
makes it give up, and logs rotate."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import psutil
import pytest

from bot.config import ROOT
from bot.supervisor import EXIT_CONFIG, Backoff, GiveUp, Program, RotatingLog, Supervisor

# Writes its pid where told, then waits to be killed.
SLEEPER = "import os, sys, time; open(sys.argv[1], 'w').write(str(os.getpid())); time.sleep(600)"
# The same, with a child of its own that does the same.
PARENT = (
    "import os, subprocess, sys, time; "
    f"subprocess.Popen([sys.executable, '-c', {SLEEPER!r}, sys.argv[2]]); "
    "open(sys.argv[1], 'w').write(str(os.getpid())); time.sleep(600)"
)


def wait_until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"not within {timeout} s: {what}")


def alive(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def read_pid(path: Path) -> int:
    wait_until(lambda: path.exists() and path.read_text().strip() != "", 15, f"{path}")
    return int(path.read_text())


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class Supervised:
    """tests/support/supervised.py in a process of its own, its output collected."""

    def __init__(self, tmp: Path, programs: list[dict[str, object]], **spec: object) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.support.supervised", str(tmp / "log"),
             json.dumps({"programs": programs, **spec})],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )  # fmt: skip
        self.lines: list[str] = []

    def expect(self, start: str, timeout: float = 60) -> str:
        """The next output line starting with `start` (lines before it are kept)."""
        assert self.process.stdout is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            line = self.process.stdout.readline()
            if not line:
                break
            self.lines.append(line.rstrip("\n"))
            if line.startswith(start):
                return line
        raise AssertionError(f"no line starting {start!r}; output: {self.lines}")

    def end(self) -> None:
        # SIGTERM: an orderly stop reaches the children's own children too (SIGKILL leaves
        # those to the children, and these stand-ins do not pass SIGTERM on).
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.process.wait()


@pytest.fixture
def supervised(tmp_path: Path) -> Iterator[Callable[..., Supervised]]:
    started: list[Supervised] = []

    def start(programs: list[dict[str, object]], **spec: object) -> Supervised:
        started.append(Supervised(tmp_path, programs, **spec))
        return started[-1]

    yield start
    for one in started:
        one.end()


@pytest.mark.slow
def test_children_die_with_the_supervisor_even_when_it_is_killed(
    tmp_path: Path, supervised: Callable[..., Supervised]
) -> None:
    sup = supervised(
        [
            {"name": "a", "command": [sys.executable, "-c", SLEEPER, str(tmp_path / "a")]},
            {"name": "b", "command": [sys.executable, "-c", SLEEPER, str(tmp_path / "b")]},
        ]
    )
    sup.expect("ready")
    pids = [read_pid(tmp_path / "a"), read_pid(tmp_path / "b")]
    assert all(alive(pid) for pid in pids)
    sup.process.send_signal(signal.SIGKILL)
    sup.process.wait()
    wait_until(lambda: not any(alive(pid) for pid in pids), 5, "children gone")


@pytest.mark.slow
@pytest.mark.parametrize("attempt", [1, 2])
def test_the_action_server_dies_with_the_supervisor_killed_just_after_start_up(
    tmp_path: Path, supervised: Callable[..., Supervised], attempt: int
) -> None:
    """Sanic's manager process, killed while its worker was still starting, kept spinning and
    holding the port: the action server now runs as one process (bot/cli/processes.py)."""
    port = free_port()
    command = [sys.executable, "-m", "bot", "actions", "--port", str(port)]
    sup = supervised(
        [{"name": "actions", "command": command, "ready_url": f"http://127.0.0.1:{port}/health"}]
    )
    sup.expect("ready", timeout=90)
    [server] = psutil.Process(sup.process.pid).children()
    tree = [server.pid] + [p.pid for p in server.children(recursive=True)]
    assert tree == [server.pid], "one process"
    sup.process.send_signal(signal.SIGKILL)
    sup.process.wait()
    wait_until(lambda: not alive(server.pid), 10, "the action server gone")
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", port)) != 0, "the port is free again"


@pytest.mark.slow
def test_a_killed_child_is_started_again_and_what_it_left_goes_with_it(
    tmp_path: Path, supervised: Callable[..., Supervised]
) -> None:
    own, left = tmp_path / "own", tmp_path / "left"
    sup = supervised(
        [{"name": "parent", "command": [sys.executable, "-c", PARENT, str(own), str(left)]}],
        backoff={"first": 0.2},
    )
    sup.expect("ready")
    first, grandchild = read_pid(own), read_pid(left)
    own.unlink()
    os.kill(first, signal.SIGKILL)
    line = sup.expect("parent exited")
    assert "signal SIGKILL" in line
    assert "starting it again in 0.2 s (restart 1" in line
    second = read_pid(own)
    assert second != first
    assert alive(second)
    # Left running, it would hold what the new one needs (Sanic's workers hold the port).
    wait_until(lambda: not alive(grandchild), 5, "the crashed child's own child gone")
    log = (tmp_path / "log" / "parent.log").read_text()
    assert "supervisor: parent exited with signal SIGKILL" in log
    assert "supervisor: started again (restart 1)" in log


@pytest.mark.slow
def test_repeated_failures_before_ready_make_it_give_up_and_say_why(
    tmp_path: Path, supervised: Callable[..., Supervised]
) -> None:
    flaky = [sys.executable, "-c", "import sys, time; time.sleep(0.3); sys.exit(3)"]
    sup = supervised(
        [{"name": "flaky", "command": flaky}],
        backoff={"first": 0.1, "longest": 0.3, "settle": 5, "give_up": 4},
    )
    sup.expect("ready")  # started, not yet known to be healthy
    lines = [sup.expect("flaky exited with code 3") for _ in range(3)]
    delays = [line.split(" again in ")[1].split(" s ")[0] for line in lines]
    assert delays == ["0.1", "0.2", "0.3"]  # doubling, capped
    assert "failed 4 times in a row before it was ready" in sup.expect("gave up")
    assert sup.process.wait(10) == 1


@pytest.mark.slow
def test_a_configuration_error_gives_up_at_once(
    tmp_path: Path, supervised: Callable[..., Supervised]
) -> None:
    wrong = [sys.executable, "-c", f"import sys, time; time.sleep(0.3); sys.exit({EXIT_CONFIG})"]
    sup = supervised([{"name": "bot", "command": wrong}])
    sup.expect("ready")
    assert "bot reports a configuration error" in sup.expect("gave up")
    assert not [line for line in sup.lines if "starting it again" in line]


@pytest.mark.slow
def test_sigterm_stops_the_children(tmp_path: Path, supervised: Callable[..., Supervised]) -> None:
    sleeper = [sys.executable, "-c", SLEEPER, str(tmp_path / "a")]
    sup = supervised([{"name": "a", "command": sleeper}])
    sup.expect("ready")
    pid = read_pid(tmp_path / "a")
    sup.process.send_signal(signal.SIGTERM)
    assert sup.process.wait(20) == 0
    assert not alive(pid)


@pytest.mark.slow
def test_the_delay_doubles_while_it_keeps_crashing_and_resets_once_it_stayed_up(
    tmp_path: Path,
) -> None:
    """In process: the supervision round itself, with a short "stayed up" time."""
    marker = tmp_path / "long"
    # Crashes at once, or after 0.6 s when the marker file exists.
    command = ["sh", "-c", f"test -e {marker} && sleep 0.6; exit 1"]
    supervisor = Supervisor(
        tmp_path / "log", backoff=Backoff(first=0.05, longest=0.2, stable=0.5, settle=0.3)
    )
    child = supervisor.spawn(Program("crashy", command, dict(os.environ), tmp_path))
    seen: list[float] = []

    def crash_count(n: int) -> Callable[[], bool]:
        def done() -> bool:
            supervisor.check()
            if child.restarts > len(seen):
                seen.append(child.delay)
            return child.restarts >= n

        return done

    try:
        wait_until(crash_count(4), 10, "four restarts")
        assert seen == [0.05, 0.1, 0.2, 0.2]
        marker.touch()
        wait_until(crash_count(5), 10, "a crash after a long enough run")
        assert seen[-1] == 0.05
    finally:
        supervisor.stop()


@pytest.mark.slow
def test_an_immediate_failure_streak_is_broken_by_a_run_that_got_going(tmp_path: Path) -> None:
    supervisor = Supervisor(tmp_path / "log", backoff=Backoff(first=0.01, settle=0.3, give_up=2))
    child = supervisor.spawn(Program("x", ["sh", "-c", "exit 1"], dict(os.environ), tmp_path))

    def checked(condition: Callable[[], bool]) -> Callable[[], bool]:
        def step() -> bool:
            supervisor.check()
            return condition()

        return step

    try:
        wait_until(checked(lambda: child.restarts == 1), 5, "one failure")
        assert child.failures == 1
        child.program.command = ["sh", "-c", "sleep 0.5; exit 1"]
        wait_until(checked(lambda: child.restarts == 2), 5, "a failure after a run")
        assert child.failures == 0
        child.program.command = ["sh", "-c", "exit 1"]
        with pytest.raises(GiveUp, match="2 times in a row"):
            wait_until(checked(lambda: False), 5, "giving up")
    finally:
        supervisor.stop()


def test_logs_rotate_and_only_their_owner_reads_them(tmp_path: Path) -> None:
    log = RotatingLog(tmp_path / "bot.log", max_bytes=1000, backups=2)
    for n in range(100):
        log.write(f"line {n:03} {'x' * 40}\n".encode())
    log.close()
    files = sorted(p.name for p in tmp_path.iterdir())
    assert files == ["bot.log", "bot.log.1", "bot.log.2"]
    assert all((tmp_path / f).stat().st_size <= 1000 for f in files)
    assert all((tmp_path / f).stat().st_mode & 0o777 == 0o600 for f in files)
    assert "line 099" in (tmp_path / "bot.log").read_text()
    log.write(b"after close\n")  # a late line from a child's last words: dropped, no error


@pytest.mark.slow
def test_a_chatty_child_cannot_fill_the_disk(
    tmp_path: Path, supervised: Callable[..., Supervised]
) -> None:
    chatty = [
        sys.executable, "-c",
        "import sys\nfor n in range(20000): print('chatter', n, 'x' * 80)\nprint('last line')\n"
        "sys.stdout.flush()\nimport time; time.sleep(600)",
    ]  # fmt: skip
    sup = supervised([{"name": "chatty", "command": chatty}], logs={"log_max_bytes": 200_000})
    sup.expect("ready")
    current = tmp_path / "log" / "chatty.log"
    wait_until(lambda: current.exists() and "last line" in current.read_text(), 15, "all out")
    sizes = {p.name: p.stat().st_size for p in (tmp_path / "log").iterdir()}
    assert set(sizes) == {"chatty.log", *(f"chatty.log.{n}" for n in range(1, 6))}
    assert max(sizes.values()) <= 200_000


@pytest.mark.slow
def test_a_child_started_from_a_thread_that_ends_lives_on(tmp_path: Path) -> None:
    """The kernel's parent-death signal follows the thread that forked, not the process."""
    supervisor = Supervisor(tmp_path / "log")
    command = [sys.executable, "-c", SLEEPER, str(tmp_path / "a")]

    def start() -> None:
        supervisor.spawn(Program("a", command, dict(os.environ), tmp_path))

    try:
        worker = threading.Thread(target=start)
        worker.start()
        worker.join()
        pid = read_pid(tmp_path / "a")
        time.sleep(0.5)
        assert alive(pid)
    finally:
        supervisor.stop()
    assert not alive(pid)
