"""Content edits go live without a restart; a broken edit keeps the last good content, in the
bot and in the action server (the screening rules included); broken content does not start."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot import model
from bot.content import Catalogue
from bot.stack import Stack, http_get
from bot.telegram import callbacks
from tests.support.playground import Chat
from tests.support.stack import _stack, free_port
from tests.support.views import plain

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
    await admin.press(callbacks.choose_language("en"), count=2)
    user = await Chat.open(http, live_stack.emulator_url, "en", name="reader")
    await user.send("/start")
    await user.press(callbacks.choose_language("en"), count=2)

    # 1. A good edit: live within seconds, and the admin hears about it.
    old_title = catalogue.raw("en", "menu.title")
    _edit(content_copy / "en" / "strings.yml", old_title, "What shall we look at today?")
    [note] = await admin.replies(within=20)
    assert note["text"] == plain(catalogue, "en", "admin.reloaded")
    [menu] = await user.press(callbacks.MENU, forge=True)
    assert menu["text"] == "What shall we look at today?"

    # 2. A broken edit: a page deleted in one language. Users keep the last good content.
    (content_copy / "kk" / "pages" / "cost.md").unlink()
    _edit(content_copy / "en" / "strings.yml", "What shall we look at today?", "Broken title")
    [note] = await admin.replies(within=20)
    assert "page 'cost' is missing in kk" in note["text"]
    assert note["text"].startswith("❌")
    [menu] = await user.press(callbacks.MENU, forge=True)
    assert menu["text"] == "What shall we look at today?"
    [page] = await user.press(callbacks.page("legal_basis"), forge=True)
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
    [menu] = await user.press(callbacks.MENU, forge=True)
    assert menu["text"] == "Broken title"


RULES = Path("screening") / "rules.yml"
ADMIN_OTHER = "when: {category: administrative_offence, admin_offence: other}"


@pytest.fixture
def actions_on_copy(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """The action server alone (`python -m bot actions`) on a private copy of the content."""
    copy = tmp_path / "content"
    shutil.copytree(CONTENT, copy)
    port = free_port()
    env = model.without_bot_secrets({**os.environ, "CONTENT_DIR": str(copy)})
    with (tmp_path / "actions.log").open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot", "actions", "--port", str(port)],
            env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while http_get(f"{url}/health") is None:
            assert process.poll() is None, (tmp_path / "actions.log").read_text()
            assert time.monotonic() < deadline, "the action server did not start"
            time.sleep(0.25)
        yield url, copy
    finally:
        process.terminate()
        process.wait(timeout=15)


async def _verdict(http: aiohttp.ClientSession, url: str) -> dict[str, Any]:
    """What action_screening_result says for a fine outside the Code's list (every other
    answer not given): the arguments of its screening_result payload."""
    slots = {"screen_category": "administrative_offence", "screen_admin_offence": "other"}
    call = {
        "next_action": "action_screening_result",
        "sender_id": "reload-test",
        "version": "3.6.21",
        "domain": {},
        "tracker": {"sender_id": "reload-test", "slots": slots, "events": []},
    }
    async with http.post(f"{url}/webhook", json=call) as response:
        assert response.status == 200, await response.text()
        body = await response.json()
    [payload] = [m["custom"] for m in body["responses"] if m.get("custom")]
    args: dict[str, Any] = payload["args"]
    return args


async def test_the_action_server_serves_only_rules_that_passed_the_check(
    actions_on_copy: tuple[str, Path], http: aiohttp.ClientSession
) -> None:
    url, copy = actions_on_copy
    first = await _verdict(http, url)
    assert (first["verdict"], first["rules"]) == ("not_eligible", "admin_offence_other")

    # 1. An edit the engine reads but the check refuses (no rule decides such a fine when every
    # answer is known): the verdict would turn "unsure". It stays as it was.
    path = copy / RULES
    original = path.read_text(encoding="utf-8")
    assert ADMIN_OTHER in original
    path.write_text(
        original.replace(ADMIN_OTHER, ADMIN_OTHER[:-1] + ", first_offence: true}", 1),
        encoding="utf-8",
    )
    for _ in range(5):  # longer than the action server waits between two looks at the tree
        await asyncio.sleep(1)
        assert await _verdict(http, url) == first

    # 2. A good edit (the rule renamed) goes live within seconds.
    path.write_text(
        original.replace("id: admin_offence_other", "id: admin_offence_not_listed", 1),
        encoding="utf-8",
    )
    deadline = time.monotonic() + 30
    while (now := await _verdict(http, url))["rules"] != "admin_offence_not_listed":
        assert time.monotonic() < deadline, now
        await asyncio.sleep(0.5)
    assert now["verdict"] == "not_eligible"


def test_the_bot_does_not_start_on_content_that_fails_the_check(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    copy = tmp_path_factory.mktemp("refused") / "content"
    shutil.copytree(CONTENT, copy)
    (copy / "kk" / "pages" / "cost.md").unlink()
    refused = _stack(
        tmp_path_factory.mktemp("refused-stack"), with_rasa=False, env={"CONTENT_DIR": str(copy)}
    )
    with pytest.raises(RuntimeError) as failed:
        refused.start()
    said = str(failed.value)
    assert "bot exited" in said
    # What `python -m bot content check` prints, then why the bot stopped.
    assert "ERROR   page 'cost' is missing in kk" in said
    assert "content check FAILED: 2 error(s)" in said
    assert "Kelisim does not start on content that fails `content check`" in said
