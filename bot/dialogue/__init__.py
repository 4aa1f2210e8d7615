"""Talking to the Rasa server and reading its language-neutral payloads."""
