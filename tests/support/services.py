"""A Redis and a PostgreSQL server of the test's own, so a test may kill and restart them
without touching the machine's shared servers (which other tests and tools are using)."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from tests.support.stack import free_port


def _wait_for_port(port: int, up: bool, within: float = 20.0) -> None:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                if up:
                    return
        except OSError:
            if not up:
                return
        time.sleep(0.1)
    raise TimeoutError(f"port {port} did not go {'up' if up else 'down'}")


class PrivateRedis:
    """redis-server on a free port, keeping nothing on disk."""

    def __init__(self) -> None:
        self.port = free_port()
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        # Nothing on disk: a killed Redis comes back empty, as a crashed cache would.
        command = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1"]
        self._process = subprocess.Popen(
            [*command, "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        _wait_for_port(self.port, up=True)

    def kill(self) -> None:
        """As a crash: no shutdown, everything in it lost."""
        if self._process is not None:
            self._process.kill()
            self._process.wait()
            self._process = None
        _wait_for_port(self.port, up=False)


def _pg_bin() -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))
    if found:
        return found[-1].parent
    which = shutil.which("pg_ctl")
    if which is None:
        raise RuntimeError("PostgreSQL's server programs (pg_ctl, initdb) are not installed")
    return Path(which).parent


class PrivatePostgres:
    """A throwaway PostgreSQL cluster: initdb in a temporary directory, its own port."""

    def __init__(self) -> None:
        # Its own directory straight under /tmp: the `postgres` account cannot enter pytest's
        # temporary directories, which belong to root alone.
        self.root = Path(tempfile.mkdtemp(prefix="kelisim-pg-"))
        self.data = self.root / "pgdata"
        self.port = free_port()
        self._bin = _pg_bin()
        # PostgreSQL refuses to run as root; the machine's `postgres` account runs it then.
        self._as: list[str] = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str) -> None:
        subprocess.run([*self._as, *args], check=True, capture_output=True)

    def init(self) -> None:
        if self._as:
            shutil.chown(self.root, "postgres", "postgres")
        self._run(
            str(self._bin / "initdb"), "-D", str(self.data), "-U", "postgres",
            "--auth=trust", "--no-sync", "-E", "UTF8", "--locale=C",
        )  # fmt: skip
        self.start()

    def start(self) -> None:
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(
            str(self._bin / "pg_ctl"), "-D", str(self.data), "-o", options,
            "-l", str(self.root / "postgres.log"), "-w", "start",
        )  # fmt: skip
        _wait_for_port(self.port, up=True)

    def kill(self) -> None:
        """As a crash: immediate shutdown, connections cut."""
        self._run(str(self._bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop")
        _wait_for_port(self.port, up=False)

    def stop(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):  # already down
            self._run(str(self._bin / "pg_ctl"), "-D", str(self.data), "-m", "fast", "stop")
        shutil.rmtree(self.root, ignore_errors=True)
