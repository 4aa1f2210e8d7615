"""Only content that passed `content check` is served: at start-up (audit L12), and after an edit,
the screening rules together with the rest (audit L3), in the bot and in the action server."""

from __future__ import annotations

import shutil
import time
from pathlib import Path
from typing import Any

import pytest

from bot import cli, config
from bot.actions import screening as actions
from bot.config import ROOT, Settings
from bot.content import live
from bot.content.check import Report, check
from bot.content.live import ContentRefused, FollowedContent, LiveContent
from bot.screening import rules
from bot.telegram import app
from bot.telegram.content_manifest import uses

RULES = rules.RULES_FILE
VERDICT_IN_FORCE = "after that it is too late for it."
# Edits of rules.yml that the engine reads without complaint (rules.load accepts them: the old
# mtime reload served them at once) but that `content check` refuses.
UNDECIDED = (
    "when: {category: administrative_offence, admin_offence: other}",
    "when: {category: administrative_offence, admin_offence: other, first_offence: true}",
    "'admin_offence': 'other', 'category': 'administrative_offence'} when every answer is known",
)
TOO_LONG = (
    "you can pay the fine or appeal the decision in the way it states.",
    "you can pay the fine or appeal the decision in the way it states."
    + " Ask a lawyer if you are not sure." * 12,
    "rule admin_offence_other: the en reason has",
)


@pytest.fixture
def content(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "content", tmp_path / "content")
    return tmp_path / "content"


@pytest.fixture
def action_server(content: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The action server's rule_book() on the copy, looking at the tree on every call."""
    monkeypatch.setenv("CONTENT_DIR", str(content))
    monkeypatch.setattr(
        actions, "_followed", {content: FollowedContent(content, uses(), interval=0)}
    )
    return content


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize(
    ("old", "new", "message"), [UNDECIDED, TOO_LONG], ids=["undecided", "too_long"]
)
def test_a_rules_edit_that_fails_the_check_goes_live_nowhere(
    content: Path, action_server: Path, old: str, new: str, message: str
) -> None:
    bot = LiveContent.checked(content, uses())
    book = bot.rules
    served = actions.rule_book()
    assert served.rule("admin_offence_other") == book.rule("admin_offence_other")

    _edit(content / RULES, old, new)
    rules.load(content)  # the engine could use it: only the check stands in the way
    result = bot.reload()
    assert not result.ok
    assert any(message in error for error in result.errors), result.errors
    assert bot.rules is book
    assert actions.rule_book() is served
    # Asked again, the action server keeps what it has (it checked this tree already).
    assert actions.rule_book() is served


def test_a_good_rules_edit_goes_live_with_the_content_it_was_checked_with(
    content: Path, action_server: Path
) -> None:
    bot = LiveContent.checked(content, uses())
    before = actions.rule_book()

    # A good rules edit made together with a broken page: the tree fails, nothing goes live.
    _edit(content / RULES, VERDICT_IN_FORCE, "after that it is too late.")
    (content / "kk" / "pages" / "cost.md").rename(content / "cost.md.away")
    assert not bot.reload().ok
    assert actions.rule_book() is before
    for book in (bot.rules, before):
        assert VERDICT_IN_FORCE in book.rule("criminal_verdict_in_force").reasons["en"]

    # The page is back: the new rules go live in the bot and in the action server alike.
    (content / "cost.md.away").rename(content / "kk" / "pages" / "cost.md")
    assert bot.reload().ok
    after = actions.rule_book()
    for book in (bot.rules, after):
        reason = book.rule("criminal_verdict_in_force").reasons["en"]
        assert "it is too late. Compensation" in reason
    assert bot.catalogue.has_page("cost")


def test_the_action_server_serves_no_rules_until_the_content_passes(
    content: Path, action_server: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _edit(content / RULES, *UNDECIDED[:2])
    checks: list[int] = []

    def counted_check(*args: Any, **kwargs: Any) -> Report:
        checks.append(1)
        return check(*args, **kwargs)

    monkeypatch.setattr(live, "check", counted_check)
    with pytest.raises(ContentRefused) as refused:
        actions.rule_book()
    assert UNDECIDED[2] in str(refused.value)
    # The tree did not change: refused again without checking it again.
    with pytest.raises(ContentRefused):
        actions.rule_book()
    assert len(checks) == 1

    _edit(content / RULES, *reversed(UNDECIDED[:2]))
    book = actions.rule_book()
    assert book.rule("admin_offence_other").verdict == "not_eligible"
    assert len(checks) == 2


def test_the_action_server_looks_at_the_tree_at_most_every_interval(
    content: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = [100.0]
    monkeypatch.setattr(time, "monotonic", lambda: now[0])
    followed = FollowedContent(content, uses(), interval=2.0)
    first = followed.current().rules
    _edit(content / RULES, VERDICT_IN_FORCE, "after that it is too late.")
    now[0] += 1.0
    assert followed.current().rules is first
    now[0] += 1.5
    assert followed.current().rules is not first


def test_the_bot_does_not_start_on_content_that_fails_the_check(
    content: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _edit(content / RULES, *TOO_LONG[:2])
    (content / "kk" / "pages" / "cost.md").unlink()
    # A developer's .env must not reach this test, nor stay in the environment after it.
    monkeypatch.setattr(config, "load_dotenv", lambda *args, **kwargs: None)
    monkeypatch.setenv("CONTENT_DIR", str(content))
    monkeypatch.setenv("KELISIM_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("SENDER_ID_SECRET", "unit-tests")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'bot.db'}")
    # The message is what `python -m bot content check` prints, then what it means.
    printed = check(content, uses()).text()
    assert "page 'cost' is missing in kk" in printed
    assert TOO_LONG[2] in printed
    with pytest.raises(ContentRefused) as refused:
        app.build(Settings.from_env())
    assert str(refused.value) == printed
    with pytest.raises(SystemExit) as exited:
        cli.main(["serve"])
    message = str(exited.value.code)
    assert message.startswith(printed + "\n")
    assert message.splitlines()[-1].startswith("Kelisim does not start on content that fails")
    assert str(content) in message.splitlines()[-1]
