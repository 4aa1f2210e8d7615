"""Score what the bot understands on our held-out NLU set, per language slice.

Every held-out example (rasa_project/tests/nlu/<slice>.yml: en, ru, kk_cyrl, kk_plain, kk_latn,
kk_mixed) goes through the machinery of `python -m bot understand`: one Rasa worker process
with the trained model for the whole set, and the contract built from its parses with the
conversation's own resolvers. So the figures are about what the bot acts on:

- intent accuracy: the classifier's intent is the annotated one. As `rasa test nlu` scores it
  (it gives the same figures), a FallbackClassifier's `nlu_fallback` is undone: the question
  is whether the classifier ranks the right intent first. How often the bot would ask "did you
  mean …?" instead (`nlu_fallback`) is a column of its own;
- dispute type: `dispute_type` equals the annotated dispute_type entity's value, or is null
  when none is annotated (an example annotated with two types is right with either); and the
  recall over the examples that name one;
- place found exactly when one is named: a location was found if and only if one is annotated;
- within 10 km: over the examples with an annotated place and a found one, the great-circle
  distance between them is at most 10 km. A gold place is a gazetteer id (`value`); where an
  example names a region and a town in it, the town is the gold place (the bot searches from the
  most specific place); "unknown" (a place the gazetteer lacks) counts as a miss.

`run` writes report.md (the table and the targets), disagreements.md (every dispute type and
place the bot read otherwise than the annotation, for a human to review) and predictions.jsonl
(every example with its annotation and what the bot understood).
"""

from __future__ import annotations

import json
import re
import shutil
import sys
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot.config import RASA_PROJECT
from bot.model import MODEL_PATH
from bot.places.gazetteer import Gazetteer, Place, great_circle_km
from bot.places.gazetteer import default as default_gazetteer
from bot.understanding.contract import FALLBACK_INTENT, classifier_intent, understood
from bot.understanding.entities import DISPUTE_TYPE, LOCATION

TEST_DIR = RASA_PROJECT / "tests" / "nlu"
OVERALL = "overall"
UNKNOWN_PLACE = "unknown"
NEAR_KM = 10.0
# The targets ("One contract for what the bot understood").
INTENT_TARGET = 0.95
INTENT_SLICE_TARGET = 0.92
DISPUTE_TARGET = 0.95
PLACE_FOUND = 0.95
NEAR = 0.95

# [words](entity), [words](entity:value) or [words]{"entity": ..., "value": ...}
_ANNOTATION = re.compile(r"\[([^\]]+)\](?:\(([^)]*)\)|(\{[^}]*\}))")


@dataclass(frozen=True)
class Example:
    slice: str
    line: int  # in rasa_project/tests/nlu/<slice>.yml
    intent: str
    text: str  # as a person typed it, without the markup
    dispute_types: tuple[str, ...] = ()
    places: tuple[str, ...] = ()  # gazetteer ids; "unknown" for a place it lacks
    unvalued_places: int = 0  # location annotations without a value (to be annotated)

    @property
    def where(self) -> str:
        return f"{self.slice}.yml:{self.line}"


def parse_example(raw: str) -> tuple[str, list[tuple[str, str | None]]]:
    """An example's plain text (as Rasa strips the markup) and its (entity, value) pairs."""
    found: list[tuple[str, str | None]] = []
    for match in _ANNOTATION.finditer(raw):
        _, short, described = match.groups()
        if described is not None:
            data = json.loads(described)
            found.append((str(data.get("entity")), _value(data.get("value"))))
        else:
            entity, _, value = (short or "").partition(":")
            found.append((entity, value or None))
    text = _ANNOTATION.sub(lambda m: m.group(1), raw).strip()
    return text, found


def _value(value: Any) -> str | None:
    return None if value is None else str(value)


def load_examples(test_dir: Path = TEST_DIR) -> list[Example]:
    """Every held-out example, file by file, with its annotated intent and entity values."""
    examples: list[Example] = []
    for path in sorted(test_dir.glob("*.yml")):
        lines = path.read_text(encoding="utf-8").splitlines()
        data = yaml.safe_load("\n".join(lines)) or {}
        cursor = 0
        for block in data.get("nlu", []):
            intent = block.get("intent")
            if not intent:
                continue
            for item in str(block.get("examples", "")).splitlines():
                item = item.strip()
                if not item.startswith("- "):
                    continue
                raw = item[2:]
                cursor = _line_of(lines, item, cursor)
                text, annotations = parse_example(raw)
                kinds = tuple(v for e, v in annotations if e == DISPUTE_TYPE and v)
                places = tuple(v for e, v in annotations if e == LOCATION and v)
                unvalued = sum(1 for e, v in annotations if e == LOCATION and not v)
                examples.append(
                    Example(path.stem, cursor + 1, intent, text, kinds, places, unvalued)
                )
    return examples


def _line_of(lines: list[str], item: str, start: int) -> int:
    for n in range(start, len(lines)):
        if lines[n].strip() == item:
            return n
    return start


@dataclass(frozen=True)
class Outcome:
    example: Example
    understood: dict[str, Any]
    intent: str | None  # the classifier's, with nlu_fallback undone (what rasa test nlu scores)


def gold_place(example: Example, places: Gazetteer) -> list[Place | None]:
    """The annotated places the bot should search from: the towns if a town is named (over
    the region it is in), else the regions; None for a place the gazetteer lacks."""
    named = [places.get(p) if p != UNKNOWN_PLACE else None for p in example.places]
    towns = [p for p in named if p is not None and p.is_settlement]
    return list(towns) if towns else named


def distance_km(example: Example, found: dict[str, Any] | None, places: Gazetteer) -> float | None:
    """From the found place to the nearest gold place; None if not comparable or unknown."""
    if not found or not example.places:
        return None
    place = places.get(str(found.get("id")))
    gold = [p for p in gold_place(example, places) if p is not None]
    if place is None or not gold:
        return None
    return min(great_circle_km(place.lat, place.lon, g.lat, g.lon) for g in gold)


@dataclass
class SliceScore:
    examples: int = 0
    intent_correct: int = 0
    fallbacks: int = 0
    dispute_correct: int = 0
    dispute_named: int = 0
    dispute_recalled: int = 0
    place_exact: int = 0
    place_compared: int = 0
    place_near: int = 0
    confusions: Counter[tuple[str, str]] = field(default_factory=Counter)

    @staticmethod
    def _share(part: int, whole: int) -> float | None:
        return part / whole if whole else None

    @property
    def accuracy(self) -> float:
        return self.intent_correct / self.examples if self.examples else 0.0

    @property
    def fallback_rate(self) -> float | None:
        return self._share(self.fallbacks, self.examples)

    @property
    def dispute_accuracy(self) -> float | None:
        return self._share(self.dispute_correct, self.examples)

    @property
    def dispute_recall(self) -> float | None:
        return self._share(self.dispute_recalled, self.dispute_named)

    @property
    def place_found_accuracy(self) -> float | None:
        return self._share(self.place_exact, self.examples)

    @property
    def place_near_share(self) -> float | None:
        return self._share(self.place_near, self.place_compared)


def outcomes_of(
    examples: list[Example], parses: Iterable[dict[str, Any]], places: Gazetteer
) -> list[Outcome]:
    """Each example with the contract built from its parse (the parses in the same order)."""
    return [
        Outcome(example, understood(example.text, parse, None, places), classifier_intent(parse))
        for example, parse in zip(examples, parses, strict=True)
    ]


def score(outcomes: Iterable[Outcome], places: Gazetteer | None = None) -> dict[str, SliceScore]:
    places = places or default_gazetteer()
    scores: dict[str, SliceScore] = {}
    for outcome in outcomes:
        example, got = outcome.example, outcome.understood
        predicted = outcome.intent or "none"
        kind = got.get("dispute_type")
        found = got.get("location")
        km = distance_km(example, found, places)
        for target in (scores.setdefault(example.slice, SliceScore()), _overall(scores)):
            target.examples += 1
            if predicted == example.intent:
                target.intent_correct += 1
            else:
                target.confusions[(example.intent, predicted)] += 1
            target.fallbacks += int(got.get("intent") == FALLBACK_INTENT)
            target.dispute_correct += int(
                kind in example.dispute_types if example.dispute_types else kind is None
            )
            if example.dispute_types:
                target.dispute_named += 1
                target.dispute_recalled += int(kind in example.dispute_types)
            target.place_exact += int(bool(found) == bool(example.places))
            if found and example.places:
                target.place_compared += 1
                target.place_near += int(km is not None and km <= NEAR_KM)
    return scores


def _overall(scores: dict[str, SliceScore]) -> SliceScore:
    return scores.setdefault(OVERALL, SliceScore())


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value:.1%}"


def table(scores: dict[str, SliceScore]) -> str:
    order = [*sorted(k for k in scores if k != OVERALL), OVERALL]
    lines = [
        "| slice | examples | intent accuracy | asks back (nlu_fallback) | dispute type "
        "| dispute type recall | place found when named | within 10 km |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name in order:
        s = scores[name]
        lines.append(
            f"| {name} | {s.examples} | {s.accuracy:.1%} | {_pct(s.fallback_rate)} "
            f"| {_pct(s.dispute_accuracy)} | {_pct(s.dispute_recall)} "
            f"({s.dispute_recalled}/{s.dispute_named}) | {_pct(s.place_found_accuracy)} "
            f"| {_pct(s.place_near_share)} ({s.place_near}/{s.place_compared}) |"
        )
    return "\n".join(lines)


def targets(scores: dict[str, SliceScore]) -> str:
    """The issue's targets next to the figures, each with ok or BELOW."""
    overall = scores.get(OVERALL, SliceScore())
    slices = {k: v for k, v in scores.items() if k != OVERALL}
    worst = min(slices.items(), key=lambda kv: kv[1].accuracy) if slices else None

    def row(label: str, value: float | None, goal: float, note: str = "") -> str:
        verdict = "ok" if value is not None and value >= goal else "BELOW"
        return f"| {label} | {_pct(value)}{note} | ≥ {goal:.0%} | {verdict} |"

    rows = [
        "| target | figure | goal | |",
        "|---|---:|---:|---|",
        row("intent accuracy, overall", overall.accuracy, INTENT_TARGET),
        row(
            "intent accuracy, every slice",
            worst[1].accuracy if worst else None,
            INTENT_SLICE_TARGET,
            f" (lowest: {worst[0]})" if worst else "",
        ),
        row("dispute type value", overall.dispute_accuracy, DISPUTE_TARGET),
        row("place found exactly when one is named", overall.place_found_accuracy, PLACE_FOUND),
        row("resolved place within 10 km of the right one", overall.place_near_share, NEAR),
    ]
    return "\n".join(rows)


def confusions(scores: dict[str, SliceScore], top: int = 15) -> str:
    overall = scores.get(OVERALL)
    if not overall or not overall.confusions:
        return "no intent errors"
    common = overall.confusions.most_common(top)
    rows = [f"  {n:3d}  {gold} -> {pred}" for (gold, pred), n in common]
    return "most frequent intent errors (expected -> predicted):\n" + "\n".join(rows)


def _place_label(place_id: str, places: Gazetteer) -> str:
    place = places.get(place_id)
    return f"{place_id} ({place.names.en})" if place else place_id


def disagreements(outcomes: Iterable[Outcome], places: Gazetteer | None = None) -> str:
    """Every dispute type and place read otherwise than annotated, as Markdown."""
    places = places or default_gazetteer()
    kinds: list[str] = []
    where: list[str] = []
    for outcome in outcomes:
        example, got = outcome.example, outcome.understood
        kind = got.get("dispute_type")
        gold_kind = " or ".join(example.dispute_types) or "–"
        right = kind in example.dispute_types if example.dispute_types else kind is None
        if not right:
            kinds.append(
                f"| {example.where} | {_cell(example.text)} | {gold_kind} | {kind or '–'} |"
            )
        found = got.get("location")
        gold = ", ".join(_place_label(p, places) for p in example.places) or "–"
        km = distance_km(example, found, places)
        got_place = _place_label(found["id"], places) if found else "–"
        if bool(found) != bool(example.places):
            problem = "found, none named" if found else "named, not found"
        elif found and (km is None or km > NEAR_KM):
            problem = "unknown place" if km is None else f"{km:.0f} km away"
        else:
            continue
        where.append(
            f"| {example.where} | {_cell(example.text)} | {gold} | {got_place} | {problem} |"
        )
    return "\n".join(
        [
            "# Held-out disagreements: the annotation against what the bot understood",
            "",
            "Review each: a wrong reading is for the resolvers (bot/screening/dispute_types.py, "
            "the gazetteer); a wrong annotation is fixed in rasa_project/tests/nlu/, never just "
            "to raise the score.",
            "",
            f"## Dispute type ({len(kinds)})",
            "",
            "| example | text | annotated | understood |",
            "|---|---|---|---|",
            *kinds,
            "",
            f"## Place ({len(where)})",
            "",
            "| example | text | annotated | understood | |",
            "|---|---|---|---|---|",
            *where,
            "",
        ]
    )


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def write(out: Path, outcomes: list[Outcome], scores: dict[str, SliceScore]) -> None:
    places = default_gazetteer()
    report = [
        "# Held-out NLU report",
        "",
        f"{len(outcomes)} examples from rasa_project/tests/nlu, through `python -m bot "
        "understand`'s worker and contract.",
        "",
        table(scores),
        "",
        targets(scores),
        "",
        "```",
        confusions(scores),
        "```",
        "",
    ]
    (out / "report.md").write_text("\n".join(report), encoding="utf-8")
    (out / "disagreements.md").write_text(disagreements(outcomes, places), encoding="utf-8")
    with (out / "predictions.jsonl").open("w", encoding="utf-8") as file:
        for o in outcomes:
            e = o.example
            row = {
                "example": e.where, "text": e.text, "intent": e.intent,
                "dispute_types": list(e.dispute_types), "places": list(e.places),
                "classifier_intent": o.intent, "understood": o.understood,
            }  # fmt: skip
            file.write(json.dumps(row, ensure_ascii=False) + "\n")


def run(out: Path, model: Path = MODEL_PATH) -> tuple[list[Outcome], dict[str, SliceScore]]:
    """Understand every held-out example through one worker, score it and write the files."""
    from bot.understanding.nlu import Worker, WorkerError

    examples = load_examples()
    unvalued = [e.where for e in examples if e.unvalued_places]
    if unvalued:
        sys.exit("location annotations without a place id (value): " + ", ".join(unvalued[:10]))
    places = default_gazetteer()
    try:
        with Worker(model) as worker:
            parses = []
            for example, parse in worker.stream(examples, lambda e: e.text):
                if parse is None or "error" in parse:
                    problem = (parse or {}).get("error")
                    sys.exit(f"Rasa could not parse {example.where}: {problem}")
                parses.append(parse)
    except WorkerError as exc:
        sys.exit(str(exc))
    outcomes = outcomes_of(examples, parses, places)
    scores = score(outcomes, places)
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    write(out, outcomes, scores)
    return outcomes, scores
