"""What the command groups share: logging that hides secrets, a database session, the parser."""

from __future__ import annotations

import argparse
import contextlib
import logging
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from bot.content.live import ContentRefused

# Adds one command: its name and the function that runs it (whose docstring is its help).
Adder = Callable[[str, Callable[[argparse.Namespace], None]], argparse.ArgumentParser]


def setup_logging(level: str = "INFO") -> None:
    from bot.config import load_dotenv, log_level, log_message_text

    load_dotenv()  # LOG_LEVEL and LOG_MESSAGE_TEXT in .env count too
    logging.basicConfig(
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        level=log_level() or level,
    )
    root = logging.getLogger()
    if root.level < logging.INFO and not log_message_text():
        # At DEBUG, libraries log what passes through them: PTB each update with its text and
        # Telegram ids, SQLAlchemy and aiosqlite each statement with its values. Kelisim's own
        # code keeps message text out of DEBUG, so below INFO only its loggers follow
        # LOG_LEVEL, unless LOG_MESSAGE_TEXT=1 says a person's words may be logged.
        logging.getLogger("bot").setLevel(root.level)
        root.setLevel(logging.INFO)
    # httpx logs every request URL, and URLs contain the bot token.
    logging.getLogger("httpx").setLevel(logging.WARNING)


class _Hide(logging.Filter):
    def __init__(self, secret: str) -> None:
        super().__init__()
        self.secret = secret

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if self.secret in message:
            record.msg, record.args = message.replace(self.secret, "<token>"), None
        return True


def hide_in_logs(secret: str) -> None:
    """Replace `secret` wherever a log line would show it: PTB logs the Bot API URL, with the
    token in it, at DEBUG (allowed with LOG_MESSAGE_TEXT=1)."""
    for handler in logging.getLogger().handlers:
        handler.addFilter(_Hide(secret))


def content_refused(exc: ContentRefused) -> str:
    """What to print when content fails the check at start-up: the check's own list first."""
    return (
        f"{exc}\nKelisim does not start on content that fails `content check` ({exc.root}): "
        "fix the errors above (`python -m bot content check` lists them) and start it again"
    )


@contextlib.contextmanager
def sync_session(url: str) -> Iterator[Session]:
    """A session on the database at `url`, its schema brought up to date first; the engine
    is closed after (a command runs once: no pool to keep)."""
    from sqlalchemy.orm import Session

    from bot.storage import migrate
    from bot.storage.urls import sync_engine

    migrate.upgrade(url)
    engine = sync_engine(url)
    try:
        with Session(engine) as session:
            yield session
    finally:
        engine.dispose()
