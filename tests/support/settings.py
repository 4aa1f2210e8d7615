"""Settings for a bot under test: built, never read from the environment."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from bot.config import ROOT, Settings

# The pseudonym key of every bot under test (sender ids are computed from it in the tests).
SECRET = "test-secret"


def settings_for(database_url: str, **changes: Any) -> Settings:
    """A playground bot (no token) on this database, with nothing reachable unless `changes`
    says where (Rasa, the Bot API, ...)."""
    base = Settings(
        telegram_token="",
        telegram_api_base_url="http://127.0.0.1:9/bot",
        database_url=database_url,
        rasa_url="http://127.0.0.1:9",
        admin_ids=frozenset(),
        content_dir=ROOT / "content",
        var_dir=Path("/nonexistent"),
        webhook_url="",
        webhook_secret="",
        webhook_listen="127.0.0.1",
        webhook_port=8443,
        rasa_timeout=2.0,
        sender_secret=SECRET,
    )
    return dataclasses.replace(base, **changes)
