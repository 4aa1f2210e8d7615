"""The Telegram surface: handlers, keyboards and the wiring of the PTB Application."""
