"""The bot's languages have one home (bot/languages.py): no other module lists them."""

from __future__ import annotations

import re
from pathlib import Path

from bot.languages import DEFAULT_LANGUAGE, LANGUAGES

ROOT = Path(__file__).resolve().parents[2]


def test_the_default_is_one_of_the_languages() -> None:
    assert DEFAULT_LANGUAGE in LANGUAGES
    assert len(set(LANGUAGES)) == len(LANGUAGES) == 3


def test_no_module_lists_the_languages_itself() -> None:
    listed = re.compile(r"""["']kk["'],\s*["']ru["'],\s*["']en["']""")
    found = [
        str(path.relative_to(ROOT))
        for path in sorted((ROOT / "bot").rglob("*.py"))
        if path.name != "languages.py" and listed.search(path.read_text(encoding="utf-8"))
    ]
    assert found == []
