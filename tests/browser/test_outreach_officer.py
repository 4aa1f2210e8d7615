"""One outreach officer's day, in the order docs/content-guide.md tells it, through the real
parts: the stack with the trained model on a copy of the content, the real `python -m bot`
commands as the officer types them, the playground in headless Chromium.

1. The English team changed three texts: the Kazakh ones are marked "needs update" in the
   playground, and `content status` names them.
2. `content export` to a spreadsheet; a translator fills it in (openpyxl), breaking one
   placeholder; `content import` refuses it, naming the key, and writes nothing.
3. Fixed and imported: the marks go away in the playground, and the bot says the new words.
4. 👎 on a page, then "what was missing?"; other readers vote too.
5. Kazakh-only news to one region: checked with --dry-run, scheduled, listed and cancelled,
   then sent; the Kazakh subscriber there gets it with its 🔕 button, the others do not.
6. The report shows the votes and the news, counts under 5 as "<5".

With KELISIM_GUIDE_SCREENSHOTS=<dir> (`make guide-screenshots`), the screenshots the guide
shows are written there (docs/images/content-guide/), small enough to keep in the repository.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import os
import re
import shutil
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import aiohttp
import pytest
from openpyxl import load_workbook
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from bot import clock
from bot.config import ROOT
from bot.content import Catalogue
from bot.content.translations import Tracking
from bot.offices.models import DailyCount
from bot.stack import Stack
from bot.storage.urls import sync_url
from bot.telegram import callbacks
from tests.support.chromium import CHROMIUM, CHROMIUM_ARGS, needs_chromium, tid
from tests.support.playground import Chat, button_labels
from tests.support.stack import redis_stack
from tests.support.views import plain

if TYPE_CHECKING:
    from playwright.async_api import ViewportSize

pytestmark = [pytest.mark.browser, pytest.mark.integration]

CONTENT = ROOT / "content"
AIGERIM = 700000001  # the playground's Kazakh user
COST_QUESTION = "Медиация қанша тұрады?"
SCREENSHOTS = "KELISIM_GUIDE_SCREENSHOTS"
PHONE: ViewportSize = {"width": 440, "height": 860}  # as the other browser tests

# What the English team changed (source → new source), and what the translator writes.
COST_OLD = "Before you start, ask how much it will be and how the parties will share it."
COST_NEW = (
    "Before you start, ask how much it will be, how the parties will share it and whether "
    "the first meeting is paid."
)
COST_KK_OLD = "Бастамас бұрын қанша тұратынын және тараптар шығынды қалай бөлісетінін сұраңыз."
COST_KK_NEW = (
    "Бастамас бұрын қанша тұратынын, тараптар шығынды қалай бөлісетінін және алғашқы кездесу "
    "ақылы ма екенін сұраңыз."
)
MENU_EN = ('menu: "🏠 Main menu"', 'menu: "🏠 Back to the menu"')
MENU_KK = "🏠 Мәзірге оралу"
CHANGED_EN = (
    "{language_name} is set. You can change it any time with /language.",
    "{language_name} is set. To change it, send /language or press 🌐 Language in the menu.",
)
CHANGED_KK = (
    "Таңдалған тіл: {language_name}. Өзгерту үшін /language жіберіңіз немесе мәзірдегі "
    "🌐 Тіл батырмасын басыңыз."
)
CHANGED_KK_BROKEN = CHANGED_KK.replace("{language_name}", "{тіл_атауы}")

# Who read the Kazakh translation before it was imported: the cost page says so from then on.
READER = "Айгерим Сейтқали"
NEWS_ID = "2026-12-shymkent-room"
NEWS = f"""id: {NEWS_ID}
kk: "**Жаңалық:** Шымкент қаласының әкімдігінде медиация кабинеті ашылды. Сейсенбі мен
  бейсенбі, 10:00–13:00, кеңес тегін. Жаңалық керек болмаса, «тоқта» деп жазыңыз."
"""  # Kazakh only: it goes to Kazakh speakers only (--language kk)


# Gathers a report's section (its heading, note and table) into one element to screenshot.
GATHER_SECTION = """(title) => {
  const heading = [...document.querySelectorAll("h3")].find((h) => h.textContent === title);
  const note = heading.nextElementSibling;
  const shot = document.createElement("div");
  shot.className = "shot";
  shot.style.padding = "4px 8px";
  heading.style.marginTop = "8px";
  heading.before(shot);
  shot.append(heading, note, note.nextElementSibling);
}"""


class Screenshots:
    """Where the screenshots go: the guide's folder when asked for, else the test's tmp."""

    def __init__(self, tmp: Path) -> None:
        wanted = os.environ.get(SCREENSHOTS, "")
        self.dir = Path(wanted) if wanted else tmp / "screenshots"
        self.dir.mkdir(parents=True, exist_ok=True)

    def path(self, name: str) -> Path:
        return self.dir / name

    async def phone(self, page: Any, name: str) -> None:
        """The playground as it is, scrolled to the newest message."""
        await page.locator(tid("chat")).evaluate("chat => { chat.scrollTop = chat.scrollHeight }")
        await page.screenshot(path=self.path(name))
        self.shrink(name)

    async def phone_at(self, page: Any, message: Any, name: str) -> None:
        """The playground scrolled so that this message starts at the top of the chat."""
        await message.evaluate("m => m.scrollIntoView({block: 'start'})")
        await page.screenshot(path=self.path(name))
        self.shrink(name)

    async def section(self, page: Any, title: str, name: str) -> None:
        """A section of the report: its heading, note and table."""
        await page.evaluate(GATHER_SECTION, title)
        await page.locator(".shot").last.screenshot(path=self.path(name))
        self.shrink(name)

    def shrink(self, name: str) -> None:
        """A 256-colour PNG: a chat screenshot well under 150 KB, and still sharp."""
        from PIL import Image

        path = self.path(name)
        with Image.open(path) as image:
            small = image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT)
        small.save(path, optimize=True)


@pytest.fixture
def content(tmp_path: Path) -> Path:
    """The shipped content, every translation recorded as up to date (so that the story does
    not depend on the repository's own state), then three English texts changed."""
    copy = tmp_path / "content"
    shutil.copytree(CONTENT, copy)
    tracking = Tracking.load(copy)
    for lang in ("kk", "ru"):
        tracking.stamp(lang)
    _edit(copy / "en" / "pages" / "cost.md", COST_OLD, COST_NEW)
    _edit(copy / "en" / "strings.yml", *MENU_EN)
    _edit(copy / "en" / "strings.yml", *CHANGED_EN)
    return copy


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture
def officers_stack(trained_model: Path, content: Path, tmp_path: Path) -> Iterator[Stack]:
    """Emulator, action server, Rasa (trained model, Redis) and bot, on the content copy."""
    with redis_stack(tmp_path / "stack", {"CONTENT_DIR": str(content)}) as running:
        yield running


class Officer:
    """The officer's terminal: `python -m bot …` in the project's folder, on the stack's
    database and the content copy."""

    def __init__(self, stack: Stack, content: Path) -> None:
        self.content = content
        self.env = dict(
            os.environ,
            DATABASE_URL=stack.env["DATABASE_URL"],
            KELISIM_VAR_DIR=stack.env["KELISIM_VAR_DIR"],
            CONTENT_DIR=str(content),
            TELEGRAM_BOT_TOKEN="",
            TELEGRAM_API_BASE_URL=f"{stack.emulator_url}/bot",
        )

    async def run(self, *args: str, ok: bool = True) -> str:
        """The command's output (stdout and stderr); it must succeed unless ok is False."""
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", *args, cwd=ROOT, env=self.env,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
        )  # fmt: skip
        out, _ = await asyncio.wait_for(process.communicate(), 120)
        text = out.decode()
        assert (process.returncode == 0) == ok, (args, process.returncode, text)
        return text

    async def add_office(self, code: str, region: str, kk: str, ru: str, en: str, out: Path) -> str:
        """An akimat whose visitors speak Kazakh, its QR code written into out."""
        return await self.run(
            "offices", "add", code, "--kind", "akimat", "--region", region, "--name-kk", kk,
            "--name-ru", ru, "--name-en", en, "--language", "kk", "--poster", "", "--out",
            str(out / "posters"),
        )  # fmt: skip

    async def content_command(self, *args: str, ok: bool = True) -> str:
        return await self.run("content", *args, "--dir", str(self.content), ok=ok)


def button(code: str) -> str:
    """The CSS selector of a bot message's inline button with this callback code."""
    return f'{tid("inline-button")}[data-callback-data="{code}"]'


def tree_digest(root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        if path.is_file():
            digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


Cell = str | Callable[[str], str]


def translate(sheet_path: Path, translations: dict[str, Cell]) -> None:
    """What the translator does: fill in the `translation` column of the rows they did, with
    a text, or with what a function makes of the current translation (copied over, edited)."""
    book = load_workbook(sheet_path)
    sheet = book.worksheets[0]
    header = [cell.value for cell in sheet[1]]
    key_at, text_at = header.index("key") + 1, header.index("translation") + 1
    current_at = header.index("current translation") + 1
    done = set()
    for row in range(2, sheet.max_row + 1):
        key = str(sheet.cell(row, key_at).value)
        if key in translations:
            wanted = translations[key]
            current = str(sheet.cell(row, current_at).value or "")
            sheet.cell(row, text_at).value = wanted if isinstance(wanted, str) else wanted(current)
            done.add(key)
    assert done == set(translations), set(translations) - done
    book.save(sheet_path)


def unchanged(current: str) -> str:
    return current


async def reader(http: aiohttp.ClientSession, base: str, vote: str) -> None:
    """Someone in Kazakh asks what mediation costs and votes on the page."""
    chat = await Chat.open(http, base, "kk", name=f"reader-{vote}")
    await chat.send("/start")
    await chat.press(callbacks.choose_language("kk"), count=2)
    await chat.send(COST_QUESTION)
    await chat.press(callbacks.feedback("page:cost", vote), count=2 if vote == "down" else 1)


def votes(stack: Stack) -> dict[str, int]:
    """The day's counts of votes and reasons on the cost page."""
    engine = create_engine(sync_url(stack.env["DATABASE_URL"]))
    try:
        with Session(engine) as session:
            rows = session.execute(
                select(DailyCount.event, func.sum(DailyCount.count)).group_by(DailyCount.event)
            )
            return {event: int(n) for event, n in rows if event.endswith(":page:cost")}
    finally:
        engine.dispose()


async def counted(stack: Stack, wanted: dict[str, int]) -> dict[str, int]:
    """The votes once the bot has written them (it writes counts once a second)."""
    deadline = time.monotonic() + 10
    while True:
        found = votes(stack)
        if all(found.get(k, 0) >= n for k, n in wanted.items()) or time.monotonic() > deadline:
            return found
        await asyncio.sleep(0.3)


async def chat_texts(http: aiohttp.ClientSession, base: str, user_id: int) -> list[str]:
    async with http.get(f"{base}/control/users/{user_id}/chat") as response:
        events: list[dict[str, Any]] = await response.json()
    return [str(e.get("text") or "") for e in events if e["kind"] == "message"]


@needs_chromium
async def test_an_officers_day(
    officers_stack: Stack,
    content: Path,
    http: aiohttp.ClientSession,
    catalogue: Catalogue,
    tmp_path: Path,
) -> None:
    from playwright.async_api import async_playwright, expect

    stack, base = officers_stack, officers_stack.emulator_url
    officer = Officer(stack, content)
    shots = Screenshots(tmp_path)
    kk = Tracking.load(content)
    cost_title = kk.pages["kk"]["cost"].title

    # 1. Where she stands: three Kazakh texts are stale, named by `content status --list`.
    status = await officer.content_command("status", "--to", "kk", "--list")
    assert re.search(r"^kk\s+\d+\s+3\s+0\s+0\s+0\s+99$", status, re.M), status
    for item in ("btn.menu", "lang.changed", "page:cost"):
        assert re.search(rf"^kk\s+stale\s+{re.escape(item)}\s+en$", status, re.M), status

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        page = await browser.new_page(viewport=PHONE)
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))

        # ... and in the playground, as Айгерим (kk), the same three are marked.
        await page.goto(f"{base}/#user={AIGERIM}")
        await page.fill(tid("message-input"), "/start")
        await page.press(tid("message-input"), "Enter")
        kazakh = page.locator(button(callbacks.choose_language("kk")))
        await kazakh.click(timeout=30_000)
        bubbles = page.locator(tid("bot-message"))
        await expect(bubbles).to_have_count(2, timeout=30_000)  # "language set", the welcome
        await page.fill(tid("message-input"), COST_QUESTION)
        await page.press(tid("message-input"), "Enter")
        cost = bubbles.filter(has_text=cost_title)
        await expect(cost).to_have_count(1, timeout=30_000)
        await expect(cost.locator(tid("stale-badge"))).to_have_text("needs update")
        await expect(bubbles.first.locator(tid("stale-badge"))).to_have_text("needs update")
        menu_button = cost.locator(button(callbacks.MENU))
        await expect(menu_button).to_have_attribute("data-stale", "btn.menu")
        await expect(page.locator(tid("stale-count"))).to_have_text("3 need update")
        await shots.phone_at(page, cost, "needs-update.png")

        # 2. Export for the translator; she fills it in, one placeholder translated by mistake.
        sheet = tmp_path / "kk.xlsx"
        out = await officer.content_command(
            "export", "--to", "kk", "--format", "xlsx", "--out", str(sheet)
        )
        assert f"{sheet}: 5 text(s) to translate into kk" in out
        translate(
            sheet,
            {
                "page:cost#title": unchanged,
                "page:cost#sources": unchanged,
                "page:cost#body": lambda current: current.replace(COST_KK_OLD, COST_KK_NEW),
                "btn.menu": MENU_KK,
                "lang.changed": CHANGED_KK_BROKEN,
            },
        )
        before = tree_digest(content)
        read_by = ("--reviewed-by", READER)  # who read the translation: the page shows it
        refused = await officer.content_command("import", str(sheet), *read_by, ok=False)
        assert (
            "ERROR   lang.changed: placeholders {тіл_атауы}, but the source has {language_name}"
            in refused
        )
        assert "import refused: 1 error(s); nothing was written" in refused
        assert tree_digest(content) == before

        # 3. Fixed in the sheet: checked, then imported.
        translate(sheet, {"lang.changed": CHANGED_KK})
        dry = await officer.content_command("import", str(sheet), *read_by, "--dry-run")
        assert "would write: kk/pages/cost.md, kk/strings.yml, kk/translations.yml" in dry
        assert tree_digest(content) == before
        done = await officer.content_command("import", str(sheet), *read_by)
        assert "kk: 3 text(s) changed, 3 recorded as up to date, 0 left empty" in done
        assert "wrote: kk/pages/cost.md, kk/strings.yml, kk/translations.yml" in done
        status = await officer.content_command("status", "--to", "kk")
        assert re.search(r"^kk\s+\d+\s+0\s+0\s+0\s+0\s+100$", status, re.M), status

        # The marks go within a few seconds, without a restart; the bot says the new words.
        await expect(page.locator(tid("stale-badge"))).to_have_count(0, timeout=15_000)
        await expect(page.locator(tid("stale-count"))).to_be_hidden()
        await expect(menu_button).not_to_have_attribute("data-stale", "btn.menu")
        new_cost = bubbles.filter(has_text=COST_KK_NEW)
        new_menu = page.locator(tid("inline-button"), has_text=MENU_KK)
        for _ in range(20):  # the bot reloads the content within a couple of seconds
            await page.fill(tid("message-input"), COST_QUESTION)
            await page.press(tid("message-input"), "Enter")
            await expect(cost).to_have_count(await cost.count() + 1, timeout=30_000)
            if await new_cost.count():
                break
            await asyncio.sleep(1)
        await expect(new_cost).to_have_count(1)
        await expect(new_cost).to_contain_text(READER)  # "checked by" whoever read it
        await expect(new_menu).to_have_count(1)
        await expect(page.locator(tid("stale-badge"))).to_have_count(0)
        await shots.phone(page, "updated.png")

        # 4. Feedback: 👎 on the page, then what was missing.
        down = new_cost.locator(button(callbacks.feedback("page:cost", "down")))
        await down.click()
        missing_text = plain(catalogue, "kk", "feedback.missing")
        question = bubbles.filter(has_text=missing_text)
        await expect(question).to_have_count(1, timeout=30_000)
        await expect(down).to_have_count(0)  # the 👍 / 👎 row is gone once pressed
        toast = page.locator(tid("toast"))
        await expect(toast).to_have_text(plain(catalogue, "kk", "feedback.thanks"))
        await expect(toast).to_be_hidden(timeout=10_000)  # a moment, as in Telegram
        await shots.phone(page, "feedback-missing.png")
        complicated = callbacks.feedback("page:cost", "complicated")
        await question.locator(button(complicated)).click()
        await expect(
            bubbles.filter(has_text=plain(catalogue, "kk", "feedback.noted"))
        ).to_have_count(1, timeout=30_000)
        # Other readers: five 👍 and four more 👎 (the report shows counts of 5 and more).
        await asyncio.gather(
            *(reader(http, base, "up") for _ in range(5)),
            *(reader(http, base, "down") for _ in range(4)),
        )
        found = await counted(
            stack,
            {"helpful:page:cost": 5, "unhelpful:page:cost": 5, "missing:complicated:page:cost": 1},
        )
        assert found == {
            "helpful:page:cost": 5,
            "unhelpful:page:cost": 5,
            "missing:complicated:page:cost": 1,
        }

        # 5. News in Kazakh to one region. Subscribers came through two offices' links.
        offices = {
            "shymkent_akimat": ("Шымкент", "Шымкент қаласының әкімдігі", "Акимат города Шымкент",
                                "Shymkent city akimat"),
            "almaty_con": ("Алматы", "Алматы ХҚКО", "ЦОН Алматы", "Almaty public service centre"),
        }  # fmt: skip
        added = await asyncio.gather(
            *(officer.add_office(code, *about, tmp_path) for code, about in offices.items())
        )
        for code, said in zip(offices, added, strict=True):
            assert f"office {code} added" in said
        subscribers = {}
        for name, start, language in (
            ("Асель", "/start o_shymkent_akimat", "kk"),
            ("Дмитрий", "/start o_shymkent_akimat-ru", "ru"),
            ("Әлия", "/start o_almaty_con", "kk"),
        ):
            chat = await Chat.open(http, base, language, name=name)
            [welcome] = await chat.send(start)
            assert welcome["text"] == plain(catalogue, language, "welcome")
            [subscribed] = await chat.send("/subscribe")
            assert subscribed["text"] == plain(catalogue, language, "news.subscribed")
            subscribers[name] = chat
        news = tmp_path / "news.yml"
        news.write_text(NEWS, encoding="utf-8")
        target = ("--region", "Шымкент", "--language", "kk")
        dry = await officer.run("broadcast", str(news), *target, "--dry-run")
        assert "would get it now: 1 (kk 1, ru 0, en 0); nothing sent (--dry-run)" in dry
        # Shown as people read it, not as Telegram's HTML.
        assert "Жаңалық: Шымкент" in dry
        assert "<b>" not in dry
        # Without --language, every language's message is needed, and the command says so.
        everyone = await officer.run("broadcast", str(news), "--dry-run", ok=False)
        assert "ru: missing (or send to some languages only: --language)" in everyone
        tomorrow = clock.today() + dt.timedelta(days=1)
        scheduled = await officer.run("broadcast", str(news), *target, "--at", f"{tomorrow} 10:00")
        number = re.search(r"^campaign (\d+): ", scheduled, re.M)
        assert number, scheduled
        listed = await officer.run("broadcast", "--list")
        assert f"{number[1]};scheduled;{tomorrow} 10:00;{NEWS_ID};" in listed
        cancelled = await officer.run("broadcast", "--cancel", number[1])
        assert f"campaign {number[1]} cancelled" in cancelled
        sent = await officer.run("broadcast", str(news), *target)
        assert "to: region shymkent; language kk" in sent
        assert f"{NEWS_ID}, all runs so far: delivered 1, blocked 0, unsubscribed 0" in sent
        # Sent at once, it is listed too (after the campaigns, with no number to cancel).
        listed = await officer.run("broadcast", "--list")
        assert f"{number[1]};cancelled;" in listed
        # Seven fields a line, under their names: pasted into a spreadsheet, a table.
        lines = listed.strip().splitlines()
        assert lines[0] == "number;state;when (Kazakhstan);news;to whom;counts;what happened"
        assert all(line.count(";") == 6 for line in lines), lines
        assert re.search(
            rf"^-;sent at once;[0-9: -]+;{NEWS_ID};-;delivered 1, blocked 0,", listed, re.M
        ), listed
        asel = subscribers["Асель"]
        [delivered] = await asel.replies()
        assert delivered["text"].startswith("Жаңалық: Шымкент")
        assert button_labels(delivered) == [catalogue.label("kk", "btn.news_stop")]
        for other in ("Дмитрий", "Әлия"):
            texts = await chat_texts(http, base, subscribers[other].user_id)
            assert not any("Шымкент" in text and "10:00" in text for text in texts), other

        # In the playground, Асель's chat: the news and its 🔕 button, which she presses.
        await page.goto(f"{base}/#user={asel.user_id}")
        await page.reload()
        news_bubble = bubbles.filter(has_text="Жаңалық:")
        await expect(news_bubble).to_have_count(1, timeout=15_000)
        stop = news_bubble.locator(tid("inline-button"))
        await expect(stop).to_have_text(catalogue.label("kk", "btn.news_stop"))
        await stop.click()
        unsubscribed = plain(catalogue, "kk", "news.unsubscribed")
        await expect(bubbles.filter(has_text=unsubscribed)).to_have_count(1, timeout=30_000)
        await shots.phone(page, "news.png")

        # 6. The next report: the votes and the news, small counts hidden.
        report = tmp_path / "report.html"
        since = clock.today() - dt.timedelta(days=1)  # were midnight to pass meanwhile
        made = await officer.run(
            "report", "--since", str(since), "--language", "en", "--out", str(report)
        )
        assert str(report) in made
        sheet_page = await browser.new_page(viewport={"width": 780, "height": 900})
        await sheet_page.goto(report.as_uri())
        en_title = Catalogue.load(content).page("en", "cost").title
        row = sheet_page.locator("table.helpful tr", has_text=en_title)
        complicated_label = catalogue.label("en", "btn.feedback.complicated")
        kazakh_votes = f"{catalogue.label('en', 'lang.name.kk')}: 5 / 5"  # all read it in kk
        await expect(row.locator("td")).to_have_text(
            [en_title, "5", "5", "50%", kazakh_votes, f"{complicated_label}: <5"]
        )
        news_row = sheet_page.locator("tr", has_text=NEWS_ID)
        await expect(news_row.locator("td")).to_have_text(
            [NEWS_ID, re.compile(r"\d{4}"), "<5", "<5", "<5"]
        )
        await shots.section(sheet_page, "Was it helpful?", "report-helpful.png")
        await shots.section(sheet_page, "News sent", "report-news.png")
        await browser.close()
        assert errors == []
