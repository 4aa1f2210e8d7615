"""PTB's requests to the Bot API over aiohttp, the HTTP client the rest of the bot already uses.

PTB ships an httpx client; on loopback a call through it cost about 3.5 times as much as the
same call through aiohttp (docs/benchmarks.md, issue 14), and every answered message costs at
least two (getUpdates, sendMessage). Failures keep PTB's meaning: a timeout is `TimedOut`,
anything else on the way `NetworkError`, each with aiohttp's error as `__cause__`, so
`certainly_not_sent` can tell a request that never left from one Telegram may have acted on.
"""

from __future__ import annotations

import json
from typing import Any

import aiohttp
from telegram.error import NetworkError, TelegramError, TimedOut
from telegram.request import BaseRequest, RequestData

# PTB's own defaults for its httpx client (telegram.request.HTTPXRequest).
READ_TIMEOUT = 5.0
CONNECT_TIMEOUT = 5.0
POOL_TIMEOUT = 1.0

Timeout = float | None


def _given(value: Any, default: Timeout) -> Timeout:
    """PTB passes DEFAULT_NONE when a call sets no timeout of its own."""
    return default if isinstance(value, type(BaseRequest.DEFAULT_NONE)) else value


class AiohttpRequest(BaseRequest):
    """A BaseRequest on one aiohttp session with a pool of `connection_pool_size`.

    aiohttp has no write timeout, so none is taken (PTB's per-call `write_timeout` is
    ignored): a request body is small, and the read timeout starts once it is written.
    Waiting for a pooled connection and connecting share aiohttp's `connect` timeout (pool +
    connect), and both end in an error that says the request never left."""

    def __init__(
        self,
        connection_pool_size: int = 1,
        read_timeout: Timeout = READ_TIMEOUT,
        connect_timeout: Timeout = CONNECT_TIMEOUT,
        pool_timeout: Timeout = POOL_TIMEOUT,
    ) -> None:
        self._pool_size = connection_pool_size
        self._read_timeout = read_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> Timeout:
        return self._read_timeout

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self._pool_size, limit_per_host=0)
            self._session = aiohttp.ClientSession(
                connector=connector, timeout=aiohttp.ClientTimeout(total=None)
            )

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._session is None:
            # PTB's httpx client works before `initialize` too, and callers rely on it.
            await self.initialize()
        assert self._session is not None
        if self._session.closed:
            raise RuntimeError("This AiohttpRequest is shut down")
        read = _given(read_timeout, self._read_timeout)
        connect = _given(connect_timeout, self._connect_timeout)
        pool = _given(pool_timeout, self._pool_timeout)
        timeout = aiohttp.ClientTimeout(
            total=None,
            connect=None if connect is None or pool is None else connect + pool,
            sock_connect=connect,
            sock_read=read,
        )
        body = _body(request_data)
        headers = {"User-Agent": self.USER_AGENT}
        if isinstance(body, bytes):
            headers["Content-Type"] = "application/json"
        try:
            async with self._session.request(
                method, url, data=body, headers=headers, timeout=timeout
            ) as response:
                return response.status, await response.read()
        except (TimeoutError, aiohttp.ServerTimeoutError) as err:
            raise TimedOut(f"aiohttp.{err.__class__.__name__}: {err}") from err
        except aiohttp.ClientError as err:
            raise NetworkError(f"aiohttp.{err.__class__.__name__}: {err}") from err


def _body(request_data: RequestData | None) -> aiohttp.FormData | bytes | None:
    """The parameters as one JSON object, which the Bot API takes as well as a form and which
    costs far less to build and to read than a URL-encoded form (every character of a
    message's text went through `urllib.parse.quote`); with files, a multipart form: the
    fields as PTB encodes them and the files as parts beside them."""
    if request_data is None:
        return None
    if not request_data.contains_files:
        return json.dumps(
            request_data.parameters, ensure_ascii=False, separators=(",", ":")
        ).encode()
    fields = request_data.json_parameters
    files = request_data.multipart_data
    form = aiohttp.FormData()
    for name, value in fields.items():
        form.add_field(name, value)
    for name, part in files.items():
        filename, content, *rest = part
        form.add_field(name, content, filename=filename, content_type=rest[0] if rest else None)
    return form


def certainly_not_sent(error: TelegramError) -> bool:
    """True when Telegram cannot have acted on the request that failed with `error`.

    The request never left when waiting for a connection or connecting timed out, or the
    connection was refused; Telegram says it did not act when it answered with an error status
    (a 5xx, whose body may not even be JSON), except a gateway timeout, which may still go
    out. Anything else (a read timeout, a connection dropped after the request was written)
    may have arrived."""
    cause = error.__cause__
    if isinstance(error, TimedOut):
        return isinstance(cause, aiohttp.ConnectionTimeoutError)
    if cause is None or isinstance(cause, TelegramError):
        return "gateway timeout" not in error.message.lower()
    return isinstance(cause, aiohttp.ClientConnectorError)
