"""The contract between Rasa and the bot: what a reply means, never its words.

A Rasa response is `custom: {key: ..., args: {...}, topics: [...], menu: true, do: ...}`:
- key: a string key (`greet`) or a page (`page:what_is_mediation`) in content/<lang>/;
- args: values for the string's {placeholders};
- topics: intents to offer as buttons (labelled `btn.<intent>`);
- menu: attach the main menu;
- do: an instruction for the bot, e.g. `language_picker`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Reply:
    key: str = ""
    args: dict[str, str] = field(default_factory=dict)
    topics: tuple[str, ...] = ()
    menu: bool = False
    do: str = ""


def parse(message: dict[str, Any]) -> Reply | None:
    """One Rasa message to a Reply; None for anything that is not our payload."""
    custom = message.get("custom")
    if not isinstance(custom, dict):
        return None
    args = custom.get("args") or {}
    topics = custom.get("topics") or []
    return Reply(
        key=str(custom.get("key") or ""),
        args={str(k): str(v) for k, v in args.items()} if isinstance(args, dict) else {},
        topics=tuple(str(t) for t in topics) if isinstance(topics, list) else (),
        menu=bool(custom.get("menu", False)),
        do=str(custom.get("do") or ""),
    )
