"""`rasa run` without TensorFlow, when the model has no part that needs it.

Rasa 3.6 imports TensorFlow at start-up whatever the model holds (rasa.utils.train_utils, the
featurizers, the policies' shared modules all import it), and TensorFlow alone is most of the
server's memory. Our model needs none of it: our own NLU components, Rasa's FallbackClassifier,
MemoizationPolicy and RulePolicy. So when every component of the model is on the list below,
this launcher gives Rasa stand-ins for `tensorflow` and its companions before Rasa starts:
modules whose every attribute is a harmless placeholder, enough for Rasa's modules to define
their classes. Nothing in the model calls them. A model with any other component (DIET, TED,
a response selector, ...) gets the real TensorFlow, as does KELISIM_TENSORFLOW=1.

    python -m kelisim_engine.serve run --model models/kelisim.tar.gz [rasa run's options]
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import json
import os
import sys
import tarfile
import types
from collections.abc import Iterator
from typing import Any

STUBBED = ("tensorflow", "tensorflow_addons", "tensorflow_hub", "tensorflow_text", "keras")

# Components (graph node classes) known to run without TensorFlow.
TENSORFLOW_FREE = frozenset(
    {
        "kelisim_nlu.entity_extractor.KelisimEntityExtractor",
        "kelisim_nlu.linear_intent_classifier.LinearIntentClassifier",
        "rasa.nlu.classifiers.fallback_classifier.FallbackClassifier",
        "rasa.core.policies.memoization.MemoizationPolicy",
        "rasa.core.policies.memoization.AugmentedMemoizationPolicy",
        "rasa.core.policies.rule_policy.RulePolicy",
        "rasa.core.policies.ensemble.DefaultPolicyPredictionEnsemble",
        "rasa.graph_components.providers.domain_provider.DomainProvider",
        "rasa.graph_components.providers.rule_only_provider.RuleOnlyDataProvider",
        "rasa.graph_components.converters.nlu_message_converter.NLUMessageConverter",
        "rasa.nlu.classifiers.regex_message_handler.RegexMessageHandler",
        "rasa.nlu.extractors.entity_synonyms.EntitySynonymMapper",
        "rasa.nlu.tokenizers.whitespace_tokenizer.WhitespaceTokenizer",
        "rasa.nlu.extractors.regex_entity_extractor.RegexEntityExtractor",
    }
)


class Placeholder:
    """Stands for any TensorFlow object: any attribute, call, base class or type argument."""

    def __init__(self, name: str) -> None:
        self._name = name

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        return Placeholder(f"{self._name}.{name}")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        # Used as a decorator (@tf.function, @register_keras_serializable(...)): keep the
        # decorated function or class as it is.
        if len(args) == 1 and not kwargs and (callable(args[0]) or isinstance(args[0], type)):
            return args[0]
        return Placeholder(f"{self._name}()")

    def __mro_entries__(self, bases: tuple[Any, ...]) -> tuple[type, ...]:
        return (type(self._name.rsplit(".", 1)[-1], (), {}),)

    def __getitem__(self, item: Any) -> Any:
        return self

    def __or__(self, other: Any) -> Any:
        return self

    __ror__ = __or__

    def __iter__(self) -> Iterator[Any]:
        return iter(())

    def __bool__(self) -> bool:
        return False

    def __len__(self) -> int:
        return 0

    def __repr__(self) -> str:
        return f"<no TensorFlow: {self._name}>"


class _StubModule(types.ModuleType):
    __version__ = "2.12.0"

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.__path__: list[str] = []  # a package: its submodules are stand-ins too

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        return Placeholder(f"{self.__name__}.{name}")


class _StubFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def find_spec(self, fullname: str, path: Any, target: Any = None) -> Any:
        if fullname.split(".")[0] in STUBBED:
            return importlib.machinery.ModuleSpec(fullname, self, is_package=True)
        return None

    def create_module(self, spec: Any) -> types.ModuleType:
        return _StubModule(spec.name)

    def exec_module(self, module: types.ModuleType) -> None:
        return None


def components(model_path: str) -> set[str]:
    """Every class the model's prediction graph uses."""
    with tarfile.open(model_path) as archive:
        member = next(m for m in archive.getmembers() if m.name.endswith("metadata.json"))
        handle = archive.extractfile(member)
        assert handle is not None
        metadata = json.load(handle)
    nodes = metadata["predict_schema"]["nodes"].values()
    return {node["uses"] for node in nodes}


def _model_argument(argv: list[str]) -> str | None:
    for i, arg in enumerate(argv):
        if arg in ("--model", "-m") and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--model="):
            return arg.split("=", 1)[1]
    return None


def needs_tensorflow(model_path: str | None) -> bool:
    if os.environ.get("KELISIM_TENSORFLOW") == "1" or not model_path:
        return True
    try:
        return not components(model_path) <= TENSORFLOW_FREE
    except (OSError, KeyError, StopIteration, tarfile.TarError, ValueError):
        return True


def without_tensorflow(model_path: str | None) -> bool:
    """Give Rasa the stand-ins when the model needs no TensorFlow; True if it did.

    Call it before anything imports Rasa."""
    if needs_tensorflow(model_path):
        return False
    if not any(isinstance(finder, _StubFinder) for finder in sys.meta_path):
        sys.meta_path.insert(0, _StubFinder())
    return True


# A turn multiplies a few small matrices (the classifier's tf-idf row and weights). OpenBLAS
# starts a thread per core for them, and its threads spin while they wait for the next call:
# measured on the 2-core machine, Rasa burnt 11.4 ms of CPU per 8 ms turn, a whole core taken
# from the bot and the action server (3.9 ms with one thread; docs/benchmarks.md). Set before
# numpy loads; an operator's own setting wins.
ONE_THREAD = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def one_blas_thread(environ: dict[str, str] | os._Environ[str] = os.environ) -> None:
    """Small matrices in one thread: no spinning BLAS threads beside the server."""
    for name in ONE_THREAD:
        environ.setdefault(name, "1")


def main() -> None:
    argv = sys.argv[1:]
    one_blas_thread()
    without_tensorflow(_model_argument(argv))
    from rasa.__main__ import main as rasa_main

    from kelisim_engine import once, speedups

    speedups.install()
    once.install()

    sys.argv = ["rasa", *argv]
    rasa_main()


if __name__ == "__main__":
    main()
