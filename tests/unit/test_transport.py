"""PTB's requests over aiohttp (bot/telegram/transport.py), against real local servers: what
arrives, and which failures can be repeated without a person reading a message twice."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, InputFile
from telegram.error import NetworkError, TimedOut
from telegram.request import RequestData
from telegram.request._requestparameter import RequestParameter

from bot.emulator.server import create_app
from bot.telegram.transport import AiohttpRequest, certainly_not_sent

TOKEN = "123456:TEST-token"


async def _echo(request: web.Request) -> web.Response:
    """What arrived: the form fields, and each file's name, type and size."""
    fields: dict[str, object] = {}
    if request.content_type == "multipart/form-data":
        async for part in await request.multipart():
            body = await part.read()  # type: ignore[union-attr]
            if part.filename:  # type: ignore[union-attr]
                fields[part.name or ""] = {  # type: ignore[union-attr]
                    "filename": part.filename,  # type: ignore[union-attr]
                    "type": part.headers.get("Content-Type"),  # type: ignore[union-attr]
                    "size": len(body),
                }
            else:
                fields[part.name or ""] = body.decode()  # type: ignore[union-attr]
    elif request.content_type == "application/json":
        fields = await request.json()
    else:
        fields = dict(await request.post())
    return web.json_response(
        {
            "agent": request.headers.get("User-Agent"),
            "type": request.content_type,
            "fields": fields,
        }
    )


async def _slow(request: web.Request) -> web.Response:
    await asyncio.sleep(float(request.query.get("s", "2")))
    return web.json_response({"ok": True})


async def _hang_up(request: web.Request) -> web.Response:
    """Reads the request, then drops the connection without an answer."""
    await request.read()
    assert request.transport is not None
    request.transport.close()
    await asyncio.sleep(0.1)
    return web.Response()


@pytest.fixture
async def server() -> AsyncIterator[TestServer]:
    app = web.Application()
    app.router.add_post("/echo", _echo)
    app.router.add_post("/slow", _slow)
    app.router.add_post("/hang-up", _hang_up)
    running = TestServer(app)
    async with running:
        yield running


@pytest.fixture
async def request_() -> AsyncIterator[AiohttpRequest]:
    made = AiohttpRequest(connection_pool_size=1, read_timeout=0.5, pool_timeout=0.2)
    await made.initialize()
    yield made
    await made.shutdown()


def _data(**fields: object) -> RequestData:
    return RequestData([RequestParameter.from_input(k, v) for k, v in fields.items()])


async def test_ptb_talks_to_the_bot_api_through_it() -> None:
    async with TestServer(create_app()) as emulator:
        base = f"http://127.0.0.1:{emulator.port}/bot"
        async with Bot(TOKEN, base_url=base, request=AiohttpRequest()) as bot:
            me = await bot.get_me()
            assert me.is_bot
            assert await bot.get_updates(timeout=0) == ()


async def test_fields_and_files_arrive_as_ptb_encodes_them(
    server: TestServer, request_: AiohttpRequest
) -> None:
    url = f"http://127.0.0.1:{server.port}/echo"
    status, body = await request_.do_request(
        url, "POST", _data(chat_id=42, text="сәлем <b>", n=[1, 2])
    )
    assert status == 200
    echoed = json.loads(body)
    # Without files, one JSON object (as the Bot API takes it), values with their own types.
    assert echoed["type"] == "application/json"
    assert echoed["fields"] == {"chat_id": 42, "text": "сәлем <b>", "n": [1, 2]}
    assert echoed["agent"] == AiohttpRequest.USER_AGENT
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Иә", callback_data="l:kk")]])
    status, body = await request_.do_request(url, "POST", _data(chat_id=42, reply_markup=markup))
    assert json.loads(body)["fields"]["reply_markup"] == markup.to_dict()
    qr = InputFile(b"\x89PNG" + bytes(100), filename="qr.png")
    status, body = await request_.do_request(url, "POST", _data(chat_id=42, document=qr))
    # With a file, a multipart form: the fields as PTB encodes them, the file beside them.
    assert json.loads(body)["fields"] == {
        "chat_id": "42",
        "document": {"filename": "qr.png", "type": "image/png", "size": 104},
    }


async def test_a_refused_connection_certainly_was_not_sent(request_: AiohttpRequest) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # bound, never listening: refused
        with pytest.raises(NetworkError) as caught:
            await request_.do_request(f"http://127.0.0.1:{port}/echo", "POST", _data(chat_id=1))
    assert certainly_not_sent(caught.value)


async def test_no_answer_in_time_may_have_been_acted_on(
    server: TestServer, request_: AiohttpRequest
) -> None:
    with pytest.raises(TimedOut) as caught:
        await request_.do_request(
            f"http://127.0.0.1:{server.port}/slow?s=2", "POST", _data(chat_id=1)
        )
    assert not certainly_not_sent(caught.value)


async def test_a_connection_dropped_after_the_request_may_have_been_acted_on(
    server: TestServer, request_: AiohttpRequest
) -> None:
    with pytest.raises(NetworkError) as caught:
        await request_.do_request(
            f"http://127.0.0.1:{server.port}/hang-up", "POST", _data(chat_id=1)
        )
    assert not isinstance(caught.value, TimedOut)
    assert not certainly_not_sent(caught.value)


async def test_waiting_for_a_free_connection_too_long_certainly_was_not_sent(
    server: TestServer, request_: AiohttpRequest
) -> None:
    base = f"http://127.0.0.1:{server.port}"
    busy = asyncio.create_task(
        request_.do_request(f"{base}/slow?s=0.4", "POST", _data(chat_id=1), read_timeout=2.0)
    )
    await asyncio.sleep(0.1)
    with pytest.raises(TimedOut) as caught:
        await request_.do_request(f"{base}/echo", "POST", _data(chat_id=2), connect_timeout=0.05)
    assert certainly_not_sent(caught.value)
    await busy


async def test_it_starts_on_first_use_and_refuses_once_shut_down(server: TestServer) -> None:
    made = AiohttpRequest()
    url = f"http://127.0.0.1:{server.port}/echo"
    assert (await made.do_request(url, "POST", _data(chat_id=1)))[0] == 200
    await made.shutdown()
    with pytest.raises(RuntimeError, match="shut down"):
        await made.do_request(url, "POST", _data(chat_id=1))
    await made.initialize()  # as PTB does when a bot is used again
    assert (await made.do_request(url, "POST", _data(chat_id=1)))[0] == 200
    await made.shutdown()
