"""Reading Rasa's language-neutral payloads."""

from __future__ import annotations

from bot.dialogue.payloads import Do, Reply, parse


def test_full_payload() -> None:
    message = {"recipient_id": "x", "custom": {"key": "fallback", "topics": ["help"], "menu": True}}
    assert parse(message) == Reply(key="fallback", topics=("help",), menu=True)


def test_args_and_instruction() -> None:
    assert parse(
        {"custom": {"key": "lang.changed", "args": {"language_name": "English"}}}
    ) == Reply(key="lang.changed", args={"language_name": "English"})
    assert parse({"custom": {"do": "language_picker"}}) == Reply(do=Do.LANGUAGE_PICKER)


def test_text_or_junk_is_not_a_payload() -> None:
    assert parse({"text": "hello"}) is None
    assert parse({"custom": "x"}) is None
    assert parse({"custom": {"key": 1, "args": [1], "topics": "help"}}) == Reply(key="1")
