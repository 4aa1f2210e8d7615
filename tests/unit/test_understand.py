"""`python -m bot understand` without Rasa: the contract built from a parse, the JSON lines, the
worker's protocol and the process plumbing (a stand-in worker), and the held-out report's
scoring. The real model: tests/integration/test_understand.py."""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest

from bot import nlu_report
from bot.places.gazetteer import default as gazetteer
from bot.understanding import cli, worker
from bot.understanding.contract import (
    FIELDS,
    RequestError,
    classifier_intent,
    read_request,
    understood,
)
from bot.understanding.entities import entities
from bot.understanding.nlu import Worker, WorkerError


def parse_of(
    intent: str = "find_mediator",
    ranking: list[tuple[str, float]] | None = None,
    found: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    ranking = ranking or [(intent, 0.9), ("inform", 0.05), ("check_eligibility", 0.03)]
    top = {"name": intent, "confidence": ranking[0][1]}
    return {
        "text": "",
        "intent": top,
        "intent_ranking": [{"name": n, "confidence": c} for n, c in ranking],
        "entities": found or [],
    }


def ours(text: str) -> list[dict[str, Any]]:
    """What our extractor puts in the parse: the resolvers' entities, with its name."""
    return [{**e, "extractor": "KelisimEntityExtractor"} for e in entities(text)]


# --- the contract ------------------------------------------------------------------------------


def test_fields_from_our_extractor_entities() -> None:
    text = "нужен медиатор в Караганде по разводу, пожалуйста"
    got = understood(text, parse_of(found=ours(text)))
    assert tuple(got) == FIELDS
    assert got["intent"] == "find_mediator"
    assert got["confidence"] == pytest.approx(0.9)
    assert got["ranking"] == [
        {"name": "find_mediator", "confidence": 0.9},
        {"name": "inform", "confidence": 0.05},
        {"name": "check_eligibility", "confidence": 0.03},
    ]
    assert got["dispute_type"] == "family"
    assert got["language"] == "ru"
    place = gazetteer().get("karaganda")
    assert place is not None
    assert got["location"] == {
        "id": "karaganda",
        "name": "Караганда",  # the text's language
        "region": "karaganda-region",
        "latitude": place.lat,
        "longitude": place.lon,
    }


def test_the_extractor_values_are_what_counts() -> None:
    """The contract reads the values in the parse: a model's extractor decides, not a
    second reading of the text here."""
    found = [
        {"entity": "location", "value": "aktau", "start": 0, "end": 4, "text": "там",
         "extractor": "KelisimEntityExtractor"},
        {"entity": "dispute_type", "value": "labour", "start": 0, "end": 4, "text": "там",
         "extractor": "KelisimEntityExtractor"},
    ]  # fmt: skip
    got = understood("там и тогда", parse_of(found=found))
    assert got["location"]["id"] == "aktau"
    assert got["dispute_type"] == "labour"


def test_a_model_without_our_extractor_is_read_with_the_shared_resolvers() -> None:
    """An older model's DIET spans carry the words, not values: the resolvers decide."""
    text = "Алматыда ажырасу бойынша медиатор керек, көмектесіңіз"
    diet = [
        {"entity": "location", "value": "Алматыда", "start": 0, "end": 8,
         "extractor": "DIETClassifier"},
        {"entity": "dispute_type", "value": "медиатор", "start": 26, "end": 34,
         "extractor": "DIETClassifier"},
    ]  # fmt: skip
    got = understood(text, parse_of(found=diet))
    assert got["location"]["id"] == "almaty"
    assert got["location"]["name"] == "Алматы"
    assert got["dispute_type"] == "family"
    assert got["language"] == "kk"


def test_place_name_in_the_language_asked_else_the_texts_else_english() -> None:
    text = "I need a mediator in Shymkent please"
    assert understood(text, parse_of(found=ours(text)), "kk")["location"]["name"] == "Шымкент"
    assert understood(text, parse_of(found=ours(text)))["location"]["name"] == "Shymkent"
    short = "Шымкент"  # too short to tell its language
    got = understood(short, parse_of(found=ours(short)))
    assert got["language"] is None
    assert got["location"]["name"] == "Shymkent"


def test_nothing_named() -> None:
    text = "what is mediation"
    got = understood(text, parse_of("what_is_mediation", found=ours(text)))
    assert got["dispute_type"] is None
    assert got["location"] is None
    assert got["language"] == "en"


def test_nlu_fallback_is_what_the_bot_acts_on_and_the_ranking_offers_the_topics() -> None:
    parse = parse_of("mediation_cost", [("mediation_cost", 0.35), ("mediation_duration", 0.33)])
    parse["intent"] = {"name": "nlu_fallback", "confidence": 0.4}
    parse["intent_ranking"].insert(0, {"name": "nlu_fallback", "confidence": 0.4})
    got = understood("сколько", parse)
    assert got["intent"] == "nlu_fallback"
    assert got["confidence"] == 0.4
    assert [r["name"] for r in got["ranking"]] == ["mediation_cost", "mediation_duration"]
    # What `rasa test nlu` scores: the classifier's own choice.
    assert classifier_intent(parse) == "mediation_cost"


def test_ranking_is_the_top_three() -> None:
    ranking = [("greet", 0.5), ("thank", 0.2), ("goodbye", 0.1), ("affirm", 0.1), ("deny", 0.1)]
    got = understood("hi", parse_of("greet", ranking))
    assert [r["name"] for r in got["ranking"]] == ["greet", "thank", "goodbye"]


def test_an_unknown_place_id_is_no_place() -> None:
    found = [{"entity": "location", "value": "atlantis", "extractor": "KelisimEntityExtractor"}]
    assert understood("Atlantis", parse_of(found=found))["location"] is None


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ([], "expected an object"),
        ({}, "text must be"),
        ({"text": ""}, "text must be"),
        ({"text": 5}, "text must be"),
        ({"text": "hi", "language": "de"}, "language must be"),
    ],
)
def test_bad_requests(raw: Any, problem: str) -> None:
    with pytest.raises(RequestError, match=problem):
        read_request(raw)


def test_good_requests() -> None:
    assert read_request({"text": "hi"}) == ("hi", None)
    assert read_request({"text": "hi", "language": "kk"}) == ("hi", "kk")
    assert read_request({"text": "hi", "language": None}) == ("hi", None)


# --- JSON lines --------------------------------------------------------------------------------


def fake_stream(
    items: Iterable[cli.Request], text_of: Any
) -> Iterator[tuple[cli.Request, dict[str, Any] | None]]:
    """Stands in for Worker.stream: parses the text as our extractor would, in order."""
    for item in items:
        text = text_of(item)
        if text is None:
            yield item, None
        elif text == "boom":
            yield item, {"error": "ValueError: boom"}
        else:
            yield item, parse_of(found=ours(text))


def test_lines_in_order_with_errors_in_place() -> None:
    lines = [
        '{"text": "мне нужен медиатор в Павлодаре, пожалуйста", "language": "en"}\n',
        "\n",
        "not json\n",
        '{"text": "boom"}\n',
        '{"language": "kk"}\n',
        '{"text": "Шымкенттен медиатор керек"}\n',
    ]
    out = io.StringIO()
    assert cli.run(lines, out, fake_stream) == 2
    answers = [json.loads(line) for line in out.getvalue().splitlines()]
    assert len(answers) == 5  # the blank line is skipped
    assert answers[0]["location"]["name"] == "Pavlodar"
    assert answers[0]["language"] == "ru"
    assert answers[1]["error"].startswith("not valid JSON")
    assert "boom" in answers[2]["error"]
    assert "text must be" in answers[3]["error"]
    assert answers[4]["location"]["id"] == "shymkent"


def test_all_good_lines_exit_zero() -> None:
    out = io.StringIO()
    assert cli.run(['{"text": "hello"}'], out, fake_stream) == 0
    assert json.loads(out.getvalue())["intent"] == "find_mediator"


# --- the worker's protocol ---------------------------------------------------------------------


def test_worker_answers_each_line_in_order() -> None:
    def parse(text: str) -> dict[str, Any]:
        if text == "crash":
            raise RuntimeError("bad")
        return {"text": text, "intent": {"name": "greet", "confidence": 1.0}}

    requests = io.StringIO('{"text": "a"}\n\n{"text": "crash"}\nnope\n{"x": 1}\n{"text": "b"}\n')
    out = io.StringIO()
    worker.serve(parse, requests, out)
    answers = [json.loads(line) for line in out.getvalue().splitlines()]
    assert answers[0]["text"] == "a"
    assert answers[1] == {"error": "RuntimeError: bad"}
    assert answers[2]["error"].startswith("not valid JSON")
    assert answers[3] == {"error": "text must be a string"}
    assert answers[4]["text"] == "b"


# A stand-in for the Rasa worker, run by the app's Python: the same protocol and plumbing.
_FAKE = """
import sys
from bot.understanding import worker
def parse(text):
    if text == "die":
        sys.exit(3)
    return {"text": text, "intent": {"name": "greet", "confidence": 1.0},
            "intent_ranking": [], "entities": []}
worker.serve(parse, sys.stdin, sys.stdout)
"""


class FakeWorker(Worker):
    def command(self) -> list[str]:
        return [sys.executable, "-c", _FAKE]


@pytest.fixture
def model_file(tmp_path: Path) -> Path:
    path = tmp_path / "model.tar.gz"
    path.write_bytes(b"")
    return path


@pytest.mark.slow  # starts a process
def test_stream_keeps_order_over_a_batch_larger_than_the_pipes(model_file: Path) -> None:
    texts = [f"message {n} " + "x" * 200 for n in range(5000)]
    items: list[str | None] = [None if n % 7 == 0 else t for n, t in enumerate(texts)]
    with FakeWorker(model_file) as fake:
        got = list(fake.stream(items, lambda t: t))
    assert [item for item, _ in got] == items
    for item, parse in got:
        assert (parse is None) if item is None else (parse is not None and parse["text"] == item)


@pytest.mark.slow  # starts a process
def test_a_worker_that_stops_is_an_error(model_file: Path) -> None:
    with FakeWorker(model_file) as fake, pytest.raises(WorkerError, match="exit status 3"):
        list(fake.stream(["hello", "die", "never"], lambda t: t))


@pytest.mark.slow  # starts a process
def test_stopping_early_does_not_hang(model_file: Path) -> None:
    endless = (f"message {n}" for n in range(10**9))
    with FakeWorker(model_file) as fake:
        for n, _ in enumerate(fake.stream(endless, lambda t: t)):
            if n == 10:
                break


def test_no_model_no_worker(tmp_path: Path) -> None:
    with pytest.raises(WorkerError, match="no trained model"), Worker(tmp_path / "none.tar.gz"):
        pass


# --- the held-out report -----------------------------------------------------------------------


def test_markup() -> None:
    text, found = nlu_report.parse_example(
        '[Aktau]{"entity": "location", "value": "aktau"}, [divorce]{"entity": "dispute_type", '
        '"value": "family"} in [Rudny](location) [x](location:y)'
    )
    assert text == "Aktau, divorce in Rudny x"
    assert found == [
        ("location", "aktau"), ("dispute_type", "family"), ("location", None), ("location", "y"),
    ]  # fmt: skip


def example(
    slice_: str = "en", kinds: tuple[str, ...] = (), places: tuple[str, ...] = ()
) -> nlu_report.Example:
    return nlu_report.Example(slice_, 1, "inform", "text", kinds, places)


def outcome(
    ex: nlu_report.Example,
    intent: str = "inform",
    kind: str | None = None,
    place: str | None = None,
    said: str | None = None,
) -> nlu_report.Outcome:
    found = {"id": place} if place else None
    got = {"intent": said or intent, "dispute_type": kind, "location": found}
    return nlu_report.Outcome(ex, got, intent)


def test_scores() -> None:
    outcomes = [
        outcome(example("en"), "greet"),  # wrong intent
        outcome(example("en", ("family",)), kind="family", said="nlu_fallback"),
        outcome(example("en", ("family", "inheritance")), kind="inheritance"),
        outcome(example("en", ("labour",)), kind="commercial"),  # wrong type
        outcome(example("ru"), kind="consumer"),  # a type where none is named
        outcome(example("ru", places=("aktau",)), place="aktau"),
        outcome(example("ru", places=("aktau",))),  # named, not found
        outcome(example("ru"), place="almaty"),  # found, none named
        outcome(example("ru", places=("unknown",)), place="almaty"),  # unknown: a miss
        outcome(example("ru", places=("kostanay-region", "rudny")), place="rudny"),
        outcome(example("ru", places=("kostanay-region", "rudny")), place="kostanay"),  # far
        outcome(example("ru", places=("karaganda-region",)), place="karaganda"),  # its centre
    ]
    scores = nlu_report.score(outcomes)
    en, ru, overall = scores["en"], scores["ru"], scores[nlu_report.OVERALL]
    assert (en.examples, en.intent_correct, en.fallbacks) == (4, 3, 1)
    assert overall.confusions == {("inform", "greet"): 1}
    assert (en.dispute_correct, en.dispute_named, en.dispute_recalled) == (3, 3, 2)
    assert ru.dispute_correct == 7
    assert overall.dispute_accuracy == pytest.approx(10 / 12)
    assert (ru.place_exact, ru.place_compared, ru.place_near) == (6, 5, 3)
    assert overall.place_found_accuracy == pytest.approx(10 / 12)
    assert overall.place_near_share == pytest.approx(3 / 5)

    report = nlu_report.table(scores) + "\n" + nlu_report.targets(scores)
    assert "| overall | 12 | 91.7% | 8.3% | 83.3% | 66.7% (2/3) | 83.3% | 60.0% (3/5) |" in report
    assert "| intent accuracy, every slice | 75.0% (lowest: en) | ≥ 92% | BELOW |" in report

    review = nlu_report.disagreements(outcomes)
    assert "## Dispute type (2)" in review
    assert "| labour | commercial |" in review
    assert "## Place (4)" in review
    assert "named, not found" in review
    assert "found, none named" in review
    assert "unknown place" in review
    assert "km away" in review


def test_every_held_out_place_is_annotated_with_a_gazetteer_id() -> None:
    """The report's gold places: a gazetteer id, or "unknown" for a place it lacks."""
    examples = nlu_report.load_examples()
    assert len(examples) > 1500
    places = [p for e in examples for p in e.places]
    assert len(places) >= 130
    assert not [e.where for e in examples if e.unvalued_places]
    assert not [p for p in places if p != "unknown" and gazetteer().get(p) is None]
    assert {e.slice for e in examples} == {"en", "ru", "kk_cyrl", "kk_plain", "kk_latn", "kk_mixed"}
