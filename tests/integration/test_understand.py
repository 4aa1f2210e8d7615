"""`python -m bot understand` through the real trained model, in kk, ru and en."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import ROOT
from bot.understanding.contract import FIELDS

pytestmark = pytest.mark.integration

LINES = [
    {"text": "Шымкенттен медиатор керек, жалақы бойынша дау, көмектесіңізші"},
    {"text": "нужен медиатор в Караганде по разводу, пожалуйста"},
    {"text": "I need a mediator in Pavlodar, my employer does not pay my salary", "language": "kk"},
    {"text": "how much does mediation cost"},
    {"text": ""},
]


def test_understand_reads_each_message_as_the_bot_does(trained_model: Path) -> None:
    stdin = "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in LINES)
    done = subprocess.run(
        [sys.executable, "-m", "bot", "understand"],
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=ROOT,
        timeout=600,
        check=False,
    )
    assert done.returncode == 2, done.stderr  # the empty text is an error; the rest answered
    kk, ru, en, cost, empty = (json.loads(line) for line in done.stdout.splitlines())

    for answer in (kk, ru, en, cost):
        assert tuple(answer) == FIELDS
        assert 0.0 < answer["confidence"] <= 1.0
        ranking = answer["ranking"]
        assert len(ranking) == 3
        assert all(set(r) == {"name", "confidence"} for r in ranking)
        assert [r["confidence"] for r in ranking] == sorted(
            (r["confidence"] for r in ranking), reverse=True
        )
        assert "nlu_fallback" not in [r["name"] for r in ranking]

    assert kk["intent"] == "find_mediator"
    assert kk["dispute_type"] == "labour"
    assert kk["location"]["id"] == "shymkent"
    assert kk["location"]["name"] == "Шымкент"  # the text's language
    assert kk["location"]["region"] == "shymkent"
    assert kk["language"] == "kk"

    assert ru["intent"] == "find_mediator"
    assert ru["dispute_type"] == "family"
    assert ru["location"]["id"] == "karaganda"
    assert ru["location"]["name"] == "Караганда"
    assert ru["location"]["region"] == "karaganda-region"
    assert (round(ru["location"]["latitude"]), round(ru["location"]["longitude"])) == (50, 73)
    assert ru["language"] == "ru"

    assert en["intent"] == "find_mediator"
    assert en["dispute_type"] == "labour"
    assert en["location"]["id"] == "pavlodar"
    assert en["location"]["name"] == "Павлодар"  # the language asked for
    assert en["language"] == "en"

    assert cost["intent"] == "mediation_cost"
    assert cost["ranking"][0]["name"] == "mediation_cost"
    assert cost["dispute_type"] is None
    assert cost["location"] is None
    assert cost["language"] == "en"

    assert "text must be" in empty["error"]
