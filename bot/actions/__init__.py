"""Custom actions for the Rasa server; run with `python -m bot actions`."""

from bot.actions.compare import ActionCompare
from bot.actions.directory import ActionFindMediator
from bot.actions.fallback import ActionSuggestTopics
from bot.actions.invite import ActionInviteOtherParty, ValidateInviteForm
from bot.actions.language import ActionChangeLanguage
from bot.actions.screening import ActionScreeningResult, ValidateScreeningForm

__all__ = [
    "ActionChangeLanguage",
    "ActionCompare",
    "ActionFindMediator",
    "ActionInviteOtherParty",
    "ActionScreeningResult",
    "ActionSuggestTopics",
    "ValidateInviteForm",
    "ValidateScreeningForm",
]
