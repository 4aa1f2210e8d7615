"""The screening questionnaire as a Rasa form: one action reads every answer, one gives the verdict.

`validate_screening_form` runs on every message while the form is active (and on the message
that starts it). It takes an answer from a button (message metadata `screen`) or from typed
words, handles back / restart / stop, sends anything that reveals danger straight to the
verdict, and names the next question by setting `requested_slot`: the rule book decides which
questions still matter (bot.screening.engine.progress). Rasa then asks it with
`utter_ask_screen_<question>`, whose payload the bot renders from content.

Slots hold option codes only, never what the person typed.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import yaml
from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.compare import compare_payload, named_dispute_type
from bot.actions.directory import find_payload
from bot.actions.language import language_of, requested_language
from bot.actions.safety import SAFETY_CONCERN
from bot.config import RASA_PROJECT, content_dir
from bot.content.live import FollowedContent
from bot.dialogue.payloads import Do
from bot.dialogue.topics import TOPIC_CODES
from bot.screening import answers, engine, rules
from bot.screening.questions import (
    BY_NAME,
    QUESTIONS,
    UNKNOWN,
    YES,
    answers_from,
    next_question,
)
from bot.screening.safety import reveals_danger
from bot.telegram import content_manifest

FORM = "screening_form"
HISTORY = "screen_history"  # question names in the order answered, for "back"
SEEN = "screen_seen"  # the id of the last message read, so no message is read twice
STOPPED = "screen_stopped"
VERDICT = "screen_verdict"
CONTROLS = ("back", "restart", "stop", "danger")

# A question typed in the middle of the questionnaire is answered, then the question is asked
# again: a topic a person can pick (bot/dialogue/topics.py), or asking whether this is a bot.
# Answered with the fixed response the rules in data/rules/ give it outside the questions, read
# from there (`_side_question_responses`): the rules are the one home of which response
# answers which intent. Topics answered by an action are handled in `_answer_side_question`.
_SIDE_QUESTIONS = frozenset({*TOPIC_CODES.values(), "bot_challenge"})


@functools.cache
def _side_question_responses(rules_dir: Path = RASA_PROJECT / "data" / "rules") -> dict[str, str]:
    """Each side question a rule answers with a fixed response (utter_*): intent -> response."""
    found: dict[str, str] = {}
    for path in sorted(rules_dir.glob("*.yml")):
        for rule in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("rules", []):
            steps = rule.get("steps", [])
            plain = not rule.get("condition") and not rule.get("conversation_start")
            if plain and len(steps) == 2 and "intent" in steps[0] and "action" in steps[1]:
                intent, action = str(steps[0]["intent"]), str(steps[1]["action"])
                if intent in _SIDE_QUESTIONS and action.startswith("utter_"):
                    found[intent] = action
    return found


# A typed side question in the middle of the questions is answered at this confidence or more;
# below it, the question is asked again. The FallbackClassifier's threshold (config.yml): on the
# held-out set the intent classifier is then right on 95.7% of messages and wrong on 2.7%.
_TOPIC_CONFIDENCE = 0.4


# Audit L3: the action server serves only rules that passed `content check`, as the bot does.
# It runs the same gate on the same tree rather than reading a checked copy the bot would write:
# a copy needs a directory both processes share, can be left over from another run or another
# content tree, and would still need this check whenever it is missing. Two processes applying
# one check to one tree agree once the tree stops changing.
_followed: dict[Path, FollowedContent] = {}


def rule_book() -> rules.RuleBook:
    """The rules of the last content that passed the check; ContentRefused if none has yet."""
    root = content_dir()
    if root not in _followed:
        # The bot's own check (its keys, buttons and instructions): what it serves, the
        # actions follow, and no other content.
        _followed[root] = FollowedContent(root, content_manifest.uses())
    followed = _followed[root]
    return followed.current().rules


def chosen_options(tracker: Tracker) -> dict[str, str | None]:
    return {q.name: tracker.get_slot(q.slot) for q in QUESTIONS}


def screen_command(tracker: Tracker) -> dict[str, Any]:
    """The bot's button metadata: {"q": question, "a": option} or {"do": control}."""
    metadata = tracker.latest_message.get("metadata") or {}
    command = metadata.get("screen") if isinstance(metadata, dict) else None
    return command if isinstance(command, dict) else {}


class _Turn:
    """One message applied to the answers; collects what to say and which slots changed."""

    def __init__(self, tracker: Tracker, dispatcher: CollectingDispatcher) -> None:
        self.chosen = chosen_options(tracker)
        self.history: list[str] = [str(h) for h in tracker.get_slot(HISTORY) or []]
        self.dispatcher = dispatcher
        self.stopped = False
        self.understood = False
        self.extra: list[dict[str, Any]] = []  # events of a topic answered in the middle

    def clear(self) -> None:
        self.chosen = dict.fromkeys(self.chosen)
        self.history = []

    def answer(self, question: str, option: str) -> None:
        self.chosen[question] = option
        self.history = [h for h in self.history if h != question] + [question]
        self.understood = True
        if question == "safety" and option == UNKNOWN:
            # Not knowing whether anyone is safe: the emergency numbers now, then the questions.
            self.say("screen.safety_contacts")

    def back(self) -> None:
        if self.history:
            self.chosen[self.history.pop()] = None
        self.understood = True

    def control(self, name: str) -> None:
        if name == "stop":
            self.clear()
            self.stopped = True
        elif name == "restart":
            self.clear()
            self.say("screen.intro")
        elif name == "back":
            self.back()
        elif name == "danger":
            self.answer("safety", YES)
        self.understood = True

    def say(self, key: str) -> None:
        self.dispatcher.utter_message(json_message={"key": key})

    def events(self, tracker: Tracker) -> list[dict[str, Any]]:
        changed = [
            SlotSet(q.slot, self.chosen[q.name])
            for q in QUESTIONS
            if tracker.get_slot(q.slot) != self.chosen[q.name]
        ]
        return [
            *changed,
            SlotSet(HISTORY, self.history),
            SlotSet(STOPPED, self.stopped),
            *self.extra,
        ]


def _starts_the_form(tracker: Tracker, message_id: object) -> bool:
    """Is this message the one that opened the form (not an answer inside it)?"""
    loop = tracker.active_loop or {}
    if not loop.get("name"):
        return True
    # Rasa may already show the loop as active on its first run; its trigger tells.
    trigger = loop.get("trigger_message") or {}
    return message_id is not None and trigger.get("message_id") == message_id


class ValidateScreeningForm(Action):
    """Reads one message into the answers and names the next question (or ends the form)."""

    def name(self) -> str:
        return f"validate_{FORM}"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        turn = _Turn(tracker, dispatcher)
        message_id = tracker.latest_message.get("message_id")
        starting = _starts_the_form(tracker, message_id)
        if message_id is None or message_id != tracker.get_slot(SEEN):
            self._read(turn, tracker, starting)
        events = [SlotSet(SEEN, message_id), *turn.events(tracker)]
        if turn.stopped:
            return [*events, SlotSet("requested_slot", None)]
        progress = engine.progress(rule_book(), answers_from(turn.chosen))
        following = None if progress.settled else next_question(progress.wanted, turn.chosen)
        return [*events, SlotSet("requested_slot", following.slot if following else None)]

    def _read(self, turn: _Turn, tracker: Tracker, starting: bool) -> None:
        command = screen_command(tracker)
        text = str(tracker.latest_message.get("text") or "")
        typed = not command and not text.startswith("/")
        if starting and not command:
            # Asked afresh from the menu or in words: a new questionnaire, not the last one.
            turn.clear()
            turn.say("screen.intro")
        if command:
            self._command(turn, command, tracker)
            return
        if not typed:
            if not starting:
                self._menu_button(turn, tracker)
            return
        if reveals_danger(text):
            turn.control("danger")
            return
        if (name := answers.control(text)) is not None:
            turn.control(name)
            return
        self._typed(turn, tracker, text, starting)

    def _command(self, turn: _Turn, command: dict[str, Any], tracker: Tracker) -> None:
        if command.get("do") in CONTROLS:
            turn.control(str(command["do"]))
            return
        question = BY_NAME.get(str(command.get("q")))
        option = str(command.get("a"))
        if question is None or question.option(option) is None:
            # The bot checks button data; this is a forged or outdated one: ask again.
            turn.say("screen.reask")
            return
        turn.answer(question.name, option)

    def _menu_button(self, turn: _Turn, tracker: Tracker) -> None:
        """A menu button pressed in the middle: answer it, then go on with the questions."""
        intent = tracker.latest_message.get("intent") or {}
        if intent.get("name") == "check_eligibility":
            turn.control("restart")
        elif self._topic(turn, intent, tracker):
            turn.say("screen.resume")
        else:
            turn.say("screen.reask")

    def _typed(self, turn: _Turn, tracker: Tracker, text: str, starting: bool) -> None:
        asked = BY_NAME.get(str(tracker.get_slot("requested_slot") or "").removeprefix("screen_"))
        if not starting and asked is not None:
            option = answers.parse(asked, text)
            if option is not None:
                turn.answer(asked.name, option)
        if not turn.chosen.get("category"):
            # "My brothers want to sell our late father's house" says the kind of dispute.
            entities = tracker.latest_message.get("entities") or []
            found = answers.category(text) or _category_of_type(named_dispute_type(entities))
            if found:
                turn.answer("category", found)
        if turn.understood or starting:
            return
        intent = tracker.latest_message.get("intent") or {}
        if intent.get("confidence", 0) >= _TOPIC_CONFIDENCE and self._topic(turn, intent, tracker):
            turn.say("screen.resume")
        else:
            turn.say("screen.reask")

    @staticmethod
    def _topic(turn: _Turn, intent: dict[str, Any], tracker: Tracker) -> bool:
        name = intent.get("name")
        if name == "change_language":
            entities = tracker.latest_message.get("entities") or []
            text = str(tracker.latest_message.get("text") or "")
            language = requested_language(entities) or language_of(text)
            if language:
                turn.dispatcher.utter_message(
                    json_message={"do": Do.SET_LANGUAGE, "args": {"language": language}}
                )
                return True
            return False
        if name in (responses := _side_question_responses()):
            turn.dispatcher.utter_message(response=responses[name])
            return True
        if name == "find_mediator":
            # Answered as outside the questions; the place is remembered for the next search.
            payload, events = find_payload(tracker)
            turn.dispatcher.utter_message(json_message=payload)
            turn.extra.extend(events)
            return True
        if name == "mediation_vs_court":
            entities = tracker.latest_message.get("entities") or []
            turn.dispatcher.utter_message(json_message=compare_payload(entities))
            return True
        return False


class AskScreenQuestion(Action):
    """Ask one question: a payload the bot renders with its options, Back and Stop.

    Rasa asks a form's slot with `action_ask_<slot>`; one subclass per question below."""

    question = ""

    def name(self) -> str:
        return f"action_ask_screen_{self.question}"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        answered = len(tracker.get_slot(HISTORY) or [])
        dispatcher.utter_message(
            json_message={
                "do": Do.SCREEN_QUESTION,
                "args": {"question": self.question, "answered": str(answered)},
            }
        )
        return []


def _ask_action(question: str) -> type[AskScreenQuestion]:
    cls = type(f"AskScreen_{question}", (AskScreenQuestion,), {"question": question})
    # The action server's workers unpickle actions by module and name: publish each one here.
    globals()[cls.__name__] = cls
    return cls


# rasa-sdk registers every Action subclass it finds, these generated ones included.
ASK_ACTIONS = tuple(_ask_action(q.name) for q in QUESTIONS)


def _category_of_type(dispute_type: str | None) -> str | None:
    # The model's "administrative" covers two categories with different rules: ask instead.
    return None if dispute_type in (None, "administrative") else dispute_type


class ActionScreeningResult(Action):
    """The verdict, as a payload the bot renders with the reasons and the articles."""

    def name(self) -> str:
        return "action_screening_result"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        if tracker.get_slot(STOPPED):
            dispatcher.utter_message(json_message={"key": "screen.left", "menu": True})
            return [SlotSet(STOPPED, False)]
        chosen = chosen_options(tracker)
        events: list[dict[str, Any]] = []
        try:
            outcome = engine.evaluate(rule_book(), answers_from(chosen))
        except engine.NoRuleMatched:
            # Only an unanswered kind of dispute gets here (danger needs no other answer).
            dispatcher.utter_message(json_message={"key": "screen.left", "menu": True})
            return []
        dispatcher.utter_message(
            json_message={
                "do": Do.SCREENING_RESULT,
                "args": {
                    "verdict": outcome.verdict,
                    "rules": ",".join(outcome.rules),
                    "category": str(chosen.get("category") or ""),
                    "unknown": ",".join(outcome.unknown),
                },
            }
        )
        if outcome.verdict == "safety_first":
            events.append(SlotSet(SAFETY_CONCERN, True))
        return [*events, SlotSet(VERDICT, outcome.verdict)]
