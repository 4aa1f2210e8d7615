"""Safety across the conversation: once a person has told of danger, violence or control, or
could not say whether anyone is safe, nothing the bot shows suggests meeting the other side.

The slot lives in the tracker (the conversation), never in the bot's database: it is kept no
longer than the conversation itself and is gone with /forget.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker

# Set by the screening's verdict (safety_first, or "I don't know" to the danger question) and by
# the safety questions before an invitation; never reset within the conversation.
SAFETY_CONCERN = "safety_concern"


def concerned(tracker: Tracker) -> bool:
    return bool(tracker.get_slot(SAFETY_CONCERN))


def safety_payload(concern: bool = True) -> dict[str, Any]:
    """The safety page, with a person to talk to and the menu: nothing that pushes mediation.

    `concern` (danger or violence was told) tells the bot to keep its own mediator-search
    buttons from listing mediators too."""
    payload: dict[str, Any] = {"key": "page:safety", "topics": ["talk_to_human"], "menu": True}
    if concern:
        payload["args"] = {"concern": "1"}
    return payload
