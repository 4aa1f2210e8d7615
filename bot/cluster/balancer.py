"""A small HTTP load balancer: round robin over replicas, skipping one that failed.

It stands where a hosting team puts a Kubernetes Service, nginx or a cloud load balancer, in
front of the Rasa servers and of the action servers; the cluster test and benchmark run it.

A request whose replica could not be reached goes to the next one, like every balancer. One
whose replica died while answering goes to the next one too, which a general balancer must not
do for a POST; here both kinds of replica make it safe: Rasa applies a named turn once
(rasa_project/kelisim_engine/once.py) and our actions only read. When every replica failed the
answer is 502, which the bot reads as "the replica died" (bot/dialogue/client.py).

    python -m bot balance --port 5005 http://127.0.0.1:5105 http://127.0.0.1:5205
"""

from __future__ import annotations

import itertools
import logging
import time

import aiohttp
from aiohttp import web

log = logging.getLogger(__name__)
# A replica that failed is skipped this long (unless all failed), then tried again.
RESTING = 2.0
CONNECT_TIMEOUT = 1.0
# Hop-by-hop headers, and those aiohttp sets itself from the body.
_NOT_PASSED = frozenset(
    {"connection", "keep-alive", "transfer-encoding", "content-length", "host", "upgrade"}
)
_FAILED_UNDER_IT = (
    aiohttp.ServerDisconnectedError,
    aiohttp.ClientOSError,
    aiohttp.ClientPayloadError,
)


class Balancer:
    """Round robin over `upstreams` (base URLs)."""

    def __init__(self, upstreams: list[str]) -> None:
        if not upstreams:
            raise ValueError("at least one upstream")
        self.upstreams = [u.rstrip("/") for u in upstreams]
        self._turn = itertools.count()
        self._failed_at: dict[str, float] = {}
        self._session: aiohttp.ClientSession | None = None
        self.retried = 0

    def _order(self) -> list[str]:
        start = next(self._turn) % len(self.upstreams)
        ring = self.upstreams[start:] + self.upstreams[:start]
        now = time.monotonic()
        fresh = [u for u in ring if now - self._failed_at.get(u, -RESTING) >= RESTING]
        return fresh + [u for u in ring if u not in fresh]

    async def handle(self, request: web.Request) -> web.StreamResponse:
        """Pass the request to one replica after another until one answers."""
        assert self._session is not None
        body = await request.read()
        headers = {k: v for k, v in request.headers.items() if k.lower() not in _NOT_PASSED}
        for upstream in self._order():
            try:
                async with self._session.request(
                    request.method, upstream + request.path_qs, data=body, headers=headers
                ) as answer:
                    payload = await answer.read()
                    passed = {
                        k: v for k, v in answer.headers.items() if k.lower() not in _NOT_PASSED
                    }
                    return web.Response(status=answer.status, body=payload, headers=passed)
            except (aiohttp.ClientConnectorError, *_FAILED_UNDER_IT, TimeoutError) as exc:
                self._failed_at[upstream] = time.monotonic()
                self.retried += 1
                log.warning("%s failed (%s): trying the next", upstream, exc.__class__.__name__)
        return web.Response(status=502, text="no replica answered")

    async def start(self, app: web.Application) -> None:
        timeout = aiohttp.ClientTimeout(total=None, sock_connect=CONNECT_TIMEOUT)
        self._session = aiohttp.ClientSession(timeout=timeout, auto_decompress=False)

    async def stop(self, app: web.Application) -> None:
        if self._session is not None:
            await self._session.close()

    def application(self) -> web.Application:
        app = web.Application(client_max_size=8 << 20)
        app.router.add_route("*", "/{path:.*}", self.handle)
        app.on_startup.append(self.start)
        app.on_cleanup.append(self.stop)
        return app


def serve(host: str, port: int, upstreams: list[str]) -> None:
    """Balance until stopped."""
    balancer = Balancer(upstreams)
    log.info("balancing %s:%s over %s", host, port, ", ".join(balancer.upstreams))
    web.run_app(balancer.application(), host=host, port=port, access_log=None, print=None)
