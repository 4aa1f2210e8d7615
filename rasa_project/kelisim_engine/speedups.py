"""Rasa 3.6 hot spots our profile found, fixed without changing what Rasa computes.

- `Event.resolve_by_type` walks every subclass of Event (with `inspect.isabstract` on each) for
  every event it deserialises: with a conversation loaded from the tracker store on every turn,
  that was an eighth of a turn (docs/benchmarks.md). The answer for a type name never changes
  once found, so it is remembered; names not found still go the original way (and raise).
"""

from __future__ import annotations

from typing import Any


def install() -> None:
    from rasa.shared.core import events

    original = events.Event.resolve_by_type
    if getattr(original, "kelisim_cached", False):
        return
    found: dict[str, Any] = {}

    def resolve_by_type(type_name: str, default: Any = None) -> Any:
        cls = found.get(type_name)
        if cls is None:
            cls = original(type_name, default)
            if cls is not None and cls is not default:
                found[type_name] = cls
        return cls

    resolve_by_type.kelisim_cached = True  # type: ignore[attr-defined]
    events.Event.resolve_by_type = staticmethod(resolve_by_type)  # type: ignore[method-assign]
