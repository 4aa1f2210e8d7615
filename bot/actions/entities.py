"""Turn the model's entity spans into values with our resolvers."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any


def resolve_entity(
    entities: Iterable[dict[str, Any]], name: str, resolver: Callable[[str], str | None]
) -> str | None:
    """The first `name` entity that resolves: its value (a trained synonym), else its words."""
    for entity in entities:
        if entity.get("entity") != name:
            continue
        found = resolver(str(entity.get("value") or "")) or resolver(str(entity.get("text") or ""))
        if found:
            return found
    return None
