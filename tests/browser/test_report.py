"""The outreach report opens in a real browser, offline, with its charts drawn."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from bot.content import Catalogue
from bot.outreach import report
from tests.support.chromium import CHROMIUM, CHROMIUM_ARGS, needs_chromium

pytestmark = pytest.mark.browser


@needs_chromium
async def test_the_report_opens_with_its_charts(tmp_path: Path, catalogue: Catalogue) -> None:
    from playwright.async_api import async_playwright

    day = dt.date(2026, 11, 20)
    rows = [
        report.Row(day, "", "almaty", "kk", "started", 25),
        report.Row(day, "", "almaty", "kk", "screened:eligible", 9),
        report.Row(day + dt.timedelta(days=1), "", "almaty", "ru", "started", 7),
        report.Row(day, "", "almaty", "kk", "page:cost", 3),
    ]
    page_file = tmp_path / "report.html"
    page_file.write_text(
        report.render(
            rows,
            {},
            {"almaty": "Алматы"},
            day,
            day + dt.timedelta(days=2),
            catalogue=catalogue,
            language="ru",
        ),
        encoding="utf-8",
    )
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
        )
        try:
            page = await browser.new_page()
            await page.goto(page_file.as_uri())
            assert (
                await page.title()
                == "Отчёт Kelisim, 20 ноября 2026\u202fг. – 22 ноября 2026\u202fг."
            )
            charts = page.locator("svg")
            # Funnel, pages, verdicts, languages, regions per day; the two maps of the regions.
            assert await charts.count() == 7
            # Every chart's figures as a table, opened as a reader would.
            tables = page.locator("details")
            assert await tables.count() == 5
            await tables.first.locator("summary").click()
            assert await tables.first.locator("table").is_visible()
            # Drawn, not just present: the funnel's first bar has a real width on screen.
            box = await page.locator("svg rect").first.bounding_box()
            assert box is not None
            assert box["width"] > 100
            assert await page.get_by_text("<5").count() >= 1  # page:cost (3) is hidden
        finally:
            await browser.close()
