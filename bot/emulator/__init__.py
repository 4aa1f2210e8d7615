"""Local Telegram Bot API emulator with a web chat playground (see docs/emulator.md).

Import :mod:`bot.emulator.server` for ``create_app``/``run_emulator``/``main``; this package
itself stays import-light so that :mod:`bot.emulator.html_check` can be used without aiohttp.
"""
