"""Where `make run` keeps conversations (issue 13): Redis when there is one, never silently in
memory with a real token, and never in memory when KELISIM_ENV=production."""

from __future__ import annotations

import pytest

from bot import stack
from bot.stack import LOCAL_REDIS, StoreRefused, conversation_store


def test_a_configured_redis_is_used_as_it_is() -> None:
    url, line = conversation_store({"REDIS_URL": "redis://db:6379/2"}, playground=False)
    assert url == "redis://db:6379/2"
    assert "Redis" in line


@pytest.mark.slow
def test_with_a_token_the_local_redis_is_used_when_it_answers() -> None:
    # The machine's own Redis (127.0.0.1:6379) runs on every development and CI machine.
    url, line = conversation_store({}, playground=False)
    assert url == LOCAL_REDIS
    assert "local Redis" in line


def test_the_playground_says_plainly_that_conversations_live_in_memory() -> None:
    url, line = conversation_store({}, playground=True)
    assert url == ""
    assert "in memory until restart" in line


def test_without_redis_a_token_gets_memory_said_plainly_and_production_refuses(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(stack, "_redis_answers", lambda url: False)
    url, line = conversation_store({}, playground=False)
    assert url == ""
    assert "in memory until restart" in line
    with pytest.raises(StoreRefused, match="REDIS_URL"):
        conversation_store({"KELISIM_ENV": "production"}, playground=False)
