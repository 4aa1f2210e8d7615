"""Content edits go live without a restart; a broken edit keeps the last good content."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import pytest

from bot.content import Catalogue
from bot.stack import Stack
from tests.integration.test_conversation import plain
from tests.support.playground import Chat
from tests.support.stack import _stack

pytestmark = pytest.mark.integration

CONTENT = Path(__file__).resolve().parents[2] / "content"
ADMIN = 990001


@pytest.fixture(scope="module")
def content_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    copy = tmp_path_factory.mktemp("live") / "content"
    shutil.copytree(CONTENT, copy)
    return copy


@pytest.fixture(scope="module")
def live_stack(content_copy: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """Emulator and bot on a private copy of the content (menus and pages need no Rasa)."""
    running = _stack(
        tmp_path_factory.mktemp("reload"),
        with_rasa=False,
        env={"CONTENT_DIR": str(content_copy), "ADMIN_IDS": str(ADMIN)},
    )
    running.start()
    try:
        yield running
    finally:
        running.stop()


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


async def test_edit_goes_live_and_a_broken_edit_is_held_back(
    live_stack: Stack, http: aiohttp.ClientSession, content_copy: Path, catalogue: Catalogue
) -> None:
    admin = await Chat.open(http, live_stack.emulator_url, "en", name="admin", user_id=ADMIN)
    await admin.send("/start")
    await admin.press("l:en", count=2)
    user = await Chat.open(http, live_stack.emulator_url, "en", name="reader")
    await user.send("/start")
    await user.press("l:en", count=2)

    # 1. A good edit: live within seconds, and the admin hears about it.
    old_title = catalogue.raw("en", "menu.title")
    _edit(content_copy / "en" / "strings.yml", old_title, "What shall we look at today?")
    [note] = await admin.replies(within=20)
    assert note["text"] == plain(catalogue, "en", "admin.reloaded")
    [menu] = await user.press("menu", forge=True)
    assert menu["text"] == "What shall we look at today?"

    # 2. A broken edit: a page deleted in one language. Users keep the last good content.
    (content_copy / "kk" / "pages" / "cost.md").unlink()
    _edit(content_copy / "en" / "strings.yml", "What shall we look at today?", "Broken title")
    [note] = await admin.replies(within=20)
    assert "page 'cost' is missing in kk" in note["text"]
    assert note["text"].startswith("❌")
    [menu] = await user.press("menu", forge=True)
    assert menu["text"] == "What shall we look at today?"
    [page] = await user.press("p:legal_basis", forge=True)
    assert page["text"].startswith(catalogue.page("en", "legal_basis").title)

    # 3. /reload is for admins only; it reports the same problems until they are fixed.
    [reply] = await user.send("/reload")
    assert reply["text"] == plain(catalogue, "en", "error.unknown_command")
    [reply] = await admin.send("/reload")
    assert "page 'cost' is missing in kk" in reply["text"]
    shutil.copy(CONTENT / "kk" / "pages" / "cost.md", content_copy / "kk" / "pages" / "cost.md")
    replies = await admin.send("/reload")
    # The watcher may notice the fix first; either way the admin hears "live".
    assert replies[-1]["text"] == plain(catalogue, "en", "admin.reloaded")
    await admin.settle()
    [menu] = await user.press("menu", forge=True)
    assert menu["text"] == "Broken title"
