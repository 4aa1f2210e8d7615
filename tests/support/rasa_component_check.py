"""Exercise our Rasa NLU component inside the Rasa environment; prints JSON for the test.

Run by tests/unit/test_nlu_components.py with .venv-rasa's Python: the app environment has no
Rasa. Trains on a handful of examples in every Kazakh spelling, saves through Rasa's own model
storage, loads it back, classifies, then loads a tampered model file (alone, and as Rasa loads
a model for serving). Needs the PYTHONPATH of `bot.model.rasa_env()` (the Rasa project and the
repository root).
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from pathlib import Path

import skops.io as sio
from kelisim_nlu.linear_intent_classifier import LinearIntentClassifier
from rasa.engine.graph import ExecutionContext, GraphNode, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

# Kazakh only in Cyrillic with its special letters here: three probes below type the same
# words without them or in Latin.
EXAMPLES = {
    "mediation_cost": [
        "медиация қанша тұрады", "медиатордың бағасы", "бағасы қанша", "ақысыз ба",
        "сколько стоит медиация", "цена медиатора", "how much does mediation cost",
        "is mediation free", "what is the price", "стоимость услуг",
    ],
    "mediation_duration": [
        "медиация қанша уақыт алады", "ұзақ па", "неше күн керек", "уақыты қанша",
        "сколько длится медиация", "как долго это займет", "how long does mediation take",
        "how many days", "сколько дней", "how much time",
    ],
    "greet": [
        "сәлем", "сәлеметсіз бе", "қайырлы күн", "қайырлы таң", "привет", "здравствуйте",
        "добрый день", "hello", "hi there", "good morning",
    ],
}  # fmt: skip


def _refusal(load: Callable[[], object]) -> dict[str, str] | None:
    """The exception that loading raised (its class, message and cause), or None if it loaded."""
    try:
        load()
    except Exception as exc:
        cause = exc.__cause__ or exc
        return {"type": type(exc).__name__, "message": str(exc), "cause": str(cause)}
    return None


def main() -> None:
    messages = [
        Message.build(text=text, intent=intent)
        for intent, texts in EXAMPLES.items()
        for text in texts
    ]
    context = ExecutionContext(GraphSchema({}), "check")
    config = {**LinearIntentClassifier.get_default_config(), "calibration_folds": 3}
    out: dict[str, object] = {"addon": LinearIntentClassifier.fingerprint_addon(config)}
    with tempfile.TemporaryDirectory() as tmp:
        storage = LocalModelStorage(Path(tmp))
        resource = Resource("intents")
        trained = LinearIntentClassifier.create(config, storage, resource, context)
        trained.train(TrainingData(messages))
        loaded = LinearIntentClassifier.load(config, storage, resource, context)
        probes = [
            "медиатордын багасы",
            "медиация канша уакыт алады",
            "Mediatordyń baǵasy",
            "Салем!",
            "What is the PRICE?",
            "",
        ]
        parsed = loaded.process([Message.build(text=t) for t in probes])
        out["parsed"] = [
            {"text": t, "intent": m.get("intent"), "ranking": m.get("intent_ranking")}
            for t, m in zip(probes, parsed, strict=True)
        ]
        # The one-product scorer the component uses gives scikit-learn's own probabilities.
        from kelisim_nlu.linear_intent_classifier import _Scorer

        from bot.text.skeleton import fold

        scorer = _Scorer.of(loaded._model)
        out["scorer_fast"] = scorer._features is not None and scorer._tfidf is not None
        out["scorer_max_difference"] = max(
            float(abs(scorer(fold(t)) - loaded._model.predict_proba([fold(t)])[0]).max())
            for t in [*probes[:-1], *(m.get("text") for m in messages)]
        )
        # A model file holding a type outside scikit-learn's own must not be loaded.
        with storage.write_to(resource) as directory:
            sio.dump({"payload": Path(tmp)}, directory / "linear_intent_classifier.skops")
        out["tampered"] = _refusal(
            lambda: LinearIntentClassifier.load(config, storage, resource, context)
        )
        # How `rasa run` loads a trained model: an eager graph node from the stored resource.
        out["tampered_in_rasa"] = _refusal(
            lambda: GraphNode(
                "run_LinearIntentClassifier0", LinearIntentClassifier, "load", config,
                "process", {}, True, storage, resource, context,
            )
        )  # fmt: skip
    print("RESULT " + json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    main()
