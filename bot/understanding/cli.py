"""`python -m bot understand`: JSON lines in, what the bot understood in each message out.

In, one object per line: {"text": "...", "language": "kk" | "ru" | "en" (optional: the
language to name the place in)}. Out, one object per line, in the same order, as each is ready:
the fields of `bot.understanding.contract` (intent, confidence, ranking, dispute_type, location,
language), or {"error": ...} for a line that is not a request (and on with the next). Every
message goes through one Rasa worker process (`bot.understanding.nlu.Worker`) with the trained
model: no Rasa server is needed. Exit status 2 if any line had an error, 1 if Rasa failed.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from bot.places.gazetteer import Gazetteer
from bot.understanding.contract import RequestError, read_request, understood
from bot.understanding.nlu import Parse


@dataclass(frozen=True)
class Request:
    text: str | None  # None: the line was not a request, `error` says why
    language: str | None = None
    error: str | None = None


Stream = Callable[
    [Iterable[Request], Callable[[Request], str | None]], Iterator[tuple[Request, Parse | None]]
]


def request_of(line: str) -> Request:
    try:
        raw = json.loads(line)
    except ValueError as exc:
        return Request(None, error=f"not valid JSON: {exc}")
    try:
        text, language = read_request(raw)
    except RequestError as exc:
        return Request(None, error=str(exc))
    return Request(text, language)


def answers(
    lines: Iterable[str], stream: Stream, places: Gazetteer | None = None
) -> Iterator[dict[str, Any]]:
    """One answer per non-blank line, in order, as the worker's parses come back."""
    requests = (request_of(line) for line in lines if line.strip())
    for request, parse in stream(requests, lambda r: r.text):
        if request.text is None:
            yield {"error": request.error}
        elif parse is None or "error" in parse:
            problem = (parse or {}).get("error", "no answer")
            yield {"error": f"Rasa could not parse this message: {problem}"}
        else:
            yield understood(request.text, parse, request.language, places)


def run(lines: Iterable[str], out: TextIO, stream: Stream) -> int:
    """Write an answer per line as it comes; 2 if any line had an error, else 0."""
    status = 0
    for answer in answers(lines, stream):
        if "error" in answer:
            status = 2
        out.write(json.dumps(answer, ensure_ascii=False) + "\n")
        out.flush()  # a caller may be waiting on a pipe, one line at a time
    return status


def main(source: str | None = None) -> int:
    from bot.understanding.nlu import Worker, WorkerError, warn_if_stale

    for stream in (sys.stdin, sys.stdout):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(encoding="utf-8")
    try:
        lines: TextIO = (
            Path(source).open(encoding="utf-8-sig")  # noqa: SIM115 (closed below)
            if source and source != "-"
            else sys.stdin
        )
    except OSError as exc:
        print(f"cannot read {source}: {exc}", file=sys.stderr)
        return 1
    warn_if_stale()
    try:
        with Worker() as worker:
            return run(lines, sys.stdout, worker.stream)
    except WorkerError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    finally:
        if lines is not sys.stdin:
            lines.close()
