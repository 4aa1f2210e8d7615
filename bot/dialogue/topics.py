"""Topics a person can pick with a button, and what the bot can show without Rasa."""

from __future__ import annotations

from bot.screening.fields import DISPUTE_TYPES

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
    # Through the dialogue, never straight to the page: the safety questions come first.
    "inv": "invite_other_party",
}
CODE_OF_TOPIC: dict[str, str] = {intent: code for code, intent in TOPIC_CODES.items()}


# Pages a button opens directly, without the dialogue: they answer no question of their own
# (the law, safety) or refine one (mediation or court, per kind of dispute). Label: btn.page.<id>.
COMPARE_PAGES: tuple[str, ...] = tuple(f"mediation_vs_court_{t}" for t in DISPUTE_TYPES)
# After a screening verdict: what to do next (labels btn.page.<id> too).
# (Not the invitation page: it is shown only by the dialogue, after the safety questions.)
# Pages a button (an old one, or forged data) may name but only the dialogue may show: the
# button asks the dialogue instead, with this intent.
GATED_PAGES: dict[str, str] = {"invite_other_party": "invite_other_party"}
NEXT_STEP_PAGES: tuple[str, ...] = ("instead_of_mediation", "eligibility_unsure")
# Topics the legal-content review (2026-12, section 4) found missing: trust (results,
# tradition), quality (complaints), access (online, public mediators) and debts already with a
# bailiff. They answer no question the dialogue knows, so they are pages, offered under related
# answers (the `topics` of rasa_project/domain/mediation.yml); labels btn.page.<id> too.
MORE_PAGES: tuple[str, ...] = (
    "mediation_results", "mediator_complaints", "online_mediation",
    "mediation_tradition", "public_mediators", "enforcement",
)  # fmt: skip
BUTTON_PAGES: tuple[str, ...] = (
    "legal_basis", "safety", *COMPARE_PAGES, *NEXT_STEP_PAGES, *MORE_PAGES,
)  # fmt: skip

# When Rasa is down, these topics still work: their answer is a fixed page.
OFFLINE_PAGES: dict[str, str] = {
    "what_is_mediation": "what_is_mediation",
    "help": "help",
    # A message that reveals danger gets the emergency numbers even without the dialogue.
    "safety": "safety",
}
