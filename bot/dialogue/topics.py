"""Topics a person can pick with a button, and what the bot can show without Rasa."""

from __future__ import annotations

# Short codes keep callback_data far under Telegram's 64 bytes; the intent is what Rasa sees.
TOPIC_CODES: dict[str, str] = {
    "wim": "what_is_mediation",
    "vs": "mediation_vs_court",
    "elig": "check_eligibility",
    "find": "find_mediator",
    "help": "help",
    "cost": "mediation_cost",
    "dur": "mediation_duration",
    "conf": "confidentiality",
    "agr": "agreement_enforcement",
    "start": "how_to_start",
    "med": "mediator_requirements",
    "human": "talk_to_human",
    "priv": "privacy",
}
CODE_OF_TOPIC: dict[str, str] = {intent: code for code, intent in TOPIC_CODES.items()}

# When Rasa is down, these topics still work: their answer is a fixed page.
OFFLINE_PAGES: dict[str, str] = {
    "what_is_mediation": "what_is_mediation",
    "help": "help",
}
