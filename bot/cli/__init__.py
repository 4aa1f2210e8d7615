"""One CLI with --help everywhere: `python -m bot <command> --help`.

One module per group of commands, each with its `cmd_*` functions and a `register` that adds
them (and their arguments) to the parser; the order below is the order of `--help`.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from bot.cli import content, db, directory, model, news, offices, outreach, processes

GROUPS = (processes, db, model, content, directory, offices, outreach, news)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bot", description="Kelisim: the mediation bot for Kazakhstan."
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(name: str, func: Callable[[argparse.Namespace], None]) -> argparse.ArgumentParser:
        doc = (func.__doc__ or "").strip()
        command = sub.add_parser(name, help=doc, description=doc)
        command.set_defaults(func=func)
        return command

    for group in GROUPS:
        group.register(add)
    return parser


def main(argv: Sequence[str] | None = None) -> None:
    arguments = list(sys.argv[1:] if argv is None else argv)
    if arguments[:1] == ["emulator"]:
        processes.cmd_emulator(argparse.Namespace(rest=arguments[1:]))
        return
    args = build_parser().parse_args(arguments)
    args.func(args)
