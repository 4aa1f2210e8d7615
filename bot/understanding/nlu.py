"""Rasa's parse of many messages through one worker process, without a Rasa server.

The app's environment has no Rasa: `Worker` starts `bot.understanding.worker` with the Rasa
environment's Python (`bot.model.rasa_bin()`'s, with `bot.model.rasa_env()`), which loads the
model once, and streams messages to it and parses back, in order. A thread feeds the worker
while the caller reads, so a long batch never blocks on a full pipe, and a line typed into a
terminal is answered at once.
"""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from queue import Queue
from types import TracebackType
from typing import Any, Generic, TypeVar

from bot import config
from bot.config import ROOT
from bot.model import MODEL_PATH, rasa_bin, rasa_env

T = TypeVar("T")
# Rasa's parse of one message: {"text", "intent", "intent_ranking", "entities"}, or
# {"error": ...} when Rasa failed on that message (the worker goes on with the next).
Parse = dict[str, Any]


class WorkerError(RuntimeError):
    """The worker stopped, or answered something that is not a parse."""


class _End(Generic[T]):
    """Put on the queue after the last item (with the exception that ended the feed, if any)."""

    def __init__(self, error: BaseException | None = None) -> None:
        self.error = error


class Worker:
    """One `bot.understanding.worker` process for the trained model; use it as a context
    manager, and `stream` every message through it."""

    def __init__(self, model: Path = MODEL_PATH) -> None:
        self.model = model
        self._process: subprocess.Popen[str] | None = None
        self._feeder: threading.Thread | None = None

    def command(self) -> list[str]:
        python = rasa_bin().parent / "python"
        return [str(python), "-m", "bot.understanding.worker", str(self.model)]

    def __enter__(self) -> Worker:
        if not self.model.is_file():
            raise WorkerError(f"no trained model at {self.model}; run `make train` first")
        # stderr is ours: Rasa's warnings, and why it stopped, reach the person running this.
        self._process = subprocess.Popen(
            self.command(),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            cwd=ROOT,
            env=rasa_env(),
            text=True,
            encoding="utf-8",
        )
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        if self._feeder is not None and self._feeder.is_alive():
            # The caller stopped reading early: the feed may be stuck writing to the worker.
            process.kill()
        for pipe in (process.stdin, process.stdout):
            if pipe is not None:
                with contextlib.suppress(OSError):  # a broken pipe: the worker is gone
                    pipe.close()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def stream(
        self, items: Iterable[T], text_of: Callable[[T], str | None]
    ) -> Iterator[tuple[T, Parse | None]]:
        """Each item with Rasa's parse of `text_of(item)`, in order; None for an item whose
        text is None (it is not sent to the worker)."""
        process = self._process
        if process is None or process.stdin is None or process.stdout is None:
            raise WorkerError("the worker is not running: use `with Worker() as worker:`")
        stdin, stdout = process.stdin, process.stdout
        pending: Queue[tuple[T, str | None] | _End[T]] = Queue(maxsize=10_000)

        def feed() -> None:
            try:
                for item in items:
                    text = text_of(item)
                    if text is not None:
                        stdin.write(json.dumps({"text": text}, ensure_ascii=False) + "\n")
                        stdin.flush()
                    pending.put((item, text))
            except BrokenPipeError:
                pending.put(_End())  # the worker stopped: reading says why
                return
            except BaseException as exc:  # the items' own error: the reader raises it
                pending.put(_End(exc))
                return
            pending.put(_End())

        self._feeder = threading.Thread(target=feed, name="understand-feed", daemon=True)
        self._feeder.start()
        while True:
            entry = pending.get()
            if isinstance(entry, _End):
                if entry.error is not None:
                    raise entry.error
                return
            item, text = entry
            if text is None:
                yield item, None
                continue
            yield item, self._read(stdout, process)

    def _read(self, stdout: Any, process: subprocess.Popen[str]) -> Parse:
        line = stdout.readline()
        if not line:
            status = process.wait()
            raise WorkerError(
                f"the Rasa worker stopped (exit status {status}) before answering; "
                "its messages are above"
            )
        try:
            answer = json.loads(line)
        except ValueError:
            raise WorkerError(f"the Rasa worker answered something else: {line[:200]!r}") from None
        if not isinstance(answer, dict):
            raise WorkerError(f"the Rasa worker answered something else: {line[:200]!r}")
        return answer


def warn_if_stale(model: Path = MODEL_PATH) -> None:
    """Say on stderr when the model is older than its training data (nothing retrains here)."""
    from bot import model as models

    frozen = config.model_frozen()
    if model == MODEL_PATH and not frozen and model.exists() and not models.is_current():
        print(
            f"note: {model.relative_to(ROOT)} is older than its training data; "
            "`python -m bot model train` retrains it",
            file=sys.stderr,
        )
