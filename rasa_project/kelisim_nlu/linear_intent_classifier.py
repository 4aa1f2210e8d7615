"""Intent classifier: a linear SVM on character and word n-grams of the text's ASCII skeleton.

Why not DIET for intents: on our held-out set (rasa_project/tests/nlu) a linear SVM over
TF-IDF character n-grams (1-5, within words) and word uni- and bigrams scores higher on every
language slice than DIET did in every setting we tried, and trains in seconds instead of
minutes (docs/benchmarks.md). DIET stays in the pipeline for entities only.

The text is first folded to the ASCII skeleton the dispute-type and place resolvers use
(bot/text/skeleton.py): Kazakh typed in Cyrillic, without its special letters, or in either
Latin alphabet becomes one spelling, so an example written in one script teaches the others.

The SVM's scores are turned into probabilities by Platt scaling fitted on cross-validation
folds, so confidences mean what the FallbackClassifier thresholds assume: when the model is
unsure, the bot asks "did you mean ...?" instead of guessing.
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path
from typing import Any

import numpy as np
import rasa.shared.utils.io
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.exceptions import RasaException
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.text import skeleton
from bot.text.skeleton import fold

logger = logging.getLogger(__name__)

_FILE = "linear_intent_classifier.skops"
# Types skops does not trust by default but this model is made of; anything else in a model
# file is refused, so a file cannot smuggle code in the way a pickle could.
_TRUSTED = {
    "scipy.sparse._csr.csr_matrix",
    "sklearn.calibration._CalibratedClassifier",
    "sklearn.calibration._SigmoidCalibration",
}


class ModelRefused(RasaException):
    """The intent model file is not one we made: Rasa must not load the model at all.

    A RasaException so that Rasa reports this message as the reason the model did not load;
    not a ValueError, which `load` reads as "the resource does not exist"."""


def _load_trusted(path: Path) -> Any:
    import skops.io as sio

    try:
        found = set(sio.get_untrusted_types(file=path))
        if found - _TRUSTED:
            raise ModelRefused(f"untrusted types in {path}: {sorted(found - _TRUSTED)}")
        return sio.load(path, trusted=sorted(found))
    except ModelRefused:
        raise
    except Exception as exc:
        # A file skops cannot read is no safer than one it distrusts.
        raise ModelRefused(f"cannot read the intent model {path}: {exc}") from exc


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class LinearIntentClassifier(GraphComponent, IntentClassifier):
    """Predicts the intent from the message text alone; needs no featurizer before it."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            # Measured on the held-out set: C between 0.5 and 2 scores within 0.3 points.
            "C": 1.0,
            "char_ngrams": [1, 5],
            "word_ngrams": [1, 2],
            # Folds for Platt scaling; every intent needs at least this many examples.
            "calibration_folds": 5,
            # The whole ranking: "did you mean" needs the runner-up, and it is only ~20 intents.
            "ranking_length": 0,
            # liblinear shuffles the data while it fits: the same data, the same model.
            "random_seed": 42,
        }

    @staticmethod
    def required_packages() -> list[str]:
        return ["sklearn", "skops"]

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        model: Any = None,
    ) -> None:
        self._config = config
        self._storage = model_storage
        self._resource = resource
        self._model = model
        self._scorer: _Scorer | None = None

    @classmethod
    def fingerprint_addon(cls, config: dict[str, Any]) -> str | None:
        """Rasa's training cache sees this class's source only; the folding and the rest of
        this module decide what the model learns too, so a change there retrains it."""
        sources = (Path(__file__), Path(skeleton.__file__))
        return hashlib.sha256(b"".join(p.read_bytes() for p in sources)).hexdigest()

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> LinearIntentClassifier:
        return cls(config, model_storage, resource)

    def _pipeline(self) -> Any:
        from sklearn.calibration import CalibratedClassifierCV
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.pipeline import make_pipeline, make_union
        from sklearn.svm import LinearSVC

        chars = TfidfVectorizer(
            analyzer="char_wb", ngram_range=tuple(self._config["char_ngrams"]), sublinear_tf=True
        )
        # \w+ rather than sklearn's default \w\w+: one-letter words ("я", "a", "и") count too.
        words = TfidfVectorizer(
            analyzer="word",
            ngram_range=tuple(self._config["word_ngrams"]),
            sublinear_tf=True,
            token_pattern=r"(?u)\b\w+\b",
        )
        svm = LinearSVC(C=self._config["C"], random_state=self._config["random_seed"])
        return make_pipeline(
            make_union(chars, words),
            CalibratedClassifierCV(svm, cv=self._config["calibration_folds"], method="sigmoid"),
        )

    def train(self, training_data: TrainingData) -> Resource:
        examples = [e for e in training_data.intent_examples if e.get(TEXT)]
        labels = np.array([e.get(INTENT) for e in examples])
        if len(set(labels)) < 2:
            rasa.shared.utils.io.raise_warning("Fewer than two intents: nothing to classify.")
            return self._resource
        model = self._pipeline()
        model.fit([fold(e.get(TEXT)) for e in examples], labels)
        self._model = model
        self._persist()
        return self._resource

    def _persist(self) -> None:
        import skops.io as sio

        with self._storage.write_to(self._resource) as directory:
            sio.dump(self._model, directory / _FILE)

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> LinearIntentClassifier:
        # Fail closed: a refused file raises ModelRefused and Rasa loads no model, so every
        # message fails loudly (the bot apologises) instead of being answered as if nothing had
        # been understood.
        try:
            with model_storage.read_from(resource) as directory:
                model = _load_trusted(directory / _FILE)
        except ValueError:
            # Only Rasa's storage raises it here: training stored nothing (fewer than two
            # intents, see train), and Rasa's own classifiers load empty in that case too.
            logger.warning("no intent model was trained; no intents will be predicted")
            return cls(config, model_storage, resource)
        return cls(config, model_storage, resource, model)

    def _probabilities(self, text: str) -> Any:
        if self._scorer is None:
            self._scorer = _Scorer.of(self._model)
        return self._scorer(text)

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT)
            if self._model is None or not text:
                continue
            probabilities = self._probabilities(fold(text))
            order = np.argsort(-probabilities)
            length = self._config["ranking_length"] or len(order)
            ranking = [
                {"name": str(self._model.classes_[i]), "confidence": float(probabilities[i])}
                for i in order[:length]
            ]
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        return messages


class _Scorer:
    """`predict_proba` of the fitted pipeline for one text, in one matrix product.

    Platt scaling on 5 folds means 5 SVMs, each with a sigmoid per intent; scikit-learn runs
    them one by one through joblib, which was a quarter of a Rasa turn (docs/benchmarks.md).
    Stacked, the 5 folds' weights score a text at once; the arithmetic after is scikit-learn's
    own (_CalibratedClassifier.predict_proba, then the mean over folds), and `of` falls back to
    `predict_proba` for any model not shaped as `_pipeline` makes it.
    """

    def __init__(self, model: Any) -> None:
        self._model = model
        self._features: list[Any] | None = None
        self._tfidf: list[_TfidfRow] | None = None
        # The stacked folds (set by `of` when the model has the expected shape).
        self._weights: Any = None
        self._intercepts: Any = None
        self._slopes: Any = None
        self._offsets: Any = None
        self._shape: tuple[int, int] = (0, 0)  # (folds, classes)

    @classmethod
    def of(cls, model: Any) -> _Scorer:
        scorer = cls(model)
        try:
            features, calibrated = model.steps[0][1], model.steps[-1][1]
            folds = calibrated.calibrated_classifiers_
            classes = list(calibrated.classes_)
            weights, intercepts, slopes, offsets = [], [], [], []
            for fold_ in folds:
                svm = fold_.base_estimator
                if list(svm.classes_) != classes or len(classes) < 3:
                    return scorer  # a fold without every intent, or binary: the slow path
                weights.append(svm.coef_)
                intercepts.append(svm.intercept_)
                slopes.append([c.a_ for c in fold_.calibrators])
                offsets.append([c.b_ for c in fold_.calibrators])
        except AttributeError:
            return scorer
        if getattr(features, "transformer_weights", None) is not None:
            return scorer
        # FeatureUnion.transform goes through joblib even for one text: call the parts.
        scorer._features = [part for _, part in features.transformer_list]
        scorer._tfidf = _TfidfRow.all_of(scorer._features)
        scorer._weights = np.vstack(weights).T  # features x (folds * classes)
        scorer._intercepts = np.concatenate(intercepts)
        scorer._slopes = np.concatenate(slopes)
        scorer._offsets = np.concatenate(offsets)
        scorer._shape = (len(folds), len(classes))
        return scorer

    def __call__(self, text: str) -> Any:
        if self._features is None:
            return self._model.predict_proba([text])[0]
        if self._tfidf is not None:
            rows = [part(text) for part in self._tfidf]
            indices = np.concatenate([r[0] for r in rows])
            values = np.concatenate([r[1] for r in rows])
            decision = values @ self._weights[indices] + self._intercepts
        else:
            from scipy.sparse import hstack

            x = hstack([part.transform([text]) for part in self._features], format="csr")
            decision = np.asarray(x @ self._weights).ravel() + self._intercepts
        # _SigmoidCalibration.predict: expit(-(a * T + b)).
        proba = (1.0 / (1.0 + np.exp(self._slopes * decision + self._offsets))).reshape(self._shape)
        total = proba.sum(axis=1, keepdims=True)
        uniform = np.full_like(proba, 1.0 / self._shape[1])
        proba = np.divide(proba, total, out=uniform, where=total != 0)
        proba[(proba > 1.0) & (proba <= 1.0 + 1e-5)] = 1.0
        return proba.mean(axis=0)


class _TfidfRow:
    """TfidfVectorizer.transform for one text, as (feature indices, values) of its row.

    scikit-learn's transform checks the fitted state, builds a sparse matrix and rebuilds the
    idf vector from its diagonal matrix on every call: most of the classifier's time on one
    short text (docs/benchmarks.md). The arithmetic is its own, in its order: counts of the
    analyzer's features, 1 + log(tf) when sublinear, times idf, divided by the row's l2 norm."""

    def __init__(self, vectorizer: Any, offset: int) -> None:
        self._analyze = vectorizer.build_analyzer()
        self._vocabulary: dict[str, int] = vectorizer.vocabulary_
        self._idf = np.asarray(vectorizer.idf_, dtype=np.float64)
        self._sublinear = bool(vectorizer.sublinear_tf)
        self._offset = offset

    @classmethod
    def all_of(cls, parts: list[Any]) -> list[_TfidfRow] | None:
        """One per part, or None when a part is not a plain l2 tf-idf (the general path)."""
        from sklearn.feature_extraction.text import TfidfVectorizer

        rows, offset = [], 0
        for part in parts:
            if not (
                type(part) is TfidfVectorizer
                and part.norm == "l2"
                and part.use_idf
                and not part.binary
                and part.dtype in (np.float64, float)
            ):
                return None
            rows.append(cls(part, offset))
            offset += len(part.vocabulary_)
        return rows

    def __call__(self, text: str) -> tuple[Any, Any]:
        counts: dict[int, int] = {}
        vocabulary = self._vocabulary
        for feature in self._analyze(text):
            index = vocabulary.get(feature)
            if index is not None:
                counts[index] = counts.get(index, 0) + 1
        indices = np.array(sorted(counts), dtype=np.intp)
        tf = np.array([counts[i] for i in indices], dtype=np.float64)
        if self._sublinear:
            np.log(tf, tf)
            tf += 1
        values = tf * self._idf[indices]
        norm = np.sqrt(np.dot(values, values))
        if norm > 0:
            values /= norm
        return indices + self._offset, values
