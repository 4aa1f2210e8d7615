"""The fast tier for the Telegram layer: the bot in process (tests/support/in_process.py)."""

from tests.support.in_process import (  # noqa: F401  (fixtures)
    bot,
    fake_rasa_script,
    live_content,
    migrated_database,
)
