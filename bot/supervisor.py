"""Child processes that die with their supervisor, come back when they crash, and write their
output to log files that rotate. bot/stack.py runs the system with it; it knows nothing of
Kelisim, so tests drive it with cheap stand-in commands.

Restarts: a crashed child starts again after 1 s, then 2, 4 ... up to 60 s while it keeps
crashing; once it has stayed up for a minute, its next crash waits 1 s again. Restarting cannot
fix everything: a child that exits with EXIT_CONFIG (its configuration is wrong), or that fails
five times in a row before it was ever ready, makes the supervisor give up (GiveUp), so that a
person, or a service manager with its own restart policy, sees it instead of a restart loop.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import ctypes
import datetime as dt
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO

# sysexits.h: a child exits with this when its configuration is wrong (a token Telegram
# refuses): starting it again would fail the same way.
EXIT_CONFIG = 78
_PR_SET_PDEATHSIG = 1


def _find_prctl() -> Callable[..., int] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        prctl: Callable[..., int] = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    return prctl


# Looked up once here: after fork, in a process that has threads, the child should do as little
# as it can before exec (no library loading).
_PRCTL = _find_prctl()


# The parent-death signal follows the *thread* that started the child, not the process: every
# child is started from this one thread, which lives as long as the process, whichever thread
# asks (a thread that ends would otherwise take its children with it).
_SPAWNER = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="spawner")


def die_with_parent(sig: int = signal.SIGTERM) -> Callable[[], None] | None:
    """A preexec_fn after which the kernel sends `sig` to the child as soon as the thread that
    started it ends, even when the supervisor is killed with SIGKILL (Linux; None elsewhere)."""
    if _PRCTL is None:
        return None
    prctl, parent = _PRCTL, os.getpid()

    def arm() -> None:
        prctl(_PR_SET_PDEATHSIG, int(sig), 0, 0, 0)
        # The supervisor may have died between fork and prctl: no signal would ever come.
        if os.getppid() != parent:
            os._exit(1)

    return arm


def exit_with_parent(sig: int = signal.SIGTERM) -> bool:
    """Have the kernel send `sig` to this process when its parent dies (Linux). For a
    supervisor started by `make`: killing make then stops the supervisor, which stops its
    children. False where this cannot be done."""
    if _PRCTL is None:
        return False
    parent = os.getppid()
    if _PRCTL(_PR_SET_PDEATHSIG, int(sig), 0, 0, 0) != 0:
        return False
    if os.getppid() != parent:
        os.kill(os.getpid(), sig)
    return True


class RotatingLog:
    """A child's output file: at `max_bytes` it becomes <name>.1 (the older ones .2 ...) and a
    new one starts; `backups` old files are kept. Written only by the supervisor, so children
    that are separate programs (Rasa, Sanic's worker processes) never race to rotate it."""

    def __init__(self, path: Path, max_bytes: int = 10 * 2**20, backups: int = 5) -> None:
        self.path = path
        self.max_bytes = max_bytes
        self.backups = backups
        self._lock = threading.Lock()
        self._closed = False
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        self._fd: int | None = self._open()
        self._size = os.fstat(self._fd).st_size

    def _open(self) -> int:
        # Logs can hold pseudonyms and, with LOG_MESSAGE_TEXT=1, message texts: owner only.
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        os.fchmod(fd, 0o600)
        return fd

    def write(self, data: bytes) -> None:
        with self._lock:
            if self._closed:
                return  # a late write must not land in a descriptor used again since
            if self._fd is not None and self._size + len(data) > self.max_bytes and self._size:
                os.close(self._fd)
                self._fd = None
                self._rotate()
            if self._fd is None:  # after a rotation, or an earlier failure to reopen
                self._fd = self._open()
                self._size = 0
            os.write(self._fd, data)
            self._size += len(data)

    def note(self, text: str) -> None:
        """A line of the supervisor's own, so a restart shows where it happened."""
        # The machine's own zone, as the lines of the processes it supervises have.
        stamp = dt.datetime.now(dt.UTC).astimezone().strftime("%Y-%m-%d %H:%M:%S")
        self.write(f"{stamp} supervisor: {text}\n".encode())

    def _rotate(self) -> None:
        if self.backups > 0:
            for n in range(self.backups - 1, 0, -1):
                older = self.path.with_name(f"{self.path.name}.{n}")
                if older.exists():
                    older.replace(self.path.with_name(f"{self.path.name}.{n + 1}"))
            self.path.replace(self.path.with_name(f"{self.path.name}.1"))
        else:
            self.path.unlink(missing_ok=True)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            if self._fd is not None:
                os.close(self._fd)
                self._fd = None


def _pump(stream: IO[bytes], log: RotatingLog) -> None:
    """Copy a child's output into its log until every process holding the pipe has gone."""
    with stream:
        # os.read returns whatever is there: a line without its newline yet is not held back.
        while chunk := os.read(stream.fileno(), 65536):
            # A full disk loses lines, never the child: a pipe nobody drains would stop it
            # at its next write.
            with contextlib.suppress(OSError):
                log.write(chunk)


@dataclass
class Program:
    """What to run. `ready` answers True once the program serves (a cheap HTTP probe)."""

    name: str
    command: list[str]
    env: dict[str, str]
    cwd: Path
    ready: Callable[[], bool] | None = None


@dataclass
class Backoff:
    first: float = 1.0
    longest: float = 60.0
    # Up this long, a child has recovered: its next crash waits `first` again.
    stable: float = 60.0
    # A child without a readiness probe counts as started once it has been up this long.
    settle: float = 10.0
    # Failures in a row before the child was ever ready: restarting does not help.
    give_up: int = 5


class GiveUp(RuntimeError):
    """A child that restarting will not bring back."""


class Child:
    def __init__(self, program: Program, log: RotatingLog) -> None:
        self.program = program
        self.log = log
        self.process: subprocess.Popen[bytes]
        self.pump: threading.Thread | None = None
        self.started = 0.0
        self.ready = False
        self.restarts = 0
        self.delay = 0.0
        # While dead: when it is to be started again.
        self.due: float | None = None
        self.failures = 0

    @property
    def name(self) -> str:
        return self.program.name

    @property
    def log_path(self) -> Path:
        return self.log.path

    def tail(self, lines: int = 25) -> str:
        if self.pump is not None and self.process.poll() is not None:
            self.pump.join(timeout=2)  # the last words before an exit
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


def _describe(code: int) -> str:
    if code < 0:
        with contextlib.suppress(ValueError):
            return f"signal {signal.Signals(-code).name}"
    return f"code {code}"


class Supervisor:
    """Starts programs as children and keeps them running; `check` does one round."""

    def __init__(
        self,
        log_dir: Path,
        say: Callable[[str], None] = lambda _: None,
        backoff: Backoff | None = None,
        log_max_bytes: int = 10 * 2**20,
        log_backups: int = 5,
    ) -> None:
        self.log_dir = log_dir
        self.say = say
        self.backoff = backoff or Backoff()
        self.log_max_bytes = log_max_bytes
        self.log_backups = log_backups
        self.children: list[Child] = []
        self._logs: dict[str, RotatingLog] = {}

    def spawn(self, program: Program) -> Child:
        log = self._logs.get(program.name)
        if log is None:
            log = RotatingLog(
                self.log_dir / f"{program.name}.log", self.log_max_bytes, self.log_backups
            )
            self._logs[program.name] = log
        child = Child(program, log)
        self._launch(child)
        self.children.append(child)
        return child

    def _launch(self, child: Child) -> None:
        program = child.program
        # Its own session and process group: a terminal's Ctrl-C reaches only the supervisor,
        # which stops the children in order, and killpg reaches a child's own children
        # (Sanic's worker processes) too.
        child.process = _SPAWNER.submit(
            subprocess.Popen, program.command, cwd=program.cwd, env=program.env,
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            start_new_session=True, preexec_fn=die_with_parent(),
        ).result()  # fmt: skip
        assert child.process.stdout is not None
        child.pump = threading.Thread(
            target=_pump, args=(child.process.stdout, child.log), name=f"log-{child.name}",
            daemon=True,
        )  # fmt: skip
        child.pump.start()
        child.started = time.monotonic()
        child.ready = False
        child.due = None

    def wait_ready(
        self, child: Child, timeout: float, probe: Callable[[], bool] | None = None
    ) -> None:
        """Block until the child serves (`probe`, or its program's own); RuntimeError with its
        last lines if it exits first."""
        probe = probe or child.program.ready
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if child.process.poll() is not None:
                raise RuntimeError(
                    f"{child.name} exited with {_describe(child.process.returncode)}:\n"
                    f"{child.tail()}"
                )
            if probe is None or probe():
                child.ready = True
                return
            time.sleep(0.25)
        raise RuntimeError(f"{child.name} not ready after {timeout:.0f}s:\n{child.tail()}")

    def check(self) -> None:
        """Note who became ready, who died, and start again those whose wait is over."""
        for child in self.children:
            now = time.monotonic()
            if child.due is None:
                code = child.process.poll()
                if code is None:
                    self._look_ready(child, now)
                    continue
                self._died(child, code, now)
            if child.due is not None and now >= child.due:
                self._launch(child)
                child.log.note(f"started again (restart {child.restarts})")

    def _look_ready(self, child: Child, now: float) -> None:
        if child.ready:
            return
        probe = child.program.ready
        child.ready = probe() if probe else now - child.started >= self.backoff.settle
        if child.ready and child.restarts:
            self.say(f"{child.name} is running again")

    def _died(self, child: Child, code: int, now: float) -> None:
        self._sweep(child)
        up = now - child.started
        where = f"see {child.log_path}"
        if code == EXIT_CONFIG:
            child.log.note(f"exited with code {code} (configuration error): not restarted")
            raise GiveUp(f"{child.name} reports a configuration error; {where}")
        if not child.ready and child.program.ready is None:
            child.ready = up >= self.backoff.settle
        child.failures = 0 if child.ready else child.failures + 1
        if child.failures >= self.backoff.give_up:
            child.log.note(f"failed {child.failures} times in a row before it was ready")
            raise GiveUp(
                f"{child.name} failed {child.failures} times in a row before it was ready; "
                f"giving up ({where})"
            )
        if child.delay == 0 or up >= self.backoff.stable:
            child.delay = self.backoff.first
        else:
            child.delay = min(self.backoff.longest, child.delay * 2)
        child.due = now + child.delay
        child.restarts += 1
        message = (
            f"{child.name} exited with {_describe(code)} after {up:.0f} s; "
            f"starting it again in {child.delay:g} s (restart {child.restarts}; {where})"
        )
        self.say(message)
        child.log.note(message)

    def run(self, interval: float = 0.5) -> None:
        """Keep the children running until interrupted, or until one cannot be (GiveUp)."""
        while True:
            self.check()
            time.sleep(interval)

    @staticmethod
    def _signal(child: Child, sig: int) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(child.process.pid, sig)

    def _sweep(self, child: Child) -> None:
        """What a dead child leaves behind (Sanic's workers hold its port) goes with it."""
        self._signal(child, signal.SIGKILL)

    def stop_child(self, child: Child, grace: float = 15.0) -> None:
        child.due = None
        if child.process.poll() is None:
            self._signal(child, signal.SIGTERM)
        try:
            child.process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            self._signal(child, signal.SIGKILL)
            child.process.wait()
        self._sweep(child)
        if child.pump is not None:
            child.pump.join(timeout=2)

    def remove(self, child: Child) -> None:
        self.stop_child(child)
        self.children.remove(child)

    def stop(self, grace: float = 15.0) -> None:
        """SIGTERM to every child's process group, newest first; SIGKILL what lingers."""
        for child in reversed(self.children):
            child.due = None
            if child.process.poll() is None:
                self._signal(child, signal.SIGTERM)
        deadline = time.monotonic() + grace
        for child in reversed(self.children):
            self.stop_child(child, grace=max(0.1, deadline - time.monotonic()))
        self.children.clear()
        for log in self._logs.values():
            log.close()
        self._logs.clear()
