"""Local Telegram Bot API emulator with a web chat playground (see docs/emulator.md).

Import :mod:`bot.emulator.server` for ``create_app``/``run_emulator``/``main``. Telegram's
HTML grammar, which the content check needs too, lives in :mod:`bot.text.telegram_html`.
"""
