"""The one sending layer: 429 honoured, 5xx retried, timeouts never duplicate a message, 403
marks the person blocked. Real PTB errors, a scripted callback standing in for the network."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import aiohttp
import pytest
from aiohttp.client_reqrep import ConnectionKey
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.telegram.sending import Delivery
from bot.telegram.stream.sends import shared_bucket


class Script:
    """Raises the given errors in turn, then answers ok; counts the calls."""

    def __init__(self, *errors: Exception) -> None:
        self.errors = list(errors)
        self.calls = 0

    async def __call__(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return {"ok": True}


async def _send(delivery: Delivery, script: Script, endpoint: str = "sendMessage") -> Any:
    return await delivery.process_request(script, (), {}, endpoint, {"chat_id": 42}, None)


async def test_429_waits_as_long_as_telegram_asks_and_sends_once() -> None:
    delivery = Delivery(0, backoff=0.01)
    script = Script(RetryAfter(dt.timedelta(seconds=0.2)))
    loop_time = asyncio.get_running_loop().time
    started = loop_time()
    assert await _send(delivery, script) == {"ok": True}
    assert script.calls == 2
    assert loop_time() - started >= 0.19
    assert delivery.retried == 1


async def test_a_429_pauses_every_other_send_too() -> None:
    delivery = Delivery(0, backoff=0.01)
    first = Script(RetryAfter(dt.timedelta(seconds=0.3)))
    second = Script()
    loop_time = asyncio.get_running_loop().time
    started = loop_time()
    task = asyncio.create_task(_send(delivery, first))
    await asyncio.sleep(0.05)
    await _send(delivery, second)
    assert loop_time() - started >= 0.29  # the second waited for the pause
    await task


async def test_bad_gateway_and_refused_connections_are_retried_with_backoff() -> None:
    delivery = Delivery(0, backoff=0.01)
    refused = _caused(NetworkError("aiohttp.ClientConnectorError"), _refused())
    script = Script(NetworkError("Bad Gateway"), refused)
    assert await _send(delivery, script) == {"ok": True}
    assert script.calls == 3


async def test_retries_stop_and_the_error_reaches_the_handler() -> None:
    delivery = Delivery(0, backoff=0.01, max_retries=2)
    script = Script(*(NetworkError("Bad Gateway") for _ in range(5)))
    with pytest.raises(NetworkError):
        await _send(delivery, script)
    assert script.calls == 3


async def test_a_long_retry_after_is_not_waited_out() -> None:
    delivery = Delivery(0, max_wait=5)
    script = Script(RetryAfter(dt.timedelta(seconds=120)))
    with pytest.raises(RetryAfter):
        await _send(delivery, script)
    assert script.calls == 1


async def test_a_timed_out_send_is_never_repeated_but_a_callback_answer_is() -> None:
    delivery = Delivery(0, backoff=0.01)
    send = Script(TimedOut())
    with pytest.raises(TimedOut):
        await _send(delivery, send)
    assert send.calls == 1  # it may have arrived: a second would be a duplicate
    answer = Script(TimedOut())
    assert await _send(delivery, answer, "answerCallbackQuery") == {"ok": True}
    assert answer.calls == 2


async def test_a_bad_request_is_not_retried() -> None:
    delivery = Delivery(0, backoff=0.01)
    script = Script(BadRequest("can't parse entities"))
    with pytest.raises(BadRequest):
        await _send(delivery, script)
    assert script.calls == 1


async def test_forbidden_marks_the_person_blocked() -> None:
    delivery = Delivery(0)
    marked: list[int] = []

    async def blocked(telegram_id: int) -> None:
        marked.append(telegram_id)

    delivery.on_blocked = blocked
    with pytest.raises(Forbidden):
        await _send(delivery, Script(Forbidden("bot was blocked by the user")))
    assert marked == [42]


@pytest.mark.slow  # sleeps on the real clock
async def test_sends_are_spread_to_the_rate() -> None:
    delivery = Delivery(20)
    loop_time = asyncio.get_running_loop().time
    started = loop_time()
    await asyncio.gather(*(_send(delivery, Script()) for _ in range(30)))
    # 20 go at once (the bucket is full), the next 10 at 20 a second.
    assert 0.4 <= loop_time() - started < 2


def _refused() -> aiohttp.ClientConnectorError:
    key = ConnectionKey("127.0.0.1", 1, False, True, None, None, None)
    return aiohttp.ClientConnectorError(key, ConnectionRefusedError(111, "refused"))


def _caused(error: NetworkError, cause: Exception) -> NetworkError:
    error.__cause__ = cause
    return error


async def test_a_send_whose_connection_dropped_mid_way_is_not_repeated() -> None:
    """The request was written: Telegram may have sent it, and a repeat would be a duplicate."""
    delivery = Delivery(0, backoff=0.01)
    dropped = _caused(NetworkError("dropped"), aiohttp.ServerDisconnectedError())
    send = Script(dropped)
    with pytest.raises(NetworkError):
        await _send(delivery, send)
    assert send.calls == 1
    refused = _caused(NetworkError("aiohttp.ClientConnectorError"), _refused())
    again = Script(refused, TimedOut())
    with pytest.raises(TimedOut):  # refused: retried; then a read timeout: not repeated
        await _send(delivery, again)
    assert again.calls == 2
    gateway = Script(NetworkError("Gateway Timeout"))
    with pytest.raises(NetworkError):
        await _send(delivery, gateway)
    assert gateway.calls == 1


async def test_while_redis_fails_the_process_s_own_bucket_paces_the_sends(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The shared rate (REDIS_URL) unreachable: sends go on, each taking a token from this
    process's own bucket instead, and one warning says so (not one per send)."""

    class Counting:
        taken = 0

        async def take(self) -> None:
            self.taken += 1

    own = Counting()
    nowhere = shared_bucket("redis://127.0.0.1:9/0", "test-down", 30, fallback=own)
    try:
        await nowhere.take()
        await nowhere.take()
    finally:
        await nowhere.close()
    assert own.taken == 2
    warned = [r.getMessage() for r in caplog.records if "rate is unavailable" in r.getMessage()]
    assert len(warned) == 1, warned
