"""The contract between Rasa and the bot: what a reply means, never its words.

A Rasa response is `custom: {key: ..., args: {...}, topics: [...], menu: true, do: ...}`:
- key: a string key (`greet`) or a page (`page:what_is_mediation`) in content/<lang>/;
- args: values for the string's {placeholders};
- topics: intents to offer as buttons (labelled `btn.<intent>`);
- menu: attach the main menu;
- do: an instruction for the bot (`Do`), e.g. `language_picker`; none: show `key`.

The actions produce `Do` values (bot/actions/), the Telegram layer has one route per value
(bot/telegram/handlers/turn.py, `_DELIVER`), and `content check` refuses a `do:` in the domain
that is not one of them.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

log = logging.getLogger(__name__)


class Do(StrEnum):
    """What the bot does with a reply, besides or instead of showing its content key."""

    SHOW = ""  # show `key` (a string or a page) with its topics and menu
    ASK_PLACE = "ask_place"  # ask where to search for mediators (args: unknown)
    MEDIATORS = "mediators"  # the nearest mediators (args: place, dispute type, ...)
    LANGUAGE_PICKER = "language_picker"
    SET_LANGUAGE = "set_language"  # args: language
    INVITATION = "invitation"  # the invitation to forward (args: language)
    INVITE_LANGUAGES = "invite_languages"  # which language the invitation should be in
    SCREEN_QUESTION = "screen_question"  # the questionnaire's next question (args: question)
    SCREENING_RESULT = "screening_result"  # the verdict (args: verdict, rules, ...)


@dataclass(frozen=True)
class Reply:
    key: str = ""
    args: dict[str, str] = field(default_factory=dict)
    topics: tuple[str, ...] = ()
    menu: bool = False
    do: Do = Do.SHOW


def instruction(value: object) -> Do:
    """The `Do` a payload names; one this bot does not know (a newer model) is shown as
    its key, and logged."""
    try:
        return Do(str(value or ""))
    except ValueError:
        log.warning("unknown instruction %r in a Rasa payload: shown as its key", str(value)[:40])
        return Do.SHOW


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
        do=instruction(custom.get("do")),
    )
