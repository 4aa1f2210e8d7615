"""HTTP side of the emulator: the Bot API, the control API, the playground page, webhooks."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import re
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

from bot.config import content_dir
from bot.emulator import control
from bot.emulator.methods import METHODS, ApiError, Handler, Params, decode_for_record
from bot.emulator.state import Fault, State

log = logging.getLogger(__name__)

STATE_KEY = web.AppKey("emulator_state", State)
STATIC_DIR = Path(__file__).resolve().parent / "static"

_TOKEN_RE = re.compile(r"^\d{1,20}:[A-Za-z0-9_-]{1,100}$")

# Webhook delivery is bounded: a dead receiver must not keep the emulator busy or hanging.
WEBHOOK_ATTEMPTS = 4
WEBHOOK_TIMEOUT = 10.0
WEBHOOK_BACKOFF = (0.2, 0.5, 1.0)

_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)


def _error(code: int, description: str, retry_after: int | None = None) -> web.Response:
    body: dict[str, Any] = {"ok": False, "error_code": code, "description": description}
    if retry_after is not None:
        body["parameters"] = {"retry_after": retry_after}
    return web.json_response(body, status=code)


async def _read_params(request: web.Request) -> dict[str, Any]:
    params: dict[str, Any] = dict(request.query)
    if request.method != "POST" or not request.can_read_body:
        return params
    content_type = request.content_type
    if content_type == "application/json":
        try:
            body = await request.json()
        except ValueError:
            raise ApiError(400, "Bad Request: can't parse JSON object") from None
        if not isinstance(body, dict):
            raise ApiError(400, "Bad Request: can't parse JSON object")
        params.update(body)
    elif content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        form = await request.post()
        for key, value in form.items():
            # Uploaded files are not emulated; keep a marker so the call log shows them.
            if isinstance(value, str):
                params[key] = value
            elif isinstance(value, bytes | bytearray):
                params[key] = value.decode("utf-8", errors="replace")
            else:
                params[key] = f"<file {value.filename}>"
    return params


async def _bot_api(request: web.Request) -> web.Response:
    state = request.app[STATE_KEY]
    token = request.match_info["token"]
    method_name = request.match_info["method"]
    if not _TOKEN_RE.match(token):
        state.record_call(method_name, {}, False, 404, "Not Found")
        return _error(404, "Not Found")
    if state.bot_token is not None and token != state.bot_token:
        state.record_call(method_name, {}, False, 401, "Unauthorized")
        return _error(401, "Unauthorized")
    state.observe_token(token)
    try:
        raw = await _read_params(request)
    except ApiError as exc:
        state.record_call(method_name, {}, False, exc.code, exc.description)
        return _error(exc.code, exc.description)
    entry = METHODS.get(method_name.lower())
    if entry is None:
        state.record_call(method_name, decode_for_record(raw), False, 404, "Not Found")
        return _error(404, "Not Found")
    canonical, handler = entry
    fault = state.take_fault(canonical)
    if fault is not None:
        return await _faulty(request, state, fault, canonical, handler, raw)
    return await _carry_out(state, canonical, handler, raw)


async def _carry_out(
    state: State, method: str, handler: Handler, raw: dict[str, Any], fault: Fault | None = None
) -> web.Response:
    recorded = decode_for_record(raw)
    try:
        result = await handler(state, Params(raw))
    except ApiError as exc:
        state.record_call(method, recorded, False, exc.code, exc.description, fault=fault)
        return _error(exc.code, exc.description, exc.retry_after)
    state.record_call(method, recorded, True, fault=fault)
    return web.json_response({"ok": True, "result": result})


# What Telegram's front end (nginx) answers when the Bot API server behind it is down.
_BAD_GATEWAY_PAGE = (
    "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n"
    "</body>\r\n</html>\r\n"
)


async def _faulty(
    request: web.Request,
    state: State,
    fault: Fault,
    method: str,
    handler: Handler,
    raw: dict[str, Any],
) -> web.Response:
    """The call as an injected fault has it: refused, dropped or slow; carried out only with
    ``after_call`` (or, for a hang, once the wait is over)."""
    if fault.kind == "hang":
        if fault.after_call:
            response = await _carry_out(state, method, handler, raw, fault)
            await asyncio.sleep(fault.delay)
            return response
        try:
            await asyncio.sleep(fault.delay)
        except asyncio.CancelledError:
            # The client gave up (a timeout): the call never happened, as on a stuck server.
            state.record_call(
                method,
                decode_for_record(raw),
                False,
                None,
                "the client gave up waiting",
                fault=fault,
                carried_out=False,
            )
            raise
        return await _carry_out(state, method, handler, raw, fault)
    if fault.after_call:
        await _carry_out(state, method, handler, raw, fault)
    else:
        code = {"429": 429, "500": 500, "502": 502}.get(fault.kind)
        state.record_call(
            method, decode_for_record(raw), False, code, fault.kind, fault=fault, carried_out=False
        )
    if fault.kind == "429":
        return _error(429, f"Too Many Requests: retry after {fault.retry_after}", fault.retry_after)
    if fault.kind == "500":
        return _error(500, "Internal Server Error")
    if fault.kind == "502":
        return web.Response(status=502, text=_BAD_GATEWAY_PAGE, content_type="text/html")
    # "drop": the connection closes with no answer at all.
    if request.transport is not None:
        request.transport.close()
    return web.Response()


async def _deliver(session: aiohttp.ClientSession, state: State, update: dict[str, Any]) -> bool:
    """POST one update to the webhook, retrying a few times; True once it was accepted."""
    for attempt in range(WEBHOOK_ATTEMPTS):
        hook = state.webhook
        if hook is None:
            return False
        headers = {}
        if hook.secret_token:
            headers["X-Telegram-Bot-Api-Secret-Token"] = hook.secret_token
        try:
            async with session.post(hook.url, json=update, headers=headers) as response:
                if 200 <= response.status < 300:
                    return True
                error = f"Wrong response from the webhook: {response.status} {response.reason}"
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            error = f"Connection failed: {exc.__class__.__name__}"
        hook.last_error_date = int(time.time())
        hook.last_error_message = error
        log.warning("webhook delivery of update %s failed: %s", update["update_id"], error)
        if attempt < len(WEBHOOK_BACKOFF):
            await asyncio.sleep(WEBHOOK_BACKOFF[attempt])
    return False


async def _webhook_worker(app: web.Application) -> None:
    state = app[STATE_KEY]
    timeout = aiohttp.ClientTimeout(total=WEBHOOK_TIMEOUT)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        while True:
            await state.wait_for(lambda: state.webhook is not None and bool(state.updates), 60)
            if state.webhook is None or not state.updates:
                continue
            update = state.updates[0]
            delivered = await _deliver(session, state, update)
            if not delivered and state.webhook is None:
                # Webhook removed meanwhile: the update stays for getUpdates.
                continue
            # Delivered, or given up after the bounded retries: either way it leaves the queue.
            if state.updates and state.updates[0] is update:
                state.updates.popleft()
                state.notify()


async def _background(app: web.Application) -> AsyncIterator[None]:
    task = asyncio.create_task(_webhook_worker(app))
    yield
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


@web.middleware
async def _security_headers(request: web.Request, handler: Any) -> web.StreamResponse:
    response: web.StreamResponse = await handler(request)
    response.headers.setdefault("Content-Security-Policy", _CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Cache-Control", "no-store")
    return response


async def _index(request: web.Request) -> web.FileResponse:
    return web.FileResponse(STATIC_DIR / "index.html")


def create_app(
    *,
    bot_token: str | None = None,
    bot_username: str = "kelisim_bot",
    bot_name: str = "Kelisim",
    content_dir: Path | None = None,
) -> web.Application:
    """Build the emulator application.

    ``bot_token`` None accepts any well-formed token; the bot id in getMe is then taken from the
    number before ':' of the token the bot uses. ``content_dir``: the bot's content, whose
    stale translations the playground marks (None: none).
    """
    app = web.Application(middlewares=[_security_headers])
    app[STATE_KEY] = State(bot_token=bot_token, bot_username=bot_username, bot_name=bot_name)
    app.router.add_route("*", "/bot{token}/{method}", _bot_api)
    control.add_routes(app, STATE_KEY, content_dir)
    app.router.add_get("/", _index)
    app.router.add_static("/static/", STATIC_DIR)
    app.cleanup_ctx.append(_background)
    return app


async def run_emulator(host: str = "127.0.0.1", port: int = 8080, **kw: Any) -> None:
    """Serve the emulator until cancelled; ``kw`` goes to :func:`create_app`."""
    app = create_app(**kw)
    # Cancel handlers of clients that went away, so an abandoned long poll is not answered
    # (and logged as a conflict) after a bot restart.
    runner = web.AppRunner(app, handler_cancellation=True, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    log.info(
        "Telegram Bot API emulator on http://%s:%s/ (Bot API base %s)",
        host,
        port,
        f"http://{host}:{port}/bot",
    )
    try:
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bot emulator",
        description="Local Telegram Bot API emulator with a web chat playground.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8080, help="port (default 8080)")
    parser.add_argument(
        "--token", default=None, help="only accept this bot token (default: accept any token)"
    )
    parser.add_argument("--bot-username", default="kelisim_bot", help="username in getMe")
    parser.add_argument("--bot-name", default="Kelisim", help="first_name in getMe")
    parser.add_argument(
        "--content",
        type=Path,
        default=None,
        help="the content tree whose stale translations the playground marks (default: "
        "CONTENT_DIR, or content/)",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    print(
        f"Playground: http://{args.host}:{args.port}/  Bot API: http://{args.host}:{args.port}/bot"
    )
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(
            run_emulator(
                args.host,
                args.port,
                bot_token=args.token,
                bot_username=args.bot_username,
                bot_name=args.bot_name,
                content_dir=args.content or content_dir(),
            )
        )
