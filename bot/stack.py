"""Start and stop the whole system as child processes: make run, the tests and bench use it.

Order: Bot API emulator (only without a token), action server, Rasa, bot. Each child's
output goes to var/log/<name>.log so the terminal stays readable.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import yaml

from bot import model
from bot.config import ROOT


@dataclass
class Ports:
    emulator: int = 8080
    rasa: int = 5005
    actions: int = 5055


def _get(url: str, timeout: float = 2.0) -> bytes | None:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            body: bytes = response.read()
            return body
    except (urllib.error.URLError, OSError, TimeoutError):
        return None


LOCAL_REDIS = "redis://127.0.0.1:6379/0"


class StoreRefused(RuntimeError):
    """Production without a persistent, expiring conversation store."""


def conversation_store(env: dict[str, str], playground: bool) -> tuple[str, str]:
    """The REDIS_URL Rasa should use, and a line to print about it.

    With a real token and no REDIS_URL, a local Redis that answers is used, so conversations
    expire as the privacy page says; otherwise they live in memory until restart, said plainly.
    KELISIM_ENV=production refuses that."""
    configured = env.get("REDIS_URL", "").strip()
    if configured:
        return configured, "conversations are kept in Redis and expire after a day"
    if not playground and _redis_answers(LOCAL_REDIS):
        return LOCAL_REDIS, f"conversations are kept in the local Redis ({LOCAL_REDIS})"
    if env.get("KELISIM_ENV", "").strip().lower() == "production":
        raise StoreRefused(
            "KELISIM_ENV=production needs a persistent, expiring conversation store: set "
            "REDIS_URL (conversations would otherwise stay in memory until restart)"
        )
    return "", "conversations live in memory until restart (set REDIS_URL to keep them in Redis)"


def _redis_answers(url: str) -> bool:
    import redis

    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=1)
        try:
            return bool(client.ping())
        finally:
            client.close()
    except redis.RedisError:
        return False


def endpoints_config(actions_port: int, redis_url: str, prefix: str) -> dict[str, object]:
    """Rasa's endpoints.yml for this run; Redis stores when REDIS_URL is set (production)."""
    config: dict[str, object] = {
        "action_endpoint": {"url": f"http://127.0.0.1:{actions_port}/webhook"}
    }
    if redis_url:
        parts = urlsplit(redis_url)
        db = int(parts.path.lstrip("/") or 0)
        common = {
            "type": "redis",
            "url": parts.hostname or "127.0.0.1",
            "port": parts.port or 6379,
            "key_prefix": prefix,
        }
        if parts.password:
            common["password"] = parts.password
        # The tracker holds message text (under a pseudonym): keep it one day, as the privacy
        # page promises, long enough to follow a conversation.
        retention = int(os.environ.get("RASA_TRACKER_TTL", str(24 * 3600)))
        config["tracker_store"] = {**common, "db": db, "record_exp": retention}
        config["lock_store"] = {**common, "db": db}
    return config


@dataclass
class Child:
    name: str
    process: subprocess.Popen[bytes]
    log_path: Path

    def tail(self, lines: int = 25) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


@dataclass
class Stack:
    """The running system. `env` overrides the environment of every child."""

    ports: Ports = field(default_factory=Ports)
    env: dict[str, str] = field(default_factory=dict)
    playground: bool = True
    with_bot: bool = True
    with_rasa: bool = True
    log_dir: Path = ROOT / "var" / "log"
    redis_prefix: str = "kelisim"
    # When set, the emulator accepts only this token, like Telegram.
    emulator_token: str = ""
    # Rasa's HTTP API (loopback only) for the bot alone: /forget replaces the conversation's
    # events, the one way to purge Rasa's in-memory tracker store. New for every run.
    rasa_api_token: str = field(default_factory=lambda: secrets.token_hex(16), repr=False)
    children: list[Child] = field(default_factory=list)

    @property
    def emulator_url(self) -> str:
        return f"http://127.0.0.1:{self.ports.emulator}"

    @property
    def rasa_url(self) -> str:
        return f"http://127.0.0.1:{self.ports.rasa}"

    def _child_env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(self.env)
        env["RASA_URL"] = self.rasa_url
        # The bot deletes a person's conversation from Rasa's Redis stores on /forget.
        env["RASA_REDIS_PREFIX"] = self.redis_prefix
        env["RASA_API_TOKEN"] = self.rasa_api_token
        env.setdefault("PYTHONUNBUFFERED", "1")
        if self.playground:
            env["TELEGRAM_BOT_TOKEN"] = ""  # also masks a token in .env
            env["TELEGRAM_API_BASE_URL"] = f"{self.emulator_url}/bot"
        return env

    def _spawn(self, name: str, command: list[str], env: dict[str, str], cwd: Path = ROOT) -> Child:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        log_path = self.log_dir / f"{name}.log"
        with log_path.open("ab") as log:
            process = subprocess.Popen(
                command, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        child = Child(name, process, log_path)
        self.children.append(child)
        return child

    def _wait(self, child: Child, ready: Callable[[], bool], timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if child.process.poll() is not None:
                raise RuntimeError(
                    f"{child.name} exited with {child.process.returncode}:\n{child.tail()}"
                )
            if ready():
                return
            time.sleep(0.25)
        raise RuntimeError(f"{child.name} not ready after {timeout:.0f}s:\n{child.tail()}")

    def busy_ports(self) -> list[int]:
        """Our ports that something else already listens on (often a Kelisim still running)."""
        wanted = [self.ports.emulator] if self.playground else []
        if self.with_rasa:
            wanted += [self.ports.actions, self.ports.rasa]
        busy = []
        for port in wanted:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    busy.append(port)
        return busy

    def start(self, say: Callable[[str], None] = lambda _: None) -> None:
        # Without this check a stale process would answer the readiness probes for us.
        if busy := self.busy_ports():
            raise RuntimeError(
                f"port(s) {', '.join(map(str, busy))} on 127.0.0.1 are already in use; "
                "is another Kelisim still running? Stop it first."
            )
        try:
            self._start(say)
        except BaseException:
            self.stop()
            raise

    def _start(self, say: Callable[[str], None]) -> None:
        env = self._child_env()
        py = sys.executable
        if self.playground:
            say(f"starting the Bot API emulator on {self.emulator_url}")
            child = self._spawn(
                "emulator",
                [py, "-m", "bot", "emulator", "--port", str(self.ports.emulator)]
                + (["--token", self.emulator_token] if self.emulator_token else []),
                env,
            )
            self._wait(child, lambda: _get(f"{self.emulator_url}/control/users") is not None, 30)
        if self.with_rasa:
            self._start_dialogue(env, say)
        if self.with_bot:
            say("starting the bot")
            self.start_bot()

    def _start_dialogue(self, env: dict[str, str], say: Callable[[str], None]) -> None:
        py = sys.executable
        say(f"starting the action server on 127.0.0.1:{self.ports.actions}")
        actions = self._spawn(
            "actions",
            [py, "-m", "bot", "actions", "--port", str(self.ports.actions)],
            model.without_bot_secrets(env),
        )
        endpoints = self.log_dir.parent / "run" / f"endpoints-{self.ports.rasa}.yml"
        endpoints.parent.mkdir(parents=True, exist_ok=True)
        endpoints.write_text(
            yaml.safe_dump(
                endpoints_config(self.ports.actions, env.get("REDIS_URL", ""), self.redis_prefix)
            )
        )
        say(f"starting Rasa on {self.rasa_url} (loading the model takes a few seconds)")
        rasa = self._spawn(
            "rasa",
            [
                str(model.rasa_bin()), "run",
                "--model", str(model.MODEL_PATH),
                "--endpoints", str(endpoints),
                "--credentials", str(model.RASA_PROJECT / "credentials.yml"),
                "--interface", "127.0.0.1", "--port", str(self.ports.rasa),
                "--enable-api", "--auth-token", self.rasa_api_token,
            ],
            {**model.rasa_env(), **{k: v for k, v in env.items() if k.startswith("SANIC")}},
            cwd=model.RASA_PROJECT,
        )  # fmt: skip
        self._wait(
            actions, lambda: _get(f"http://127.0.0.1:{self.ports.actions}/health") is not None, 60
        )
        self._wait(rasa, self._rasa_ready, 180)

    def start_bot(self) -> None:
        """Start (or start again) the bot process; in the playground, wait until it polls."""
        since = self._last_call_id()
        bot = self._spawn("bot", [sys.executable, "-m", "bot", "serve"], self._child_env())
        if self.playground:
            self._wait(bot, lambda: self._bot_polling(since), 60)

    def stop_bot(self) -> None:
        for child in [c for c in self.children if c.name == "bot"]:
            self._stop_child(child)
            self.children.remove(child)

    def _rasa_ready(self) -> bool:
        body = _get(f"{self.rasa_url}/webhooks/rest/")
        return body is not None and b"ok" in body

    def _calls(self, since: int = 0) -> list[dict[str, object]]:
        body = _get(f"{self.emulator_url}/control/calls?since={since}")
        return json.loads(body) if body else []

    def _last_call_id(self) -> int:
        if not self.playground or not self.children:
            return 0
        return max((int(str(c["id"])) for c in self._calls()), default=0)

    def _bot_polling(self, since: int) -> bool:
        # Polling shows as getUpdates; webhook mode as setWebhook once the server listens.
        methods = {"getupdates", "setwebhook"}
        return any(str(c.get("method", "")).lower() in methods for c in self._calls(since))

    def alive(self) -> list[str]:
        """Names of children that have exited."""
        return [c.name for c in self.children if c.process.poll() is not None]

    @staticmethod
    def _signal(child: Child, sig: int) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(child.process.pid, sig)

    def _stop_child(self, child: Child, grace: float = 15.0) -> None:
        if child.process.poll() is None:
            self._signal(child, signal.SIGTERM)
        try:
            child.process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            self._signal(child, signal.SIGKILL)
            child.process.wait()

    def stop(self) -> None:
        """SIGTERM every child's process group, newest first; SIGKILL what lingers."""
        for child in reversed(self.children):
            if child.process.poll() is None:
                self._signal(child, signal.SIGTERM)
        deadline = time.monotonic() + 15
        for child in reversed(self.children):
            self._stop_child(child, grace=max(0.1, deadline - time.monotonic()))
        self.children.clear()
