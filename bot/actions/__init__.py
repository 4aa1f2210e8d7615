"""Custom actions for the Rasa server; run with `python -m bot actions`."""

from bot.actions.fallback import ActionSuggestTopics

__all__ = ["ActionSuggestTopics"]
