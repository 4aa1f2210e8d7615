"""The Rasa model: training it, its status, and what it understands."""

from __future__ import annotations

import argparse
import sys

from bot.cli.common import Adder


def cmd_model(args: argparse.Namespace) -> None:
    """Train the Rasa model if its data changed (--force: always), or report on it."""
    from bot import model

    if args.action == "report":
        from pathlib import Path

        from bot import nlu_report
        from bot.understanding.nlu import warn_if_stale

        warn_if_stale()
        _, scores = nlu_report.run(Path(args.out).resolve())
        print(nlu_report.table(scores))
        print()
        print(nlu_report.targets(scores))
        print()
        print(nlu_report.confusions(scores))
        print(
            f"\nfor review: {args.out}/disagreements.md (dispute types and places read otherwise "
            f"than annotated); every example: {args.out}/predictions.jsonl"
        )
        return
    if args.action == "status":
        print("current" if model.is_current() else "stale")
        sys.exit(0 if model.is_current() else 1)
    model.train(force=args.force)


def cmd_understand(args: argparse.Namespace) -> None:
    """What the bot understood in each message: JSON lines in, one reading per line out."""
    from bot.understanding import cli as understand

    sys.exit(understand.main(args.input))


def register(add: Adder) -> None:
    """Its commands, their arguments and help."""
    from bot.screening.fields import DISPUTE_TYPES

    mdl = add("model", cmd_model)
    mdl.add_argument(
        "action",
        choices=["train", "status", "report"],
        help="train: if the data changed; status: exit 1 if stale; "
        "report: score what the bot understands on the held-out NLU set, per language "
        "slice (intents, dispute types, places)",
    )
    mdl.add_argument("--force", action="store_true", help="train even if nothing changed")
    mdl.add_argument("--out", default="results/nlu", help="where `report` writes its files")
    understand = add("understand", cmd_understand)
    understand.description = (
        'Reads one message per line as a JSON object: {"text": "...", "language": "kk", '
        '"ru" or "en" (optional: the language to name the place in)}. Writes one line per '
        'message, in order: {"intent", "confidence", "ranking" (the classifier\'s top 3, '
        '[{name, confidence}]), "dispute_type" (' + ", ".join(DISPUTE_TYPES) + " or null), "
        '"location" (null or the place the bot would search from: {id, name, region, latitude, '
        'longitude}), "language" (the language the text is written in, or null)}, or '
        '{"error": ...} for a bad line, and goes on. The trained model (models/kelisim.tar.gz) '
        "runs in one Rasa worker process, no server needed, with the resolvers the "
        "conversation uses: this is what the bot acts on. `intent` is Rasa's, so nlu_fallback "
        'when the classifier is unsure (the bot then asks "did you mean …?" with the '
        "ranking's topics). Exit status 2 if any line had an error, 1 if Rasa failed."
    )
    understand.add_argument(
        "--in", dest="input", metavar="FILE", help="read the JSON lines from FILE (default: stdin)"
    )
