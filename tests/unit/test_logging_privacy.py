"""LOG_LEVEL=DEBUG logs no one's words (security review L6): below INFO only Kelisim's own
loggers follow it unless LOG_MESSAGE_TEXT=1; PTB would log each update, SQLAlchemy each
statement's values."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import aiohttp
import pytest

from bot import config
from bot.storage import migrate
from tests.support.playground import Chat
from tests.support.processes import TOKEN, Processes, free_port

LEVELS = """
import json, logging
from bot.cli.common import setup_logging as _logging
_logging()
names = ["bot.telegram.handlers.turn", "telegram.ext", "sqlalchemy.engine", "aiosqlite", "httpx"]
print(json.dumps({n: logging.getLogger(n).getEffectiveLevel() for n in names}))
"""


def levels(**env: str) -> dict[str, int]:
    base = {k: v for k, v in os.environ.items() if k not in ("LOG_LEVEL", "LOG_MESSAGE_TEXT")}
    out = subprocess.run(
        [sys.executable, "-c", LEVELS], env={**base, **env}, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    found: dict[str, int] = json.loads(out.stdout)
    return found


@pytest.mark.slow
def test_debug_reaches_libraries_only_with_log_message_text() -> None:
    debug = levels(LOG_LEVEL="DEBUG")
    assert debug["bot.telegram.handlers.turn"] == 10
    assert debug["telegram.ext"] == debug["sqlalchemy.engine"] == debug["aiosqlite"] == 20
    assert levels(LOG_LEVEL="debug", LOG_MESSAGE_TEXT="1")["telegram.ext"] == 10
    # URLs hold the bot token: httpx never logs them.
    assert debug["httpx"] == levels(LOG_LEVEL="DEBUG", LOG_MESSAGE_TEXT="1")["httpx"] == 30


@pytest.mark.slow
async def test_a_bot_at_debug_level_logs_no_message_text(
    processes: Processes, tmp_path: Path
) -> None:
    migrate.upgrade(f"sqlite:///{tmp_path / 'kelisim.db'}")
    api = free_port()
    processes.emulator(api)
    processes.bot(api, free_port(), "http://127.0.0.1:9", LOG_LEVEL="DEBUG")
    secret = "my neighbour 4711 floods my flat"
    async with aiohttp.ClientSession() as http:
        chat = await Chat.open(http, f"http://127.0.0.1:{api}", "en")
        await chat.send("/start")  # a first message: the language picker
        await chat.send(secret)  # Rasa is down: the apology, after the text was read
    logged = (tmp_path / "bot.log").read_text()
    assert " DEBUG bot." in logged or " DEBUG " not in logged  # only Kelisim's own at DEBUG
    assert "4711" not in logged
    assert str(chat.user_id) not in logged
    assert TOKEN not in logged


@pytest.mark.slow
async def test_with_log_message_text_debug_shows_libraries_but_never_the_token(
    processes: Processes, tmp_path: Path
) -> None:
    """For debugging on test data: PTB's DEBUG lines appear, the bot's token never does."""
    migrate.upgrade(f"sqlite:///{tmp_path / 'kelisim.db'}")
    api = free_port()
    processes.emulator(api)
    processes.bot(api, free_port(), "http://127.0.0.1:9", LOG_LEVEL="DEBUG", LOG_MESSAGE_TEXT="1")
    async with aiohttp.ClientSession() as http:
        chat = await Chat.open(http, f"http://127.0.0.1:{api}", "en")
        await chat.send("/start")
    logged = (tmp_path / "bot.log").read_text()
    assert " DEBUG telegram." in logged
    assert "/bot<token>" in logged
    assert TOKEN not in logged
    assert TOKEN.split(":")[1] not in logged


def test_rasa_never_gets_debug_logs_without_log_message_text() -> None:
    """At DEBUG Rasa logs every message's text (review L6)."""
    assert config.rasa_log_level({"RASA_LOG_LEVEL": "debug"}) == ("INFO", True)
    assert config.rasa_log_level({"RASA_LOG_LEVEL": "DEBUG", "LOG_MESSAGE_TEXT": "1"}) == (
        "DEBUG",
        False,
    )
    assert config.rasa_log_level({}) == ("WARNING", False)
    assert config.rasa_log_level({"RASA_LOG_LEVEL": "INFO"}) == ("INFO", False)
