"""The playground page with the real bot behind it: pick a language, ask, get the page."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.content import Catalogue
from bot.stack import Stack
from bot.telegram import callbacks
from tests.support.chromium import CHROMIUM, CHROMIUM_ARGS, needs_chromium, tid

pytestmark = [pytest.mark.browser, pytest.mark.integration]


@pytest.fixture
async def page(stack: Stack) -> AsyncIterator[Any]:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        page = await (await browser.new_context(viewport={"width": 440, "height": 860})).new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        try:
            await page.goto(f"{stack.emulator_url}/")
            yield page
        finally:
            await page.screenshot(path="/tmp/playground-bot.png")
            await browser.close()
        assert errors == []


@needs_chromium
async def test_pick_a_language_and_ask(page: Any, catalogue: Catalogue) -> None:
    # A fresh user, so the test does not depend on what other tests did.
    await page.click(tid("add-user-button"))
    await page.fill(tid("new-user-name"), "Browser user")
    await page.select_option(tid("new-user-language"), "kk")
    await page.click(tid("new-user-submit"))

    await page.fill(tid("message-input"), "/start")
    await page.press(tid("message-input"), "Enter")
    code = callbacks.choose_language("kk")
    kazakh = page.locator(f'{tid("inline-button")}[data-callback-data="{code}"]')
    await kazakh.wait_for(timeout=30_000)
    await kazakh.click()

    welcome_start = catalogue.raw("kk", "welcome").split("**")[0].strip()[:20]
    await page.locator(tid("bot-message"), has_text=welcome_start).wait_for(timeout=30_000)

    # The menu under the welcome names the page too (its button): wait for a message with the
    # title beyond those already shown, the answer itself.
    title = catalogue.page("kk", "what_is_mediation").title
    with_title = page.locator(tid("bot-message"), has_text=title)
    shown = await with_title.count()
    await page.fill(tid("message-input"), "медиация деген не")
    await page.press(tid("message-input"), "Enter")
    await with_title.nth(shown).wait_for(timeout=30_000)
