"""Our Rasa NLU component (rasa_project/kelisim_nlu/), run in the Rasa environment."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.support.rasa_side import run_check


@pytest.mark.slow
def test_classifier_trains_saves_loads_and_refuses_tampered_files() -> None:
    result = run_check("rasa_component_check.py")
    parsed = {p["text"]: p for p in result["parsed"]}

    # Trained only on Cyrillic with the Kazakh letters; typed without them or in Latin, the same
    # words still match.
    assert parsed["медиатордын багасы"]["intent"]["name"] == "mediation_cost"
    assert parsed["медиация канша уакыт алады"]["intent"]["name"] == "mediation_duration"
    assert parsed["Mediatordyń baǵasy"]["intent"]["name"] == "mediation_cost"
    assert parsed["Салем!"]["intent"]["name"] == "greet"
    assert parsed["What is the PRICE?"]["intent"]["name"] == "mediation_cost"
    # The full ranking, best first, with probabilities: "did you mean" needs the runner-up.
    ranking = parsed["Салем!"]["ranking"]
    assert ranking[0]["name"] == "greet"
    assert len(ranking) == 3
    assert sum(r["confidence"] for r in ranking) == pytest.approx(1.0)
    assert ranking == sorted(ranking, key=lambda r: -r["confidence"])
    # The stacked scorer (one matrix product for all folds) is scikit-learn's arithmetic.
    assert result["scorer_fast"]
    assert result["scorer_max_difference"] < 1e-12
    # No text, no guess.
    assert parsed[""]["intent"] is None
    # A model file with a type outside scikit-learn's own is refused, not unpickled, and the
    # refusal is an error (audit L9): Rasa loads no model rather than serve without intents.
    assert result["tampered"]["type"] == "ModelRefused"
    assert "untrusted types" in result["tampered"]["message"]
    assert "pathlib" in result["tampered"]["message"]
    # Rasa's own loader passes the error on with its message, so its log says why.
    assert result["tampered_in_rasa"] == result["tampered"]
    # Rasa's training cache keys on this: the module and the folding, not the class alone.
    assert len(result["addon"]) == 64


def test_fingerprint_follows_the_component_code_not_its_byte_code(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot import model

    for name in ("rasa_project/kelisim_nlu", "bot/text"):
        (tmp_path / name).mkdir(parents=True)
    (tmp_path / "rasa_project/kelisim_nlu/classifier.py").write_text("C = 1\n")
    (tmp_path / "bot/text/skeleton.py").write_text("def fold(t): return t\n")
    monkeypatch.setattr(model, "ROOT", tmp_path)
    before = model.fingerprint()

    # Python writes caches when Rasa imports the component: nothing to retrain for.
    (tmp_path / "rasa_project/kelisim_nlu/__pycache__").mkdir()
    (tmp_path / "rasa_project/kelisim_nlu/__pycache__/classifier.pyc").write_bytes(b"\0")
    assert model.fingerprint() == before

    # The folding the classifier learns from is an input like the training data.
    (tmp_path / "bot/text/skeleton.py").write_text("def fold(t): return t.lower()\n")
    assert model.fingerprint() != before


@pytest.mark.slow
def test_the_engine_multiplies_its_small_matrices_in_one_thread() -> None:
    # OpenBLAS's idle threads spin: with one per core, Rasa took a core from the rest of the
    # stack (docs/benchmarks.md, issue 14). The launcher keeps numpy's BLAS to one thread.
    result = run_check("blas_threads_check.py")
    # Left alone, OpenBLAS takes a thread per core (the probe sees numpy's BLAS at all).
    assert result["before"]
    assert max(result["before"]) == min(os.cpu_count() or 1, 64)
    assert result["after"] == [1] * len(result["before"])
