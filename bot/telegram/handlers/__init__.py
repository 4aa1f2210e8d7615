"""One small handler per step, in a module per concern; the wiring lives in app.py.

- common: the user_data keys, the person's language and pseudonym, sending a message;
- turn: a turn of the dialogue and each reply delivered by its instruction (`Do`);
- buttons: one route per kind of button and per op of the mediator search;
- onboarding: /start, the language, "where did you hear about us?";
- account: /subscribe, /unsubscribe, /forget, the ways out of news (a button, a stop word);
- admin: /reload, /stats;
- groups: the bot leaves groups and channels;
- errors: the error handler.
"""

from bot.telegram.handlers.account import (
    forget_command,
    forget_confirmed,
    news_stop_pressed,
    subscribe_command,
    unsubscribe_command,
)
from bot.telegram.handlers.admin import reload_command, stats_command, tell_admins_about_reload
from bot.telegram.handlers.buttons import directory_button, on_callback
from bot.telegram.handlers.errors import on_error
from bot.telegram.handlers.feedback import command_given
from bot.telegram.handlers.groups import in_a_group, membership_changed
from bot.telegram.handlers.onboarding import (
    language_chosen,
    language_command,
    office_code_typed,
    source_chosen,
    start,
)
from bot.telegram.handlers.turn import (
    free_text,
    help_command,
    location_shared,
    screen_button,
    show_page,
    stop_command,
    unknown_command,
    unsupported,
)

__all__ = [
    "command_given",
    "directory_button",
    "forget_command",
    "forget_confirmed",
    "free_text",
    "help_command",
    "in_a_group",
    "language_chosen",
    "language_command",
    "location_shared",
    "membership_changed",
    "news_stop_pressed",
    "office_code_typed",
    "on_callback",
    "on_error",
    "reload_command",
    "screen_button",
    "show_page",
    "source_chosen",
    "start",
    "stats_command",
    "stop_command",
    "subscribe_command",
    "tell_admins_about_reload",
    "unknown_command",
    "unsubscribe_command",
    "unsupported",
]
