"""Start and stop the whole system as child processes: make run, the tests and bench use it.

Order: Bot API emulator (only without a token), action server, Rasa, bot. Each child's
output goes to var/log/<name>.log (rotated, see bot/supervisor.py) so the terminal stays
readable. The children die with the process that started them, even on SIGKILL, and
`supervise` starts a crashed one again.
"""

from __future__ import annotations

import json
import math
import os
import secrets
import socket
import sys
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import yaml

from bot import config as settings_of
from bot import model
from bot.config import RASA_PROJECT, RASA_TIMEOUT_DEFAULT, ROOT
from bot.supervisor import Backoff, Child, Program, Supervisor


@dataclass
class Ports:
    emulator: int = 8080
    rasa: int = 5005
    actions: int = 5055
    # The bot's /healthz and /livez; 0: none (`make run` uses HEALTH_PORT_DEFAULT).
    health: int = 0


HEALTH_PORT_DEFAULT = 8081


def http_get(url: str, timeout: float = 2.0) -> bytes | None:
    """The body of a 2xx answer; None for any other answer or none at all."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            body: bytes = response.read()
            return body
    except (urllib.error.URLError, OSError, TimeoutError):
        return None


def health_report(url: str, timeout: float = 5.0) -> dict[str, Any] | None:
    """The bot's /healthz answer, 200 or 503; None when it does not answer."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            found = json.loads(response.read())
    except urllib.error.HTTPError as failing:
        found = json.loads(failing.read())
    except (urllib.error.URLError, OSError, TimeoutError, ValueError):
        return None
    return found if isinstance(found, dict) else None


LOCAL_REDIS = "redis://127.0.0.1:6379/0"
REDIS_SCHEMES = ("redis", "rediss")


class StoreRefused(RuntimeError):
    """Production without a persistent, expiring conversation store."""


def conversation_store(env: dict[str, str], playground: bool) -> tuple[str, str]:
    """The REDIS_URL Rasa should use, and a line to print about it.

    With a real token and no REDIS_URL, a local Redis that answers is used, so conversations
    survive a restart; otherwise they live in memory until restart, said plainly (the bot's
    retention sweep deletes them a day after the last message either way).
    KELISIM_ENV=production refuses that."""
    configured = settings_of.redis_url(env)
    if configured:
        if urlsplit(configured).scheme not in REDIS_SCHEMES:
            # Rasa's Redis stores take a host and a port: no unix socket.
            raise StoreRefused("REDIS_URL must start with redis:// or rediss:// (TLS)")
        return configured, "conversations are kept in Redis and expire after a day"
    if not playground and _redis_answers(LOCAL_REDIS):
        return LOCAL_REDIS, f"conversations are kept in the local Redis ({LOCAL_REDIS})"
    if settings_of.production(env):
        raise StoreRefused(
            "KELISIM_ENV=production needs a persistent, expiring conversation store: set "
            "REDIS_URL (conversations would otherwise stay in memory until restart)"
        )
    return "", (
        "conversations live in memory until restart, or until the bot deletes them a day after "
        "the last message (set REDIS_URL to keep them in Redis)"
    )


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


# Query parameters of REDIS_URL that Rasa's Redis stores take as they are (TLS files).
_REDIS_TLS_FILES = ("ssl_ca_certs", "ssl_certfile", "ssl_keyfile")


COMPACT_MEMORY_STORE = "kelisim_engine.tracker_stores.CompactInMemoryTrackerStore"
COMPACT_REDIS_STORE = "kelisim_engine.tracker_stores.CompactRedisTrackerStore"
# Rasa's Redis lock store with every change atomic: several Rasa servers share it safely.
ATOMIC_REDIS_LOCKS = "kelisim_engine.lock_stores.AtomicRedisLockStore"


def ticket_lock_lifetime(env: Mapping[str, str]) -> str:
    """Seconds a conversation's lock in Rasa lives (Rasa's default: 60). A Rasa killed in the
    middle of a turn never releases its lock, and the person's next turns wait for it to
    expire (found by tests/integration/test_faults.py). Half of RASA_TIMEOUT: the bot sends a
    named turn again when its Rasa died under it (bot/dialogue/client.py), and that second try,
    waiting for the dead server's lock, must still finish within RASA_TIMEOUT. Never under
    5 s, far above a turn's own time even under load."""
    try:
        timeout = settings_of.rasa_timeout(env)
    except ValueError:
        timeout = RASA_TIMEOUT_DEFAULT
    return str(max(5, math.ceil(timeout / 2)))


def endpoints_config(actions_port: int, redis_url: str, prefix: str) -> dict[str, object]:
    """Rasa's endpoints.yml for this run; Redis stores when REDIS_URL is set (production).

    The file never holds the Redis password: it says `${REDIS_PASSWORD}`, which Rasa expands
    from its own environment when it reads the file (rasa_redis_env gives it the value)."""
    config: dict[str, object] = {
        "action_endpoint": {"url": f"http://127.0.0.1:{actions_port}/webhook"},
        # Conversations compacted as they are saved (rasa_project/kelisim_engine/): a turn
        # costs the same however long the conversation has been.
        "tracker_store": {"type": COMPACT_MEMORY_STORE},
    }
    if redis_url:
        parts = urlsplit(redis_url)
        if parts.scheme not in REDIS_SCHEMES:
            raise ValueError(f"REDIS_URL must be redis:// or rediss://, not {parts.scheme}:")
        db = int(parts.path.lstrip("/") or 0)
        common: dict[str, object] = {
            "type": "redis",
            "url": parts.hostname or "127.0.0.1",
            "port": parts.port or 6379,
            "key_prefix": prefix,
        }
        if parts.username:
            common["username"] = unquote(parts.username)  # a Redis 6 ACL user
        if parts.password:
            common["password"] = "${REDIS_PASSWORD}"
        if parts.scheme == "rediss":
            common["use_ssl"] = True
            query = parse_qs(parts.query)
            common.update({k: query[k][-1] for k in _REDIS_TLS_FILES if query.get(k)})
        # The tracker holds message text (under a pseudonym): keep it one day, as the privacy
        # page promises, long enough to follow a conversation.
        retention = settings_of.rasa_tracker_ttl()
        config["tracker_store"] = {
            **common,
            "type": COMPACT_REDIS_STORE,
            "db": db,
            "record_exp": retention,
        }
        config["lock_store"] = {**common, "type": ATOMIC_REDIS_LOCKS, "db": db}
    return config


def rasa_redis_env(redis_url: str) -> dict[str, str]:
    """What Rasa's environment needs for endpoints_config's file: the Redis password alone."""
    password = urlsplit(redis_url).password if redis_url else None
    return {"REDIS_PASSWORD": unquote(password)} if password else {}


def write_private(path: Path, content: str) -> None:
    """Write a file only its owner can read, whatever the umask and whoever made it before."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        os.fchmod(out.fileno(), 0o600)
        out.write(content)


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
    # Each child's var/log/<name>.log rotates at this size; this many old files are kept.
    log_max_bytes: int = 10 * 2**20
    log_backups: int = 5
    backoff: Backoff = field(default_factory=Backoff)
    supervisor: Supervisor = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.supervisor = Supervisor(
            self.log_dir, backoff=self.backoff, log_max_bytes=self.log_max_bytes,
            log_backups=self.log_backups,
        )  # fmt: skip

    @property
    def children(self) -> list[Child]:
        return self.supervisor.children

    @property
    def emulator_url(self) -> str:
        return f"http://127.0.0.1:{self.ports.emulator}"

    @property
    def rasa_url(self) -> str:
        return f"http://127.0.0.1:{self.ports.rasa}"

    @property
    def actions_url(self) -> str:
        return f"http://127.0.0.1:{self.ports.actions}"

    @property
    def health_url(self) -> str:
        """The bot's health endpoints (/healthz, /livez); empty when Ports.health is 0."""
        return f"http://127.0.0.1:{self.ports.health}" if self.ports.health else ""

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

    def _spawn(
        self,
        name: str,
        command: list[str],
        env: dict[str, str],
        ready: Callable[[], bool] | None,
        cwd: Path = ROOT,
    ) -> Child:
        return self.supervisor.spawn(Program(name, command, env, cwd, ready))

    def busy_ports(self) -> list[int]:
        """Our ports that something else already listens on (often a Kelisim still running)."""
        wanted = [self.ports.emulator] if self.playground else []
        if self.with_rasa:
            wanted += [self.ports.actions, self.ports.rasa]
        if self.with_bot and self.ports.health:
            wanted.append(self.ports.health)
        busy = []
        for port in wanted:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    busy.append(port)
        return busy

    def start(self, say: Callable[[str], None] = lambda _: None) -> None:
        self.supervisor.say = say
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
                ready=lambda: http_get(f"{self.emulator_url}/control/users") is not None,
            )
            self.supervisor.wait_ready(child, 30)
        # Rasa loads its model while the bot starts: the bot answers "the dialogue is down"
        # until it is up, and start() returns only when everything is ready.
        dialogue = self._start_dialogue(env, say) if self.with_rasa else []
        if self.with_bot:
            say("starting the bot")
            self.start_bot()
        for child, seconds in dialogue:
            self.supervisor.wait_ready(child, seconds)

    def _start_dialogue(
        self, env: dict[str, str], say: Callable[[str], None]
    ) -> list[tuple[Child, float]]:
        """Spawn the action server and Rasa; what to wait for, and how long at most."""
        py = sys.executable
        say(f"starting the action server on {self.actions_url}")
        actions = self._spawn(
            "actions",
            [py, "-m", "bot", "actions", "--port", str(self.ports.actions)],
            model.without_bot_secrets(env),
            ready=lambda: http_get(f"{self.actions_url}/health") is not None,
        )
        redis_url = settings_of.redis_url(env)
        endpoints = self.log_dir.parent / "run" / f"endpoints-{self.ports.rasa}.yml"
        endpoints.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        write_private(
            endpoints,
            yaml.safe_dump(endpoints_config(self.ports.actions, redis_url, self.redis_prefix)),
        )
        if settings_of.rasa_log_level()[1]:
            say(
                "RASA_LOG_LEVEL=DEBUG would log message texts: Rasa logs at INFO "
                "(LOG_MESSAGE_TEXT=1 allows DEBUG, for debugging only)"
            )
        say(f"starting Rasa on {self.rasa_url} (loading the model takes a few seconds)")
        rasa = self._spawn(
            "rasa",
            [
                # rasa run, without TensorFlow when the model needs none (kelisim_engine/serve.py).
                str(model.rasa_bin().parent / "python"), "-m", "kelisim_engine.serve", "run",
                "--model", str(model.MODEL_PATH),
                "--endpoints", str(endpoints),
                "--credentials", str(RASA_PROJECT / "credentials.yml"),
                "--interface", "127.0.0.1", "--port", str(self.ports.rasa),
                "--enable-api", "--auth-token", self.rasa_api_token,
            ],
            self._rasa_env(env),
            ready=self._rasa_ready,
            cwd=RASA_PROJECT,
        )  # fmt: skip
        return [(actions, 60), (rasa, 180)]

    @staticmethod
    def _rasa_env(env: dict[str, str]) -> dict[str, str]:
        """None of the bot's secrets; the Redis password only, for the endpoints file."""
        return {
            **model.rasa_env(),
            **rasa_redis_env(settings_of.redis_url(env)),
            **{k: v for k, v in env.items() if k.startswith("SANIC")},
            "TICKET_LOCK_LIFETIME": ticket_lock_lifetime(env),
        }

    def start_bot(self) -> None:
        """Start (or start again) the bot process and wait until it runs: in the playground
        until it polls the emulator, otherwise until its health endpoint answers."""
        since = self._last_call_id()
        env = self._child_env()
        if self.ports.health:
            env["HEALTH_PORT"] = str(self.ports.health)
        live = f"{self.health_url}/livez"
        bot = self._spawn(
            "bot",
            [sys.executable, "-m", "bot", "serve"],
            env,
            ready=(lambda: http_get(live) is not None) if self.ports.health else None,
        )
        if self.playground:
            self.supervisor.wait_ready(
                bot, 60, probe=lambda: self._bot_polling(since) or self._first_poll_waiting()
            )
        elif self.ports.health:
            self.supervisor.wait_ready(bot, 60)
            try:
                self.supervisor.wait_ready(bot, 30, probe=self._telegram_ok)
            except RuntimeError:
                if bot.process.poll() is not None:
                    raise
                self.supervisor.say(
                    f"the bot cannot reach Telegram yet and keeps trying ({self.health_url}"
                    "/healthz says when it can)"
                )

    def _telegram_health(self) -> dict[str, Any]:
        """The Telegram part of the bot's /healthz ({} when it does not answer)."""
        report = health_report(f"{self.health_url}/healthz")
        telegram: dict[str, Any] = (report or {}).get("telegram", {})
        return telegram

    def _first_poll_waiting(self) -> bool:
        # The emulator logs a getUpdates when it returns, and the first long poll returns only
        # after 10 s when nobody writes; the bot's /healthz knows it is waiting already.
        if not self.ports.health:
            return False
        telegram = self._telegram_health()
        return bool(telegram.get("ok")) and telegram.get("mode") == "polling"

    def _telegram_ok(self) -> bool:
        return bool(self._telegram_health().get("ok"))

    def stop_bot(self) -> None:
        for child in [c for c in self.children if c.name == "bot"]:
            self.supervisor.remove(child)

    def _rasa_ready(self) -> bool:
        # /status answers 409 until a model is loaded: a Rasa that refused the model (an
        # untrusted type in the intent classifier, L9) is never taken for ready.
        body = http_get(f"{self.rasa_url}/status?token={self.rasa_api_token}")
        return body is not None and b"model_file" in body

    def _calls(self, since: int = 0) -> list[dict[str, object]]:
        body = http_get(f"{self.emulator_url}/control/calls?since={since}")
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

    def supervise(self) -> None:
        """Keep every child running (a crashed one starts again, with backoff) until
        interrupted; GiveUp when one cannot be kept running."""
        self.supervisor.run()

    def stop(self) -> None:
        """SIGTERM every child's process group, newest first; SIGKILL what lingers."""
        self.supervisor.stop()
