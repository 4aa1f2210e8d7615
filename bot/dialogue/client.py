"""Rasa's REST channel over one shared aiohttp session."""

from __future__ import annotations

import hashlib
import hmac
import logging
from typing import Any

import aiohttp

log = logging.getLogger(__name__)


# Turns sent to Rasa at once; more wait for a connection (a Rasa process computes one turn at
# a time anyway).
RASA_CONNECTIONS = 64


class DialogueUnavailable(Exception):
    """Rasa could not be reached, failed, or answered with nothing."""


def sender_id(secret: str, telegram_id: int, salt: str = "") -> str:
    """A pseudonym, so Rasa's tracker store never holds a Telegram id; with the person's salt
    (renewed by /forget) it cannot be recomputed from the id and the key alone."""
    subject = f"{telegram_id}:{salt}" if salt else str(telegram_id)
    digest = hmac.new(secret.encode(), subject.encode(), hashlib.sha256)
    return digest.hexdigest()[:32]


class RasaClient:
    """POST /webhooks/rest/webhook; one retry when no connection could be made."""

    def __init__(self, base_url: str, timeout: float = 10.0, api_token: str = "") -> None:
        self.base_url = base_url.rstrip("/")
        self.api_token = api_token
        self.webhook = f"{base_url.rstrip('/')}/webhooks/rest/webhook"
        self.health_url = f"{base_url.rstrip('/')}/"
        self._timeout = aiohttp.ClientTimeout(total=timeout, connect=min(timeout, 3.0))
        self._session: aiohttp.ClientSession | None = None

    async def start(self) -> None:
        if self._session is None:
            connector = aiohttp.TCPConnector(limit=RASA_CONNECTIONS)
            self._session = aiohttp.ClientSession(timeout=self._timeout, connector=connector)

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def purge(self, sender: str) -> bool:
        """Replace the conversation's events with none: its text leaves Rasa's tracker store
        (in memory too). Needs Rasa's HTTP API token; False when it is not set or fails."""
        if not self.api_token:
            return False
        await self.start()
        assert self._session is not None
        url = f"{self.base_url}/conversations/{sender}/tracker/events"
        try:
            async with self._session.put(url, params={"token": self.api_token}, json=[]) as r:
                return r.status == 200
        except (aiohttp.ClientError, TimeoutError) as exc:
            log.warning("could not purge a conversation in Rasa: %s", exc)
            return False

    async def send(
        self, sender: str, message: str, metadata: dict[str, Any]
    ) -> list[dict[str, Any]]:
        """Send one user turn; return Rasa's messages or raise DialogueUnavailable."""
        await self.start()
        assert self._session is not None
        body = {"sender": sender, "message": message, "metadata": metadata}
        for attempt in (1, 2):
            try:
                async with self._session.post(self.webhook, json=body) as response:
                    if response.status != 200:
                        raise DialogueUnavailable(f"Rasa answered HTTP {response.status}")
                    messages = await response.json(content_type=None)
                    break
            except aiohttp.ClientConnectorError as exc:
                # Not connected at all, so Rasa saw nothing: one retry cannot apply a turn twice.
                if attempt == 2:
                    raise DialogueUnavailable(f"cannot reach Rasa: {exc}") from exc
                log.info("rasa connection failed, retrying once: %s", exc)
            except aiohttp.ClientConnectionError as exc:
                # Dropped after the turn was sent: Rasa may have applied it, so never resend
                # (a questionnaire answer applied twice); the person gets the apology instead.
                raise DialogueUnavailable(f"connection to Rasa lost: {exc}") from exc
            except TimeoutError as exc:
                raise DialogueUnavailable("Rasa timed out") from exc
            except (aiohttp.ClientError, ValueError) as exc:
                raise DialogueUnavailable(f"bad answer from Rasa: {exc}") from exc
        if not isinstance(messages, list) or not messages:
            # Rasa swallows its own errors and returns []: that is a failure, not silence.
            raise DialogueUnavailable("Rasa returned no messages")
        return [m for m in messages if isinstance(m, dict)]
