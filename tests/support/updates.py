"""Telegram updates built by hand, for the kinds a simulated person cannot send (groups,
channels, membership changes): injected through the emulator's /control/updates."""

from __future__ import annotations

import time
from typing import Any


def user(user_id: int, language: str = "kk") -> dict[str, Any]:
    """A Telegram user object."""
    return {"id": user_id, "is_bot": False, "first_name": "G", "language_code": language}


def made_channel_admin(
    channel: dict[str, Any], by: dict[str, Any], bot_id: int = 1
) -> dict[str, Any]:
    """A my_chat_member update: the bot made an administrator of `channel` by `by`."""
    me = {"id": bot_id, "is_bot": True, "first_name": "K"}
    rights = dict.fromkeys(
        ("can_manage_chat", "can_change_info", "can_post_messages", "can_edit_messages",
         "can_delete_messages", "can_invite_users", "can_restrict_members",
         "can_manage_video_chats", "can_manage_voice_chats", "can_post_stories",
         "can_edit_stories", "can_delete_stories"),
        True,
    )  # fmt: skip
    return {
        "chat": channel,
        "from": by,
        "date": int(time.time()),
        "old_chat_member": {"status": "left", "user": me},
        "new_chat_member": {
            "status": "administrator", "user": me, "can_be_edited": False,
            "can_promote_members": False, "is_anonymous": False, **rights,
        },
    }  # fmt: skip
