"""Parse messages with the trained Rasa model, in Rasa's own environment (Python 3.10).

The app's environment has no Rasa, so `python -m bot understand` and `python -m bot model
report` start this module once with .venv-rasa's Python (`bot.understanding.nlu.Worker`) and
stream every message through it:

    python -m bot.understanding.worker models/kelisim.tar.gz

- in, one JSON object per line: {"text": "..."};
- out, one JSON object per line, in the same order, flushed as each is ready: Rasa's parse as
  the server makes it ({"text", "intent", "intent_ranking", "entities"}), or {"error": "..."}.

It loads only the model's NLU part: the prediction graph cut down to its NLU target, run as
`MessageProcessor._parse_message_with_graph` runs it for the server (rasa/core/processor.py in
Rasa 3.6), so the parse is the server's without loading the policies. Whatever Rasa or
TensorFlow print goes to stderr; stdout carries the answers alone.

Keep this file Python 3.10 and free of app imports: it imports Rasa and the standard library
only (our NLU components, and the resolvers they use, load with the model).
"""

from __future__ import annotations

import json
import logging
import os
import sys
import tempfile
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

Parse = Callable[[str], dict[str, Any]]
# What the app reads of a parse; the rest (tokens, the extractors' internals) stays here.
KEEP = ("text", "intent", "intent_ranking", "entities")


def load(model: Path) -> Parse:
    """The model's NLU graph, loaded once; returns a function that parses one message."""
    from rasa.core.channels.channel import UserMessage
    from rasa.engine.constants import (
        PLACEHOLDER_MESSAGE,
        PLACEHOLDER_TRACKER,
    )
    from rasa.engine.graph import ExecutionContext
    from rasa.engine.runner.dask import DaskGraphRunner
    from rasa.engine.storage.local_model_storage import (
        LocalModelStorage,
    )
    from rasa.shared.core.trackers import DialogueStateTracker

    if "ignore" in sys.warnoptions:
        # Sanic, imported with Rasa's channels, turns DeprecationWarnings back on: the
        # environment's PYTHONWARNINGS=ignore (bot.model.rasa_env) is what we meant.
        warnings.simplefilter("ignore")
    # As MessageProcessor._load_model does: unpack, build the graph (every component loads
    # itself into memory), then let the unpacked files go.
    with tempfile.TemporaryDirectory() as unpacked:
        storage, metadata = LocalModelStorage.from_model_archive(Path(unpacked), model)
        target = metadata.nlu_target
        nlu_only = metadata.predict_schema.minimal_graph_schema([target])
        runner = DaskGraphRunner.create(
            graph_schema=nlu_only,
            model_storage=storage,
            execution_context=ExecutionContext(
                graph_schema=metadata.predict_schema, model_id=metadata.model_id
            ),
        )

    def parse(text: str) -> dict[str, Any]:
        message = UserMessage(text)
        tracker = DialogueStateTracker.from_events(message.sender_id, [])
        results = runner.run(
            inputs={PLACEHOLDER_MESSAGE: [message], PLACEHOLDER_TRACKER: tracker},
            targets=[target],
        )
        data: dict[str, Any] = {"text": "", "intent": {"name": None, "confidence": 0.0}}
        data["entities"] = []
        data.update(results[target][0].as_dict(only_output_properties=True))
        return {key: data.get(key) for key in KEEP}

    return parse


def answer(parse: Parse, line: str) -> dict[str, Any]:
    """The parse for one request line, or {"error": ...}."""
    try:
        request = json.loads(line)
    except ValueError as exc:
        return {"error": f"not valid JSON: {exc}"}
    text = request.get("text") if isinstance(request, dict) else None
    if not isinstance(text, str):
        return {"error": "text must be a string"}
    try:
        return parse(text)
    except Exception as exc:  # one message must not stop the rest
        return {"error": f"{type(exc).__name__}: {exc}"}


def serve(parse: Parse, requests: IO[str], out: IO[str]) -> None:
    for line in requests:
        if not line.strip():
            continue
        out.write(json.dumps(answer(parse, line), ensure_ascii=False) + "\n")
        out.flush()


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m bot.understanding.worker MODEL.tar.gz", file=sys.stderr)
        return 2
    # The answers get their own copy of stdout; anything printed while loading or parsing
    # (Rasa, TensorFlow, a component) goes to stderr and cannot break a line of JSON.
    answers = os.fdopen(os.dup(sys.stdout.fileno()), "w", encoding="utf-8")
    sys.stdout.flush()
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    # Free of app imports (above), so LOG_LEVEL is read here as bot.config.log_level reads it.
    wanted = os.environ.get("LOG_LEVEL", "").strip().upper()
    level = int(wanted) if wanted.isdigit() else logging.getLevelName(wanted or "WARNING")
    logging.basicConfig(level=level if isinstance(level, int) else logging.WARNING)
    model = Path(argv[0])
    if not model.is_file():
        print(f"no trained model at {model}", file=sys.stderr)
        return 1
    try:
        # Served as `make run` serves it (rasa_project/kelisim_engine/): no TensorFlow when the
        # model needs none, which also starts in a third of the time.
        # As `import a.b as b`: mypy's incremental cache can lose `from a import b` (mypy#20799).
        import kelisim_engine.serve as engine
        import kelisim_engine.speedups as speedups
    except ImportError:
        pass
    else:
        engine.without_tensorflow(str(model))
        speedups.install()
    parse = load(model)
    with open(sys.stdin.fileno(), encoding="utf-8", closefd=False) as requests, answers:
        serve(parse, requests, answers)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
