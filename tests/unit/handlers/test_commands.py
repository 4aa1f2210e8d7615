"""Every command in Telegram's menu is wired to a handler and described in every language."""

from __future__ import annotations

from telegram import BotCommandScopeDefault
from telegram.ext import CommandHandler

from bot.content import Catalogue
from bot.languages import LANGUAGES
from bot.telegram.content_manifest import COMMANDS
from tests.support.in_process import InProcessBot


async def test_every_command_in_the_menu_has_a_handler(bot: InProcessBot) -> None:
    wired = {
        command
        for group in bot.application.handlers.values()
        for handler in group
        if isinstance(handler, CommandHandler)
        for command in handler.commands
    }
    assert set(COMMANDS) - wired == set(), "add its CommandHandler in app.register"


async def test_telegrams_menu_lists_the_commands_in_each_language(
    bot: InProcessBot, catalogue: Catalogue
) -> None:
    for language in LANGUAGES:
        listed = await bot.application.bot.get_my_commands(
            scope=BotCommandScopeDefault(), language_code=language
        )
        assert [(c.command, c.description) for c in listed] == [
            (name, catalogue.label(language, f"commands.{name}")) for name in COMMANDS
        ]
