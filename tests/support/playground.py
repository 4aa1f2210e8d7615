"""A simulated Telegram user, driven through the emulator's control API over HTTP."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from bot.telegram import directory_codes
from bot.telegram.directory_codes import DirectoryCode, Op

SHOWN = ("message", "edit", "location", "venue", "contact")


@dataclass
class Chat:
    """One simulated user in a private chat with the bot."""

    http: aiohttp.ClientSession
    base: str
    user_id: int
    language_code: str
    seq: int = 0
    history: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    async def open(
        cls,
        http: aiohttp.ClientSession,
        base: str,
        language_code: str,
        name: str = "Test",
        user_id: int | None = None,
    ) -> Chat:
        body: dict[str, Any] = {"first_name": name, "language_code": language_code}
        if user_id is not None:
            body["id"] = user_id
        async with http.post(f"{base}/control/users", json=body) as response:
            response.raise_for_status()
            user = await response.json()
        return cls(http, base, int(user["id"]), language_code)

    async def _post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        async with self.http.post(
            f"{self.base}/control/users/{self.user_id}/{path}", json=body
        ) as r:
            payload: dict[str, Any] = await r.json()
            if r.status != 200:
                raise AssertionError(f"control API refused {path}: {payload}")
            return payload

    async def replies(self, count: int = 1, within: float = 30.0) -> list[dict[str, Any]]:
        """Wait for `count` messages or edits from the bot after the last thing we saw."""
        found: list[dict[str, Any]] = []
        deadline = time.monotonic() + within
        while len(found) < count:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(
                    f"expected {count} replies, got {len(found)}: {[e.get('text') for e in found]}"
                )
            url = f"{self.base}/control/users/{self.user_id}/wait"
            params = {"after": str(self.seq), "timeout": f"{min(left, 10):.1f}"}
            async with self.http.get(url, params=params) as response:
                events: list[dict[str, Any]] = await response.json()
            for event in events:
                self.seq = max(self.seq, int(event["seq"]))
                self.history.append(event)
                if event["kind"] in SHOWN:
                    found.append(event)
        return found

    async def settle(self, quiet: float = 1.0) -> list[dict[str, Any]]:
        """Everything the bot sends until it has been quiet for `quiet` seconds."""
        extra: list[dict[str, Any]] = []
        while True:
            try:
                extra.extend(await self.replies(1, within=quiet))
            except AssertionError:
                return extra

    async def send(self, text: str, count: int = 1, within: float = 30.0) -> list[dict[str, Any]]:
        sent = await self._post("messages", {"text": text})
        self.seq = max(self.seq, int(sent["seq"]))
        return await self.replies(count, within)

    async def send_location(self, lat: float, lon: float, count: int = 1) -> list[dict[str, Any]]:
        sent = await self._post("location", {"latitude": lat, "longitude": lon})
        self.seq = max(self.seq, int(sent["seq"]))
        return await self.replies(count)

    async def send_sticker(self, count: int = 1) -> list[dict[str, Any]]:
        sent = await self._post("sticker", {})
        self.seq = max(self.seq, int(sent["seq"]))
        return await self.replies(count)

    async def press(
        self, data: str, count: int = 1, forge: bool = False, within: float = 30.0
    ) -> list[dict[str, Any]]:
        """Press the newest button with this callback_data (or send it forged)."""
        message_id = self.latest_with_button(data) if not forge else self.latest_message_id()
        sent = await self._post(
            "callback", {"message_id": message_id, "data": data, "forge": forge}
        )
        self.seq = max(self.seq, int(sent["seq"]))
        return await self.replies(count, within)

    def latest_message_id(self) -> int:
        for event in reversed(self.history):
            if event["kind"] == "message" and event.get("message_id"):
                return int(event["message_id"])
        raise AssertionError("the bot has sent nothing yet")

    def latest_with_button(self, data: str) -> int:
        for event in reversed(self.history):
            if data in callback_data(event):
                return int(event["message_id"])
        raise AssertionError(f"no bot message has a button {data!r}")


def callback_data(event: dict[str, Any]) -> list[str]:
    markup = event.get("reply_markup") or {}
    return [
        str(button.get("callback_data"))
        for row in markup.get("inline_keyboard", [])
        for button in row
        if "callback_data" in button
    ]


def directory_buttons(event: dict[str, Any], *ops: Op) -> list[tuple[str, DirectoryCode]]:
    """The mediator search's buttons on a message (those doing one of `ops`, if given): each
    callback_data with the code it reads as."""
    parsed = [(data, directory_codes.parse(data)) for data in callback_data(event)]
    return [(data, c) for data, c in parsed if c is not None and (not ops or c.op in ops)]


def button_labels(event: dict[str, Any]) -> list[str]:
    markup = event.get("reply_markup") or {}
    return [str(b.get("text")) for row in markup.get("inline_keyboard", []) for b in row]
