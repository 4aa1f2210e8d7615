"""The emulator driven by a real python-telegram-bot ``Bot``, plus raw HTTP where PTB can't go."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    ForceReply,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    ReplyParameters,
    Update,
)
from telegram.error import (
    BadRequest,
    Conflict,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TimedOut,
)

from bot.emulator import server as emulator_server
from bot.emulator.server import create_app

TOKEN = "123456:test-token"
KK, RU, EN = 700000001, 700000002, 700000003


@dataclass
class Env:
    client: TestClient[Any, Any]
    bot: Bot
    url: str

    async def control(self, method: str, path: str, body: Any = None) -> Any:
        response = await self.client.request(method, f"/control/{path}", json=body)
        payload = await response.json()
        assert response.status < 300, payload
        return payload

    async def say(self, user_id: int, text: str) -> dict[str, Any]:
        result: dict[str, Any] = await self.control(
            "POST", f"users/{user_id}/messages", {"text": text}
        )
        return result

    async def errors(self) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = await self.control("GET", "errors")
        return result

    async def last_error(self) -> str:
        errors = await self.errors()
        assert errors, "expected a rejected call"
        return str(errors[-1]["description"])

    async def raw(self, method: str, params: dict[str, Any], token: str = TOKEN) -> Any:
        response = await self.client.post(f"/bot{token}/{method}", json=params)
        return response.status, await response.json()


async def _start(**kwargs: Any) -> tuple[TestClient[Any, Any], str]:
    server = TestServer(create_app(**kwargs), host="127.0.0.1")
    client: TestClient[Any, Any] = TestClient(server)
    await client.start_server()
    return client, str(server.make_url("")).rstrip("/")


@pytest.fixture
async def env() -> AsyncIterator[Env]:
    client, url = await _start()
    bot = Bot(TOKEN, base_url=f"{url}/bot")
    async with bot:
        yield Env(client=client, bot=bot, url=url)
    await client.close()


@pytest.fixture
async def started(env: Env) -> Env:
    """The three preset users have each written to the bot (drained from the queue)."""
    for user_id in (KK, RU, EN):
        await env.say(user_id, "/start")
    updates = await env.bot.get_updates()
    await env.bot.get_updates(offset=updates[-1].update_id + 1)
    return env


def keyboard(*buttons: InlineKeyboardButton) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([list(buttons)])


# --- identity and tokens ------------------------------------------------------------------


async def test_get_me_derives_id_from_token(env: Env) -> None:
    me = await env.bot.get_me()
    assert me.id == 123456
    assert me.is_bot
    assert me.username == "kelisim_bot"
    assert me.first_name == "Kelisim"


async def test_fixed_token_rejects_others() -> None:
    client, url = await _start(bot_token=TOKEN, bot_username="other_bot", bot_name="Other")
    try:
        async with Bot(TOKEN, base_url=f"{url}/bot") as bot:
            assert bot.username == "other_bot"
        wrong = Bot("999:wrong", base_url=f"{url}/bot")
        with pytest.raises(InvalidToken):
            await wrong.get_me()
        response = await client.post("/bot999:wrong/getMe")
        assert response.status == 401
        assert await response.json() == {
            "ok": False,
            "error_code": 401,
            "description": "Unauthorized",
        }
        response = await client.post("/botnot-a-token/getMe")
        assert response.status == 404
    finally:
        await client.close()


async def test_unknown_method_is_404_and_names_are_case_insensitive(env: Env) -> None:
    status, body = await env.raw("sendTelepathy", {})
    assert (status, body) == (404, {"ok": False, "error_code": 404, "description": "Not Found"})
    status, body = await env.raw("GETME", {})
    assert status == 200
    assert body["result"]["id"] == 123456
    calls = await env.control("GET", "calls")
    assert [c["method"] for c in calls] == ["getMe", "sendTelepathy", "getMe"]


async def test_parameters_as_form_query_and_json(started: Env) -> None:
    client = started.client
    form = {
        "chat_id": str(KK),
        "text": "<b>form</b>",
        "parse_mode": "HTML",
        "reply_markup": json.dumps({"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]}),
    }
    response = await client.post(f"/bot{TOKEN}/sendMessage", data=form)
    body = await response.json()
    assert body["ok"], body
    assert body["result"]["entities"] == [{"type": "bold", "offset": 0, "length": 4}]
    assert body["result"]["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "a"
    response = await client.get(f"/bot{TOKEN}/sendMessage", params={"chat_id": KK, "text": "123"})
    body = await response.json()
    assert body["result"]["text"] == "123"
    # Multipart, as PTB sends when a file is attached.
    from aiohttp import FormData

    multipart = FormData()
    multipart.add_field("chat_id", str(KK))
    multipart.add_field("text", "multi")
    multipart.add_field("document", b"data", filename="x.txt")
    response = await client.post(f"/bot{TOKEN}/sendMessage", data=multipart)
    assert (await response.json())["result"]["text"] == "multi"


# --- sending, editing, deleting ------------------------------------------------------------


async def test_send_message_html_with_inline_keyboard(started: Env) -> None:
    markup = keyboard(
        InlineKeyboardButton("Да", callback_data="yes"),
        InlineKeyboardButton("Site", url="https://example.kz"),
    )
    message = await started.bot.send_message(
        RU,
        '😀 <b>Привет</b>, <i>мир</i> &amp; <a href="https://e.kz">link</a>',
        parse_mode="HTML",
        reply_markup=markup,
    )
    assert message.text == "😀 Привет, мир & link"
    assert [(e.type, e.offset, e.length) for e in message.entities] == [
        ("bold", 3, 6),
        ("italic", 11, 3),
        ("text_link", 17, 4),
    ]
    assert message.reply_markup == markup
    assert message.from_user is not None
    assert message.from_user.id == 123456
    assert message.chat.id == RU
    assert message.chat.type == "private"
    events = await started.control("GET", f"users/{RU}/chat")
    last = events[-1]
    assert last["direction"] == "out"
    assert last["kind"] == "message"
    assert last["html"].startswith('😀 <b>Привет</b>, <i>мир</i> &amp; <a href="https://e.kz"')
    assert last["reply_markup"]["inline_keyboard"][0][0]["text"] == "Да"
    assert await started.errors() == []


async def test_reply_keyboards_and_remove(started: Env) -> None:
    reply = ReplyKeyboardMarkup(
        [[KeyboardButton("📍 Share", request_location=True)], ["Skip"]],
        resize_keyboard=True,
        one_time_keyboard=True,
        input_field_placeholder="City?",
    )
    message = await started.bot.send_message(EN, "Where are you?", reply_markup=reply)
    # Telegram only echoes inline keyboards in Message.reply_markup.
    assert message.reply_markup is None
    await started.bot.send_message(EN, "Thanks", reply_markup=ReplyKeyboardRemove())
    await started.bot.send_message(EN, "Reply", reply_markup=ForceReply())
    events = await started.control("GET", f"users/{EN}/chat")
    markups = [e["reply_markup"] for e in events if e["direction"] == "out"]
    assert markups[0]["keyboard"][0][0]["request_location"] is True
    assert markups[1] == {"remove_keyboard": True}
    assert markups[2]["force_reply"] is True


async def test_edit_message_text_and_markup(started: Env) -> None:
    bot = started.bot
    sent = await bot.send_message(
        KK, "one", reply_markup=keyboard(InlineKeyboardButton("A", callback_data="a"))
    )
    edited = await bot.edit_message_text(
        "<b>two</b>",
        chat_id=KK,
        message_id=sent.message_id,
        parse_mode="HTML",
        reply_markup=keyboard(InlineKeyboardButton("B", callback_data="b")),
    )
    assert not isinstance(edited, bool)
    assert edited.text == "two"
    assert edited.edit_date is not None
    assert edited.reply_markup is not None
    with pytest.raises(BadRequest, match="not modified"):
        await bot.edit_message_text(
            "<b>two</b>",
            chat_id=KK,
            message_id=sent.message_id,
            parse_mode="HTML",
            reply_markup=keyboard(InlineKeyboardButton("B", callback_data="b")),
        )
    assert await started.last_error() == (
        "Bad Request: message is not modified: specified new message content and reply markup "
        "are exactly the same as a current content and reply markup of the message"
    )
    # Omitting reply_markup in an edit removes the keyboard, as on Telegram.
    bare = await bot.edit_message_text("two", chat_id=KK, message_id=sent.message_id)
    assert not isinstance(bare, bool)
    assert bare.reply_markup is None
    again = await bot.edit_message_reply_markup(
        chat_id=KK,
        message_id=sent.message_id,
        reply_markup=keyboard(InlineKeyboardButton("C", callback_data="c")),
    )
    assert not isinstance(again, bool)
    assert again.reply_markup is not None
    with pytest.raises(BadRequest, match="not modified"):
        await bot.edit_message_reply_markup(
            chat_id=KK,
            message_id=sent.message_id,
            reply_markup=keyboard(InlineKeyboardButton("C", callback_data="c")),
        )
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await bot.edit_message_text("x", chat_id=KK, message_id=9999)
    with pytest.raises(BadRequest, match="can't be edited"):
        await bot.edit_message_text("x", chat_id=KK, message_id=1)  # the user's /start
    events = await started.control("GET", f"users/{KK}/chat")
    edits = [e for e in events if e["kind"] == "edit"]
    assert [e["text"] for e in edits] == ["two", "two", "two"]
    assert all(e["edited"] for e in edits)
    assert edits[-1]["reply_markup"]["inline_keyboard"][0][0]["text"] == "C"
    messages = await started.control("GET", f"users/{KK}/messages")
    current = next(m for m in messages if m["message_id"] == sent.message_id)
    assert current["text"] == "two"
    assert "edit_date" in current


async def test_delete_location_venue_chat_action(started: Env) -> None:
    bot = started.bot
    sent = await bot.send_message(EN, "bye")
    assert await bot.delete_message(EN, sent.message_id)
    with pytest.raises(BadRequest, match="Message to delete not found"):
        await bot.delete_message(EN, sent.message_id)
    location = await bot.send_location(EN, latitude=51.1694, longitude=71.4491)
    assert location.location is not None
    assert location.location.latitude == pytest.approx(51.1694)
    venue = await bot.send_venue(
        EN, latitude=43.2389, longitude=76.8897, title="Center", address="Abay 1, Almaty"
    )
    assert venue.venue is not None
    assert venue.venue.title == "Center"
    contact = await bot.send_contact(EN, phone_number="+77001234567", first_name="Mediator")
    assert contact.contact is not None
    assert contact.contact.phone_number == "+77001234567"
    with pytest.raises(BadRequest, match="Phone number is empty"):
        await bot.send_contact(EN, phone_number=" ", first_name="Mediator")
    assert await bot.send_chat_action(EN, "typing")
    with pytest.raises(BadRequest, match="Wrong parameter action"):
        await bot.send_chat_action(EN, "dancing")
    with pytest.raises(BadRequest, match="Wrong location"):
        await bot.send_location(EN, latitude=91, longitude=0)
    kinds = [e["kind"] for e in await started.control("GET", f"users/{EN}/chat")]
    assert kinds[-6:] == ["message", "delete", "location", "venue", "contact", "chat_action"]


async def test_reply_parameters(started: Env) -> None:
    bot = started.bot
    message = await bot.send_message(KK, "answer", reply_parameters=ReplyParameters(1))
    assert message.reply_to_message is not None
    assert message.reply_to_message.text == "/start"
    with pytest.raises(BadRequest, match="Message to be replied not found"):
        await bot.send_message(KK, "x", reply_parameters=ReplyParameters(5000))
    ok = await bot.send_message(
        KK, "x", reply_parameters=ReplyParameters(5000, allow_sending_without_reply=True)
    )
    assert ok.reply_to_message is None


# --- strictness ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "parse_mode", "description"),
    [
        ("", None, "Bad Request: message text is empty"),
        ("   \n ", None, "Bad Request: message text is empty"),
        ("<b></b>", "HTML", "Bad Request: message text is empty"),
        ("x" * 4097, None, "Bad Request: message is too long"),
        # 2049 emoji are 4098 UTF-16 code units.
        ("😀" * 2049, None, "Bad Request: message is too long"),
        ("<b>" + "x" * 4097 + "</b>", "HTML", "Bad Request: message is too long"),
        (
            "Hello<foo>",
            "HTML",
            'Bad Request: can\'t parse entities: Unsupported start tag "foo" at byte offset 5',
        ),
        (
            "<b>open",
            "HTML",
            "Bad Request: can't parse entities: "
            'Can\'t find end tag corresponding to start tag "b"',
        ),
        (
            "Q&A",
            "HTML",
            'Bad Request: can\'t parse entities: Unsupported HTML entity "&A;" at byte offset 1 '
            "(only &lt; &gt; &amp; &quot; and numeric references are allowed)",
        ),
        ("*x*", "MarkdownV2", "Bad Request: unsupported parse_mode"),
    ],
)
async def test_text_rejections(
    started: Env, text: str, parse_mode: str | None, description: str
) -> None:
    status, body = await started.raw(
        "sendMessage", {"chat_id": KK, "text": text, "parse_mode": parse_mode}
    )
    assert (status, body) == (400, {"ok": False, "error_code": 400, "description": description})
    assert await started.last_error() == description


async def test_length_limits_count_after_parsing(started: Env) -> None:
    bot = started.bot
    # Tags do not count: 4096 visible characters wrapped in markup are fine.
    ok = await bot.send_message(KK, "<b>" + "x" * 4096 + "</b>", parse_mode="HTML")
    assert len(ok.text or "") == 4096
    assert await bot.send_message(KK, "😀" * 2048)
    assert await bot.send_message(KK, "&lt;" * 4096, parse_mode="HTML")
    # Leading and trailing whitespace is trimmed, and entities follow the trim.
    trimmed = await bot.send_message(KK, "  <b>hi</b>  ", parse_mode="HTML")
    assert trimmed.text == "hi"
    assert [(e.offset, e.length) for e in trimmed.entities] == [(0, 2)]
    with pytest.raises(BadRequest, match="Message is too long"):
        await bot.send_message(KK, "x" * 4097)


@pytest.mark.parametrize(
    ("button", "description"),
    [
        ({"text": "A", "callback_data": "x" * 65}, "Bad Request: BUTTON_DATA_INVALID"),
        # 33 Cyrillic letters are 66 bytes though only 33 characters.
        ({"text": "A", "callback_data": "д" * 33}, "Bad Request: BUTTON_DATA_INVALID"),
        ({"text": "A", "callback_data": ""}, "Bad Request: BUTTON_DATA_INVALID"),
        (
            {"text": "A"},
            "Bad Request: can't parse inline keyboard button: Text buttons are "
            "unallowed in the inline keyboard",
        ),
        (
            {"text": "A", "callback_data": "a", "url": "https://e.kz"},
            "Bad Request: can't parse inline keyboard button: exactly one of the optional fields "
            "must be used, found url, callback_data",
        ),
        (
            {"text": "A", "url": "javascript:alert(1)"},
            "Bad Request: inline keyboard button URL 'javascript:alert(1)' is invalid: Unsupported "
            "URL protocol",
        ),
        (
            {"text": "A", "url": "https://"},
            "Bad Request: inline keyboard button URL 'https://' is invalid: Wrong HTTP URL",
        ),
        (
            {"text": "A", "callback_data": "a", "request_location": True},
            "Bad Request: can't parse inline keyboard button: request_location is allowed only in "
            "reply keyboards",
        ),
        (
            {"text": "A", "request_location": True},
            "Bad Request: can't parse inline keyboard button: request_location is allowed only in "
            "reply keyboards",
        ),
        ({"text": " ", "callback_data": "a"}, "Bad Request: BUTTON_TEXT_INVALID"),
        (
            {"callback_data": "a"},
            'Bad Request: can\'t parse inline keyboard button: Field "text" must be of type String',
        ),
    ],
)
async def test_inline_keyboard_rejections(
    started: Env, button: dict[str, Any], description: str
) -> None:
    status, body = await started.raw(
        "sendMessage",
        {"chat_id": KK, "text": "x", "reply_markup": {"inline_keyboard": [[button]]}},
    )
    assert (status, body["description"]) == (400, description)


async def test_keyboard_limits_and_valid_edges(started: Env) -> None:
    bot = started.bot
    sent = await bot.send_message(
        KK,
        "x",
        reply_markup=keyboard(
            InlineKeyboardButton("A", callback_data="x" * 64),
            InlineKeyboardButton("B", callback_data="д" * 32),
            InlineKeyboardButton("C", url="tg://resolve?domain=kelisim_bot"),
        ),
    )
    with pytest.raises(BadRequest, match="Button_data_invalid"):
        await bot.send_message(
            KK, "x", reply_markup=keyboard(InlineKeyboardButton("A", callback_data="x" * 65))
        )
    too_many = {
        "inline_keyboard": [[{"text": str(i), "callback_data": str(i)}] for i in range(101)]
    }
    status, body = await started.raw(
        "sendMessage", {"chat_id": KK, "text": "x", "reply_markup": too_many}
    )
    assert (status, body["description"]) == (400, "Bad Request: reply markup is too long")
    two_requests = {
        "keyboard": [[{"text": "A", "request_location": True, "request_contact": True}]]
    }
    status, body = await started.raw(
        "sendMessage", {"chat_id": KK, "text": "x", "reply_markup": two_requests}
    )
    assert status == 400
    assert "at most one of the optional fields" in body["description"]
    status, body = await started.raw(
        "editMessageReplyMarkup",
        {"chat_id": KK, "message_id": sent.message_id, "reply_markup": {"remove_keyboard": True}},
    )
    assert (status, body["description"]) == (400, "Bad Request: inline keyboard expected")


async def test_chat_not_found_and_cannot_initiate(env: Env) -> None:
    with pytest.raises(BadRequest, match="Chat not found"):
        await env.bot.send_message(424242, "hi")
    with pytest.raises(BadRequest, match="Chat not found"):
        await env.bot.send_message("@somebody", "hi")
    status, body = await env.raw("sendMessage", {"text": "hi"})
    assert (status, body["description"]) == (400, "Bad Request: chat_id is empty")
    # A known user who never wrote to the bot cannot be messaged first.
    with pytest.raises(Forbidden, match="can't initiate conversation"):
        await env.bot.send_message(KK, "hi")
    await env.say(KK, "hello")
    assert await env.bot.send_message(KK, "hi")
    errors = await env.errors()
    assert [e["error_code"] for e in errors] == [400, 400, 400, 403]
    assert errors[0]["params"] == {"chat_id": "424242", "text": "hi"}


# --- updates --------------------------------------------------------------------------------


async def test_get_updates_offset_semantics(env: Env) -> None:
    bot = env.bot
    sent = [await env.say(KK, f"m{i}") for i in range(3)]
    first = await bot.get_updates()
    assert [u.update_id for u in first] == [s["update_id"] for s in sent]
    assert first[0].message is not None
    assert first[0].message.text == "m0"
    # Without confirmation the same updates come back.
    assert [u.update_id for u in await bot.get_updates()] == [s["update_id"] for s in sent]
    assert [u.update_id for u in await bot.get_updates(limit=1)] == [sent[0]["update_id"]]
    # Confirming the first one drops it for good.
    rest = await bot.get_updates(offset=sent[1]["update_id"])
    assert [u.update_id for u in rest] == [s["update_id"] for s in sent[1:]]
    assert [u.update_id for u in await bot.get_updates()] == [s["update_id"] for s in sent[1:]]
    later = await env.say(EN, "/help@kelisim_bot now")
    # A negative offset keeps only the newest updates.
    newest = await bot.get_updates(offset=-1)
    assert [u.update_id for u in newest] == [later["update_id"]]
    message = newest[0].message
    assert message is not None
    assert message.entities[0].type == "bot_command"
    assert message.entities[0].length == len("/help@kelisim_bot")
    assert message.from_user is not None
    assert message.from_user.language_code == "en"
    assert await bot.get_updates(offset=later["update_id"] + 1) == ()
    assert await env.control("GET", "updates") == []


@pytest.mark.slow  # sleeps on the real clock
async def test_long_poll_times_out_and_wakes_up(env: Env) -> None:
    started_at = time.monotonic()
    assert await env.bot.get_updates(timeout=1) == ()
    assert time.monotonic() - started_at >= 0.9

    async def later() -> None:
        await asyncio.sleep(0.3)
        await env.say(RU, "wake up")

    task = asyncio.create_task(later())
    started_at = time.monotonic()
    updates = await env.bot.get_updates(timeout=10)
    await task
    assert time.monotonic() - started_at < 5
    assert updates[0].message is not None
    assert updates[0].message.text == "wake up"


@pytest.mark.slow  # sleeps on the real clock
async def test_second_poller_terminates_the_first(env: Env) -> None:
    # Two bot instances, as when a developer forgets a running bot.
    async with Bot(TOKEN, base_url=f"{env.url}/bot") as other:
        first = asyncio.create_task(env.bot.get_updates(timeout=10))
        await asyncio.sleep(0.3)
        second = asyncio.create_task(other.get_updates(timeout=1))
        with pytest.raises(Conflict, match="terminated by other getUpdates request"):
            await first
        assert await second == ()


async def test_allowed_updates_filter(env: Env) -> None:
    await env.bot.get_updates(allowed_updates=["callback_query"])
    result = await env.say(KK, "ignored by the filter")
    assert result["update_id"] is None
    await env.bot.get_updates(allowed_updates=[])
    assert (await env.say(KK, "seen"))["update_id"] is not None


async def test_callback_query_flow_and_single_answer(started: Env) -> None:
    bot = started.bot
    sent = await bot.send_message(
        KK, "Choose", reply_markup=keyboard(InlineKeyboardButton("Yes", callback_data="yes"))
    )
    pressed = await started.control(
        "POST", f"users/{KK}/callback", {"message_id": sent.message_id, "data": "yes"}
    )
    (update,) = await bot.get_updates()
    query = update.callback_query
    assert query is not None
    assert query.id == pressed["callback_query_id"]
    assert query.data == "yes"
    assert query.from_user.id == KK
    assert query.message is not None
    assert query.message.message_id == sent.message_id
    with pytest.raises(BadRequest, match="Message_too_long"):
        await bot.answer_callback_query(query.id, text="x" * 201)
    assert await bot.answer_callback_query(query.id, text="x" * 200, show_alert=True)
    with pytest.raises(BadRequest, match="Query is too old"):
        await bot.answer_callback_query(query.id, text="again")
    assert await started.last_error() == (
        "Bad Request: query is too old and response timeout expired or query ID is invalid"
    )
    with pytest.raises(BadRequest, match="Query is too old"):
        await bot.answer_callback_query("12345")
    callbacks = await started.control("GET", "callbacks")
    assert callbacks[0]["answered"]
    assert callbacks[0]["answer"]["show_alert"] is True
    events = await started.control("GET", f"users/{KK}/chat")
    answer = events[-1]
    assert answer["kind"] == "callback_answer"
    assert answer["show_alert"] is True


async def test_forged_callback_needs_forge_flag(started: Env) -> None:
    sent = await started.bot.send_message(
        EN, "Choose", reply_markup=keyboard(InlineKeyboardButton("Yes", callback_data="yes"))
    )
    response = await started.client.post(
        f"/control/users/{EN}/callback", json={"message_id": sent.message_id, "data": "admin"}
    )
    assert response.status == 400
    assert "no inline button" in (await response.json())["error"]
    assert await started.control("GET", "updates") == []
    forged = await started.control(
        "POST",
        f"users/{EN}/callback",
        {"message_id": sent.message_id, "data": "admin", "forge": True},
    )
    (update,) = await started.bot.get_updates()
    assert update.callback_query is not None
    assert update.callback_query.data == "admin"
    assert update.update_id == forged["update_id"]
    # Forged presses on messages that never existed arrive as inaccessible messages.
    await started.control(
        "POST", f"users/{EN}/callback", {"message_id": 999, "data": "x", "forge": True}
    )
    updates = await started.bot.get_updates(offset=update.update_id + 1)
    message = updates[0].callback_query.message  # type: ignore[union-attr]
    assert message is not None
    assert message.message_id == 999
    assert not message.is_accessible


async def test_user_location_sticker_photo_updates(started: Env) -> None:
    await started.control(
        "POST", f"users/{RU}/location", {"latitude": 43.2389, "longitude": 76.8897}
    )
    await started.control("POST", f"users/{RU}/sticker", {})
    await started.control("POST", f"users/{RU}/photo", {"caption": "док"})
    location, sticker, photo = await started.bot.get_updates()
    assert location.message is not None
    assert location.message.location is not None
    assert location.message.location.longitude == pytest.approx(76.8897)
    assert sticker.message is not None
    assert sticker.message.sticker is not None
    assert photo.message is not None
    assert photo.message.photo
    assert photo.message.caption == "док"
    response = await started.client.post(
        f"/control/users/{RU}/location", json={"latitude": 100, "longitude": 0}
    )
    assert response.status == 400


async def test_any_other_message_from_the_user(started: Env) -> None:
    voice = {"file_id": "AwACAgIAAxkBAAEvoice", "file_unique_id": "AgADvoice", "duration": 3}
    sent = await started.control(
        "POST", f"users/{KK}/content", {"content": {"voice": voice, "caption": "тыңда"}}
    )
    await started.control(
        "POST", f"users/{KK}/content", {"content": {"dice": {"emoji": "🎲", "value": 6}}}
    )
    first, second = await started.bot.get_updates()
    assert first.update_id == sent["update_id"]
    assert first.message is not None
    assert first.message.voice is not None
    assert first.message.caption == "тыңда"
    assert first.message.chat.type == "private"
    assert second.message is not None
    assert second.message.dice is not None
    events = await started.control("GET", f"users/{KK}/chat?after={sent['seq'] - 1}")
    assert [(e["direction"], e["kind"]) for e in events] == [("in", "voice"), ("in", "dice")]
    for body, error in (
        ({"content": {"text": "x"}}, "must not set text"),
        ({"content": {}}, "non-empty object"),
        ({"content": {"photo": [], "caption": "x" * 1025}}, "at most 1024"),
    ):
        response = await started.client.post(f"/control/users/{KK}/content", json=body)
        assert response.status == 400
        assert error in (await response.json())["error"]


# --- control API ----------------------------------------------------------------------------


@pytest.mark.slow  # sleeps on the real clock
async def test_wait_returns_bot_events_or_times_out(started: Env) -> None:
    said = await started.say(EN, "ping")

    async def reply() -> None:
        await asyncio.sleep(0.2)
        await started.bot.send_chat_action(EN, "typing")
        await started.bot.send_message(EN, "pong 1")
        await started.bot.send_message(EN, "pong 2")

    task = asyncio.create_task(reply())
    events = await started.control("GET", f"users/{EN}/wait?after={said['seq']}&timeout=5&count=2")
    await task
    assert [e["text"] for e in events] == ["pong 1", "pong 2"]
    started_at = time.monotonic()
    assert (
        await started.control("GET", f"users/{EN}/wait?after={events[-1]['seq']}&timeout=0.5") == []
    )
    assert time.monotonic() - started_at >= 0.4
    everything = await started.control("GET", f"users/{EN}/wait?after={said['seq'] - 1}&all=1")
    assert [e["kind"] for e in everything] == ["message", "chat_action", "message", "message"]


async def test_users_reset_and_bot_settings(started: Env) -> None:
    users = await started.control("GET", "users")
    assert {u["language_code"] for u in users} == {"kk", "ru", "en"}
    created = await started.control(
        "POST",
        "users",
        {"first_name": "Асель", "language_code": "kk", "username": "asel_test", "id": 5551},
    )
    assert created["id"] == 5551
    response = await started.client.post("/control/users", json={"first_name": "X", "id": 5551})
    assert response.status == 409
    response = await started.client.post("/control/users/404/messages", json={"text": "x"})
    assert response.status == 404
    before = (await started.say(5551, "hi"))["update_id"]
    await started.control("POST", "reset")
    assert await started.control("GET", f"users/{5551}/chat") == []
    assert await started.control("GET", "calls") == []
    assert await started.control("GET", "updates") == []
    assert len(await started.control("GET", "users")) == 4
    # Update ids keep increasing across resets so a running bot's offset stays valid.
    assert (await started.say(5551, "again"))["update_id"] > before


async def test_commands_and_descriptions(env: Env) -> None:
    bot = env.bot
    await bot.set_my_commands([BotCommand("start", "Start"), BotCommand("help", "Help")])
    await bot.set_my_commands([BotCommand("start", "Бастау")], language_code="kk")
    await bot.set_my_commands(
        [BotCommand("menu", "Private menu")],
        scope=BotCommandScopeAllPrivateChats(),
        language_code="en",
    )
    await bot.set_my_commands([BotCommand("only", "Only Dmitry")], scope=BotCommandScopeChat(RU))
    assert [c.command for c in await bot.get_my_commands()] == ["start", "help"]
    assert [c.description for c in await bot.get_my_commands(language_code="kk")] == ["Бастау"]
    assert await bot.get_my_commands(language_code="ru") == ()
    resolved = {
        uid: [c["command"] for c in await env.control("GET", f"users/{uid}/commands")]
        for uid in (KK, RU, EN)
    }
    assert resolved == {KK: ["start"], RU: ["only"], EN: ["menu"]}
    assert await bot.delete_my_commands(language_code="kk")
    assert [c["command"] for c in await env.control("GET", f"users/{KK}/commands")] == [
        "start",
        "help",
    ]
    for bad, description in [
        ([{"command": "Start", "description": "x"}], "Bad Request: BOT_COMMAND_INVALID"),
        ([{"command": "x" * 33, "description": "x"}], "Bad Request: BOT_COMMAND_INVALID"),
        ([{"command": "ok", "description": ""}], "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID"),
        (
            [{"command": "ok", "description": "d" * 257}],
            "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID",
        ),
        (
            [{"command": f"c{i}", "description": "d"} for i in range(101)],
            "Bad Request: BOT_COMMANDS_TOO_MUCH",
        ),
    ]:
        status, body = await env.raw("setMyCommands", {"commands": bad})
        assert (status, body["description"]) == (400, description)
    status, body = await env.raw("setMyCommands", {"commands": [], "language_code": "kaz"})
    assert status == 400

    await bot.set_my_description("Mediation helper")
    await bot.set_my_description("Медиация көмекшісі", language_code="kk")
    await bot.set_my_short_description("Short", language_code="ru")
    assert (await bot.get_my_description()).description == "Mediation helper"
    assert (await bot.get_my_description("kk")).description == "Медиация көмекшісі"
    assert (await bot.get_my_short_description("ru")).short_description == "Short"
    assert (await bot.get_my_short_description()).short_description == ""
    with pytest.raises(BadRequest):
        await bot.set_my_short_description("x" * 121)
    info = await env.control("GET", "bot")
    assert info["descriptions"] == {"": "Mediation helper", "kk": "Медиация көмекшісі"}
    assert {(c["scope"]["type"], c["language_code"]) for c in info["commands"]} == {
        ("default", ""),
        ("all_private_chats", "en"),
        ("chat", ""),
    }


# --- injected faults, the flood limit, blocked users, groups -------------------------------


async def _messages_from_bot(env: Env, user_id: int) -> list[str]:
    events = await env.control("GET", f"users/{user_id}/chat")
    return [e["text"] for e in events if e["direction"] == "out" and e["kind"] == "message"]


async def test_a_429_burst_hits_the_next_calls_of_the_named_methods_only(started: Env) -> None:
    rule = await started.control(
        "POST",
        "faults",
        {"kind": 429, "methods": ["sendMessage"], "count": 2, "retry_after": 3},
    )
    assert (rule["kind"], rule["remaining"], rule["active"]) == ("429", 2, True)
    with pytest.raises(RetryAfter, match="Retry in 3 seconds"):
        await started.bot.send_message(KK, "first try")
    status, body = await started.raw("sendMessage", {"chat_id": KK, "text": "second try"})
    assert (status, body) == (
        429,
        {
            "ok": False,
            "error_code": 429,
            "description": "Too Many Requests: retry after 3",
            "parameters": {"retry_after": 3},
        },
    )
    assert (await started.bot.get_me()).id == 123456  # another method: untouched
    await started.bot.send_message(KK, "third try")
    assert await _messages_from_bot(started, KK) == ["third try"]
    [spent] = await started.control("GET", "faults")
    assert (spent["fired"], spent["remaining"], spent["active"]) == (2, 0, False)
    faulted = [c for c in await started.control("GET", "calls") if "fault" in c]
    assert [(c["method"], c["error_code"], c["carried_out"]) for c in faulted] == [
        ("sendMessage", 429, False),
        ("sendMessage", 429, False),
    ]
    # The bot did nothing wrong: /control/errors stays for refusals on the merits.
    assert await started.errors() == []


async def test_5xx_answers_look_like_telegrams(started: Env) -> None:
    await started.control("POST", "faults", {"kind": "502"})
    response = await started.client.post(f"/bot{TOKEN}/getMe")
    assert response.status == 502
    assert response.content_type == "text/html"
    assert "502 Bad Gateway" in await response.text()
    await started.control("POST", "faults", {"kind": "500", "methods": "getMe"})
    status, body = await started.raw("getMe", {})
    assert (status, body["error_code"], body["description"]) == (
        500,
        500,
        "Internal Server Error",
    )
    await started.control("POST", "faults", {"kind": "502", "methods": ["sendMessage"]})
    with pytest.raises(NetworkError, match="Bad Gateway"):
        await started.bot.send_message(EN, "lost")
    assert await _messages_from_bot(started, EN) == []


@pytest.mark.slow  # sleeps on the real clock
async def test_a_fault_for_some_seconds_hits_every_method(started: Env) -> None:
    await started.control("POST", "faults", {"kind": "500", "seconds": 0.4})
    with pytest.raises(NetworkError):
        await started.bot.get_me()
    with pytest.raises(NetworkError):
        await started.bot.send_message(RU, "during")
    await asyncio.sleep(0.5)
    await started.bot.send_message(RU, "after")
    assert await _messages_from_bot(started, RU) == ["after"]
    [rule] = await started.control("GET", "faults")
    assert rule["active"] is False
    assert rule["fired"] == 2
    assert rule["seconds_left"] == 0


async def test_count_and_seconds_together_end_at_whichever_comes_first(started: Env) -> None:
    await started.control("POST", "faults", {"kind": "502", "count": 1, "seconds": 60})
    with pytest.raises(NetworkError):
        await started.bot.get_me()
    assert (await started.bot.get_me()).id == 123456


async def test_a_dropped_connection_loses_the_call_or_only_its_answer(started: Env) -> None:
    await started.control("POST", "faults", {"kind": "drop", "methods": ["sendMessage"]})
    with pytest.raises(NetworkError):
        await started.bot.send_message(KK, "never arrives")
    assert await _messages_from_bot(started, KK) == []
    await started.control(
        "POST", "faults", {"kind": "drop", "methods": ["sendMessage"], "after_call": True}
    )
    with pytest.raises(NetworkError):
        await started.bot.send_message(KK, "arrives unconfirmed")
    # Sent, though the bot heard nothing back: a blind retry would say it twice.
    assert await _messages_from_bot(started, KK) == ["arrives unconfirmed"]
    faulted = [c for c in await started.control("GET", "calls") if "fault" in c]
    assert [(c["fault"], c["ok"], c["carried_out"]) for c in faulted] == [
        ("drop", False, False),
        ("drop", True, True),
    ]
    assert await started.errors() == []


@pytest.mark.slow  # sleeps on the real clock
async def test_a_hanging_call_happens_only_if_the_client_waits(started: Env) -> None:
    await started.control(
        "POST", "faults", {"kind": "hang", "delay": 2, "methods": ["sendMessage"]}
    )
    with pytest.raises(TimedOut):
        await started.bot.send_message(RU, "gave up", read_timeout=0.3)
    state = started.client.app[emulator_server.STATE_KEY]
    await _wait_until(lambda: any(c.get("fault") == "hang" for c in state.calls))
    [given_up] = [c for c in state.calls if c.get("fault") == "hang"]
    assert given_up["carried_out"] is False
    assert given_up["description"] == "the client gave up waiting"
    await started.control(
        "POST", "faults", {"kind": "hang", "delay": 0.2, "methods": ["sendMessage"]}
    )
    started_at = time.monotonic()
    await started.bot.send_message(RU, "patient")
    assert time.monotonic() - started_at >= 0.2
    await started.control(
        "POST",
        "faults",
        {"kind": "hang", "delay": 2, "methods": ["sendMessage"], "after_call": True},
    )
    with pytest.raises(TimedOut):
        await started.bot.send_message(RU, "sent, answer late", read_timeout=0.3)
    assert await _messages_from_bot(started, RU) == ["patient", "sent, answer late"]


async def test_getupdates_can_fail_too_and_rules_match_in_order(started: Env) -> None:
    await started.control("POST", "faults", {"kind": "429", "methods": ["getUpdates"]})
    await started.control("POST", "faults", {"kind": "502", "count": 2})
    with pytest.raises(RetryAfter):
        await started.bot.get_updates()
    for _ in range(2):
        with pytest.raises(NetworkError):
            await started.bot.get_updates()
    assert await started.bot.get_updates() == ()
    rules = await started.control("GET", "faults")
    assert [(r["kind"], r["fired"]) for r in rules] == [("429", 1), ("502", 2)]


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ({"kind": "503"}, "kind must be one of 429, 500, 502, drop, hang"),
        ({"kind": "429", "methods": ["sendTelepathy"]}, "unknown Bot API method(s): sendTelepathy"),
        ({"kind": "429", "methods": []}, "methods must be a non-empty list"),
        ({"kind": "429", "count": 0}, "count must be a positive integer"),
        ({"kind": "429", "seconds": -1}, "seconds must be a positive number"),
        ({"kind": "429", "retry_after": "3"}, "retry_after must be a positive integer"),
        ({"kind": "hang", "delay": 1000}, "delay must be at most 300 seconds"),
        ({"kind": "drop", "after_call": "yes"}, "after_call must be true or false"),
    ],
)
async def test_fault_rules_are_checked(env: Env, body: dict[str, Any], error: str) -> None:
    response = await env.client.post("/control/faults", json=body)
    assert response.status == 400
    assert error in (await response.json())["error"]


async def test_faults_are_cleared_by_delete_and_by_reset(started: Env) -> None:
    await started.control("POST", "faults", {"kind": "500", "seconds": 60})
    assert await started.control("DELETE", "faults") == {"cleared": 1}
    assert (await started.bot.get_me()).id == 123456
    await started.control("POST", "faults", {"kind": "500", "seconds": 60})
    await started.control("POST", "reset")
    assert await started.control("GET", "faults") == []
    assert (await started.bot.get_me()).id == 123456


async def test_flood_limit_and_blocked_user(started: Env) -> None:
    await started.control("POST", "flood", {"per_second": 2})
    await started.bot.send_message(EN, "one")
    await started.bot.send_message(EN, "two")
    with pytest.raises(RetryAfter):
        await started.bot.send_message(EN, "three")
    await started.control("POST", "flood", {"per_second": None})
    await started.control("POST", f"users/{KK}/block", {"blocked": True})
    with pytest.raises(Forbidden, match="blocked by the user"):
        await started.bot.send_message(KK, "hello?")
    await started.control("POST", f"users/{KK}/block", {"blocked": False})
    await started.bot.send_message(KK, "hello again")


def _group_message(chat: dict[str, Any], text: str = "hi all") -> dict[str, Any]:
    return {
        "message_id": 7,
        "from": {"id": 555, "is_bot": False, "first_name": "G"},
        "chat": chat,
        "date": int(time.time()),
        "text": text,
    }


async def test_groups_from_injected_updates_take_posts_until_the_bot_leaves(env: Env) -> None:
    group: dict[str, Any] = {"id": -1001234, "type": "supergroup", "title": "Neighbours"}
    await env.control("POST", "updates", {"kind": "message", "payload": _group_message(group)})
    posted = await env.bot.send_message(group["id"], "<b>One to one</b>, please", parse_mode="HTML")
    assert posted.chat.type == "supergroup"
    assert posted.text == "One to one, please"
    with pytest.raises(BadRequest, match="unsupported start tag"):
        await env.bot.send_message(group["id"], "<x>", parse_mode="HTML")
    with pytest.raises(BadRequest, match="Chat not found"):
        await env.bot.send_message(-100999, "never introduced")
    assert await env.bot.leave_chat(group["id"])
    with pytest.raises(Forbidden, match="not a member of the supergroup chat"):
        await env.bot.send_message(group["id"], "again")
    [known] = await env.control("GET", "groups")
    assert known["member"] is False
    assert [m["text"] for m in known["messages"]] == ["One to one, please"]
    assert await env.control("GET", "left") == [group["id"]]
    # Added back (my_chat_member): it may post again.
    bot_user = {"id": 123456, "is_bot": True, "first_name": "Kelisim"}
    change = {
        "chat": group,
        "from": {"id": 555, "is_bot": False, "first_name": "G"},
        "date": int(time.time()),
        "old_chat_member": {"status": "left", "user": bot_user},
        "new_chat_member": {"status": "member", "user": bot_user},
    }
    await env.control("POST", "updates", {"kind": "my_chat_member", "payload": change})
    await env.bot.send_message(group["id"], "back")
    channel: dict[str, Any] = {"id": -1005678, "type": "channel", "title": "News"}
    post = {"message_id": 3, "chat": channel, "date": int(time.time()), "text": "news"}
    await env.control("POST", "updates", {"kind": "channel_post", "payload": post})
    in_channel = await env.bot.send_message(channel["id"], "posted")
    assert in_channel.sender_chat is not None
    assert in_channel.from_user is None


async def test_force_delivers_a_kind_the_bot_did_not_ask_for(env: Env) -> None:
    await env.bot.get_updates(allowed_updates=["message"])
    query = {"id": "77", "from": {"id": 555, "is_bot": False, "first_name": "G"}, "query": "q",
             "offset": ""}  # fmt: skip
    body = {"kind": "inline_query", "payload": query}
    assert (await env.control("POST", "updates", body))["queued"] is False
    assert (await env.control("POST", "updates", {**body, "force": True}))["queued"] is True
    (update,) = await env.bot.get_updates()
    assert update.inline_query is not None
    assert update.inline_query.query == "q"
    response = await env.client.post("/control/updates", json={**body, "force": 1})
    assert response.status == 400


# --- webhooks -------------------------------------------------------------------------------


@dataclass
class Receiver:
    url: str
    received: list[tuple[dict[str, Any], str | None]]
    statuses: list[int]


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    received: list[tuple[dict[str, Any], str | None]] = []
    statuses: list[int] = []

    async def hook(request: web.Request) -> web.Response:
        status = statuses.pop(0) if statuses else 200
        if status == 200:
            received.append(
                (await request.json(), request.headers.get("X-Telegram-Bot-Api-Secret-Token"))
            )
        return web.Response(status=status)

    app = web.Application()
    app.router.add_post("/hook", hook)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    yield Receiver(url=str(server.make_url("/hook")), received=received, statuses=statuses)
    await server.close()


async def _wait_until(predicate: Any, seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, "condition not reached in time"
        await asyncio.sleep(0.05)


async def test_webhook_delivery_with_secret_and_conflict(env: Env, receiver: Receiver) -> None:
    bot = env.bot
    assert await bot.set_webhook(receiver.url, secret_token="s3cr3t_token")
    info = await bot.get_webhook_info()
    assert info.url == receiver.url
    with pytest.raises(Conflict, match="can't use getUpdates method while webhook is active"):
        await bot.get_updates()
    assert await env.last_error() == (
        "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to "
        "delete the webhook first"
    )
    sent = await env.say(KK, "via webhook")
    await _wait_until(lambda: len(receiver.received) == 1)
    update, secret = receiver.received[0]
    assert secret == "s3cr3t_token"
    assert update["update_id"] == sent["update_id"]
    assert update["message"]["text"] == "via webhook"
    await _wait_until(lambda: not env.client.app[emulator_server.STATE_KEY].updates)
    assert await bot.delete_webhook()
    await env.say(KK, "polling again")
    updates = await bot.get_updates()
    assert updates[0].message is not None
    assert updates[0].message.text == "polling again"


@pytest.mark.slow  # sleeps on the real clock
async def test_webhook_retries_then_succeeds(env: Env, receiver: Receiver) -> None:
    receiver.statuses.extend([500, 502])
    await env.bot.set_webhook(receiver.url)
    await env.say(EN, "retry me")
    await _wait_until(lambda: len(receiver.received) == 1)
    assert receiver.received[0][1] is None
    info = await env.bot.get_webhook_info()
    assert info.last_error_message is not None
    assert "502" in info.last_error_message


async def test_webhook_url_must_be_loopback(env: Env) -> None:
    with pytest.raises(BadRequest, match="loopback"):
        await env.bot.set_webhook("https://example.com/hook")
    with pytest.raises(BadRequest, match="unallowed characters"):
        await env.bot.set_webhook("http://127.0.0.1:9/hook", secret_token="bad token!")


async def test_webhook_gives_up_after_bounded_retries(env: Env, monkeypatch: Any) -> None:
    monkeypatch.setattr(emulator_server, "WEBHOOK_BACKOFF", (0.01, 0.01, 0.01))
    # Port 9 (discard) is closed on loopback: every attempt fails fast.
    await env.bot.set_webhook("http://127.0.0.1:9/hook")
    await env.say(RU, "lost")
    state = env.client.app[emulator_server.STATE_KEY]
    await _wait_until(lambda: not state.updates)
    info = await env.bot.get_webhook_info()
    assert info.pending_update_count == 0
    assert info.last_error_message is not None


# --- a python-telegram-bot Application, the way the real bot runs ------------------------


async def test_ptb_application_polling_roundtrip(env: Env) -> None:
    from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes

    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_chat is not None
        await context.bot.send_message(
            update.effective_chat.id,
            "<b>Hi</b>",
            parse_mode="HTML",
            reply_markup=keyboard(InlineKeyboardButton("Go", callback_data="go")),
        )

    async def pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.callback_query is not None
        await update.callback_query.answer("Done")
        await update.callback_query.edit_message_text("Pressed")

    app = Application.builder().token(TOKEN).base_url(f"{env.url}/bot").build()
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CallbackQueryHandler(pressed))
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0, timeout=5)
        said = await env.say(KK, "/start")
        (reply,) = await env.control("GET", f"users/{KK}/wait?after={said['seq']}&timeout=10")
        assert reply["html"] == "<b>Hi</b>"
        await env.control(
            "POST", f"users/{KK}/callback", {"message_id": reply["message_id"], "data": "go"}
        )
        events = await env.control(
            "GET", f"users/{KK}/wait?after={reply['seq']}&timeout=10&count=2"
        )
        assert [(e["kind"], e["text"]) for e in events] == [
            ("callback_answer", "Done"),
            ("edit", "Pressed"),
        ]
        await app.updater.stop()
        await app.stop()
    # A clean start and shutdown leave no rejected call behind (no 409 from the last poll).
    assert await env.errors() == []
    methods = {c["method"] for c in await env.control("GET", "calls")}
    assert {"getMe", "deleteWebhook", "getUpdates", "sendMessage"} <= methods


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({}, 200),  # tests and curl send no Origin
        ({"Host": "localhost:8080", "Origin": "http://localhost:8080"}, 200),  # the playground
        ({"Origin": "https://evil.example"}, 403),  # another site in the developer's browser
        ({"Host": "rebound.evil.example:8080"}, 403),  # DNS rebinding to this machine
    ],
)
async def test_the_control_api_only_answers_its_own_page_and_local_tools(
    env: Env, headers: dict[str, str], status: int
) -> None:
    response = await env.client.get("/control/users", headers=headers)
    assert response.status == status


def test_clone_copies_json_data_as_deepcopy_does_and_shares_nothing() -> None:
    import copy

    from bot.emulator.state import clone

    message: dict[str, Any] = {
        "message_id": 7,
        "text": "сәлем",
        "entities": [{"type": "bold", "offset": 0, "length": 5}],
        "reply_markup": {"inline_keyboard": [[{"text": "Иә", "callback_data": "l:kk"}]]},
        "edit_date": None,
        "ratio": 0.5,
        "is_topic": False,
    }
    copied = clone(message)
    assert copied == copy.deepcopy(message)
    copied["entities"][0]["length"] = 1
    copied["reply_markup"]["inline_keyboard"][0].append({"text": "x"})
    assert message["entities"][0]["length"] == 5
    assert len(message["reply_markup"]["inline_keyboard"][0]) == 1
    # Anything that is not JSON-shaped is still copied deeply.
    nested = {"at": {(1, 2): [{3}]}}
    other = clone(nested)
    assert other == nested
    assert other["at"] is not nested["at"]
