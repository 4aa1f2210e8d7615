"""Bot API methods: parameter decoding, Telegram's validation rules and the resulting objects."""

from __future__ import annotations

import ipaddress
import json
import re
import time
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit

from bot.emulator.state import (
    DEFAULT_ALLOWED_UPDATES,
    Chat,
    GroupChat,
    State,
    StoredMessage,
    Webhook,
    clone,
)
from bot.text.telegram_html import HtmlError, parse_html, utf16_len

MAX_TEXT_UTF16 = 4096
MAX_CALLBACK_DATA_BYTES = 64
MAX_CALLBACK_ANSWER = 200
MAX_BUTTONS = 100
MAX_POLL_TIMEOUT = 50.0

# Parameters that clients send JSON-encoded inside form fields (python-telegram-bot does).
JSON_FIELDS = frozenset(
    {
        "reply_markup",
        "entities",
        "caption_entities",
        "link_preview_options",
        "reply_parameters",
        "commands",
        "scope",
        "allowed_updates",
    }
)

NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)
QUERY_TOO_OLD = "Bad Request: query is too old and response timeout expired or query ID is invalid"
WEBHOOK_CONFLICT = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)
POLL_CONFLICT = (
    "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running"
)

INLINE_ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)
REPLY_BUTTON_OPTIONS = (
    "request_users",
    "request_chat",
    "request_contact",
    "request_location",
    "request_poll",
    "web_app",
)
CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
SCOPE_TYPES = frozenset(
    {
        "default",
        "all_private_chats",
        "all_group_chats",
        "all_chat_administrators",
        "chat",
        "chat_administrators",
        "chat_member",
    }
)
ENTITY_TYPES = frozenset(
    {
        "mention",
        "hashtag",
        "cashtag",
        "bot_command",
        "url",
        "email",
        "phone_number",
        "bold",
        "italic",
        "underline",
        "strikethrough",
        "spoiler",
        "blockquote",
        "expandable_blockquote",
        "code",
        "pre",
        "text_link",
        "text_mention",
        "custom_emoji",
    }
)
_COMMAND_NAME_RE = re.compile(r"^[a-z0-9_]{1,32}$")
_LANGUAGE_RE = re.compile(r"^[a-z]{2}$")
_SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
_TRIM = " \t\r\n\x0b\x0c"


class ApiError(Exception):
    """A Bot API error response: HTTP status == error_code, Telegram's wording."""

    def __init__(self, code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.retry_after = retry_after  # 429: Telegram's parameters.retry_after


def bad_request(description: str) -> ApiError:
    return ApiError(400, f"Bad Request: {description}")


class Params:
    """Typed access to parameters that may come as JSON values or as form strings."""

    def __init__(self, raw: dict[str, Any]) -> None:
        self.raw = raw

    def has(self, name: str) -> bool:
        return self.raw.get(name) is not None

    def get_str(self, name: str) -> str | None:
        value = self.raw.get(name)
        if value is None:
            return None
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, int | float | str):
            return str(value)
        raise bad_request(f'field "{name}" must be of type String')

    def get_int(self, name: str) -> int | None:
        value = self.raw.get(name)
        if value is None or value == "":
            return None
        if isinstance(value, bool):
            raise bad_request(f"invalid {name} specified")
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str) and re.fullmatch(r"\s*-?\d+\s*", value):
            return int(value)
        raise bad_request(f"invalid {name} specified")

    def get_float(self, name: str) -> float | None:
        value = self.raw.get(name)
        if value is None or value == "":
            return None
        if isinstance(value, bool):
            raise bad_request(f"invalid {name} specified")
        try:
            return float(value)
        except (TypeError, ValueError):
            raise bad_request(f"invalid {name} specified") from None

    def get_bool(self, name: str) -> bool:
        value = self.raw.get(name)
        if isinstance(value, str):
            return value.strip().lower() in ("true", "1", "yes", "on")
        return bool(value)

    def get_json(self, name: str) -> Any:
        value = self.raw.get(name)
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError:
                if name == "reply_markup":
                    raise bad_request("can't parse reply keyboard markup JSON object") from None
                raise bad_request(f"can't parse {name} JSON object") from None
        return value


def decode_for_record(raw: dict[str, Any]) -> dict[str, Any]:
    """Parameters as they are worth reading in the call log: nested JSON decoded."""
    out: dict[str, Any] = {}
    for key, value in raw.items():
        if key in JSON_FIELDS and isinstance(value, str):
            try:
                out[key] = json.loads(value)
                continue
            except ValueError:
                pass
        out[key] = value
    return out


# --- shared helpers ---------------------------------------------------------------------------


def resolve_chat(state: State, params: Params, *, must_be_started: bool = True) -> Chat:
    if not params.has("chat_id") or params.raw.get("chat_id") == "":
        raise bad_request("chat_id is empty")
    value = params.raw["chat_id"]
    if isinstance(value, str) and not re.fullmatch(r"\s*-?\d+\s*", value):
        # "@username" only addresses public channels and groups, never a private chat.
        raise bad_request("chat not found")
    chat_id = params.get_int("chat_id")
    if chat_id is None or chat_id not in state.users:
        raise bad_request("chat not found")
    chat = state.chat(chat_id)
    if must_be_started and not chat.started:
        raise ApiError(403, "Forbidden: bot can't initiate conversation with a user")
    if chat_id in state.blocked:
        raise ApiError(403, "Forbidden: bot was blocked by the user")
    if must_be_started and state.over_flood_limit():
        raise ApiError(429, "Too Many Requests: retry after 1", retry_after=1)
    return chat


def resolve_group(state: State, params: Params) -> GroupChat | None:
    """The group or channel ``chat_id`` names, if an injected update introduced it."""
    value = params.raw.get("chat_id")
    if isinstance(value, str) and not re.fullmatch(r"\s*-\d+\s*", value):
        return None
    if isinstance(value, bool) or not isinstance(value, int | str):
        return None
    group = state.groups.get(int(value))
    if group is not None and not group.member:
        raise ApiError(403, f"Forbidden: bot is not a member of the {group.chat['type']} chat")
    return group


def _trim(text: str, entities: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    """Telegram strips leading and trailing whitespace from message texts."""
    stripped = text.strip(_TRIM)
    if stripped == text:
        return text, entities
    lead = utf16_len(text[: len(text) - len(text.lstrip(_TRIM))])
    size = utf16_len(stripped)
    kept = []
    for entity in entities:
        start = max(0, entity["offset"] - lead)
        end = min(size, entity["offset"] + entity["length"] - lead)
        if end > start:
            kept.append({**entity, "offset": start, "length": end - start})
    return stripped, kept


def _explicit_entities(params: Params, name: str, text: str) -> list[dict[str, Any]]:
    raw = params.get_json(name)
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise bad_request(f"can't parse {name} JSON object")
    size = utf16_len(text)
    entities = []
    for item in raw:
        if (
            not isinstance(item, dict)
            or item.get("type") not in ENTITY_TYPES
            or not isinstance(item.get("offset"), int)
            or not isinstance(item.get("length"), int)
        ):
            raise bad_request("can't parse entities: wrong entity description")
        if item["type"] == "text_link" and not str(item.get("url", "")):
            raise bad_request("can't parse entities: text_link entity must have a URL")
        if item["offset"] < 0 or item["length"] <= 0 or item["offset"] >= size:
            continue
        entity = clone(item)
        entity["length"] = min(entity["length"], size - entity["offset"])
        entities.append(entity)
    return sorted(entities, key=lambda e: (e["offset"], -e["length"]))


def prepare_text(params: Params, name: str = "text") -> tuple[str, list[dict[str, Any]]]:
    text = params.get_str(name)
    if not text:
        raise bad_request("message text is empty")
    parse_mode = (params.get_str("parse_mode") or "").strip().lower()
    if parse_mode == "html":
        try:
            text, entities = parse_html(text)
        except HtmlError as exc:
            raise ApiError(400, exc.description) from None
    elif parse_mode == "":
        entities = _explicit_entities(params, "entities", text)
    else:
        # MarkdownV2 is valid for Telegram but not emulated; refusing it keeps tests honest.
        raise bad_request("unsupported parse_mode")
    text, entities = _trim(text, entities)
    if not text:
        raise bad_request("message text is empty")
    if utf16_len(text) > MAX_TEXT_UTF16:
        raise bad_request("message is too long")
    return text, entities


def _check_button_url(url: Any) -> None:
    if not isinstance(url, str) or not url:
        raise bad_request('can\'t parse inline keyboard button: Field "url" must be of type String')
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme in ("http", "https"):
        if not parts.hostname or any(ch.isspace() for ch in url):
            raise bad_request(f"inline keyboard button URL '{url}' is invalid: Wrong HTTP URL")
        return
    if scheme == "tg" and len(url) > len("tg://"):
        return
    raise bad_request(f"inline keyboard button URL '{url}' is invalid: Unsupported URL protocol")


# One branch per error the Bot API gives for a keyboard, in its order: kept as one function so
# that it reads against Telegram's own list.
def _check_inline_keyboard(markup: dict[str, Any]) -> None:  # noqa: C901
    rows = markup.get("inline_keyboard")
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request('field "inline_keyboard" of the InlineKeyboardMarkup must be an Array')
    if sum(len(row) for row in rows) > MAX_BUTTONS:
        raise bad_request("reply markup is too long")
    for row in rows:
        for button in row:
            if not isinstance(button, dict):
                raise bad_request(
                    "can't parse inline keyboard button: InlineKeyboardButton must be an Object"
                )
            if not isinstance(button.get("text"), str):
                raise bad_request(
                    'can\'t parse inline keyboard button: Field "text" must be of type String'
                )
            if not button["text"].strip():
                raise bad_request("BUTTON_TEXT_INVALID")
            for option in REPLY_BUTTON_OPTIONS:
                if option in button and option not in INLINE_ACTIONS:
                    raise bad_request(
                        f"can't parse inline keyboard button: {option} is allowed only in reply "
                        "keyboards"
                    )
            actions = [name for name in INLINE_ACTIONS if name in button]
            if not actions:
                raise bad_request(
                    "can't parse inline keyboard button: Text buttons are unallowed in the inline "
                    "keyboard"
                )
            if len(actions) > 1:
                raise bad_request(
                    "can't parse inline keyboard button: exactly one of the optional fields must "
                    f"be used, found {', '.join(actions)}"
                )
            if "callback_data" in button:
                data = button["callback_data"]
                if (
                    not isinstance(data, str)
                    or not data
                    or len(data.encode("utf-8")) > MAX_CALLBACK_DATA_BYTES
                ):
                    raise bad_request("BUTTON_DATA_INVALID")
            if "url" in button:
                _check_button_url(button["url"])


def _check_reply_keyboard(markup: dict[str, Any]) -> None:
    rows = markup.get("keyboard")
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request('field "keyboard" of the ReplyKeyboardMarkup must be an Array')
    if sum(len(row) for row in rows) > MAX_BUTTONS:
        raise bad_request("reply markup is too long")
    for row in rows:
        for button in row:
            if isinstance(button, str):
                text = button
            elif isinstance(button, dict) and isinstance(button.get("text"), str):
                text = button["text"]
                options = [name for name in REPLY_BUTTON_OPTIONS if button.get(name)]
                if len(options) > 1:
                    raise bad_request(
                        "can't parse keyboard button: at most one of the optional fields can be "
                        f"used, found {', '.join(options)}"
                    )
                for inline_only in ("callback_data", "url"):
                    if inline_only in button:
                        raise bad_request(
                            f"can't parse keyboard button: {inline_only} is allowed only in "
                            "inline keyboards"
                        )
            else:
                raise bad_request(
                    'can\'t parse keyboard button: Field "text" must be of type String'
                )
            if not text.strip():
                raise bad_request("BUTTON_TEXT_INVALID")
    placeholder = markup.get("input_field_placeholder")
    if placeholder is not None and (not isinstance(placeholder, str) or len(placeholder) > 64):
        raise bad_request("input field placeholder is too long")


def parse_markup(params: Params, *, inline_only: bool = False) -> dict[str, Any] | None:
    markup = params.get_json("reply_markup")
    if markup is None or markup == "":
        return None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        _check_inline_keyboard(markup)
        return dict(markup)
    if inline_only:
        raise bad_request("inline keyboard expected")
    if "keyboard" in markup:
        _check_reply_keyboard(markup)
    elif "remove_keyboard" in markup:
        if markup["remove_keyboard"] is not True:
            raise bad_request('field "remove_keyboard" must be true')
    elif "force_reply" in markup:
        if markup["force_reply"] is not True:
            raise bad_request('field "force_reply" must be true')
    else:
        raise bad_request("can't parse reply keyboard markup JSON object")
    return dict(markup)


def _reply_to(chat: Chat, params: Params) -> dict[str, Any] | None:
    reply = params.get_json("reply_parameters")
    message_id: int | None
    allow_missing = params.get_bool("allow_sending_without_reply")
    if isinstance(reply, dict):
        raw_id = reply.get("message_id")
        message_id = raw_id if isinstance(raw_id, int) and not isinstance(raw_id, bool) else None
        if message_id is None:
            raise bad_request("message to be replied not found")
        allow_missing = bool(reply.get("allow_sending_without_reply", allow_missing))
    elif reply is not None:
        raise bad_request("can't parse reply parameters JSON object")
    else:
        message_id = params.get_int("reply_to_message_id")
    if message_id is None:
        return None
    stored = chat.messages.get(message_id)
    if stored is None or stored.deleted:
        if allow_missing:
            return None
        raise bad_request("message to be replied not found")
    replied = clone(stored.message)
    replied.pop("reply_to_message", None)
    return replied


def _link_preview(params: Params) -> dict[str, Any] | None:
    options = params.get_json("link_preview_options")
    if isinstance(options, dict):
        return dict(options)
    if options is not None:
        raise bad_request("can't parse link preview options JSON object")
    if params.has("disable_web_page_preview"):
        return {"is_disabled": params.get_bool("disable_web_page_preview")}
    return None


def _message_for_edit(state: State, params: Params, *, what: str = "edit") -> StoredMessage:
    if params.has("inline_message_id"):
        raise bad_request("inline messages are not supported by the emulator")
    chat = resolve_chat(state, params, must_be_started=False)
    message_id = params.get_int("message_id")
    if message_id is None:
        raise bad_request("message identifier is not specified")
    stored = chat.messages.get(message_id)
    if stored is None or stored.deleted:
        raise bad_request(f"message to {what} not found")
    return stored


def _location(params: Params) -> dict[str, Any]:
    latitude = params.get_float("latitude")
    longitude = params.get_float("longitude")
    if latitude is None or longitude is None:
        raise bad_request("wrong location")
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise bad_request("wrong location")
    location: dict[str, Any] = {"latitude": latitude, "longitude": longitude}
    accuracy = params.get_float("horizontal_accuracy")
    if accuracy is not None:
        location["horizontal_accuracy"] = accuracy
    return location


def _scope_key(state: State, params: Params) -> tuple[str, dict[str, Any]]:
    scope = params.get_json("scope")
    if scope is None:
        return "default", {"type": "default"}
    if not isinstance(scope, dict) or scope.get("type") not in SCOPE_TYPES:
        raise bad_request("can't parse BotCommandScope")
    kind = str(scope["type"])
    if kind in ("chat", "chat_administrators", "chat_member"):
        chat_id = scope.get("chat_id")
        if isinstance(chat_id, str) and chat_id.lstrip("-").isdigit():
            chat_id = int(chat_id)
        if not isinstance(chat_id, int) or chat_id not in state.users:
            raise bad_request("chat not found")
        if kind == "chat_member":
            user_id = scope.get("user_id")
            if not isinstance(user_id, int):
                raise bad_request("user not found")
            return f"{kind}:{chat_id}:{user_id}", dict(scope)
        return f"{kind}:{chat_id}", dict(scope)
    return kind, dict(scope)


def _language(params: Params) -> str:
    lang = (params.get_str("language_code") or "").strip()
    if lang and not _LANGUAGE_RE.match(lang):
        raise bad_request("invalid language code specified")
    return lang


def _is_loopback(host: str | None) -> bool:
    if not host:
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


# --- methods ---------------------------------------------------------------------------------


async def get_me(state: State, params: Params) -> Any:
    return state.get_me()


async def log_out(state: State, params: Params) -> Any:
    return True


async def close(state: State, params: Params) -> Any:
    return True


async def get_updates(state: State, params: Params) -> Any:
    if state.webhook is not None:
        raise ApiError(409, WEBHOOK_CONFLICT)
    if params.has("allowed_updates"):
        allowed = params.get_json("allowed_updates")
        if not isinstance(allowed, list):
            raise bad_request("can't parse allowed_updates JSON object")
        state.allowed_updates = (
            frozenset(str(kind) for kind in allowed) if allowed else DEFAULT_ALLOWED_UPDATES
        )
    offset = params.get_int("offset") or 0
    limit = params.get_int("limit") or 100
    limit = min(max(limit, 1), 100)
    timeout = min(max(params.get_float("timeout") or 0.0, 0.0), MAX_POLL_TIMEOUT)
    state.confirm_updates(offset)
    # A newer getUpdates call ends an older one that is still waiting, as on Telegram.
    state.poll_generation += 1
    generation = state.poll_generation
    state.notify()
    await state.wait_for(
        lambda: (
            state.poll_generation != generation or state.webhook is not None or bool(state.updates)
        ),
        timeout,
    )
    if state.poll_generation != generation:
        raise ApiError(409, POLL_CONFLICT)
    if state.webhook is not None:
        raise ApiError(409, WEBHOOK_CONFLICT)
    return [clone(update) for update in list(state.updates)[:limit]]


async def send_message(state: State, params: Params) -> Any:
    group = resolve_group(state, params)
    if group is not None:
        return _send_to_group(state, group, params)
    chat = resolve_chat(state, params)
    text, entities = prepare_text(params)
    markup = parse_markup(params)
    reply_to = _reply_to(chat, params)
    content: dict[str, Any] = {"text": text}
    if entities:
        content["entities"] = entities
    preview = _link_preview(params)
    if preview is not None:
        content["link_preview_options"] = preview
    if reply_to is not None:
        content["reply_to_message"] = reply_to
    return clone(state.bot_message(chat, content, markup).message)


def _send_to_group(state: State, group: GroupChat, params: Params) -> Any:
    """Text into a group or channel: the same checks as in a private chat; no replies."""
    text, entities = prepare_text(params)
    markup = parse_markup(params)
    content: dict[str, Any] = {"text": text}
    if entities:
        content["entities"] = entities
    if markup is not None and "inline_keyboard" in markup:
        content["reply_markup"] = markup
    return state.post_in_group(group, content)


async def send_location(state: State, params: Params) -> Any:
    chat = resolve_chat(state, params)
    location = _location(params)
    markup = parse_markup(params)
    content: dict[str, Any] = {"location": location}
    reply_to = _reply_to(chat, params)
    if reply_to is not None:
        content["reply_to_message"] = reply_to
    return clone(state.bot_message(chat, content, markup).message)


async def send_venue(state: State, params: Params) -> Any:
    chat = resolve_chat(state, params)
    location = _location(params)
    title = (params.get_str("title") or "").strip()
    address = (params.get_str("address") or "").strip()
    if not title:
        raise bad_request("venue title is empty")
    if not address:
        raise bad_request("venue address is empty")
    markup = parse_markup(params)
    venue: dict[str, Any] = {"location": location, "title": title, "address": address}
    for optional in ("foursquare_id", "foursquare_type", "google_place_id", "google_place_type"):
        value = params.get_str(optional)
        if value:
            venue[optional] = value
    content: dict[str, Any] = {"venue": venue, "location": dict(location)}
    reply_to = _reply_to(chat, params)
    if reply_to is not None:
        content["reply_to_message"] = reply_to
    return clone(state.bot_message(chat, content, markup).message)


async def send_contact(state: State, params: Params) -> Any:
    chat = resolve_chat(state, params)
    phone = (params.get_str("phone_number") or "").strip()
    first_name = (params.get_str("first_name") or "").strip()
    if not phone:
        raise bad_request("phone number is empty")
    if not first_name:
        raise bad_request("contact first name is empty")
    markup = parse_markup(params)
    contact: dict[str, Any] = {"phone_number": phone, "first_name": first_name}
    for optional in ("last_name", "vcard"):
        value = params.get_str(optional)
        if value:
            contact[optional] = value
    content: dict[str, Any] = {"contact": contact}
    reply_to = _reply_to(chat, params)
    if reply_to is not None:
        content["reply_to_message"] = reply_to
    return clone(state.bot_message(chat, content, markup).message)


async def send_chat_action(state: State, params: Params) -> Any:
    chat = resolve_chat(state, params)
    action = params.get_str("action")
    if action not in CHAT_ACTIONS:
        raise bad_request("wrong parameter action in request")
    state.add_event(chat, "out", "chat_action", action=action)
    return True


def _finish_edit(state: State, stored: StoredMessage) -> dict[str, Any]:
    stored.message["edit_date"] = int(time.time())
    chat = state.chat(stored.message["chat"]["id"])
    state.add_event(chat, "out", "edit", **state.message_event_fields(stored))
    return clone(stored.message)


async def edit_message_text(state: State, params: Params) -> Any:
    stored = _message_for_edit(state, params)
    if not stored.outgoing:
        raise bad_request("message can't be edited")
    if "text" not in stored.message:
        raise bad_request("there is no text in the message to edit")
    text, entities = prepare_text(params)
    markup = parse_markup(params, inline_only=True)
    message = stored.message
    if (
        message["text"] == text
        and message.get("entities", []) == entities
        and message.get("reply_markup") == markup
    ):
        raise bad_request(NOT_MODIFIED.removeprefix("Bad Request: "))
    message["text"] = text
    if entities:
        message["entities"] = entities
    else:
        message.pop("entities", None)
    preview = _link_preview(params)
    if preview is not None:
        message["link_preview_options"] = preview
    _set_inline_markup(stored, markup)
    return _finish_edit(state, stored)


def _set_inline_markup(stored: StoredMessage, markup: dict[str, Any] | None) -> None:
    if markup is None:
        stored.message.pop("reply_markup", None)
        if stored.markup is not None and "inline_keyboard" in stored.markup:
            stored.markup = None
    else:
        stored.message["reply_markup"] = clone(markup)
        stored.markup = clone(markup)


async def edit_message_reply_markup(state: State, params: Params) -> Any:
    stored = _message_for_edit(state, params)
    if not stored.outgoing:
        raise bad_request("message can't be edited")
    markup = parse_markup(params, inline_only=True)
    if stored.message.get("reply_markup") == markup:
        raise bad_request(NOT_MODIFIED.removeprefix("Bad Request: "))
    _set_inline_markup(stored, markup)
    return _finish_edit(state, stored)


async def delete_message(state: State, params: Params) -> Any:
    stored = _message_for_edit(state, params, what="delete")
    stored.deleted = True
    chat = state.chat(stored.message["chat"]["id"])
    state.add_event(chat, "out", "delete", message_id=stored.message["message_id"])
    return True


async def leave_chat(state: State, params: Params) -> Any:
    """A group or channel (a negative id): the bot leaves it, and can post there no more. A
    private chat cannot be left."""
    chat_id = params.get_int("chat_id")
    if chat_id is None:
        raise bad_request("chat_id is empty")
    if chat_id > 0:
        raise bad_request("chat member status can't be changed in private chats")
    group = state.groups.get(chat_id)
    if group is not None:
        group.member = False
    state.left_chats.append(chat_id)
    return True


async def answer_callback_query(state: State, params: Params) -> Any:
    query_id = params.get_str("callback_query_id")
    query = state.callbacks.get(query_id or "")
    if query is None or query.answered:
        raise bad_request(QUERY_TOO_OLD.removeprefix("Bad Request: "))
    text = params.get_str("text") or ""
    if len(text) > MAX_CALLBACK_ANSWER:
        raise bad_request("MESSAGE_TOO_LONG")
    query.answered = True
    query.answer = {
        "text": text,
        "show_alert": params.get_bool("show_alert"),
        "url": params.get_str("url"),
        "cache_time": params.get_int("cache_time") or 0,
    }
    state.add_event(
        state.chat(query.user_id),
        "out",
        "callback_answer",
        message_id=query.message_id,
        callback_query_id=query.id,
        data=query.data,
        text=text,
        show_alert=query.answer["show_alert"],
    )
    return True


async def set_my_commands(state: State, params: Params) -> Any:
    commands = params.get_json("commands")
    if not isinstance(commands, list):
        raise bad_request("can't parse commands JSON object")
    if len(commands) > 100:
        raise bad_request("BOT_COMMANDS_TOO_MUCH")
    cleaned: list[dict[str, str]] = []
    for item in commands:
        if not isinstance(item, dict):
            raise bad_request("can't parse BotCommand")
        name = item.get("command")
        description = item.get("description")
        if not isinstance(name, str) or not _COMMAND_NAME_RE.match(name):
            raise bad_request("BOT_COMMAND_INVALID")
        if not isinstance(description, str) or not 1 <= len(description.strip()) <= 256:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        cleaned.append({"command": name, "description": description})
    key, scope = _scope_key(state, params)
    lang = _language(params)
    if cleaned:
        state.commands[(key, lang)] = cleaned
        state.command_scopes[key] = scope
    else:
        state.commands.pop((key, lang), None)
    state.notify()
    return True


async def get_my_commands(state: State, params: Params) -> Any:
    key, _ = _scope_key(state, params)
    return clone(state.commands.get((key, _language(params)), []))


async def delete_my_commands(state: State, params: Params) -> Any:
    key, _ = _scope_key(state, params)
    state.commands.pop((key, _language(params)), None)
    state.notify()
    return True


def _set_text_setting(
    store: dict[str, str], params: Params, name: str, limit: int, error: str
) -> bool:
    value = params.get_str(name) or ""
    if len(value) > limit:
        raise bad_request(error)
    lang = _language(params)
    if value:
        store[lang] = value
    else:
        store.pop(lang, None)
    return True


async def set_my_description(state: State, params: Params) -> Any:
    return _set_text_setting(
        state.descriptions, params, "description", 512, "BOT_DESCRIPTION_INVALID"
    )


async def get_my_description(state: State, params: Params) -> Any:
    return {"description": state.descriptions.get(_language(params), "")}


async def set_my_short_description(state: State, params: Params) -> Any:
    return _set_text_setting(
        state.short_descriptions, params, "short_description", 120, "BOT_ABOUT_INVALID"
    )


async def get_my_short_description(state: State, params: Params) -> Any:
    return {"short_description": state.short_descriptions.get(_language(params), "")}


async def set_my_name(state: State, params: Params) -> Any:
    return _set_text_setting(state.names, params, "name", 64, "BOT_TITLE_INVALID")


async def get_my_name(state: State, params: Params) -> Any:
    lang = _language(params)
    return {"name": state.names.get(lang) or state.names.get("") or state.bot_name}


async def set_webhook(state: State, params: Params) -> Any:
    url = (params.get_str("url") or "").strip()
    if not url:
        state.webhook = None
        if params.get_bool("drop_pending_updates"):
            state.updates.clear()
        state.notify()
        return True
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    if not _is_loopback(parts.hostname):
        # The emulator must never send traffic off this machine; Telegram would need HTTPS here.
        raise bad_request("bad webhook: the emulator only delivers webhooks to loopback addresses")
    secret = params.get_str("secret_token")
    if secret is not None and not _SECRET_RE.match(secret):
        raise bad_request("secret token contains unallowed characters")
    max_connections = params.get_int("max_connections") or 40
    if not 1 <= max_connections <= 100:
        raise bad_request("bad webhook: max_connections must be between 1 and 100")
    allowed: list[str] = []
    if params.has("allowed_updates"):
        raw_allowed = params.get_json("allowed_updates")
        if not isinstance(raw_allowed, list):
            raise bad_request("can't parse allowed_updates JSON object")
        allowed = [str(kind) for kind in raw_allowed]
        state.allowed_updates = frozenset(allowed) if allowed else DEFAULT_ALLOWED_UPDATES
    elif state.allowed_updates != DEFAULT_ALLOWED_UPDATES:
        allowed = sorted(state.allowed_updates)
    if params.get_bool("drop_pending_updates"):
        state.updates.clear()
    state.webhook = Webhook(
        url=url, secret_token=secret, max_connections=max_connections, allowed_updates=allowed
    )
    state.notify()
    return True


async def delete_webhook(state: State, params: Params) -> Any:
    state.webhook = None
    if params.get_bool("drop_pending_updates"):
        state.updates.clear()
    state.notify()
    return True


async def get_webhook_info(state: State, params: Params) -> Any:
    hook = state.webhook
    info: dict[str, Any] = {
        "url": hook.url if hook else "",
        "has_custom_certificate": False,
        "pending_update_count": len(state.updates),
    }
    if hook is not None:
        info["max_connections"] = hook.max_connections
        if hook.allowed_updates:
            info["allowed_updates"] = list(hook.allowed_updates)
        if hook.last_error_date is not None:
            info["last_error_date"] = hook.last_error_date
            info["last_error_message"] = hook.last_error_message
    return info


Handler = Callable[[State, Params], Awaitable[Any]]

_HANDLERS: dict[str, Handler] = {
    "getMe": get_me,
    "logOut": log_out,
    "close": close,
    "getUpdates": get_updates,
    "sendMessage": send_message,
    "sendLocation": send_location,
    "sendVenue": send_venue,
    "sendContact": send_contact,
    "sendChatAction": send_chat_action,
    "editMessageText": edit_message_text,
    "editMessageReplyMarkup": edit_message_reply_markup,
    "deleteMessage": delete_message,
    "answerCallbackQuery": answer_callback_query,
    "setMyCommands": set_my_commands,
    "getMyCommands": get_my_commands,
    "deleteMyCommands": delete_my_commands,
    "setMyDescription": set_my_description,
    "getMyDescription": get_my_description,
    "setMyShortDescription": set_my_short_description,
    "getMyShortDescription": get_my_short_description,
    "setMyName": set_my_name,
    "getMyName": get_my_name,
    "leaveChat": leave_chat,
    "setWebhook": set_webhook,
    "deleteWebhook": delete_webhook,
    "getWebhookInfo": get_webhook_info,
}

# Telegram matches method names case-insensitively.
METHODS: dict[str, tuple[str, Handler]] = {
    name.lower(): (name, handler) for name, handler in _HANDLERS.items()
}
