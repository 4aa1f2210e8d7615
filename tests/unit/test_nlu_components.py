"""Our Rasa NLU component (rasa_project/kelisim_nlu/), run in the Rasa environment."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from bot.model import rasa_bin, rasa_env

_CHECK = Path(__file__).resolve().parents[1] / "support" / "rasa_component_check.py"


def test_classifier_trains_saves_loads_and_refuses_tampered_files() -> None:
    python = rasa_bin().parent / "python"
    done = subprocess.run(
        [str(python), str(_CHECK)], env=rasa_env(), capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-3000:]
    line = next(x for x in done.stdout.splitlines() if x.startswith("RESULT "))
    result = json.loads(line.removeprefix("RESULT "))
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
    assert ranking[0]["name"] == "greet" and len(ranking) == 3
    assert sum(r["confidence"] for r in ranking) == pytest.approx(1.0)
    assert ranking == sorted(ranking, key=lambda r: -r["confidence"])
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
