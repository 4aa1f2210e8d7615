"""Mediation or court: the version for the person's kind of dispute when they named one."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.entities import resolve_entity
from bot.dialogue.topics import COMPARE_PAGES
from bot.screening.dispute_types import dispute_type_of


def named_dispute_type(entities: list[dict[str, Any]]) -> str | None:
    return resolve_entity(entities, "dispute_type", dispute_type_of)


def compare_payload(entities: list[dict[str, Any]]) -> dict[str, Any]:
    """The page for the named kind of dispute, else the general one with a button per kind."""
    dispute_type = named_dispute_type(entities)
    if dispute_type:
        return {
            "key": f"page:mediation_vs_court_{dispute_type}",
            "topics": ["check_eligibility", "mediation_cost"],
            "menu": True,
        }
    return {"key": "page:mediation_vs_court", "topics": list(COMPARE_PAGES), "menu": True}


class ActionCompare(Action):
    """The general comparison with a button per kind of dispute, or the specific one."""

    def name(self) -> str:
        return "action_compare"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        dispatcher.utter_message(
            json_message=compare_payload(tracker.latest_message.get("entities") or [])
        )
        return []
