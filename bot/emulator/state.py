"""In-memory world of the emulator: simulated users, their private chats and the update queue.

Nothing here knows about HTTP; :mod:`bot.emulator.methods` applies Bot API semantics on top of
it and :mod:`bot.emulator.server` exposes both sides over HTTP.  Everything runs on one event
loop, so plain data structures are enough; waiters are woken through :meth:`State.notify`.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import itertools
import re
import secrets
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar, cast

from bot.text.telegram_html import entities_to_html, utf16_len

_T = TypeVar("_T")


def clone(value: _T) -> _T:
    """A deep copy of JSON-shaped data: what `copy.deepcopy` gives for it at a fraction of
    the cost (no memo, no dispatch by type), which counts when every message the bot sends
    is copied into the chat, its event and the answer (a tenth of the emulator's time in a
    turn, docs/benchmarks.md). Anything else is left to `copy.deepcopy`."""
    return cast(_T, _clone(value))


def _clone(value: Any) -> Any:
    kind = type(value)
    if kind is dict:
        return {key: _clone(item) for key, item in value.items()}
    if kind is list:
        return [_clone(item) for item in value]
    if kind is str or kind is int or kind is float or kind is bool or value is None:
        return value
    return copy.deepcopy(value)


T = TypeVar("T")

# Update types Telegram sends when allowed_updates is empty or was never set.
DEFAULT_ALLOWED_UPDATES = frozenset(
    {
        "message",
        "edited_message",
        "channel_post",
        "edited_channel_post",
        "business_connection",
        "business_message",
        "edited_business_message",
        "deleted_business_messages",
        "inline_query",
        "chosen_inline_result",
        "callback_query",
        "shipping_query",
        "pre_checkout_query",
        "purchased_paid_media",
        "poll",
        "poll_answer",
        "my_chat_member",
        "chat_join_request",
        "chat_boost",
        "removed_chat_boost",
    }
)

# Kept small enough that a long-running playground cannot grow without bound.
MAX_CALLS = 5000
MAX_ERRORS = 1000
MAX_EVENTS_PER_CHAT = 2000
MAX_PENDING_UPDATES = 10000

_COMMAND_RE = re.compile(r"(?<![^\s])/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?(?![A-Za-z0-9_@/])")


@dataclass
class User:
    id: int
    first_name: str
    language_code: str
    username: str | None = None
    last_name: str | None = None

    def to_telegram(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.last_name:
            data["last_name"] = self.last_name
        if self.username:
            data["username"] = self.username
        data["language_code"] = self.language_code
        return data

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "first_name": self.first_name,
            "last_name": self.last_name,
            "username": self.username,
            "language_code": self.language_code,
        }

    def chat(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "first_name": self.first_name}
        if self.last_name:
            data["last_name"] = self.last_name
        if self.username:
            data["username"] = self.username
        data["type"] = "private"
        return data


@dataclass
class StoredMessage:
    """The current version of a message, as Telegram would return it, plus emulator extras."""

    message: dict[str, Any]
    outgoing: bool
    # The markup exactly as sent; Message.reply_markup only ever shows inline keyboards.
    markup: dict[str, Any] | None = None
    deleted: bool = False


@dataclass
class Chat:
    user_id: int
    # Telegram refuses to let a bot write first; a chat starts with the user's first action.
    started: bool = False
    next_message_id: int = 1
    messages: dict[int, StoredMessage] = field(default_factory=dict)
    events: deque[dict[str, Any]] = field(default_factory=lambda: deque(maxlen=MAX_EVENTS_PER_CHAT))

    def new_message_id(self) -> int:
        value = self.next_message_id
        self.next_message_id += 1
        return value


@dataclass
class CallbackQuery:
    id: str
    user_id: int
    message_id: int
    data: str
    created: float
    answered: bool = False
    answer: dict[str, Any] | None = None


# What an injected fault answers instead of the method (POST /control/faults).
FAULT_KINDS = ("429", "500", "502", "drop", "hang")
# Group, supergroup and channel memberships as a my_chat_member update reports them.
_IN_CHAT = frozenset({"creator", "administrator", "member", "restricted"})
_OUT_OF_CHAT = frozenset({"left", "kicked"})
_GROUP_TYPES = frozenset({"group", "supergroup", "channel"})


@dataclass
class Fault:
    """Answer matching Bot API calls with an error, or not at all, for a number of calls or for
    some seconds (whichever ends first)."""

    id: int
    kind: str
    # Lower-case method names; None matches every method.
    methods: frozenset[str] | None
    remaining: int | None
    until: float | None  # time.monotonic() deadline
    retry_after: int = 1
    delay: float = 5.0
    # Carry the call out first and lose only its answer: the message was sent, yet the bot
    # hears an error (or nothing), which is when a retry makes a duplicate.
    after_call: bool = False
    fired: int = 0

    def active(self, now: float) -> bool:
        if self.remaining is not None and self.remaining <= 0:
            return False
        return self.until is None or now < self.until

    def matches(self, method: str, now: float) -> bool:
        return self.active(now) and (self.methods is None or method.lower() in self.methods)

    def to_json(self, now: float) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "methods": sorted(self.methods) if self.methods is not None else None,
            "remaining": self.remaining,
            "seconds_left": None if self.until is None else round(max(0.0, self.until - now), 3),
            "retry_after": self.retry_after,
            "delay": self.delay,
            "after_call": self.after_call,
            "fired": self.fired,
            "active": self.active(now),
        }


@dataclass
class GroupChat:
    """A group, supergroup or channel the emulator heard of from an injected update: enough of
    it to let the bot post there and leave."""

    chat: dict[str, Any]
    member: bool = True
    next_message_id: int = 1
    posted: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "chat": clone(self.chat),
            "member": self.member,
            "messages": clone(self.posted),
        }


@dataclass
class Webhook:
    url: str
    secret_token: str | None
    max_connections: int
    allowed_updates: list[str]
    last_error_date: int | None = None
    last_error_message: str | None = None


PRESET_USERS = (
    User(id=700000001, first_name="Айгерим (kk)", language_code="kk", username="aigerim_kz"),
    User(id=700000002, first_name="Дмитрий (ru)", language_code="ru", username="dmitry_ru"),
    User(id=700000003, first_name="Emma (en)", language_code="en", username="emma_en"),
)


class State:
    """All mutable emulator state.  One instance per aiohttp application."""

    def __init__(self, *, bot_token: str | None, bot_username: str, bot_name: str) -> None:
        self.bot_token = bot_token
        self.bot_username = bot_username
        self.bot_name = bot_name
        self.bot_id = _bot_id_from_token(bot_token) if bot_token else 1000001
        self.users: dict[int, User] = {u.id: clone(u) for u in PRESET_USERS}
        self.chats: dict[int, Chat] = {}
        # Users who blocked the bot: sending to them answers 403, as Telegram does.
        self.blocked: set[int] = set()
        # Every leaveChat of a group or channel, in order (also of ones no update introduced).
        self.left_chats: list[int] = []
        # Telegram answers 429 beyond about 30 messages a second; None: no limit here.
        self.flood_limit: int | None = None
        self._recent_sends: deque[float] = deque()
        # Injected failures (429, 5xx, dropped or hanging connections), first match wins.
        self.faults: list[Fault] = []
        self.fault_counter = itertools.count(1)
        # Groups and channels seen in injected updates, by chat id (negative).
        self.groups: dict[int, GroupChat] = {}
        self.updates: deque[dict[str, Any]] = deque()
        # Update ids never restart, not even on reset, so a running bot's offset stays valid;
        # each emulator starts at a random one, as Telegram does after a quiet week, so a
        # restarted emulator never repeats an id that Rasa (kelisim_engine/once.py) or the
        # stream workers' markers already know for the same person.
        self.next_update_id = secrets.randbelow(800_000_000) + 100_000_000
        self.seq = 0
        self.calls: deque[dict[str, Any]] = deque(maxlen=MAX_CALLS)
        self.errors: deque[dict[str, Any]] = deque(maxlen=MAX_ERRORS)
        self.call_counter = itertools.count(1)
        self.callbacks: dict[str, CallbackQuery] = {}
        self.callback_counter = itertools.count(1)
        self.allowed_updates: frozenset[str] = DEFAULT_ALLOWED_UPDATES
        self.webhook: Webhook | None = None
        self.poll_generation = 0
        self.commands: dict[tuple[str, str], list[dict[str, str]]] = {}
        self.command_scopes: dict[str, dict[str, Any]] = {}
        self.descriptions: dict[str, str] = {}
        self.short_descriptions: dict[str, str] = {}
        self.names: dict[str, str] = {}
        self._changed = asyncio.Event()

    # --- waking waiters ---------------------------------------------------------------------

    def notify(self) -> None:
        event, self._changed = self._changed, asyncio.Event()
        event.set()

    async def wait_for(self, predicate: Callable[[], T], seconds: float) -> T:
        """Return the first truthy ``predicate()`` result, or the last falsy one after
        ``seconds``."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + max(0.0, seconds)
        while True:
            result = predicate()
            remaining = deadline - loop.time()
            if result or remaining <= 0:
                return result
            changed = self._changed
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(changed.wait(), remaining)

    # --- bot identity -----------------------------------------------------------------------

    def bot_user(self) -> dict[str, Any]:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.bot_name,
            "username": self.bot_username,
        }

    def get_me(self) -> dict[str, Any]:
        return {
            **self.bot_user(),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def observe_token(self, token: str) -> None:
        if self.bot_token is None:
            self.bot_id = _bot_id_from_token(token)

    def over_flood_limit(self) -> bool:
        """Count this send; True if it is over the limit for the last second."""
        if self.flood_limit is None:
            return False
        now = time.monotonic()
        while self._recent_sends and now - self._recent_sends[0] > 1.0:
            self._recent_sends.popleft()
        if len(self._recent_sends) >= self.flood_limit:
            return True
        self._recent_sends.append(now)
        return False

    def add_fault(
        self,
        kind: str,
        methods: frozenset[str] | None,
        count: int | None,
        seconds: float | None,
        **options: Any,
    ) -> Fault:
        fault = Fault(
            id=next(self.fault_counter),
            kind=kind,
            methods=methods,
            remaining=count,
            until=None if seconds is None else time.monotonic() + seconds,
            **options,
        )
        self.faults.append(fault)
        return fault

    def take_fault(self, method: str) -> Fault | None:
        """The fault this call runs into, if any; counts it."""
        now = time.monotonic()
        for fault in self.faults:
            if fault.matches(method, now):
                fault.fired += 1
                if fault.remaining is not None:
                    fault.remaining -= 1
                return fault
        return None

    # --- users and chats --------------------------------------------------------------------

    def add_user(
        self,
        *,
        first_name: str,
        language_code: str,
        username: str | None = None,
        last_name: str | None = None,
        user_id: int | None = None,
    ) -> User:
        if user_id is None:
            user_id = max([*self.users, 700000000]) + 1
        if user_id in self.users:
            raise ValueError(f"user {user_id} already exists")
        user = User(
            id=user_id,
            first_name=first_name,
            language_code=language_code,
            username=username,
            last_name=last_name,
        )
        self.users[user_id] = user
        self.notify()
        return user

    def chat(self, user_id: int) -> Chat:
        chat = self.chats.get(user_id)
        if chat is None:
            chat = self.chats[user_id] = Chat(user_id=user_id)
        return chat

    def add_event(self, chat: Chat, direction: str, kind: str, **fields: Any) -> dict[str, Any]:
        self.seq += 1
        event: dict[str, Any] = {
            "seq": self.seq,
            "direction": direction,
            "kind": kind,
            "date": int(time.time()),
            # Sub-second time, so bench/ can measure a turn on the emulator's own clock.
            "at": time.time(),
        }
        event.update(fields)
        chat.events.append(event)
        self.notify()
        return event

    def message_event_fields(self, stored: StoredMessage) -> dict[str, Any]:
        msg = stored.message
        text = msg.get("text", msg.get("caption", ""))
        entities = msg.get("entities", msg.get("caption_entities", []))
        fields: dict[str, Any] = {
            "message_id": msg["message_id"],
            "text": text,
            "html": entities_to_html(text, entities),
            "entities": clone(entities),
            "reply_markup": clone(stored.markup),
            "edited": "edit_date" in msg,
        }
        for extra in ("location", "venue", "contact", "sticker", "photo"):
            if extra in msg:
                fields[extra] = clone(msg[extra])
        if "reply_to_message" in msg:
            fields["reply_to_message_id"] = msg["reply_to_message"]["message_id"]
        return fields

    def events_after(self, user_id: int, after: int) -> list[dict[str, Any]]:
        chat = self.chats.get(user_id)
        if chat is None:
            return []
        return [clone(e) for e in chat.events if e["seq"] > after]

    # --- updates ----------------------------------------------------------------------------

    def enqueue(self, kind: str, payload: dict[str, Any], *, force: bool = False) -> int | None:
        """Queue an update for the bot; None when the bot's allowed_updates filters it out
        (unless ``force``: Telegram may still deliver a kind for a while after it was dropped)."""
        self._learn_group(kind, payload)
        allowed = self.webhook.allowed_updates if self.webhook else None
        allowed_set = frozenset(allowed) if allowed else self.allowed_updates
        if kind not in allowed_set and not force:
            return None
        update_id = self.next_update_id
        self.next_update_id += 1
        self.updates.append({"update_id": update_id, kind: clone(payload)})
        while len(self.updates) > MAX_PENDING_UPDATES:
            self.updates.popleft()
        self.notify()
        return update_id

    def _learn_group(self, kind: str, payload: dict[str, Any]) -> None:
        message = payload.get("message")
        chat = payload.get("chat")
        if chat is None and isinstance(message, dict):
            chat = message.get("chat")  # a callback query from a button in a group
        if not isinstance(chat, dict) or chat.get("type") not in _GROUP_TYPES:
            return
        chat_id = chat.get("id")
        if isinstance(chat_id, bool) or not isinstance(chat_id, int) or chat_id >= 0:
            return
        group = self.groups.get(chat_id)
        if group is None:
            group = self.groups[chat_id] = GroupChat(chat=clone(chat))
        if kind == "my_chat_member":
            new = payload.get("new_chat_member")
            status = new.get("status") if isinstance(new, dict) else None
            if status in _IN_CHAT:
                group.member = True
            elif status in _OUT_OF_CHAT:
                group.member = False

    def post_in_group(self, group: GroupChat, content: dict[str, Any]) -> dict[str, Any]:
        message: dict[str, Any] = {"message_id": group.next_message_id}
        group.next_message_id += 1
        if group.chat.get("type") == "channel":
            message["sender_chat"] = clone(group.chat)
        else:
            message["from"] = self.bot_user()
        message.update({"chat": clone(group.chat), "date": int(time.time()), **clone(content)})
        group.posted.append(message)
        self.notify()
        return clone(message)

    def confirm_updates(self, offset: int) -> None:
        if offset > 0:
            while self.updates and self.updates[0]["update_id"] < offset:
                self.updates.popleft()
        elif offset < 0:
            while len(self.updates) > -offset:
                self.updates.popleft()

    # --- simulated user actions -------------------------------------------------------------

    def _user_message(self, user: User, chat: Chat, **content: Any) -> dict[str, Any]:
        chat.started = True
        message: dict[str, Any] = {
            "message_id": chat.new_message_id(),
            "from": user.to_telegram(),
            "chat": user.chat(),
            "date": int(time.time()),
        }
        message.update(content)
        chat.messages[message["message_id"]] = StoredMessage(message=message, outgoing=False)
        return message

    def user_text(self, user: User, text: str) -> tuple[int | None, int, int]:
        chat = self.chat(user.id)
        content: dict[str, Any] = {"text": text}
        entities = command_entities(text)
        if entities:
            content["entities"] = entities
        message = self._user_message(user, chat, **content)
        event = self.add_event(
            chat,
            "in",
            "message",
            **self.message_event_fields(chat.messages[message["message_id"]]),
        )
        return self.enqueue("message", message), message["message_id"], event["seq"]

    def user_content(
        self, user: User, kind: str, content: dict[str, Any]
    ) -> tuple[int | None, int, int]:
        """A non-text message (location, sticker, photo) from the user."""
        chat = self.chat(user.id)
        message = self._user_message(user, chat, **content)
        event = self.add_event(
            chat, "in", kind, **self.message_event_fields(chat.messages[message["message_id"]])
        )
        return self.enqueue("message", message), message["message_id"], event["seq"]

    def user_callback(
        self, user: User, message_id: int, data: str, button_text: str | None
    ) -> tuple[int | None, str, int]:
        chat = self.chat(user.id)
        stored = chat.messages.get(message_id)
        if stored is not None and not stored.deleted:
            message = clone(stored.message)
        else:
            # What Telegram sends for a message the bot can no longer access.
            message = {"chat": user.chat(), "message_id": message_id, "date": 0}
        query_id = str(4_000_000_000_000_000 + next(self.callback_counter))
        self.callbacks[query_id] = CallbackQuery(
            id=query_id, user_id=user.id, message_id=message_id, data=data, created=time.time()
        )
        query = {
            "id": query_id,
            "from": user.to_telegram(),
            "message": message,
            "chat_instance": str(-(8_000_000_000_000_000_000 + user.id)),
            "data": data,
        }
        event = self.add_event(
            chat,
            "in",
            "callback",
            message_id=message_id,
            data=data,
            text=button_text or data,
            callback_query_id=query_id,
        )
        return self.enqueue("callback_query", query), query_id, event["seq"]

    # --- bot actions ------------------------------------------------------------------------

    def bot_message(
        self, chat: Chat, content: dict[str, Any], markup: dict[str, Any] | None
    ) -> StoredMessage:
        message: dict[str, Any] = {
            "message_id": chat.new_message_id(),
            "from": self.bot_user(),
            "chat": self.users[chat.user_id].chat(),
            "date": int(time.time()),
        }
        message.update(content)
        if markup is not None and "inline_keyboard" in markup:
            message["reply_markup"] = clone(markup)
        stored = StoredMessage(message=message, outgoing=True, markup=clone(markup))
        chat.messages[message["message_id"]] = stored
        kind = "message"
        for special in ("location", "venue", "contact"):
            if special in content:
                kind = special
        self.add_event(chat, "out", kind, **self.message_event_fields(stored))
        return stored

    # --- bookkeeping ------------------------------------------------------------------------

    def record_call(
        self,
        method: str,
        params: dict[str, Any],
        ok: bool,
        error_code: int | None = None,
        description: str | None = None,
        *,
        fault: Fault | None = None,
        carried_out: bool = True,
    ) -> None:
        """Log a call. A call that only ran into an injected fault is no refusal of the bot's
        request, so it stays out of ``errors``."""
        call: dict[str, Any] = {
            "id": next(self.call_counter),
            "time": time.time(),
            "method": method,
            "params": params,
            "ok": ok,
        }
        if not ok:
            call["error_code"] = error_code
            call["description"] = description
        if fault is not None:
            call["fault"] = fault.kind
            call["carried_out"] = carried_out
        if not ok and carried_out:
            self.errors.append(call)
        self.calls.append(call)

    def reset(self) -> None:
        """Forget chats, calls, callbacks and pending updates; keep users and bot settings."""
        self.chats.clear()
        self.updates.clear()
        self.calls.clear()
        self.errors.clear()
        self.callbacks.clear()
        self.blocked.clear()
        self.left_chats.clear()
        self.flood_limit = None
        self._recent_sends.clear()
        self.faults.clear()
        self.groups.clear()
        self.notify()

    def resolve_commands(self, user: User) -> list[dict[str, str]]:
        """The command list a Telegram client would show this user in the private chat."""
        lang = user.language_code
        chat_scope = f"chat:{user.id}"
        for key in (
            (chat_scope, lang),
            (chat_scope, ""),
            ("all_private_chats", lang),
            ("all_private_chats", ""),
            ("default", lang),
            ("default", ""),
        ):
            if key in self.commands:
                return clone(self.commands[key])
        return []


def command_entities(text: str) -> list[dict[str, Any]]:
    """bot_command entities the way Telegram marks them in incoming messages."""
    entities = []
    for match in _COMMAND_RE.finditer(text):
        entities.append(
            {
                "type": "bot_command",
                "offset": utf16_len(text[: match.start()]),
                "length": utf16_len(match.group(0)),
            }
        )
    return entities


def _bot_id_from_token(token: str) -> int:
    head = token.split(":", 1)[0]
    return int(head) if head.isdigit() else 1000001
