"""The webhook receiver: Telegram's POSTs go onto the partition streams, nothing else.

It holds no state, so several can run behind a load balancer; Telegram is told where to
deliver (setWebhook) when one starts. An update is acknowledged to Telegram (200) only once
Redis has it: if Redis cannot take it, Telegram is told to try again later (503).
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from urllib.parse import urlsplit

import redis.asyncio as aioredis
from aiohttp import web
from redis.exceptions import RedisError
from telegram import Bot
from telegram.error import InvalidToken, TelegramError

from bot.config import Settings
from bot.telegram.app import ALLOWED_UPDATES
from bot.telegram.stream.layout import MAX_WAITING, Layout
from bot.telegram.transport import AiohttpRequest

log = logging.getLogger(__name__)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# Telegram's own updates are a few kilobytes; anything bigger is not from Telegram.
MAX_BODY = 1 << 20
# Telegram stops delivering an update after a day.
RECEIVED_SECONDS = 86_400
# Between tries of setWebhook while the Bot API does not answer.
RETRY_EVERY = 5.0
_REDIS = web.AppKey("redis", aioredis.Redis)
_LAYOUT = web.AppKey("layout", Layout)
_SECRET = web.AppKey("secret", str)


async def _receive(request: web.Request) -> web.Response:
    """One update from Telegram: checked, then put on its chat's stream."""
    given = request.headers.get(SECRET_HEADER, "")
    if not hmac.compare_digest(given.encode(), request.app[_SECRET].encode()):
        return web.Response(status=403)
    try:
        update = json.loads(await request.read())
    except ValueError:
        return web.Response(status=400)
    if not isinstance(update, dict) or not isinstance(update.get("update_id"), int):
        return web.Response(status=400)
    layout = request.app[_LAYOUT]
    client = request.app[_REDIS]
    stream = layout.stream(layout.partition_of(update))
    seen = layout.received(update["update_id"])
    try:
        # Telegram delivers again when it did not get our 200: queue each update once.
        if not await client.set(seen, 1, nx=True, ex=RECEIVED_SECONDS):
            return web.Response(status=200)
        try:
            await client.xadd(
                stream, {"u": json.dumps(update)}, maxlen=MAX_WAITING, approximate=True
            )
        except RedisError:
            await client.delete(seen)
            raise
    except RedisError as exc:
        # Telegram delivers it again later: nothing is lost while Redis is away.
        log.warning("could not queue update %s: %s", update["update_id"], exc.__class__.__name__)
        return web.Response(status=503)
    return web.Response(status=200)


async def _livez(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


async def _healthz(request: web.Request) -> web.Response:
    try:
        await asyncio.wait_for(request.app[_REDIS].ping(), 3.0)
    except (RedisError, TimeoutError) as exc:
        return web.json_response(
            {"status": "failing", "redis": {"ok": False, "error": exc.__class__.__name__}},
            status=503,
        )
    return web.json_response({"status": "ok", "redis": {"ok": True}})


def application(settings: Settings, client: aioredis.Redis, layout: Layout) -> web.Application:
    """The receiver's routes: the webhook's path, /livez and /healthz."""
    app = web.Application(client_max_size=MAX_BODY)
    app[_REDIS] = client
    app[_LAYOUT] = layout
    app[_SECRET] = settings.webhook_secret_token
    app.router.add_post("/" + webhook_path(settings.webhook_url), _receive)
    app.router.add_get("/livez", _livez)
    app.router.add_get("/healthz", _healthz)
    return app


def webhook_path(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


async def set_webhook(settings: Settings, say_every: float = 30.0) -> None:
    """Tell Telegram where to deliver, trying again until the Bot API answers."""
    bot = Bot(settings.token, base_url=settings.telegram_api_base_url, request=AiohttpRequest())
    waited = 0.0
    async with bot:
        while True:
            try:
                await bot.set_webhook(
                    settings.webhook_url,
                    secret_token=settings.webhook_secret_token,
                    allowed_updates=ALLOWED_UPDATES,
                )
                return
            except InvalidToken:
                raise
            except (TelegramError, OSError) as exc:
                if waited % say_every < RETRY_EVERY:
                    log.warning("setWebhook failed (%s); trying again", exc.__class__.__name__)
            await asyncio.sleep(RETRY_EVERY)
            waited += RETRY_EVERY


async def serve(settings: Settings, stop: asyncio.Event) -> None:
    """Receive until `stop` is set."""
    client = aioredis.Redis.from_url(settings.redis_url)
    layout = Layout(settings.update_partitions, settings.redis_prefix)
    runner: web.AppRunner | None = None
    try:
        await layout.ensure(client)
        runner = web.AppRunner(application(settings, client, layout), access_log=None)
        await runner.setup()
        await web.TCPSite(runner, settings.webhook_listen, settings.webhook_port).start()
        log.info(
            "receiving updates on %s:%s into %d partitions",
            settings.webhook_listen, settings.webhook_port, layout.partitions,
        )  # fmt: skip
        await set_webhook(settings)
        log.info("webhook set")
        await stop.wait()
    finally:
        if runner is not None:
            await runner.cleanup()
        await client.aclose()
