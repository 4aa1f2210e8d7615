"""The real stack for integration and browser tests.

Trained model, action server, Rasa, bot and emulator, started once per test session on free
ports, with the production stores: Rasa's trackers and
locks in Redis (127.0.0.1:6379) under a private key prefix.
"""

from __future__ import annotations

import contextlib
import socket
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import redis
from sqlalchemy import create_engine, text

from bot import model
from bot.directory.loading import ensure_samples
from bot.places.gazetteer import default as gazetteer
from bot.stack import Ports, Stack
from bot.storage import migrate
from bot.telegram import callbacks
from tests.support.databases import POSTGRES_URL
from tests.support.playground import Chat

REDIS_URL = "redis://127.0.0.1:6379/0"
STATS_ADMIN = 990002  # an admin of the stack without Rasa (/stats)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _stack(
    tmp: Path, database_url: str = "", env: dict[str, str] | None = None, **kw: Any
) -> Stack:
    database_url = database_url or f"sqlite:///{tmp / 'kelisim.db'}"
    migrate.upgrade(database_url)
    # The playground's sample directory, as `make run` loads it.
    ensure_samples(database_url, gazetteer())
    child_env = {
        "DATABASE_URL": database_url,
        "KELISIM_VAR_DIR": str(tmp),
        "SENDER_ID_SECRET": "integration-tests",
        "RASA_TIMEOUT": "20",
    }
    child_env.update(env or {})
    return Stack(
        ports=Ports(
            emulator=free_port(), rasa=free_port(), actions=free_port(), health=free_port()
        ),
        env=child_env,
        log_dir=tmp / "log",
        **kw,
    )


@pytest.fixture(scope="session")
def trained_model() -> Path:
    """Train once per run, and only if the Rasa data changed since the last training."""
    model.train()
    return model.MODEL_PATH


@pytest.fixture(scope="session")
def stack(trained_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    # Typed text kept a week (anonymised): the unanswered questions and what was missing.
    env = {"KEEP_UNANSWERED_DAYS": "7"}
    with redis_stack(tmp_path_factory.mktemp("stack"), env) as running:
        yield running


@contextlib.contextmanager
def redis_stack(tmp: Path, env: dict[str, str] | None = None, **kw: Any) -> Iterator[Stack]:
    """The whole stack (or what `kw` asks of Stack), started, with Rasa's trackers and locks
    and the bot's send rate in the test Redis under a private key prefix; stopped, and its
    keys deleted, afterwards."""
    prefix = f"kelisimtest{uuid.uuid4().hex[:8]}"
    running = _stack(tmp, env={"REDIS_URL": REDIS_URL, **(env or {})}, redis_prefix=prefix, **kw)
    running.start()
    try:
        yield running
    finally:
        running.stop()
        delete_keys(prefix)


def delete_keys(prefix: str) -> None:
    """Every key a run left in the test Redis under its private prefix."""
    client = redis.Redis.from_url(REDIS_URL)
    try:
        for key in client.scan_iter(f"{prefix}:*"):
            client.delete(key)
    finally:
        client.close()


# One minute, the shortest period the bot accepts: it sweeps every 15 s and purges whoever was
# last seen over 45 s ago (the /forget tests on the same stack take a second or two each).
MEMORY_RETENTION_HOURS = 1 / 60


@pytest.fixture(scope="session")
def memory_stack(
    trained_model: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Stack, Path]]:
    """The whole stack with Rasa's in-memory tracker store (no REDIS_URL), as the playground,
    and a retention period short enough to watch the sweep work. One stack for the /forget and
    the retention tests: starting Rasa costs a minute."""
    tmp = tmp_path_factory.mktemp("memory")
    running = _stack(
        tmp, env={"REDIS_URL": "", "CONVERSATION_RETENTION_HOURS": str(MEMORY_RETENTION_HOURS)}
    )
    running.start()
    try:
        yield running, tmp
    finally:
        running.stop()


@pytest.fixture(scope="session")
def stack_without_rasa(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """Emulator and bot only: RASA_URL points at a port where nothing listens."""
    running = _stack(
        tmp_path_factory.mktemp("norasa"), with_rasa=False, env={"ADMIN_IDS": str(STATS_ADMIN)}
    )
    running.start()
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture(scope="session")
def postgres_stack_without_rasa(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """Emulator and bot on PostgreSQL (a private schema), the dialogue down."""
    schema = f"stack_{uuid.uuid4().hex[:10]}"
    admin = create_engine(POSTGRES_URL.replace("postgresql://", "postgresql+psycopg://"))
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
    running = _stack(tmp_path_factory.mktemp("pgstack"), database_url=url, with_rasa=False)
    running.start()
    try:
        yield running
    finally:
        running.stop()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=90)) as session:
        yield session


async def new_chat(http: aiohttp.ClientSession, stack: Stack, language_code: str) -> Chat:
    return await Chat.open(http, stack.emulator_url, language_code, name=f"user-{language_code}")


async def ready(http: aiohttp.ClientSession, stack: Stack, language: str) -> Chat:
    """A new person who has pressed /start and picked their language (welcome and menu seen)."""
    chat = await new_chat(http, stack, language)
    await chat.send("/start")
    await chat.press(callbacks.choose_language(language), count=2)
    return chat
