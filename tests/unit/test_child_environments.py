"""Least privilege for the child processes (security review L5): Rasa and the action server
never get the bot's token, database URL or keys."""

from __future__ import annotations

import pytest

from bot import model
from bot.stack import Ports, Stack


@pytest.fixture
def secrets_in_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in model.BOT_ONLY:
        monkeypatch.setenv(name, f"secret-{name}")


@pytest.mark.usefixtures("secrets_in_env")
def test_rasa_gets_none_of_the_bots_secrets() -> None:
    env = model.rasa_env()
    assert not [name for name in model.BOT_ONLY if name in env]
    assert env["RASA_TELEMETRY_ENABLED"] == "false"


@pytest.mark.usefixtures("secrets_in_env")
def test_the_bot_keeps_them_and_the_action_server_does_not() -> None:
    stack = Stack(ports=Ports(emulator=1, rasa=2, actions=3), playground=False)
    bot_env = stack._child_env()
    assert bot_env["TELEGRAM_BOT_TOKEN"] == "secret-TELEGRAM_BOT_TOKEN"
    assert bot_env["RASA_API_TOKEN"] == stack.rasa_api_token
    actions_env = model.without_bot_secrets(bot_env)
    assert not [name for name in model.BOT_ONLY if name in actions_env]
    assert actions_env["RASA_URL"] == stack.rasa_url  # what it does need stays
