"""Score the trained model on our held-out NLU set, per language slice.

`rasa test nlu` only reports over everything at once; the slices (en, ru, kk_cyrl, kk_plain,
kk_latn, kk_mixed) are what tell us where to write more data, so we run it once with successes
and errors written out and regroup the examples by the file they came from.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot.model import MODEL_PATH, RASA_PROJECT, rasa_bin, rasa_env

TEST_DIR = RASA_PROJECT / "tests" / "nlu"
_OVERALL = "overall"


@dataclass
class SliceScore:
    examples: int = 0
    correct: int = 0
    entity_true: int = 0
    entity_pred: int = 0
    entity_hit: int = 0
    confusions: Counter[tuple[str, str]] = field(default_factory=Counter)

    @property
    def accuracy(self) -> float:
        return self.correct / self.examples if self.examples else 0.0

    @property
    def entity_f1(self) -> float | None:
        if not self.entity_true and not self.entity_pred:
            return None
        precision = self.entity_hit / self.entity_pred if self.entity_pred else 0.0
        recall = self.entity_hit / self.entity_true if self.entity_true else 0.0
        return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def _plain_text(example: str) -> str:
    """The example as a user would type it, without entity markup (as Rasa strips it)."""
    return re.sub(r"\[([^\]]+)\](?:\([^)]*\)|\{[^}]*\})", r"\1", example).strip()


def slice_of_texts(test_dir: Path = TEST_DIR) -> dict[str, str]:
    """Map each held-out example's text to its slice (the file name)."""
    mapping: dict[str, str] = {}
    for path in sorted(test_dir.glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for block in data.get("nlu", []):
            for line in str(block.get("examples", "")).splitlines():
                line = line.strip()
                if line.startswith("- "):
                    mapping[_plain_text(line[2:])] = path.stem
    return mapping


def _entity_hits(gold: list[dict[str, Any]], predicted: list[dict[str, Any]]) -> int:
    """Gold entities found with the right type over an overlapping span.

    Spans, not values: the model finds where a place or a dispute is mentioned; turning
    "не платят зарплату" into `labour` or "Қарағандыда" into a settlement is the resolvers' job,
    tested on their own.
    """
    used: set[int] = set()
    hits = 0
    for g in gold:
        for i, p in enumerate(predicted):
            if i in used or p.get("entity") != g.get("entity"):
                continue
            if int(p.get("start", 0)) < int(g.get("end", 0)) and int(g.get("start", 0)) < int(
                p.get("end", 0)
            ):
                used.add(i)
                hits += 1
                break
    return hits


def score(results_dir: Path, slices: dict[str, str]) -> dict[str, SliceScore]:
    scores: dict[str, SliceScore] = {}

    def get(name: str) -> SliceScore:
        return scores.setdefault(name, SliceScore())

    for filename, correct in (("intent_successes.json", True), ("intent_errors.json", False)):
        path = results_dir / filename
        for item in json.loads(path.read_text()) if path.exists() else []:
            name = slices.get(item["text"].strip(), "unknown")
            predicted = (item.get("intent_prediction") or {}).get("name") or "none"
            for target in (get(name), get(_OVERALL)):
                target.examples += 1
                target.correct += int(correct)
                if not correct:
                    target.confusions[(item["intent"], predicted)] += 1
    for filename in ("DIETClassifier_successes.json", "DIETClassifier_errors.json"):
        path = results_dir / filename
        for item in json.loads(path.read_text()) if path.exists() else []:
            name = slices.get(item["text"].strip(), "unknown")
            gold = item.get("entities") or []
            predicted = item.get("predicted_entities") or []
            hits = _entity_hits(gold, predicted)
            for target in (get(name), get(_OVERALL)):
                target.entity_true += len(gold)
                target.entity_pred += len(predicted)
                target.entity_hit += hits
    return scores


def table(scores: dict[str, SliceScore]) -> str:
    order = [*sorted(k for k in scores if k != _OVERALL), _OVERALL]
    lines = [
        "| slice | examples | intent accuracy | entity F1 |",
        "|---|---:|---:|---:|",
    ]
    for name in order:
        s = scores[name]
        f1 = "–" if s.entity_f1 is None else f"{s.entity_f1:.1%}"
        lines.append(f"| {name} | {s.examples} | {s.accuracy:.1%} | {f1} |")
    return "\n".join(lines)


def confusions(scores: dict[str, SliceScore], top: int = 15) -> str:
    overall = scores.get(_OVERALL)
    if not overall or not overall.confusions:
        return "no intent errors"
    common = overall.confusions.most_common(top)
    rows = [f"  {n:3d}  {gold} -> {pred}" for (gold, pred), n in common]
    return "most frequent intent errors (expected -> predicted):\n" + "\n".join(rows)


def run(out: Path, model: Path = MODEL_PATH) -> dict[str, SliceScore]:
    """Run `rasa test nlu` on the held-out set and score it per slice."""
    if not model.exists():
        sys.exit(f"no trained model at {model}; run `make train` first")
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    command = [
        str(rasa_bin()), "test", "nlu",
        "--model", str(model), "--nlu", str(TEST_DIR), "--out", str(out),
        "--successes", "--no-plot",
    ]  # fmt: skip
    result = subprocess.run(command, cwd=RASA_PROJECT, env=rasa_env(), check=False)
    if result.returncode != 0:
        sys.exit(f"rasa test nlu failed with exit code {result.returncode}")
    return score(out, slice_of_texts())
