"""The playground's "needs update" marks, in headless Chromium: shown on a stale translation,
gone once the translation is stamped up to date (docs/content-guide.md, "Translating").

The test acts as the bot (a real PTB `Bot` against the emulator) and sends the Kazakh page
title and menu button whose English sources it changed in a copy of the content.
"""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp.test_utils import TestServer
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup

from bot.content.translations import Tracking
from bot.emulator.server import create_app
from bot.telegram import callbacks
from tests.support.chromium import CHROMIUM, CHROMIUM_ARGS, needs_chromium, tid

pytestmark = pytest.mark.browser

TOKEN = "1000001:playground-token"
AIGERIM = 700000001  # the simulated Kazakh user
CONTENT = Path(__file__).resolve().parents[2] / "content"


@pytest.fixture
def content(tmp_path: Path) -> Path:
    """The shipped content, every translation up to date, then two English sources changed."""
    copy = tmp_path / "content"
    shutil.copytree(CONTENT, copy)
    tracking = Tracking.load(copy)
    for lang in ("kk", "ru"):
        tracking.stamp(lang)
    strings = copy / "en" / "strings.yml"
    text = strings.read_text(encoding="utf-8")
    strings.write_text(text.replace('menu: "🏠 Main menu"', 'menu: "🏠 To the menu"'), "utf-8")
    page = copy / "en" / "pages" / "cost.md"
    page.write_text(page.read_text(encoding="utf-8").replace("### ", "### Now: ", 1), "utf-8")
    return copy


@pytest.fixture
async def emulator(content: Path) -> AsyncIterator[str]:
    server = TestServer(create_app(content_dir=content), host="127.0.0.1", port=0)
    await server.start_server()
    yield str(server.make_url("")).rstrip("/")
    await server.close()


@needs_chromium
async def test_stale_texts_are_marked_until_stamped(emulator: str, content: Path) -> None:
    from playwright.async_api import async_playwright, expect

    kk = Tracking.load(content)
    title = kk.pages["kk"]["cost"].title
    async with async_playwright() as playwright, Bot(TOKEN, base_url=f"{emulator}/bot") as bot:
        browser = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        page = await browser.new_page(viewport={"width": 440, "height": 860})
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        await page.goto(f"{emulator}/#user={AIGERIM}")
        await page.locator(tid("message-input")).fill("сәлем")
        await page.locator(tid("message-input")).press("Enter")
        await expect(page.locator(tid("user-message"))).to_have_count(1)
        await bot.send_message(
            AIGERIM,
            f"<b>{title}</b>\n\nМедиация…",
            parse_mode="HTML",
            reply_markup=InlineKeyboardMarkup(
                [[InlineKeyboardButton("🏠 Басты мәзір", callback_data=callbacks.MENU)]]
            ),
        )
        await bot.send_message(AIGERIM, "Сәлеметсіз бе!")
        bubbles = page.locator(tid("bot-message"))
        await expect(bubbles).to_have_count(2)
        await expect(bubbles.first.locator(tid("stale-badge"))).to_have_text("needs update")
        await expect(bubbles.last.locator(tid("stale-badge"))).to_have_count(0)
        button = bubbles.first.locator(tid("inline-button"))
        await expect(button).to_have_attribute("data-stale", "btn.menu")
        await expect(page.locator(tid("stale-count"))).to_have_text("2 need update")
        await page.screenshot(path="/tmp/playground-stale.png")

        # A translator confirmed both: the marks go within a few seconds, no reload.
        kk.stamp("kk", ["btn.menu", "page:cost"])
        await expect(bubbles.first.locator(tid("stale-badge"))).to_have_count(0, timeout=10_000)
        await expect(button).not_to_have_attribute("data-stale", "btn.menu")
        await expect(page.locator(tid("stale-count"))).to_be_hidden()
        await browser.close()
        assert errors == []
