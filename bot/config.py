"""Settings read from environment variables, with defaults that make a fresh clone work."""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The Rasa project: training data, the domain (whose responses the content check reads).
RASA_PROJECT = ROOT / "rasa_project"
TELEGRAM_API_DEFAULT = "https://api.telegram.org/bot"
EMULATOR_API_DEFAULT = "http://127.0.0.1:8080/bot"
# Seconds the bot waits for Rasa to answer a turn.
RASA_TIMEOUT_DEFAULT = 10.0
# The emulator accepts any token; this one only has to look like a real one to PTB.
PLAYGROUND_TOKEN = "1000001:playground-token"


def _env(name: str, default: str) -> str:
    value = os.environ.get(name, "").strip()
    return value or default


def load_dotenv(path: Path = ROOT / ".env") -> None:
    """KEY=VALUE lines from .env, without overriding the real environment."""
    if not path.is_file():
        return
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        os.environ.setdefault(key.strip(), value.strip().strip('"').strip("'"))


def log_message_text(env: Mapping[str, str] = os.environ) -> bool:
    """LOG_MESSAGE_TEXT=1: the one setting under which a person's words may reach a log."""
    return _flag(env.get("LOG_MESSAGE_TEXT", ""))


def _flag(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes"}


# Settings read by the processes other than the bot (the CLI, the stack runner, the action
# server, training), each a function of the environment, so that every variable is read here
# and only here (tests/unit/test_config.py); the README's table lists them all.


def log_level(env: Mapping[str, str] = os.environ) -> str:
    """LOG_LEVEL as written (upper case), "" when unset: each process has its own default."""
    return env.get("LOG_LEVEL", "").strip().upper()


def rasa_log_level(env: Mapping[str, str] = os.environ) -> tuple[str, bool]:
    """RASA_LOG_LEVEL (WARNING when unset), and whether it was lowered: at DEBUG Rasa logs
    every message's text, so DEBUG becomes INFO unless LOG_MESSAGE_TEXT=1."""
    import logging

    wanted = env.get("RASA_LOG_LEVEL", "").strip().upper() or "WARNING"
    number = logging.getLevelName(wanted) if not wanted.isdigit() else int(wanted)
    if isinstance(number, int) and number < logging.INFO and not log_message_text(env):
        return "INFO", True
    return wanted, False


def content_dir(env: Mapping[str, str] = os.environ) -> Path:
    """CONTENT_DIR: the pages, strings and screening rules (the bot's and the actions')."""
    return Path(env.get("CONTENT_DIR", "").strip() or ROOT / "content")


def sample_listings(env: Mapping[str, str] = os.environ) -> bool:
    """SAMPLE_LISTINGS=0 keeps the playground's made-up mediators out of an empty directory."""
    return env.get("SAMPLE_LISTINGS", "1").strip() != "0"


def bot_username(env: Mapping[str, str] = os.environ) -> str:
    """BOT_USERNAME: for the links the CLI prints (the running bot asks Telegram instead)."""
    return env.get("BOT_USERNAME", "").strip() or "kelisim_bot"


def rasa_bin(env: Mapping[str, str] = os.environ) -> Path:
    """RASA_BIN: the `rasa` of Rasa's own environment (Python 3.10)."""
    return Path(env.get("RASA_BIN", "").strip() or ROOT / ".venv-rasa" / "bin" / "rasa")


def model_frozen(env: Mapping[str, str] = os.environ) -> bool:
    """KELISIM_MODEL_FROZEN=1: use the trained model as it is, though its data changed."""
    return env.get("KELISIM_MODEL_FROZEN", "").strip() == "1"


def rasa_tracker_ttl(env: Mapping[str, str] = os.environ) -> int:
    """RASA_TRACKER_TTL: seconds a conversation stays in Redis after its last change."""
    return int(env.get("RASA_TRACKER_TTL", "").strip() or 24 * 3600)


def rasa_timeout(env: Mapping[str, str] = os.environ) -> float:
    """RASA_TIMEOUT: seconds the bot waits for Rasa to answer a turn (ValueError if not a
    number)."""
    return float(env.get("RASA_TIMEOUT", "").strip() or RASA_TIMEOUT_DEFAULT)


def redis_url(env: Mapping[str, str] = os.environ) -> str:
    """REDIS_URL: Rasa's tracker and lock stores (and /forget's deletes there); "" if none."""
    return env.get("REDIS_URL", "").strip()


def production(env: Mapping[str, str] = os.environ) -> bool:
    """KELISIM_ENV=production: refuse settings that are fine for a try but not for people."""
    return env.get("KELISIM_ENV", "").strip().lower() == "production"


def _int_list(raw: str) -> frozenset[int]:
    return frozenset(int(part) for part in raw.replace(";", ",").split(",") if part.strip())


def _sender_secret(var_dir: Path) -> str:
    """Read SENDER_ID_SECRET, or a secret kept under var/ so pseudonyms survive restarts."""
    explicit = os.environ.get("SENDER_ID_SECRET", "").strip()
    if explicit:
        return explicit
    path = var_dir / "sender-id.secret"
    if path.exists():
        return path.read_text().strip()
    var_dir.mkdir(parents=True, exist_ok=True)
    value = secrets.token_hex(32)
    path.write_text(value)
    path.chmod(0o600)
    return value


@dataclass(frozen=True)
class Settings:
    """Everything configurable, in one place; see the README's table."""

    telegram_token: str
    telegram_api_base_url: str
    database_url: str
    rasa_url: str
    admin_ids: frozenset[int]
    content_dir: Path
    var_dir: Path
    webhook_url: str
    webhook_secret: str
    webhook_listen: str
    webhook_port: int
    rasa_timeout: float
    sender_secret: str = field(repr=False)
    log_message_text: bool = False
    max_text_length: int = 1000
    content_watch: bool = True
    # The health endpoints (/healthz, /livez); 0: none. `make run` gives its bot one.
    health_port: int = 0
    health_listen: str = "127.0.0.1"
    # Questions the bot did not understand, anonymised, for outreach teams: 0 keeps none.
    keep_unanswered_days: int = 0
    # A conversation in Rasa is purged this long after the person's last message, whatever
    # the tracker store (bot/privacy/retention.py); at least a minute.
    conversation_retention_hours: float = 24.0
    # Rasa's tracker and lock stores, when they are in Redis: /forget deletes the person's keys.
    redis_url: str = field(default="", repr=False)
    redis_prefix: str = "kelisim"
    # Rasa's HTTP API token (the stack makes one per run): /forget purges the conversation.
    rasa_api_token: str = field(default="", repr=False)
    # Sends per second for the whole bot (Telegram allows about 30); 0: no limit of ours.
    telegram_sends_per_second: float = 30.0
    # One person's updates: at most this many queued at once, and a burst then so many a second
    # (bot/telegram/processor.py says why these numbers).
    max_queued_per_chat: int = 5
    user_burst: int = 20
    user_per_second: float = 1.0
    # Streams the webhook receiver spreads updates over, by chat (bot/telegram/stream/): the
    # same for every receiver and worker; changed only with all of them stopped.
    update_partitions: int = 16

    @property
    def playground(self) -> bool:
        """No token means the local emulator stands in for Telegram."""
        return not self.telegram_token

    @property
    def token(self) -> str:
        return self.telegram_token or PLAYGROUND_TOKEN

    @property
    def webhook_secret_token(self) -> str:
        """Always check Telegram's secret header: derive one if none was configured."""
        if self.webhook_secret:
            return self.webhook_secret
        return hmac.new(self.sender_secret.encode(), b"webhook", hashlib.sha256).hexdigest()

    @classmethod
    def from_env(cls) -> Settings:
        load_dotenv()
        var_dir = Path(_env("KELISIM_VAR_DIR", str(ROOT / "var")))
        token = os.environ.get("TELEGRAM_BOT_TOKEN", "").strip()
        default_api = TELEGRAM_API_DEFAULT if token else EMULATOR_API_DEFAULT
        return cls(
            telegram_token=token,
            telegram_api_base_url=_env("TELEGRAM_API_BASE_URL", default_api),
            database_url=_env("DATABASE_URL", f"sqlite:///{var_dir / 'kelisim.db'}"),
            rasa_url=_env("RASA_URL", "http://127.0.0.1:5005").rstrip("/"),
            admin_ids=_int_list(os.environ.get("ADMIN_IDS", "")),
            content_dir=content_dir(),
            var_dir=var_dir,
            webhook_url=os.environ.get("WEBHOOK_URL", "").strip(),
            webhook_secret=os.environ.get("WEBHOOK_SECRET", "").strip(),
            webhook_listen=_env("WEBHOOK_LISTEN", "127.0.0.1"),
            webhook_port=int(_env("WEBHOOK_PORT", "8443")),
            rasa_timeout=rasa_timeout(),
            sender_secret=_sender_secret(var_dir),
            log_message_text=log_message_text(),
            max_text_length=int(_env("MAX_TEXT_LENGTH", "1000")),
            content_watch=_flag(_env("CONTENT_WATCH", "1")),
            health_port=int(_env("HEALTH_PORT", "0")),
            health_listen=_env("HEALTH_LISTEN", "127.0.0.1"),
            keep_unanswered_days=max(0, int(_env("KEEP_UNANSWERED_DAYS", "0") or 0)),
            conversation_retention_hours=max(
                1 / 60, float(_env("CONVERSATION_RETENTION_HOURS", "24"))
            ),
            redis_url=redis_url(),
            redis_prefix=_env("RASA_REDIS_PREFIX", "kelisim"),
            rasa_api_token=os.environ.get("RASA_API_TOKEN", "").strip(),
            telegram_sends_per_second=float(_env("TELEGRAM_SENDS_PER_SECOND", "30")),
            max_queued_per_chat=int(_env("MAX_QUEUED_PER_CHAT", "5")),
            user_burst=int(_env("USER_BURST", "20")),
            user_per_second=float(_env("USER_PER_SECOND", "1")),
            update_partitions=int(_env("UPDATE_PARTITIONS", "16")),
        )
