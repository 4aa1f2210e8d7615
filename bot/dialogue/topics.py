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

DISPUTE_TYPES: tuple[str, ...] = (
    "family", "labour", "property", "consumer", "commercial",
    "inheritance", "criminal", "administrative", "community",
)  # fmt: skip

# Pages a button opens directly, without the dialogue: they answer no question of their own
# (the law, safety) or refine one (mediation or court, per kind of dispute). Label: btn.page.<id>.
COMPARE_PAGES: tuple[str, ...] = tuple(f"mediation_vs_court_{t}" for t in DISPUTE_TYPES)
# After a screening verdict: what to do next (labels btn.page.<id> too).
NEXT_STEP_PAGES: tuple[str, ...] = (
    "invite_other_party", "instead_of_mediation", "eligibility_unsure",
)  # fmt: skip
BUTTON_PAGES: tuple[str, ...] = ("legal_basis", "safety", *COMPARE_PAGES, *NEXT_STEP_PAGES)

# When Rasa is down, these topics still work: their answer is a fixed page.
OFFLINE_PAGES: dict[str, str] = {
    "what_is_mediation": "what_is_mediation",
    "help": "help",
    # A message that reveals danger gets the emergency numbers even without the dialogue.
    "safety": "safety",
}
