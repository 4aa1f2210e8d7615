"""Webhook mode: updates arrive by POST, and only with Telegram's secret header."""

from __future__ import annotations

from collections.abc import Iterator

import aiohttp
import pytest

from bot.content import Catalogue
from bot.stack import Stack
from bot.telegram import callbacks, directory_codes
from bot.telegram.directory_codes import Op
from tests.support.playground import directory_buttons
from tests.support.stack import _stack, free_port, new_chat
from tests.support.views import plain

pytestmark = pytest.mark.integration
SECRET = "integration-webhook-secret"


@pytest.fixture(scope="module")
def webhook_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    port = free_port()
    running = _stack(
        tmp_path_factory.mktemp("webhook"),
        with_rasa=False,
        env={
            "WEBHOOK_URL": f"http://127.0.0.1:{port}/telegram",
            "WEBHOOK_PORT": str(port),
            "WEBHOOK_SECRET": SECRET,
        },
    )
    running.start()
    try:
        yield running
    finally:
        running.stop()


async def test_updates_arrive_by_webhook(
    webhook_stack: Stack, http: aiohttp.ClientSession, catalogue: Catalogue
) -> None:
    chat = await new_chat(http, webhook_stack, "kk")
    [picker] = await chat.send("/start")
    assert picker["text"] == plain(catalogue, "kk", "lang.prompt")
    url = f"{webhook_stack.emulator_url}/control/calls"
    async with http.get(url, params={"method": "getUpdates"}) as response:
        assert await response.json() == []  # nothing polled: the update came by webhook


async def test_healthz_in_webhook_mode(webhook_stack: Stack, http: aiohttp.ClientSession) -> None:
    """The webhook server runs and Telegram reports no failed delivery; this stack has no
    Rasa, so the bot is failing as a whole (review M8)."""
    chat = await new_chat(http, webhook_stack, "en")
    await chat.send("/start")
    async with http.get(f"{webhook_stack.health_url}/healthz") as response:
        report = await response.json()
        assert response.status == 503
    assert report["telegram"]["mode"] == "webhook"
    assert report["telegram"]["ok"] is True
    assert report["telegram"]["last_update_seconds_ago"] is not None
    assert report["database"] == {"ok": True}
    assert report["rasa"]["ok"] is False


async def test_a_forged_update_without_the_secret_is_refused(
    webhook_stack: Stack, http: aiohttp.ClientSession
) -> None:
    url = webhook_stack.env["WEBHOOK_URL"]
    chat = {"id": 1, "type": "private"}
    update = {"update_id": 1, "message": {"message_id": 1, "date": 0, "chat": chat, "text": "/x"}}
    async with http.post(url, json=update) as response:
        assert response.status == 403
    wrong = {"X-Telegram-Bot-Api-Secret-Token": "wrong"}
    async with http.post(url, json=update, headers=wrong) as response:
        assert response.status == 403


async def test_with_a_token_and_any_bot_api_server(
    tmp_path_factory: pytest.TempPathFactory, http: aiohttp.ClientSession, catalogue: Catalogue
) -> None:
    """The production path: a real token and TELEGRAM_API_BASE_URL, no playground."""
    token = "4242:production-like-token"
    server = _stack(
        tmp_path_factory.mktemp("server"), with_rasa=False, with_bot=False, emulator_token=token
    )
    server.start()
    try:
        async with http.get(f"{server.emulator_url}/bot4242:wrong/getMe") as response:
            assert response.status == 401  # the server really checks the token
        bot = _stack(
            tmp_path_factory.mktemp("tokenbot"),
            with_rasa=False,
            playground=False,
            env={
                "TELEGRAM_BOT_TOKEN": token,
                "TELEGRAM_API_BASE_URL": f"{server.emulator_url}/bot",
            },
        )
        bot.start()
        try:
            chat = await new_chat(http, server, "en")
            [picker] = await chat.send("/start")
            assert picker["text"] == plain(catalogue, "en", "lang.prompt")
            async with http.get(f"{server.emulator_url}/control/errors") as response:
                assert [e for e in await response.json() if e["method"] != "getMe"] == []
            # The database holds the playground's made-up listings: a real user never sees them.
            await chat.press(callbacks.choose_language("en"), count=2)
            astana = directory_codes.search_in("astana")
            found = await chat.press(astana, count=1, forge=True) + await chat.settle()
            shown = " ".join(str(e.get("text")) for e in found)
            assert plain(catalogue, "en", "dir.sample") not in shown
            assert not any(directory_buttons(e, Op.CALL) for e in found)
            assert plain(catalogue, "en", "dir.none")[:40] in shown  # nothing found instead
        finally:
            bot.stop()
    finally:
        server.stop()
