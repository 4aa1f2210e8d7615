"""The layers point one way (docs/architecture.md): the domain never reaches up.

Domain code (content, screening, the directory, places, offices, outreach, text, storage) is
shared by the bot, the action server and the CLI, so it imports neither Telegram nor Rasa, nor
the parts that run them (the stack, the model's training, the emulator, the CLI). Checked on
the source, lazy imports inside functions included: a lazy import is still an arrow.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

BOT = Path(__file__).resolve().parents[2] / "bot"

# What each part may not import (a prefix of a module name).
UPWARD = ("bot.telegram", "bot.actions", "bot.emulator", "bot.stack", "bot.model", "bot.cli")
FORBIDDEN: dict[str, tuple[str, ...]] = {
    "content": (*UPWARD, "bot.dialogue"),
    "screening": (*UPWARD, "bot.dialogue"),
    "directory": UPWARD,
    "places": (*UPWARD, "bot.directory", "bot.content", "bot.screening", "bot.storage"),
    "offices": UPWARD,
    "outreach": UPWARD,
    "text": (*UPWARD, "bot.content", "bot.screening", "bot.directory", "bot.storage"),
    "storage": (*UPWARD, "bot.content", "bot.screening", "bot.directory", "bot.offices"),
    "languages.py": ("bot.",),
    "clock.py": ("bot.",),
    "config.py": ("bot.",),
}


def imported(path: Path) -> set[str]:
    """Every module the file imports, anywhere in it."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


@pytest.mark.parametrize("part", sorted(FORBIDDEN))
def test_the_part_does_not_reach_up(part: str) -> None:
    where = BOT / part
    files = sorted(where.rglob("*.py")) if where.is_dir() else [where]
    assert files, part
    wrong = [
        f"{path.relative_to(BOT.parent)} imports {module}"
        for path in files
        for module in sorted(imported(path))
        if module.startswith(FORBIDDEN[part])
    ]
    assert wrong == []
