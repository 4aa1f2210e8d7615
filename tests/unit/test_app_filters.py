"""Which updates reach which handler (security review H2, M2), on PTB's own filters."""

from __future__ import annotations

import time
from typing import Any

import pytest
from telegram import Bot, Update, User
from telegram.ext import BaseHandler

from bot.telegram import app, handlers

NOW = int(time.time())
PERSON = {"id": 700000001, "is_bot": False, "first_name": "A", "language_code": "ru"}
PRIVATE = {"id": 700000001, "type": "private", "first_name": "A"}
GROUP = {"id": -100123, "type": "supergroup", "title": "G"}
CHANNEL = {"id": -100999, "type": "channel", "title": "C"}


# A Bot that never goes online: CommandHandler reads its username to match "/start@name".
OFFLINE = Bot("1:offline")
OFFLINE._bot_user = User(1, "Kelisim", is_bot=True, username="kelisim_bot")


def update(kind: str, chat: dict[str, Any], **content: Any) -> Update:
    message = {"message_id": 1, "date": NOW, "chat": chat, **content}
    if chat["type"] != "channel":
        message["from"] = PERSON
    if kind.startswith("edited"):
        message["edit_date"] = NOW
    return Update.de_json({"update_id": 1, kind: message}, OFFLINE)


class _Recorder:
    def __init__(self) -> None:
        self.handlers: list[BaseHandler[Any, Any, Any]] = []
        # Handlers of earlier groups: each runs (when its filter takes the update) before the
        # one route of group 0, without stopping it.
        self.before: list[BaseHandler[Any, Any, Any]] = []

    def add_handler(self, handler: BaseHandler[Any, Any, Any], group: int = 0) -> None:
        (self.handlers if group == 0 else self.before).append(handler)

    def add_error_handler(self, callback: Any) -> None:
        pass


def chosen(u: Update) -> str | None:
    """The callback of the first handler that takes the update, as PTB picks it."""
    recorder = _Recorder()
    app.register(recorder)  # type: ignore[arg-type]
    for handler in recorder.handlers:
        if handler.check_update(u):
            return str(handler.callback.__name__)
    return None


@pytest.mark.parametrize(
    ("u", "expected"),
    [
        (update("message", PRIVATE, text="привет"), handlers.free_text.__name__),
        (update("message", PRIVATE, location={"latitude": 43.2, "longitude": 76.9}),
         handlers.location_shared.__name__),
        (update("message", PRIVATE, sticker={"file_id": "x", "file_unique_id": "x", "type":
                "regular", "width": 1, "height": 1, "is_animated": False, "is_video": False}),
         handlers.unsupported.__name__),
        # A corrected typo or a live location's next position: not a new question, silence.
        (update("edited_message", PRIVATE, text="привет!"), None),
        (update("edited_message", PRIVATE,
                location={"latitude": 43.2, "longitude": 76.9, "live_period": 900}), None),
        # Groups: one word, then the bot leaves; never the dialogue.
        (update("message", GROUP, text="hello"), handlers.in_a_group.__name__),
        (update("message", GROUP, text="/start", entities=[{"type": "bot_command",
                "offset": 0, "length": 6}]), handlers.in_a_group.__name__),
        (update("edited_message", GROUP, text="hello"), None),
        # Channels: silence.
        (update("channel_post", CHANNEL, text="news"), None),
        (update("edited_channel_post", CHANNEL, text="news"), None),
    ],
)  # fmt: skip
def test_each_update_reaches_the_right_handler_or_none(u: Update, expected: str | None) -> None:
    assert chosen(u) == expected


def test_only_the_kinds_it_handles_are_asked_for() -> None:
    assert sorted(app.ALLOWED_UPDATES) == ["callback_query", "message", "my_chat_member"]


def test_a_private_command_first_ends_a_wait_for_typed_feedback() -> None:
    recorder = _Recorder()
    app.register(recorder)  # type: ignore[arg-type]
    command = {"entities": [{"type": "bot_command", "offset": 0, "length": 5}]}
    taken = [
        [str(h.callback.__name__) for h in recorder.before if h.check_update(u)]
        for u in (
            update("message", PRIVATE, text="/help", **command),
            update("message", PRIVATE, text="help"),
            update("message", GROUP, text="/help", **command),
        )
    ]
    assert taken == [[handlers.command_given.__name__], [], []]
