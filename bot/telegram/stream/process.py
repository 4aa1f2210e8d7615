"""The `worker` and `receive` processes: their event loop, signals and orderly stop."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import threading
from collections.abc import Awaitable, Callable

import redis.asyncio as aioredis
from telegram import Update
from telegram.error import InvalidToken

from bot.config import Settings
from bot.content.live import ReloadResult
from bot.supervisor import EXIT_CONFIG
from bot.telegram import app as telegram_app
from bot.telegram import health as bot_health
from bot.telegram.services import services
from bot.telegram.stream import receiver, reloads
from bot.telegram.stream.layout import Layout, LayoutMismatch
from bot.telegram.stream.worker import DRAIN_SECONDS, Worker, application_handler

log = logging.getLogger(__name__)
# After a stop signal: the updates in flight finish, then everything closes within this long.
STOP_GRACE = DRAIN_SECONDS + 10.0


class NeedsRedis(Exception):
    """The worker and the receiver share updates through Redis: REDIS_URL must be set."""


def _check(settings: Settings) -> None:
    if not settings.redis_url:
        raise NeedsRedis("REDIS_URL is not set: workers and receivers meet in Redis")


def _run(main: Callable[[asyncio.Event], Awaitable[None]]) -> None:
    """Run `main` until SIGINT/SIGTERM/SIGHUP sets its event; a second signal, or a stop
    lasting past STOP_GRACE, exits at once."""
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    stop = asyncio.Event()

    def force_exit() -> None:
        log.warning("still stopping %.0f s after the stop signal: exiting now", STOP_GRACE)
        logging.shutdown()
        os._exit(1)

    def on_signal(signum: int) -> None:
        if stop.is_set():
            force_exit()
        log.info("stopping (%s)", signal.Signals(signum).name)
        stop.set()
        watchdog = threading.Timer(STOP_GRACE, force_exit)
        watchdog.daemon = True
        watchdog.start()

    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        loop.add_signal_handler(sig, on_signal, sig)
    try:
        loop.run_until_complete(main(stop))
    except (LayoutMismatch, NeedsRedis) as exc:
        log.error("%s", exc)
        raise SystemExit(EXIT_CONFIG) from None
    except InvalidToken:
        log.error("Telegram refuses the bot's token (TELEGRAM_BOT_TOKEN)")
        raise SystemExit(EXIT_CONFIG) from None
    finally:
        loop.close()


def run_receiver(settings: Settings) -> None:
    """The webhook receiver until a stop signal."""
    _check(settings)
    if not settings.webhook_url:
        raise SystemExit("WEBHOOK_URL is not set: Telegram must know where to deliver")
    _run(lambda stop: receiver.serve(settings, stop))


def run_worker(settings: Settings) -> None:
    """A bot worker until a stop signal: PTB without an Updater, fed from the streams."""
    _check(settings)
    _run(lambda stop: _work(settings, stop))


async def _work(settings: Settings, stop: asyncio.Event) -> None:
    application = telegram_app.build(settings, fetches_updates=False)
    health = bot_health.of(application)
    client = aioredis.Redis.from_url(settings.redis_url)
    layout = Layout(settings.update_partitions, settings.redis_prefix)
    worker = Worker(
        client,
        layout,
        application_handler(application),
        lambda raw: Update.de_json(raw, application.bot),
    )
    health.stream = worker.report
    # The shared send rate is build()'s, in Redis (bot/telegram/stream/sends.py).
    svc = services(application)
    svc.reloaded = reloads.announcer(client, layout.prefix, worker.name)

    async def reloaded_elsewhere(result: ReloadResult) -> None:
        if result.ok:
            await telegram_app.localise_safely(application)

    listening = asyncio.create_task(
        reloads.listen(client, layout.prefix, worker.name, svc.content, reloaded_elsewhere)
    )
    if settings.health_port:
        await health.start(settings.health_listen, settings.health_port)
    try:
        await layout.ensure(client)
        await application.initialize()
        if application.post_init is not None:
            await application.post_init(application)
        await application.start()
        log.info("worker %s serving %d partitions", worker.name, layout.partitions)
        await worker.run(stop)
    finally:
        listening.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await listening
        if application.running:
            await application.stop()
        await application.shutdown()
        if application.post_shutdown is not None:
            await application.post_shutdown(application)
        await client.aclose()
        await health.stop()
