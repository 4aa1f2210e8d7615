"""Edit content files in place, as a person would: only the changed values, the rest as it was.

ruamel.yaml reads and writes YAML round-trip, keeping comments, key order and each value's
quoting (a `|-` block stays a block), so a translation imported into strings.yml or a page's
front matter shows in a pull request as the lines that changed and nothing else.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import (
    DoubleQuotedScalarString,
    FoldedScalarString,
    LiteralScalarString,
    SingleQuotedScalarString,
)

from bot import clock
from bot.content.catalogue import LEGAL_REVIEW_PENDING

_FRONT_MATTER = re.compile(r"\A---\s*\n(.*?\n)---\s*\n(.*)\Z", re.S)


def _yaml() -> YAML:
    yaml = YAML()
    yaml.preserve_quotes = True
    yaml.width = 1_000_000  # never fold a long line the file kept on one
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def _styled(old: object, text: str) -> Any:
    """text in the style the old value had (a new value: quoted, or a block if multi-line)."""
    if "\n" in text or isinstance(old, LiteralScalarString):
        return LiteralScalarString(text)
    for style in (DoubleQuotedScalarString, SingleQuotedScalarString):
        if isinstance(old, style):
            return style(text)
    if isinstance(old, str) and not isinstance(old, LiteralScalarString | FoldedScalarString):
        return text  # plain stays plain (ruamel quotes it where YAML needs quotes)
    return DoubleQuotedScalarString(text)


def _dump(yaml: YAML, tree: Any) -> str:
    out = io.StringIO()
    yaml.dump(tree, out)
    return out.getvalue()


def set_strings(path: Path, values: Mapping[str, str]) -> None:
    """Set dotted keys (`btn.menu`, `admin.reload_failed.few`) in a strings.yml."""
    yaml = _yaml()
    tree = yaml.load(path.read_text(encoding="utf-8")) or CommentedMap()
    for key, text in values.items():
        *parents, last = key.split(".")
        node = tree
        for name in parents:
            child = node.get(name)
            if not isinstance(child, Mapping):
                child = node[name] = CommentedMap()
            node = child
        node[last] = _styled(node.get(last), text)
    path.write_text(_dump(yaml, tree), encoding="utf-8")


def write_page(
    path: Path,
    source_path: Path,
    parts: Mapping[str, str],
    today: dt.date | None = None,
    reviewed_by: str = "",
) -> None:
    """Set a page's title, sources and body (those given); a page that does not exist yet
    starts from its source's front matter, with `legal_review: pending`. The text changed, so
    `reviewed_on` becomes today and `reviewed_by` who read it (given; kept when not: a lawyer's
    signature older than that must be renewed: `content check` says so)."""
    yaml = _yaml()
    existing = path.exists()
    match = _FRONT_MATTER.match((path if existing else source_path).read_text(encoding="utf-8"))
    if match is None:
        raise ValueError(f"{path.name}: no front matter between '---' lines")
    meta = yaml.load(match.group(1)) or CommentedMap()
    body = match.group(2).strip() if existing else ""
    if "title" in parts:
        meta["title"] = _styled(meta.get("title"), parts["title"].strip())
    if "sources" in parts:
        lines = [line.strip() for line in parts["sources"].splitlines() if line.strip()]
        meta["sources"] = CommentedSeq(DoubleQuotedScalarString(line) for line in lines)
    if "body" in parts:
        body = parts["body"].strip()
    meta["reviewed_on"] = today or clock.today()
    if reviewed_by:
        meta["reviewed_by"] = _styled(meta.get("reviewed_by"), reviewed_by)
    if not existing:
        meta["legal_review"] = LEGAL_REVIEW_PENDING
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"---\n{_dump(yaml, meta)}---\n{body}\n", encoding="utf-8")
