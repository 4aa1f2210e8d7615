"""The Rasa REST client against a stand-in server: errors become DialogueUnavailable."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from bot.dialogue.client import TURN_KEY, DialogueUnavailable, RasaClient, sender_id

Handler = Callable[[web.Request], Any]


@pytest.fixture
async def fake_rasa() -> AsyncIterator[Callable[[Handler], Any]]:
    servers: list[TestServer] = []

    async def start(handler: Handler) -> str:
        app = web.Application()
        app.router.add_post("/webhooks/rest/webhook", handler)
        server = TestServer(app, host="127.0.0.1")
        await server.start_server()
        servers.append(server)
        return str(server.make_url("")).rstrip("/")

    yield start
    for server in servers:
        await server.close()


async def test_sends_sender_text_and_metadata(fake_rasa: Any) -> None:
    seen: list[dict[str, Any]] = []

    async def handler(request: web.Request) -> web.Response:
        seen.append(await request.json())
        return web.json_response([{"recipient_id": "s", "custom": {"key": "greet"}}])

    client = RasaClient(await fake_rasa(handler))
    try:
        messages = await client.send("s", "hi", {"language": "kk"})
    finally:
        await client.close()
    assert messages == [{"recipient_id": "s", "custom": {"key": "greet"}}]
    assert seen == [{"sender": "s", "message": "hi", "metadata": {"language": "kk"}}]


@pytest.mark.parametrize(
    "response",
    [
        web.json_response([]),
        web.json_response({"error": "x"}, status=500),
        web.Response(text="not json"),
    ],
    ids=["empty-list", "http-500", "not-json"],
)
async def test_failures_raise(fake_rasa: Any, response: web.Response) -> None:
    async def handler(request: web.Request) -> web.Response:
        return response

    client = RasaClient(await fake_rasa(handler))
    try:
        with pytest.raises(DialogueUnavailable):
            await client.send("s", "hi", {})
    finally:
        await client.close()


async def test_timeout_raises(fake_rasa: Any) -> None:
    async def handler(request: web.Request) -> web.Response:
        await asyncio.sleep(2)
        return web.json_response([{"custom": {}}])

    client = RasaClient(await fake_rasa(handler), timeout=0.2)
    try:
        with pytest.raises(DialogueUnavailable, match="timed out"):
            await client.send("s", "hi", {})
    finally:
        await client.close()


async def test_connection_refused_raises_after_one_retry() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    client = RasaClient(f"http://127.0.0.1:{port}", timeout=1)
    try:
        with pytest.raises(DialogueUnavailable, match="cannot reach"):
            await client.send("s", "hi", {})
    finally:
        await client.close()


def test_sender_id_is_a_stable_pseudonym() -> None:
    assert sender_id("k", 1) == sender_id("k", 1)
    assert sender_id("k", 1) != sender_id("k", 2)
    assert sender_id("k", 1) != sender_id("other", 1)
    assert sender_id("k", 1) != "1"
    assert len(sender_id("k", 1)) == 32


async def test_an_unnamed_turn_is_never_sent_twice_when_the_connection_drops(
    fake_rasa: Any,
) -> None:
    """Dropped after the request was written: Rasa may have applied it, so no resend (L11)."""
    seen: list[str] = []

    async def handler(request: web.Request) -> web.Response:
        seen.append((await request.json())["message"])
        assert request.transport is not None
        request.transport.close()  # the answer never comes back
        return web.json_response([{"custom": {}}])

    client = RasaClient(await fake_rasa(handler), timeout=2)
    try:
        with pytest.raises(DialogueUnavailable):
            await client.send("s", "one answer", {})
    finally:
        await client.close()
    assert seen == ["one answer"]


def _failing_first(first: Callable[[web.Request], Any]) -> tuple[list[str], Handler]:
    """A Rasa replica that fails the first try as `first` says, then answers."""
    seen: list[str] = []

    async def handler(request: web.Request) -> Any:
        seen.append((await request.json())["metadata"].get(TURN_KEY, ""))
        if len(seen) == 1:
            return await first(request)
        return web.json_response([{"custom": {"key": "greet"}}])

    return seen, handler


async def _drop(request: web.Request) -> web.Response:
    assert request.transport is not None
    request.transport.close()
    return web.json_response([])


async def _bad_gateway(request: web.Request) -> web.Response:
    return web.Response(status=502)


async def _nothing(request: web.Request) -> web.Response:
    return web.json_response([])


@pytest.mark.parametrize("first", [_drop, _bad_gateway, _nothing], ids=["drop", "502", "empty"])
async def test_a_named_turn_is_sent_again_when_its_replica_failed_under_it(
    fake_rasa: Any, first: Callable[[web.Request], Any]
) -> None:
    """Rasa applies a named turn once (kelisim_engine/once.py): a second try is safe."""
    seen, handler = _failing_first(first)
    client = RasaClient(await fake_rasa(handler), timeout=2)
    try:
        messages = await client.send("s", "yes", {TURN_KEY: "812.1"})
    finally:
        await client.close()
    assert messages == [{"custom": {"key": "greet"}}]
    assert seen == ["812.1", "812.1"]


@pytest.mark.parametrize("first", [_bad_gateway, _nothing], ids=["502", "empty"])
async def test_an_unnamed_turn_is_not_sent_again_after_a_failure(
    fake_rasa: Any, first: Callable[[web.Request], Any]
) -> None:
    seen, handler = _failing_first(first)
    client = RasaClient(await fake_rasa(handler), timeout=2)
    try:
        with pytest.raises(DialogueUnavailable):
            await client.send("s", "yes", {})
    finally:
        await client.close()
    assert seen == [""]


async def test_a_named_turn_failing_twice_gets_the_apology(fake_rasa: Any) -> None:
    seen: list[int] = []

    async def handler(request: web.Request) -> web.Response:
        seen.append(1)
        return web.Response(status=503)

    client = RasaClient(await fake_rasa(handler), timeout=2)
    try:
        with pytest.raises(DialogueUnavailable, match="503"):
            await client.send("s", "yes", {TURN_KEY: "9.1"})
    finally:
        await client.close()
    assert len(seen) == 2


async def test_a_named_turn_that_timed_out_is_sent_once_more(fake_rasa: Any) -> None:
    """The first try waits out a dead replica's lock; the second gets the answer."""
    seen: list[str] = []

    async def handler(request: web.Request) -> web.Response:
        seen.append((await request.json())["metadata"][TURN_KEY])
        if len(seen) == 1:
            await asyncio.sleep(2)
        return web.json_response([{"custom": {"key": "greet"}}])

    client = RasaClient(await fake_rasa(handler), timeout=0.5)
    try:
        assert await client.send("s", "yes", {TURN_KEY: "7.1"}) == [{"custom": {"key": "greet"}}]
    finally:
        await client.close()
    assert seen == ["7.1", "7.1"]
