"""Before any invitation for the other side: the safety questions, unless already answered "no".

The invitation (the page on how to invite, and the ready-made message to forward) is never
offered nor sent unless, in this conversation, the person answered "no" both to "is anyone in
danger now?" and to "has the other side ever used violence, threats or control?". `invite_form`
asks whichever of the two is still open (the questionnaire's answers count; an earlier "I don't
know" is asked again), then `action_invite_other_party` gives the invitation, or the safety
page and never the invitation. Every way to an invitation (the verdict's button, the mediator
search's button, a typed "how do I invite my husband?") comes through here.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.safety import SAFETY_CONCERN, concerned, safety_payload
from bot.actions.screening import SEEN, STOPPED, _starts_the_form, screen_command
from bot.dialogue.payloads import Do
from bot.languages import LANGUAGES
from bot.screening import answers
from bot.screening.questions import BY_NAME, NO, UNKNOWN, YES
from bot.screening.safety import reveals_danger

FORM = "invite_form"
ASKED = ("safety", "past_violence")  # in this order, as in the questionnaire
LANGUAGE_SLOT = "invite_language"  # the language of the ready-made message, when chosen


def _slot(question: str) -> str:
    return BY_NAME[question].slot


class ValidateInviteForm(Action):
    """Reads one answer to the safety questions and names the next one (or ends the form)."""

    def name(self) -> str:
        return f"validate_{FORM}"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        chosen: dict[str, str | None] = {q: tracker.get_slot(_slot(q)) for q in ASKED}
        message_id = tracker.latest_message.get("message_id")
        starting = _starts_the_form(tracker, message_id)
        events: list[dict[str, Any]] = [SlotSet(SEEN, message_id)]
        stopped = False
        if message_id is None or message_id != tracker.get_slot(SEEN):
            if starting:
                # Someone unsure before may be sure now: ask again rather than refuse for good.
                chosen = {q: None if a == UNKNOWN else a for q, a in chosen.items()}
                events.append(SlotSet(LANGUAGE_SLOT, _language(tracker)))
            else:
                stopped = self._read(dispatcher, tracker, chosen)
        events += [SlotSet(_slot(q), chosen[q]) for q in ASKED]
        if stopped:
            return [*events, SlotSet(STOPPED, True), SlotSet("requested_slot", None)]
        refused = concerned(tracker) or any(chosen[q] in (YES, UNKNOWN) for q in ASKED)
        following = None if refused else next((q for q in ASKED if chosen[q] is None), None)
        if following is not None and starting:
            dispatcher.utter_message(json_message={"key": "screen.invite.ask"})
        return [*events, SlotSet("requested_slot", _slot(following) if following else None)]

    @staticmethod
    def _read(
        dispatcher: CollectingDispatcher, tracker: Tracker, chosen: dict[str, str | None]
    ) -> bool:
        """Apply one answer to `chosen`; True when the person stops."""
        command = screen_command(tracker)
        text = str(tracker.latest_message.get("text") or "")
        asked = str(tracker.get_slot("requested_slot") or "").removeprefix("screen_")
        if command:
            if command.get("do") == "stop":
                return True
            question, option = str(command.get("q")), str(command.get("a"))
            if question in ASKED and BY_NAME[question].option(option) is not None:
                chosen[question] = option
            elif command.get("do") != "back":
                dispatcher.utter_message(json_message={"key": "screen.reask"})
            return False
        if reveals_danger(text):
            chosen["safety"] = YES
            return False
        if answers.control(text) == "stop":
            return True
        parsed = answers.parse(BY_NAME[asked], text) if asked in ASKED else None
        if parsed is None:
            dispatcher.utter_message(json_message={"key": "screen.reask"})
        else:
            chosen[asked] = parsed
        return False


def _language(tracker: Tracker) -> str | None:
    metadata = tracker.latest_message.get("metadata") or {}
    invite = metadata.get("invite") if isinstance(metadata, dict) else None
    language = invite.get("language") if isinstance(invite, dict) else None
    return language if language in LANGUAGES else None


class ActionInviteOtherParty(Action):
    """The invitation when both safety answers are "no"; otherwise the safety page."""

    def name(self) -> str:
        return "action_invite_other_party"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        done = [SlotSet(LANGUAGE_SLOT, None), SlotSet(STOPPED, False)]
        if tracker.get_slot(STOPPED):
            dispatcher.utter_message(json_message={"key": "screen.invite.stopped", "menu": True})
            return done
        safe = all(tracker.get_slot(_slot(q)) == NO for q in ASKED)
        if concerned(tracker) or not safe:
            told = any(tracker.get_slot(_slot(q)) == YES for q in ASKED)
            dispatcher.utter_message(json_message={"key": "screen.invite.not_safe"})
            dispatcher.utter_message(json_message=safety_payload(told or concerned(tracker)))
            return [*done, *([SlotSet(SAFETY_CONCERN, True)] if told else [])]
        language = tracker.get_slot(LANGUAGE_SLOT)
        if language:
            dispatcher.utter_message(
                json_message={"do": Do.INVITATION, "args": {"language": str(language)}}
            )
        else:
            dispatcher.utter_message(json_message={"key": "page:invite_other_party"})
            dispatcher.utter_message(json_message={"do": Do.INVITE_LANGUAGES})
        return done
