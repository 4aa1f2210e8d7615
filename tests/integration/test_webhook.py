"""Webhook mode: updates arrive by POST, and only with Telegram's secret header."""

from __future__ import annotations

from collections.abc import Iterator

import aiohttp
import pytest

from bot.content import Catalogue
from bot.stack import Stack
from tests.integration.test_conversation import plain
from tests.support.stack import _stack, free_port, new_chat

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
