"""Least privilege for the child processes (security review L5): Rasa and the action server
never get the bot's token, database URL or keys."""

from __future__ import annotations

import pytest

from bot import model
from bot.stack import Ports, Stack, ticket_lock_lifetime


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


@pytest.mark.usefixtures("secrets_in_env")
def test_rasa_gets_the_redis_password_alone_and_only_when_there_is_one() -> None:
    """The endpoints file says ${REDIS_PASSWORD}: Rasa's environment holds the value."""
    stack = Stack(playground=False, env={"REDIS_URL": "redis://:s%3Acret@cache:6379/0"})
    rasa = stack._rasa_env(stack._child_env())
    assert rasa["REDIS_PASSWORD"] == "s:cret"
    assert [name for name in model.BOT_ONLY if name in rasa] == ["REDIS_PASSWORD"]
    # REDIS_PASSWORD set in the environment for any other reason reaches neither child.
    assert "REDIS_PASSWORD" not in model.without_bot_secrets(stack._child_env())
    no_password = Stack(playground=False, env={"REDIS_URL": "redis://cache:6379/0"})
    assert "REDIS_PASSWORD" not in no_password._rasa_env(no_password._child_env())


def test_a_conversations_lock_in_rasa_lives_half_as_long_as_the_bot_waits() -> None:
    """A Rasa killed mid-turn leaves the lock behind: the turn sent again to another Rasa
    waits for it to expire, and must still be answered before the bot gives up."""
    stack = Stack(playground=False, env={"RASA_TIMEOUT": "25"})
    assert stack._rasa_env(stack._child_env())["TICKET_LOCK_LIFETIME"] == "13"
    assert ticket_lock_lifetime({"RASA_TIMEOUT": "1"}) == "5"  # never shorter than a slow turn
    assert ticket_lock_lifetime({"RASA_TIMEOUT": "soon"}) == "5"
