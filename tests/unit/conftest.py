"""The unit tests parse each YAML text and each Telegram HTML message once.

`content check` and the loaders parse the same files again for every test (the content, the
screening rules, Rasa's training data): most of the unit tests' time went there. The parsers,
and the glossary's matching of one term in one text, are pure, so the same input gets the same
result again (YAML's as a deep copy: no test sees another's objects); an error is raised every
time, never kept.
"""

from __future__ import annotations

import copy
import functools
from typing import Any

import pytest
import yaml

from bot.content import check as content_check
from bot.content import glossary
from bot.text import telegram_html

_parsed: dict[str, Any] = {}
_safe_load = yaml.safe_load


def _safe_load_once(stream: Any) -> Any:
    if not isinstance(stream, str):
        return _safe_load(stream)
    if stream not in _parsed:
        _parsed[stream] = _safe_load(stream)
    return copy.deepcopy(_parsed[stream])


_parse_html_once = functools.lru_cache(maxsize=None)(telegram_html.parse_html)
_utf16_len_once = functools.lru_cache(maxsize=None)(telegram_html.utf16_len)
_term_find = functools.lru_cache(maxsize=None)(glossary.Term.find)  # a Term hashes its content


def _term_find_once(term: glossary.Term, normalised: str) -> list[Any]:
    return _term_find(term, normalised)


@pytest.fixture(autouse=True)
def parse_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(yaml, "safe_load", _safe_load_once)
    monkeypatch.setattr(content_check, "parse_html", _parse_html_once)
    monkeypatch.setattr(content_check, "utf16_len", _utf16_len_once)
    monkeypatch.setattr(glossary.Term, "find", _term_find_once)
