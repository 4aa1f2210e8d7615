"""Control API under /control/: simulated user actions and inspection, for tests and the page."""

from __future__ import annotations

import ipaddress
import re
import socket
import time
from pathlib import Path
from typing import Any

from aiohttp import web

from bot.emulator.methods import METHODS
from bot.emulator.stale import StaleTexts
from bot.emulator.state import FAULT_KINDS, State, User, clone
from bot.text.telegram_html import utf16_len

MAX_WAIT_TIMEOUT = 60.0
MAX_FAULT_DELAY = 300.0
_USERNAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]{4,31}$")
# Events a test usually waits for; chat actions ("typing") come and go and would satisfy
# count=1 before the actual answer arrives.
_VISIBLE_OUT_KINDS = frozenset(
    {"message", "edit", "delete", "callback_answer", "location", "venue", "contact"}
)


# Message fields that accompany the content rather than name its kind.
_MESSAGE_EXTRAS = frozenset(
    {"caption", "caption_entities", "entities", "has_media_spoiler", "show_caption_above_media"}
)


class ControlError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _fail(status: int, message: str) -> ControlError:
    return ControlError(status, message)


async def _body(request: web.Request) -> dict[str, Any]:
    if not request.can_read_body:
        return {}
    try:
        body = await request.json()
    except ValueError:
        raise _fail(400, "request body must be a JSON object") from None
    if not isinstance(body, dict):
        raise _fail(400, "request body must be a JSON object")
    return body


def _query_number(request: web.Request, name: str, default: float) -> float:
    raw = request.query.get(name)
    if raw is None or raw == "":
        return default
    try:
        return float(raw)
    except ValueError:
        raise _fail(400, f"{name} must be a number") from None


def _number(body: dict[str, Any], name: str) -> float:
    value = body.get(name)
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise _fail(400, f"{name} must be a number")
    try:
        return float(value)
    except ValueError:
        raise _fail(400, f"{name} must be a number") from None


def _optional_positive_int(body: dict[str, Any], name: str) -> int | None:
    value = body.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise _fail(400, f"{name} must be a positive integer")
    return value


def _optional_positive_number(body: dict[str, Any], name: str) -> float | None:
    if body.get(name) is None:
        return None
    value = _number(body, name)
    if not 0 < value < float("inf"):
        raise _fail(400, f"{name} must be a positive number of seconds")
    return value


def _fault_methods(value: Any) -> frozenset[str] | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value or not all(isinstance(m, str) for m in value):
        raise _fail(400, "methods must be a non-empty list of Bot API method names")
    unknown = [m for m in value if m.lower() not in METHODS]
    if unknown:
        raise _fail(400, f"unknown Bot API method(s): {', '.join(unknown)}")
    return frozenset(m.lower() for m in value)


class Control:
    def __init__(self, state: State) -> None:
        self.state = state

    def user(self, request: web.Request) -> User:
        raw = request.match_info["user_id"]
        user = self.state.users.get(int(raw)) if re.fullmatch(r"-?\d+", raw) else None
        if user is None:
            raise _fail(404, f"user {raw} not found")
        return user

    async def health(self, request: web.Request) -> web.Response:
        return web.json_response({"ok": True})

    async def list_users(self, request: web.Request) -> web.Response:
        return web.json_response([u.to_json() for u in self.state.users.values()])

    async def get_user(self, request: web.Request) -> web.Response:
        return web.json_response(self.user(request).to_json())

    async def create_user(self, request: web.Request) -> web.Response:
        body = await _body(request)
        first_name = body.get("first_name")
        if not isinstance(first_name, str) or not 1 <= len(first_name.strip()) <= 64:
            raise _fail(400, "first_name must be 1-64 characters")
        language_code = body.get("language_code", "en")
        if not isinstance(language_code, str) or not re.fullmatch(r"[a-z]{2}", language_code):
            raise _fail(400, "language_code must be a two-letter code such as kk, ru or en")
        username = body.get("username")
        if username is not None and (
            not isinstance(username, str) or not _USERNAME_RE.match(username)
        ):
            raise _fail(400, "username must be 5-32 characters: letters, digits, underscore")
        last_name = body.get("last_name")
        if last_name is not None and not isinstance(last_name, str):
            raise _fail(400, "last_name must be a string")
        user_id = body.get("id")
        if user_id is not None and (
            isinstance(user_id, bool) or not isinstance(user_id, int) or user_id <= 0
        ):
            raise _fail(400, "id must be a positive integer")
        try:
            user = self.state.add_user(
                first_name=first_name.strip(),
                language_code=language_code,
                username=username,
                last_name=last_name,
                user_id=user_id,
            )
        except ValueError as exc:
            raise _fail(409, str(exc)) from None
        return web.json_response(user.to_json(), status=201)

    async def send_text(self, request: web.Request) -> web.Response:
        user = self.user(request)
        text = (await _body(request)).get("text")
        if not isinstance(text, str) or not text.strip():
            raise _fail(400, "text must be a non-empty string")
        if utf16_len(text) > 4096:
            raise _fail(400, "text is longer than Telegram's 4096 characters")
        update_id, message_id, seq = self.state.user_text(user, text)
        return web.json_response({"update_id": update_id, "message_id": message_id, "seq": seq})

    async def send_location(self, request: web.Request) -> web.Response:
        user = self.user(request)
        body = await _body(request)
        latitude = _number(body, "latitude")
        longitude = _number(body, "longitude")
        if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
            raise _fail(400, "latitude must be within -90..90 and longitude within -180..180")
        update_id, message_id, seq = self.state.user_content(
            user, "location", {"location": {"latitude": latitude, "longitude": longitude}}
        )
        return web.json_response({"update_id": update_id, "message_id": message_id, "seq": seq})

    async def block(self, request: web.Request) -> web.Response:
        """The user blocks the bot ({"blocked": true}) or unblocks it."""
        user = self.user(request)
        blocked = (await _body(request)).get("blocked", True)
        if not isinstance(blocked, bool):
            raise _fail(400, "blocked must be true or false")
        (self.state.blocked.add if blocked else self.state.blocked.discard)(user.id)
        return web.json_response({"id": user.id, "blocked": blocked})

    async def flood(self, request: web.Request) -> web.Response:
        """Answer 429 beyond this many sends a second ({"per_second": 30}; null: no limit)."""
        limit = (await _body(request)).get("per_second")
        if limit is not None and (
            isinstance(limit, bool) or not isinstance(limit, int) or limit < 1
        ):
            raise _fail(400, "per_second must be a positive integer or null")
        self.state.flood_limit = limit
        return web.json_response({"per_second": limit})

    async def add_fault(self, request: web.Request) -> web.Response:
        """Make Bot API calls fail, the way Telegram sometimes does:

        {"kind": "429" | "500" | "502" | "drop" | "hang",
         "methods"?: ["sendMessage", ...] (default: every method),
         "count"?: N (the next N matching calls), "seconds"?: T (for T seconds from now),
         "retry_after"?: 1 (429), "delay"?: 5 (hang, seconds), "after_call"?: false}

        Without count and seconds it is the next matching call; with both, whichever ends
        first. 429 carries parameters.retry_after; 500 is Telegram's JSON error; 502 is the
        front end's HTML page; "drop" closes the connection with no answer; "hang" answers
        only after `delay` seconds (a client that gives up first leaves the call undone).
        "after_call" carries the call out and loses only its answer. Rules are tried in the
        order they were added, the first that matches wins. Answers 201 with the rule."""
        body = await _body(request)
        kind = body.get("kind")
        if isinstance(kind, int) and not isinstance(kind, bool):
            kind = str(kind)
        if kind not in FAULT_KINDS:
            raise _fail(400, f"kind must be one of {', '.join(FAULT_KINDS)}")
        methods = _fault_methods(body.get("methods"))
        count = _optional_positive_int(body, "count")
        seconds = _optional_positive_number(body, "seconds")
        if count is None and seconds is None:
            count = 1
        retry_after = _optional_positive_int(body, "retry_after") or 1
        delay = _optional_positive_number(body, "delay")
        if delay is not None and delay > MAX_FAULT_DELAY:
            raise _fail(400, f"delay must be at most {MAX_FAULT_DELAY:.0f} seconds")
        after_call = body.get("after_call", False)
        if not isinstance(after_call, bool):
            raise _fail(400, "after_call must be true or false")
        fault = self.state.add_fault(
            kind,
            methods,
            count,
            seconds,
            retry_after=retry_after,
            delay=5.0 if delay is None else delay,
            after_call=after_call,
        )
        return web.json_response(fault.to_json(time.monotonic()), status=201)

    async def list_faults(self, request: web.Request) -> web.Response:
        """Every rule added since the last clear, with how often it fired and whether it is
        still active."""
        now = time.monotonic()
        return web.json_response([f.to_json(now) for f in self.state.faults])

    async def clear_faults(self, request: web.Request) -> web.Response:
        """Calls succeed again (as far as the flood limit and blocked users allow)."""
        cleared = len(self.state.faults)
        self.state.faults.clear()
        return web.json_response({"cleared": cleared})

    async def groups(self, request: web.Request) -> web.Response:
        """Groups and channels known from injected updates: the chat, whether the bot is still
        a member, and what it posted there."""
        return web.json_response([g.to_json() for g in self.state.groups.values()])

    async def send_sticker(self, request: web.Request) -> web.Response:
        user = self.user(request)
        emoji = (await _body(request)).get("emoji") or "👍"
        if not isinstance(emoji, str):
            raise _fail(400, "emoji must be a string")
        sticker = {
            "file_id": "CAACAgIAAxkBAAEemulatorsticker",
            "file_unique_id": "AgADemusticker",
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": emoji,
        }
        update_id, message_id, seq = self.state.user_content(user, "sticker", {"sticker": sticker})
        return web.json_response({"update_id": update_id, "message_id": message_id, "seq": seq})

    async def send_photo(self, request: web.Request) -> web.Response:
        user = self.user(request)
        caption = (await _body(request)).get("caption")
        if caption is not None and not isinstance(caption, str):
            raise _fail(400, "caption must be a string")
        content: dict[str, Any] = {
            "photo": [
                {
                    "file_id": "AgACAgIAAxkBAAEemulatorphoto-s",
                    "file_unique_id": "AQADemuphoto-s",
                    "width": 90,
                    "height": 60,
                    "file_size": 1200,
                },
                {
                    "file_id": "AgACAgIAAxkBAAEemulatorphoto-m",
                    "file_unique_id": "AQADemuphoto-m",
                    "width": 800,
                    "height": 533,
                    "file_size": 48000,
                },
            ]
        }
        if caption:
            content["caption"] = caption
        update_id, message_id, seq = self.state.user_content(user, "photo", content)
        return web.json_response({"update_id": update_id, "message_id": message_id, "seq": seq})

    async def send_content(self, request: web.Request) -> web.Response:
        """Any other message the user can send, as Telegram's Message fields:
        {"content": {"voice": {...}}} or {"content": {"dice": {"emoji": "🎲", "value": 3}}}.
        The emulator adds message_id, from, chat and date; text goes through /messages."""
        user = self.user(request)
        content = (await _body(request)).get("content")
        if not isinstance(content, dict) or not content:
            raise _fail(400, "content must be a non-empty object of Message fields")
        reserved = sorted({"message_id", "from", "chat", "date", "text"} & set(content))
        if reserved:
            raise _fail(400, f"content must not set {', '.join(reserved)}")
        caption = content.get("caption")
        if caption is not None and (not isinstance(caption, str) or utf16_len(caption) > 1024):
            raise _fail(400, "caption must be a string of at most 1024 characters")
        kind = next((k for k in content if k not in _MESSAGE_EXTRAS), "message")
        update_id, message_id, seq = self.state.user_content(user, kind, content)
        return web.json_response({"update_id": update_id, "message_id": message_id, "seq": seq})

    async def press_button(self, request: web.Request) -> web.Response:
        user = self.user(request)
        body = await _body(request)
        message_id = body.get("message_id")
        data = body.get("data")
        if isinstance(message_id, bool) or not isinstance(message_id, int):
            raise _fail(400, "message_id must be an integer")
        if not isinstance(data, str):
            raise _fail(400, "data must be a string")
        forge = body.get("forge") is True
        button_text = self._find_button(user, message_id, data)
        if button_text is None and not forge:
            raise _fail(
                400,
                f"message {message_id} has no inline button with callback_data {data!r} "
                '(pass "forge": true to send it anyway)',
            )
        update_id, query_id, seq = self.state.user_callback(user, message_id, data, button_text)
        return web.json_response(
            {"update_id": update_id, "callback_query_id": query_id, "seq": seq}
        )

    def _find_button(self, user: User, message_id: int, data: str) -> str | None:
        chat = self.state.chats.get(user.id)
        stored = chat.messages.get(message_id) if chat else None
        if stored is None or stored.deleted or not stored.outgoing:
            return None
        markup = stored.message.get("reply_markup") or {}
        for row in markup.get("inline_keyboard", []):
            for button in row:
                if button.get("callback_data") == data:
                    return str(button.get("text", ""))
        return None

    async def chat_events(self, request: web.Request) -> web.Response:
        user = self.user(request)
        after = int(_query_number(request, "after", 0))
        return web.json_response(self.state.events_after(user.id, after))

    async def wait_events(self, request: web.Request) -> web.Response:
        user = self.user(request)
        after = int(_query_number(request, "after", 0))
        timeout = min(max(_query_number(request, "timeout", 10.0), 0.0), MAX_WAIT_TIMEOUT)
        count = max(1, int(_query_number(request, "count", 1)))
        everything = request.query.get("all", "") in ("1", "true")

        def matching() -> list[dict[str, Any]]:
            events = self.state.events_after(user.id, after)
            if everything:
                return events
            return [
                e for e in events if e["direction"] == "out" and e["kind"] in _VISIBLE_OUT_KINDS
            ]

        def enough() -> list[dict[str, Any]]:
            found = matching()
            return found if len(found) >= count else []

        events = await self.state.wait_for(enough, timeout)
        # On timeout, hand back whatever did arrive so the caller can show a useful diff.
        return web.json_response(events or matching())

    async def messages(self, request: web.Request) -> web.Response:
        user = self.user(request)
        chat = self.state.chats.get(user.id)
        result = []
        for stored in chat.messages.values() if chat else []:
            item = clone(stored.message)
            item["emulator"] = {
                "outgoing": stored.outgoing,
                "deleted": stored.deleted,
                "markup": clone(stored.markup),
            }
            result.append(item)
        return web.json_response(result)

    async def user_commands(self, request: web.Request) -> web.Response:
        return web.json_response(self.state.resolve_commands(self.user(request)))

    async def calls(self, request: web.Request) -> web.Response:
        since = int(_query_number(request, "since", 0))
        method = request.query.get("method", "").lower()
        calls = [
            c
            for c in self.state.calls
            if c["id"] > since and (not method or c["method"].lower() == method)
        ]
        return web.json_response(calls)

    async def errors(self, request: web.Request) -> web.Response:
        since = int(_query_number(request, "since", 0))
        return web.json_response([c for c in self.state.errors if c["id"] > since])

    async def callbacks(self, request: web.Request) -> web.Response:
        return web.json_response(
            [
                {
                    "id": q.id,
                    "user_id": q.user_id,
                    "message_id": q.message_id,
                    "data": q.data,
                    "answered": q.answered,
                    "answer": q.answer,
                }
                for q in self.state.callbacks.values()
            ]
        )

    async def updates(self, request: web.Request) -> web.Response:
        return web.json_response(list(self.state.updates))

    async def inject_update(self, request: web.Request) -> web.Response:
        """Any update as Telegram would send it (a group message, a channel post, an edit):
        {"kind": "channel_post", "payload": {...}}. `queued` is false when the bot's
        allowed_updates leave that kind out, unless "force": true (Telegram may deliver kinds
        the bot no longer asks for for a while after allowed_updates changed). A group or
        channel in the update becomes known: the bot can post there until it leaves."""
        body = await _body(request)
        kind, payload = body.get("kind"), body.get("payload")
        if not isinstance(kind, str) or not isinstance(payload, dict):
            raise _fail(400, "kind must be an update kind and payload an object")
        force = body.get("force", False)
        if not isinstance(force, bool):
            raise _fail(400, "force must be true or false")
        update_id = self.state.enqueue(kind, payload, force=force)
        return web.json_response({"queued": update_id is not None, "update_id": update_id})

    async def left_chats(self, request: web.Request) -> web.Response:
        return web.json_response(self.state.left_chats)

    async def bot(self, request: web.Request) -> web.Response:
        state = self.state
        hook = state.webhook
        return web.json_response(
            {
                "me": state.get_me(),
                "commands": [
                    {
                        "scope": state.command_scopes.get(key, {"type": key}),
                        "language_code": lang,
                        "commands": commands,
                    }
                    for (key, lang), commands in state.commands.items()
                ],
                "descriptions": state.descriptions,
                "short_descriptions": state.short_descriptions,
                "names": state.names,
                "webhook": None
                if hook is None
                else {
                    "url": hook.url,
                    "has_secret_token": bool(hook.secret_token),
                    "allowed_updates": hook.allowed_updates,
                    "last_error_date": hook.last_error_date,
                    "last_error_message": hook.last_error_message,
                },
                "allowed_updates": sorted(state.allowed_updates),
                "pending_update_count": len(state.updates),
            }
        )

    async def reset(self, request: web.Request) -> web.Response:
        self.state.reset()
        return web.json_response({"ok": True})


def _loopback_or_literal(host: str) -> bool:
    name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
    name = name.strip("[]").lower()
    if name in ("localhost", socket.gethostname().lower()):
        return True
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


@web.middleware
async def _same_origin(request: web.Request, handler: Any) -> web.StreamResponse:
    """The control API drives fake users: only the playground page and local tools may call it.

    A web page elsewhere cannot post to it from the developer's browser (its Origin differs),
    nor reach it through a domain name that resolves to this machine (DNS rebinding: the Host
    is then a name, not an address)."""
    origin = request.headers.get("Origin")
    if origin is not None and origin != f"{request.scheme}://{request.host}":
        return web.json_response({"error": "cross-origin requests are refused"}, status=403)
    if not _loopback_or_literal(request.host):
        return web.json_response({"error": f"unknown host {request.host!r}"}, status=403)
    response: web.StreamResponse = await handler(request)
    return response


@web.middleware
async def _control_errors(request: web.Request, handler: Any) -> web.StreamResponse:
    try:
        response: web.StreamResponse = await handler(request)
    except ControlError as exc:
        return web.json_response({"error": exc.message}, status=exc.status)
    return response


def add_routes(
    app: web.Application, key: web.AppKey[State], content_dir: Path | None = None
) -> None:
    control = Control(app[key])
    sub = web.Application(middlewares=[_same_origin, _control_errors])
    r = sub.router
    r.add_get("/health", control.health)
    r.add_get("/users", control.list_users)
    r.add_post("/users", control.create_user)
    r.add_get("/users/{user_id}", control.get_user)
    r.add_post("/users/{user_id}/messages", control.send_text)
    r.add_get("/users/{user_id}/messages", control.messages)
    r.add_post("/users/{user_id}/location", control.send_location)
    r.add_post("/users/{user_id}/callback", control.press_button)
    r.add_post("/users/{user_id}/sticker", control.send_sticker)
    r.add_post("/users/{user_id}/block", control.block)
    r.add_post("/flood", control.flood)
    r.add_post("/faults", control.add_fault)
    r.add_get("/faults", control.list_faults)
    r.add_delete("/faults", control.clear_faults)
    r.add_get("/groups", control.groups)
    r.add_post("/users/{user_id}/photo", control.send_photo)
    r.add_post("/users/{user_id}/content", control.send_content)
    r.add_get("/users/{user_id}/chat", control.chat_events)
    r.add_get("/users/{user_id}/wait", control.wait_events)
    r.add_get("/users/{user_id}/commands", control.user_commands)
    r.add_get("/calls", control.calls)
    r.add_get("/errors", control.errors)
    r.add_get("/callbacks", control.callbacks)
    r.add_get("/updates", control.updates)
    r.add_post("/updates", control.inject_update)
    r.add_get("/left", control.left_chats)
    r.add_get("/bot", control.bot)
    r.add_post("/reset", control.reset)
    r.add_get("/translations", StaleTexts(content_dir).handle)
    app.add_subapp("/control/", sub)
