"""What every handler needs, kept in bot_data under one typed accessor."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from telegram.ext import ContextTypes

from bot.config import Settings
from bot.content import Catalogue
from bot.content.live import LiveContent
from bot.dialogue.client import RasaClient
from bot.directory.gazetteer import Gazetteer
from bot.directory.store import DirectoryStore
from bot.storage.db import Database

KEY = "services"


@dataclass
class Services:
    settings: Settings
    db: Database
    rasa: RasaClient
    content: LiveContent
    directory: DirectoryStore
    places: Gazetteer

    @property
    def catalogue(self) -> Catalogue:
        """The content live right now; a reload swaps it between two updates."""
        return self.content.catalogue


def services(context: ContextTypes.DEFAULT_TYPE | Any) -> Services:
    found = context.bot_data[KEY]
    assert isinstance(found, Services)
    return found
