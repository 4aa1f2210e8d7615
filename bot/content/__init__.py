"""The content catalogue: every user-visible word, per language, from content/<lang>/."""

from bot.content.catalogue import LANGUAGES, Catalogue, ContentError, Page

__all__ = ["LANGUAGES", "Catalogue", "ContentError", "Page"]
