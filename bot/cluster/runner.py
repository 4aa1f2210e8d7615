"""Kelisim as replicas on one machine, each part a real process: what the cluster test and the
cluster benchmark start, and `python -m bot cluster` for trying it by hand.

    emulator ──webhook──► receiver ──► Redis Streams ──► worker 1..W
                                                            │
                                          balancer ──► Rasa 1..R (Redis tracker and lock stores)
                                                            │
                                          balancer ──► action server 1..A

Every child is supervised (bot/supervisor.py): one that dies is started again, as Kubernetes
would. `kill(name)` kills one with SIGKILL, the way a machine or a pod dies.
"""

from __future__ import annotations

import os
import random
import secrets
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from bot import config as settings_of
from bot import model
from bot.config import RASA_PROJECT, ROOT
from bot.stack import (
    endpoints_config,
    health_report,
    http_get,
    rasa_redis_env,
    ticket_lock_lifetime,
    write_private,
)
from bot.supervisor import Backoff, Child, Program, Supervisor

WEBHOOK_PATH = "telegram/updates"
# The ports a cluster uses above its base (see Cluster.port).
PORTS_USED = 60


def free_base_port(size: int = PORTS_USED) -> int:
    """A base port with `size` free ports above it, below Linux's ephemeral range (32768 and
    up), where a client's outgoing connection could take one between this check and the bind."""
    for _ in range(200):
        base = random.randrange(20_000, 32_700 - size)
        if all(_bindable(base + i) for i in range(size)):
            return base
    raise RuntimeError("no block of free ports between 20000 and 32700")


def _bindable(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


@dataclass
class Shape:
    """How many of each part."""

    workers: int = 2
    rasa: int = 2
    actions: int = 2


@dataclass
class Cluster:
    """The parts on consecutive ports from `base_port` (see `port`)."""

    shape: Shape = field(default_factory=Shape)
    base_port: int = 7100
    env: dict[str, str] = field(default_factory=dict)
    log_dir: Path = ROOT / "var" / "log" / "cluster"
    redis_prefix: str = "kelisim"
    rasa_api_token: str = field(default_factory=lambda: secrets.token_hex(16), repr=False)
    backoff: Backoff = field(default_factory=lambda: Backoff(first=0.5, settle=5.0))
    supervisor: Supervisor = field(init=False, repr=False)
    _watch: threading.Thread | None = field(default=None, init=False, repr=False)
    _stopping: threading.Event = field(default_factory=threading.Event, init=False, repr=False)

    def __post_init__(self) -> None:
        self.supervisor = Supervisor(self.log_dir, backoff=self.backoff)

    # -- where things are -------------------------------------------------------------------

    def port(self, part: str, index: int = 0) -> int:
        """emulator +0; receiver +1; balancers +2 (Rasa), +3 (actions); Rasa +10..; actions
        +30..; workers' health +50.."""
        offsets = {"emulator": 0, "receiver": 1, "rasa-lb": 2, "actions-lb": 3}
        if part in offsets:
            return self.base_port + offsets[part]
        return self.base_port + {"rasa": 10, "actions": 30, "worker": 50}[part] + index

    def url(self, part: str, index: int = 0) -> str:
        return f"http://127.0.0.1:{self.port(part, index)}"

    @property
    def emulator_url(self) -> str:
        return self.url("emulator")

    @property
    def children(self) -> list[Child]:
        return self.supervisor.children

    def child(self, name: str) -> Child:
        return next(c for c in self.children if c.name == name)

    # -- starting ---------------------------------------------------------------------------

    def _env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(self.env)
        env.update(
            {
                "RASA_URL": self.url("rasa-lb"),
                "RASA_REDIS_PREFIX": self.redis_prefix,
                "RASA_API_TOKEN": self.rasa_api_token,
                "TELEGRAM_BOT_TOKEN": "",
                "TELEGRAM_API_BASE_URL": f"{self.emulator_url}/bot",
                "WEBHOOK_URL": f"{self.url('receiver')}/{WEBHOOK_PATH}",
                "WEBHOOK_LISTEN": "127.0.0.1",
                "WEBHOOK_PORT": str(self.port("receiver")),
                "PYTHONUNBUFFERED": "1",
            }
        )
        return env

    def _spawn(
        self,
        name: str,
        command: list[str],
        env: dict[str, str],
        ready: Callable[[], bool],
        cwd: Path = ROOT,
    ) -> Child:
        return self.supervisor.spawn(Program(name, command, env, cwd, ready))

    def start(self, say: Callable[[str], None] = lambda _: None) -> None:
        """Everything, in order, each part ready before what needs it; then supervised."""
        self.supervisor.say = say
        try:
            self._start(say)
        except BaseException:
            self.stop()
            raise
        self._watch = threading.Thread(target=self._supervise, name="cluster", daemon=True)
        self._watch.start()

    def _start(self, say: Callable[[str], None]) -> None:
        env = self._env()
        py = sys.executable
        say(f"emulator on {self.emulator_url}")
        emulator = self._spawn(
            "emulator",
            [py, "-m", "bot", "emulator", "--port", str(self.port("emulator"))],
            env,
            lambda: http_get(f"{self.emulator_url}/control/users") is not None,
        )
        self.supervisor.wait_ready(emulator, 30)
        waits: list[tuple[Child, float]] = []
        for index in range(self.shape.actions):
            waits.append((self._start_actions(index, env), 60))
        waits.append((self._start_balancer("actions", self.shape.actions, env), 30))
        for index in range(self.shape.rasa):
            waits.append((self._start_rasa(index, env), 240))
        waits.append((self._start_balancer("rasa", self.shape.rasa, env), 30))
        say("receiver and workers")
        waits.append((self._start_receiver(env), 30))
        for index in range(self.shape.workers):
            waits.append((self._start_worker(index, env), 60))
        for child, seconds in waits:
            self.supervisor.wait_ready(child, seconds)
        say("ready")

    def _start_actions(self, index: int, env: dict[str, str]) -> Child:
        port = self.port("actions", index)
        return self._spawn(
            f"actions-{index + 1}",
            [sys.executable, "-m", "bot", "actions", "--port", str(port)],
            model.without_bot_secrets(env),
            lambda: http_get(f"http://127.0.0.1:{port}/health") is not None,
        )

    def _start_balancer(self, part: str, count: int, env: dict[str, str]) -> Child:
        upstreams = [self.url(part, i) for i in range(count)]
        lb = f"{part}-lb"
        # Each replica's own health route, through the balancer: it answers once one does.
        probe = f"{self.url(lb)}{'/health' if part == 'actions' else '/'}"
        return self._spawn(
            lb,
            [sys.executable, "-m", "bot", "balance", "--port", str(self.port(lb)), *upstreams],
            model.without_bot_secrets(env),
            lambda: http_get(probe) is not None,
        )

    def _start_rasa(self, index: int, env: dict[str, str]) -> Child:
        port = self.port("rasa", index)
        redis_url = settings_of.redis_url(env)
        if not redis_url:
            raise RuntimeError("replicas of Rasa share their conversations in Redis: set REDIS_URL")
        endpoints = self.log_dir / "run" / f"endpoints-{port}.yml"
        endpoints.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        config = endpoints_config(self.port("actions-lb"), redis_url, self.redis_prefix)
        write_private(endpoints, yaml.safe_dump(config))
        rasa_env = {
            **model.rasa_env(),
            **rasa_redis_env(redis_url),
            "TICKET_LOCK_LIFETIME": ticket_lock_lifetime(env),
        }
        status = f"http://127.0.0.1:{port}/status?token={self.rasa_api_token}"
        return self._spawn(
            f"rasa-{index + 1}",
            [
                str(model.rasa_bin().parent / "python"), "-m", "kelisim_engine.serve", "run",
                "--model", str(model.MODEL_PATH),
                "--endpoints", str(endpoints),
                "--credentials", str(RASA_PROJECT / "credentials.yml"),
                "--interface", "127.0.0.1", "--port", str(port),
                "--enable-api", "--auth-token", self.rasa_api_token,
            ],
            rasa_env,
            lambda: b"model_file" in (http_get(status) or b""),
            cwd=RASA_PROJECT,
        )  # fmt: skip

    def _start_receiver(self, env: dict[str, str]) -> Child:
        return self._spawn(
            "receiver",
            [sys.executable, "-m", "bot", "receive"],
            env,
            lambda: http_get(f"{self.url('receiver')}/healthz") is not None,
        )

    def _start_worker(self, index: int, env: dict[str, str]) -> Child:
        port = self.port("worker", index)
        worker_env = {**env, "HEALTH_PORT": str(port)}
        return self._spawn(
            f"worker-{index + 1}",
            [sys.executable, "-m", "bot", "worker"],
            worker_env,
            lambda: bool((health_report(f"http://127.0.0.1:{port}/healthz") or {}).get("status")),
        )

    # -- running ----------------------------------------------------------------------------

    def _supervise(self) -> None:
        while not self._stopping.is_set():
            try:
                self.supervisor.check()
            except Exception as exc:  # a GiveUp: say it in the log, keep watching the rest
                self.supervisor.say(f"supervisor: {exc}")
            self._stopping.wait(0.25)

    def kill(self, name: str) -> int:
        """SIGKILL the child (and its process group), as a machine dies; the supervisor
        starts it again. Returns the killed pid."""
        child = self.child(name)
        pid = child.process.pid
        os.killpg(pid, signal.SIGKILL)
        return pid

    def wait_running_again(self, name: str, killed_pid: int, timeout: float = 240) -> None:
        """Until the child killed as `killed_pid` runs again and answers its probe."""
        deadline = time.monotonic() + timeout
        child = self.child(name)
        while time.monotonic() < deadline:
            if child.process.pid != killed_pid and child.process.poll() is None and child.ready:
                return
            time.sleep(0.25)
        raise RuntimeError(f"{name} did not come back within {timeout:.0f} s:\n{child.tail()}")

    def stop(self) -> None:
        self._stopping.set()
        if self._watch is not None:
            self._watch.join(timeout=5)
        self.supervisor.stop()
