"""The content catalogue: every user-visible word, per language, from content/<lang>/."""

from bot.content.catalogue import Catalogue, ContentError, Page
from bot.languages import LANGUAGES  # kept here too: content is read per language

__all__ = ["LANGUAGES", "Catalogue", "ContentError", "Page"]
