"""Playground page mechanics in headless Chromium, with this test acting as the bot.

Only the page is under test here: the test drives a real python-telegram-bot ``Bot`` against
the emulator and checks what the page shows and which updates the page's clicks produce.  The
end-to-end test with the real Kelisim bot lives elsewhere.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestServer
from telegram import (
    Bot,
    BotCommand,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)

from bot.emulator.server import create_app
from tests.support.chromium import CHROMIUM, CHROMIUM_ARGS, needs_chromium, tid

pytestmark = pytest.mark.browser

TOKEN = "1000001:playground-token"
EMMA = 700000003
SCREENSHOT = Path("/tmp/playground.png")


class FakeBot:
    """The test's side of the conversation: a real PTB Bot that tracks its update offset."""

    def __init__(self, bot: Bot) -> None:
        self.bot = bot
        self.offset = 0

    async def next_update(self, seconds: float = 10.0) -> Update:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            updates = await self.bot.get_updates(offset=self.offset, timeout=2)
            if updates:
                self.offset = updates[0].update_id + 1
                return updates[0]
        raise AssertionError("the page produced no update")


@pytest.fixture
async def emulator() -> AsyncIterator[str]:
    server = TestServer(create_app(), host="127.0.0.1", port=0)
    await server.start_server()
    yield str(server.make_url("")).rstrip("/")
    await server.close()


@pytest.fixture
async def fake_bot(emulator: str) -> AsyncIterator[FakeBot]:
    async with Bot(TOKEN, base_url=f"{emulator}/bot") as bot:
        yield FakeBot(bot)


@pytest.fixture
async def page(emulator: str) -> AsyncIterator[Any]:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        context = await browser.new_context(viewport={"width": 440, "height": 860})
        page = await context.new_page()
        console_errors: list[str] = []
        page.on(
            "console", lambda msg: console_errors.append(msg.text) if msg.type == "error" else None
        )
        page.on("pageerror", lambda exc: console_errors.append(str(exc)))
        try:
            yield page
        finally:
            await browser.close()
        assert console_errors == [], console_errors


@needs_chromium
async def test_playground_mechanics(emulator: str, fake_bot: FakeBot, page: Any) -> None:
    from playwright.async_api import expect

    bot = fake_bot.bot
    await bot.set_my_commands([BotCommand("start", "Start"), BotCommand("help", "Help")])
    await bot.set_my_commands([BotCommand("start", "Бастау")], language_code="kk")
    await bot.set_my_description("I explain mediation and find you a mediator.")

    await page.goto(f"{emulator}/#user={EMMA}")
    await expect(page.locator(tid("user-select"))).to_have_value(str(EMMA))
    await expect(page.locator(tid("bot-name"))).to_have_text("Kelisim")
    await expect(page.locator(tid("bot-description"))).to_contain_text("mediation")

    # Typing text and pressing Enter produces a message update.
    await page.locator(tid("message-input")).fill("Hello <b>not bold</b>")
    await page.locator(tid("message-input")).press("Enter")
    update = await fake_bot.next_update()
    assert update.message is not None
    assert update.message.text == "Hello <b>not bold</b>"
    assert update.message.from_user is not None
    assert update.message.from_user.id == EMMA
    user_bubble = page.locator(tid("user-message")).last
    await expect(user_bubble).to_contain_text("Hello <b>not bold</b>")

    # A bot message with formatting and an inline keyboard.
    sent = await bot.send_message(
        EMMA,
        "<b>Welcome</b> to <i>Kelisim</i> &lt;img src=x onerror=alert(1)&gt;",
        parse_mode="HTML",
        reply_markup=InlineKeyboardMarkup(
            [
                [InlineKeyboardButton("What is mediation?", callback_data="page:what")],
                [InlineKeyboardButton("Site", url="https://example.kz")],
            ]
        ),
    )
    bubble = page.locator(f'{tid("bot-message")}[data-message-id="{sent.message_id}"]')
    await expect(bubble).to_contain_text("Welcome to Kelisim <img src=x onerror=alert(1)>")
    await expect(bubble.locator("b")).to_have_text("Welcome")
    assert await page.locator(f"{tid('chat')} img").count() == 0
    await expect(bubble.locator(tid("inline-button"))).to_have_count(2)

    # Clicking an inline button produces a callback_query; its answer shows as a toast.
    await bubble.locator(tid("inline-button")).first.click()
    update = await fake_bot.next_update()
    query = update.callback_query
    assert query is not None
    assert query.data == "page:what"
    assert query.message is not None
    assert query.message.message_id == sent.message_id
    await query.answer(text="Opening…")
    await expect(page.locator(tid("toast"))).to_have_text("Opening…")

    # An edit updates the bubble in place and marks it edited.
    await bot.edit_message_text(
        "Mediation is a <u>voluntary</u> procedure.",
        chat_id=EMMA,
        message_id=sent.message_id,
        parse_mode="HTML",
        reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("Back", callback_data="back")]]),
    )
    await expect(bubble).to_contain_text("Mediation is a voluntary procedure.")
    await expect(bubble.locator(tid("edited-label"))).to_be_visible()
    await expect(bubble.locator(tid("inline-button"))).to_have_text(["Back"])
    await expect(page.locator(tid("bot-message"))).to_have_count(1)

    # A reply keyboard with a request_location button opens the city picker.
    await bot.send_message(
        EMMA,
        "Where are you?",
        reply_markup=ReplyKeyboardMarkup(
            [[KeyboardButton("Share location", request_location=True)], ["Skip"]],
            resize_keyboard=True,
        ),
    )
    keyboard = page.locator(tid("reply-keyboard"))
    await expect(keyboard).to_be_visible()
    await page.screenshot(path=str(SCREENSHOT))
    await keyboard.locator(tid("location-button")).click()
    await expect(page.locator(tid("location-picker"))).to_be_visible()
    await expect(page.locator(tid("city-button"))).to_have_count(8)
    await page.screenshot(path=str(SCREENSHOT.with_name("playground-location.png")))
    await page.locator(f'{tid("city-button")}[data-city="Almaty"]').click()
    update = await fake_bot.next_update()
    assert update.message is not None
    assert update.message.location is not None
    assert update.message.location.latitude == pytest.approx(43.2389)
    assert update.message.location.longitude == pytest.approx(76.8897)
    await expect(page.locator(tid("location-picker"))).to_be_hidden()

    # Typed coordinates work too.
    await page.locator(tid("attach-location-button")).click()
    await page.locator(tid("latitude-input")).fill("51.1694")
    await page.locator(tid("longitude-input")).fill("71.4491")
    await page.locator(tid("send-location")).click()
    update = await fake_bot.next_update()
    assert update.message is not None
    assert update.message.location is not None
    assert update.message.location.latitude == pytest.approx(51.1694)

    # A plain reply button sends its text.
    await keyboard.locator(tid("reply-button")).click()
    update = await fake_bot.next_update()
    assert update.message is not None
    assert update.message.text == "Skip"

    # ReplyKeyboardRemove hides the keyboard.
    await bot.send_message(EMMA, "OK", reply_markup=ReplyKeyboardRemove())
    await expect(keyboard).to_be_hidden()

    # The "/" menu lists the commands for Emma's language (en falls back to the default list).
    await page.locator(tid("commands-button")).click()
    await expect(page.locator(tid("command-item"))).to_have_count(2)
    await page.locator(f'{tid("command-item")}[data-command="help"]').click()
    update = await fake_bot.next_update()
    assert update.message is not None
    assert update.message.text == "/help"
    assert update.message.entities[0].type == "bot_command"

    # Stickers and photos exist to exercise the bot's unsupported-input handling.
    await page.locator(tid("sticker-button")).click()
    update = await fake_bot.next_update()
    assert update.message is not None
    assert update.message.sticker is not None
    await page.locator(tid("photo-button")).click()
    update = await fake_bot.next_update()
    assert update.message is not None
    assert update.message.photo

    # A show_alert answer opens a dialog instead of a toast.
    await bubble.locator(tid("inline-button")).click()
    update = await fake_bot.next_update()
    assert update.callback_query is not None
    assert update.callback_query.data == "back"
    await update.callback_query.answer(text="Not available yet", show_alert=True)
    await expect(page.locator(tid("alert-text"))).to_have_text("Not available yet")
    await page.locator(tid("alert-ok")).click()
    await expect(page.locator(tid("alert-dialog"))).to_be_hidden()

    # Adding a user switches to their (empty) chat; the kk user sees the kk command list.
    await page.locator(tid("add-user-button")).click()
    await page.locator(tid("new-user-name")).fill("Нұрлан")
    await page.locator(tid("new-user-language")).select_option("kk")
    await page.locator(tid("new-user-submit")).click()
    await expect(page.locator(tid("user-select"))).to_contain_text("Нұрлан · kk")
    await expect(page.locator(tid("empty-chat"))).to_be_visible()
    await expect(page.locator(tid("bot-message"))).to_have_count(0)
    await page.locator(tid("commands-button")).click()
    await expect(page.locator(tid("command-item"))).to_have_text(["/startБастау"])

    # Switching back restores Emma's history.
    await page.locator(tid("user-select")).select_option(str(EMMA))
    await expect(page.locator(tid("bot-message")).first).to_contain_text("voluntary")

    assert await _get_json(emulator, "/control/errors") == []


async def _get_json(base: str, path: str) -> Any:
    import aiohttp

    async with aiohttp.ClientSession() as session, session.get(base + path) as response:
        return await response.json()


async def test_page_has_no_inline_scripts_and_sends_csp(emulator: str) -> None:
    import aiohttp

    async with aiohttp.ClientSession() as session, session.get(emulator + "/") as response:
        body = await response.text()
        assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert "<script>" not in body
