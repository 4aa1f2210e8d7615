"""Rasa trackers for the action tests, built with `Tracker.from_dict` as RasaHQ's demos do.

Each feature's tests have a small builder of their own (the slots and metadata that feature
reads); they all end here, so a tracker has one shape everywhere.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker


def tracker(
    *,
    text: str,
    intent: str,
    slots: dict[str, Any],
    metadata: dict[str, Any],
    confidence: float = 0.9,
    entities: list[dict[str, Any]] | None = None,
    message_id: str = "m1",
    form: str = "",
    form_started_by: str = "m0",
) -> Tracker:
    """The conversation as an action sees it: the latest message and the slots; inside
    `form` (started by the message `form_started_by`) if one is given."""
    return Tracker.from_dict(
        {
            "sender_id": "test",
            "slots": slots,
            "latest_message": {
                "text": text,
                "intent": {"name": intent, "confidence": confidence},
                "entities": entities or [],
                "message_id": message_id,
                "metadata": metadata,
            },
            "events": [],
            "paused": False,
            "followup_action": None,
            "active_loop": (
                {"name": form, "trigger_message": {"message_id": form_started_by}} if form else {}
            ),
            "latest_action_name": form or "action_listen",
        }
    )


def slots_set(events: list[dict[str, Any]]) -> dict[str, Any]:
    """The slots an action's events set, by name."""
    return {e["name"]: e["value"] for e in events if e["event"] == "slot"}
