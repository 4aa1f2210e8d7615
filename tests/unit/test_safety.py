"""Messages that reveal danger go to the safety answer; ordinary questions must not."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from bot.config import ROOT
from bot.screening.safety import reveals_danger


@pytest.mark.parametrize(
    "text",
    [
        "my husband beats me", "he threatens to kill me", "my ex is stalking me",
        "someone is following me home", "I am afraid for my life",
        "муж бьет меня", "мне угрожают", "бывший преследует меня", "ребенку угрожает опасность",
        "он поднимает руку на детей", "меня избили",
        "күйеуім мені ұрады", "ол мені қорқытады", "балама қауіп төніп тұр", "kuieuim meni urady",
        "ол мені өлтіремін дейді", "мужым мени урады",
        "муж бьет меня, можно ли через медиацию разделить имущество?",
    ],
)  # fmt: skip
def test_danger_is_recognised(text: str) -> None:
    assert reveals_danger(text)


@pytest.mark.parametrize(
    "text",
    [
        "is mediation safe?", "what is the difference between mediation and court",
        "which is better, court or mediation", "you bet", "басты бет", "қауіпсіздік",
        "Ата-анам біліп қояды деп қорқамын", "угроза штрафа", "can a fine be mediated",
        "how much does it cost", "будет ли всё конфиденциально",
    ],
)  # fmt: skip
def test_ordinary_messages_are_not_alarms(text: str) -> None:
    assert not reveals_danger(text)


# Intents where a person may describe violence; anywhere else, an alarm is a false one.
_MAY_DESCRIBE_VIOLENCE = {"check_eligibility", "inform", "talk_to_human"}


def _examples(path: Path) -> list[tuple[str, str]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    found = []
    for block in data.get("nlu", []):
        for line in str(block.get("examples", "")).splitlines():
            text = re.sub(r"\[([^\]]+)\](\([^)]*\)|\{[^}]*\})", r"\1", line.strip().lstrip("- "))
            if text and "intent" in block:
                found.append((block["intent"], text))
    return found


def test_no_false_alarm_on_the_training_and_test_examples() -> None:
    paths = sorted((ROOT / "rasa_project").glob("*/nlu/*.yml"))
    assert len(paths) >= 12
    alarms = [
        (intent, text)
        for path in paths
        for intent, text in _examples(path)
        if intent not in _MAY_DESCRIBE_VIOLENCE and reveals_danger(text)
    ]
    assert alarms == []
