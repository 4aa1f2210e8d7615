"""The bot's health endpoints on HEALTH_PORT (off when 0).

- GET /livez: 200 while the process and its event loop answer (a liveness probe: restart the
  bot when it fails).
- GET /healthz: 200 when Telegram, the database and Rasa all work, 503 naming what does not
  (a readiness probe, or an alert: restarting the bot does not bring Rasa back).

Telegram counts as working when polling fetched updates within the last minute (a long poll
returns every 10 s even when nobody writes), or, with a webhook, when the webhook server runs
and Telegram reports no delivery error newer than the last update that arrived.

The server starts before the bot first reaches Telegram, so a bot that keeps retrying an
unreachable Bot API at start-up is seen as alive but failing, not as dead.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import time
from collections.abc import Callable
from typing import Any

import aiohttp
from aiohttp import web
from sqlalchemy import text
from telegram import Update
from telegram.error import TelegramError
from telegram.ext import Application, ContextTypes, TypeHandler

from bot.telegram.services import services
from bot.telegram.transport import AiohttpRequest

log = logging.getLogger(__name__)
KEY = "health"
# Longer than a long poll (10 s) and PTB's retry pauses while Telegram has a short hiccup.
STALE_AFTER = 60.0
# A first long poll still waiting this long is not a long poll any more (10 s, plus PTB's 5 s
# read timeout).
FIRST_POLL_WITHIN = 20.0
CHECK_TIMEOUT = 3.0
# getWebhookInfo is a call to Telegram: at most once a minute, however often a probe asks.
WEBHOOK_INFO_EVERY = 60.0


class _UpdatesRequest(AiohttpRequest):
    """The request object PTB uses for getUpdates only: notes each successful fetch."""

    def __init__(self, health: Health) -> None:
        # As PTB builds it for getUpdates, but a read timeout of 2 s beyond the long poll: the
        # last getUpdates of a stop (confirming what was fetched) then gives up on a Bot API
        # that hangs after 2 s, not 5.
        super().__init__(connection_pool_size=1, read_timeout=2.0)
        self._health = health

    async def do_request(self, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        if self._health.first_poll is None:
            self._health.first_poll = time.monotonic()
        code, payload = await super().do_request(*args, **kwargs)
        if code == 200:
            self._health.last_fetch = time.monotonic()
            payload = readable_updates(payload)
        return code, payload


def readable_updates(payload: bytes) -> bytes:
    """getUpdates' answer with every update PTB cannot read replaced by its bare update_id.

    PTB parses a whole batch at once: one update it cannot read (an older self-hosted Bot API,
    a field renamed in a future version) fails the batch, and it fetches the same batch again
    forever, so nobody after it is ever answered. The bare id keeps the offset moving and the
    update is simply not handled."""
    try:
        body = json.loads(payload)
        updates = body["result"]
    except (ValueError, KeyError, TypeError):
        return payload  # PTB reports what it cannot read as a whole
    if not isinstance(updates, list):
        return payload
    changed = False
    for index, raw in enumerate(updates):
        try:
            Update.de_json(raw, None)
        except Exception:
            update_id = raw.get("update_id") if isinstance(raw, dict) else None
            if not isinstance(update_id, int):
                return payload
            log.warning("skipped update %s: it could not be read", update_id)
            updates[index] = {"update_id": update_id}
            changed = True
    return json.dumps(body).encode() if changed else payload


class Health:
    """What the endpoints report, and the aiohttp server that reports it."""

    def __init__(self) -> None:
        self.started = time.monotonic()
        self.last_fetch: float | None = None
        # The first long poll answers only when it times out (10 s) if nobody writes.
        self.first_poll: float | None = None
        self.last_update: float | None = None
        self._last_update_at: dt.datetime | None = None
        self._webhook_info: tuple[float, dict[str, Any]] | None = None
        self._application: Application | None = None  # type: ignore[type-arg]
        self._runner: web.AppRunner | None = None
        self._http: aiohttp.ClientSession | None = None
        # A stream worker's report (bot/telegram/stream/worker.py) stands for Telegram's part:
        # the worker does not talk to Telegram for updates, the receiver does.
        self.stream: Callable[[], dict[str, Any]] | None = None

    def updates_request(self) -> AiohttpRequest:
        """For ApplicationBuilder.get_updates_request."""
        return _UpdatesRequest(self)

    def watch(self, application: Application) -> None:  # type: ignore[type-arg]
        """Note every update that arrives (first of all handlers, and never stopping one)."""
        self._application = application
        application.bot_data[KEY] = self
        application.add_handler(TypeHandler(Update, self._saw_update), group=-1000)

    async def _saw_update(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        self.last_update = time.monotonic()
        self._last_update_at = dt.datetime.now(dt.UTC)

    async def start(self, listen: str, port: int) -> None:
        app = web.Application()
        app.router.add_get("/livez", self._livez)
        app.router.add_get("/healthz", self._healthz)
        # Probes ask every few seconds: an access log line each would drown the real ones.
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, listen, port).start()
        self._http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=CHECK_TIMEOUT))
        log.info("health endpoints on http://%s:%s/healthz and /livez", listen, port)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        if self._http is not None:
            await self._http.close()
            self._http = None

    async def _livez(self, request: web.Request) -> web.Response:
        return web.json_response(
            {"status": "ok", "uptime_seconds": round(time.monotonic() - self.started)}
        )

    async def _healthz(self, request: web.Request) -> web.Response:
        telegram, database, rasa = await asyncio.gather(
            self._telegram(), self._database(), self._rasa()
        )
        parts = {"telegram": telegram, "database": database, "rasa": rasa}
        ok = all(part["ok"] for part in parts.values())
        body = {"status": "ok" if ok else "failing", **parts}
        return web.json_response(body, status=200 if ok else 503)

    @staticmethod
    def _age(moment: float | None) -> float | None:
        return None if moment is None else round(time.monotonic() - moment, 1)

    async def _telegram(self) -> dict[str, Any]:
        application = self._application
        if application is None:
            return {"ok": False}
        if self.stream is not None:
            return self.stream()
        webhook = bool(services(application).settings.webhook_url)
        if not webhook:
            age = self._age(self.last_fetch)
            first = self._age(self.first_poll)
            return {
                "ok": (age is not None and age <= STALE_AFTER)
                or (age is None and first is not None and first <= FIRST_POLL_WITHIN),
                "mode": "polling",
                "last_fetch_seconds_ago": age,
                "last_update_seconds_ago": self._age(self.last_update),
            }
        serving = application.updater is not None and application.updater.running
        report: dict[str, Any] = {
            "mode": "webhook",
            "serving": serving,
            "last_update_seconds_ago": self._age(self.last_update),
        }
        try:
            info = await self._webhook(application)
        except (TelegramError, TimeoutError) as exc:
            return {**report, "ok": False, "error": exc.__class__.__name__}
        error_at = info.get("last_error_date")
        failing = error_at is not None and (
            self._last_update_at is None or error_at > self._last_update_at
        )
        report["pending_updates"] = info.get("pending_update_count")
        if error_at is not None:
            report["last_delivery_error"] = info.get("last_error_message")
            report["last_delivery_error_seconds_ago"] = round(
                (dt.datetime.now(dt.UTC) - error_at).total_seconds()
            )
        return {**report, "ok": serving and not failing}

    async def _webhook(self, application: Application) -> dict[str, Any]:  # type: ignore[type-arg]
        cached = self._webhook_info
        if cached is not None and time.monotonic() - cached[0] < WEBHOOK_INFO_EVERY:
            return cached[1]
        info = await asyncio.wait_for(application.bot.get_webhook_info(), CHECK_TIMEOUT)
        found = {
            "last_error_date": info.last_error_date,
            "last_error_message": info.last_error_message,
            "pending_update_count": info.pending_update_count,
        }
        self._webhook_info = (time.monotonic(), found)
        return found

    async def _database(self) -> dict[str, Any]:
        if self._application is None:
            return {"ok": False}
        engine = services(self._application).db.engine
        try:
            async with asyncio.timeout(CHECK_TIMEOUT), engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
        except Exception as exc:
            # The class name only: a driver's message can hold the database URL.
            return {"ok": False, "error": exc.__class__.__name__}
        return {"ok": True}

    async def _rasa(self) -> dict[str, Any]:
        if self._application is None or self._http is None:
            return {"ok": False}
        url = services(self._application).rasa.health_url
        try:
            async with self._http.get(url) as response:
                if response.status == 200:
                    return {"ok": True}
                return {"ok": False, "error": f"HTTP {response.status}"}
        except (aiohttp.ClientError, TimeoutError) as exc:
            return {"ok": False, "error": exc.__class__.__name__}


def of(application: Application) -> Health:  # type: ignore[type-arg]
    found = application.bot_data[KEY]
    assert isinstance(found, Health)
    return found
