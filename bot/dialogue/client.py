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


# What a load balancer answers when the replica it chose failed or is gone.
_REPLICA_FAILED = frozenset({502, 503, 504})
# Metadata naming a turn (the Telegram update id and the turn's number within the update):
# Rasa applies a named turn once and answers a repeat with what it said the first time
# (rasa_project/kelisim_engine/once.py), so a turn may be sent again safely.
TURN_KEY = "turn"


class DialogueUnavailable(Exception):
    """Rasa could not be reached, failed, or answered with nothing."""


def sender_id(secret: str, telegram_id: int, salt: str = "") -> str:
    """A pseudonym, so Rasa's tracker store never holds a Telegram id; with the person's salt
    (renewed by /forget) it cannot be recomputed from the id and the key alone."""
    subject = f"{telegram_id}:{salt}" if salt else str(telegram_id)
    digest = hmac.new(secret.encode(), subject.encode(), hashlib.sha256)
    return digest.hexdigest()[:32]


class RasaClient:
    """POST /webhooks/rest/webhook; one retry when no connection could be made, or when a
    named turn's connection was lost."""

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
        """Send one user turn; return Rasa's messages or raise DialogueUnavailable.

        Sent a second time when no connection could be made (Rasa saw nothing). A named turn
        (metadata TURN_KEY) is also sent again when it may have reached a Rasa that failed
        under it: the connection dropped, a load balancer answered 502-504 for a replica that
        died, Rasa answered nothing (its action server died mid-turn), or no answer came within
        the timeout (a dead replica's lock, an overloaded replica): so a named turn may take up
        to twice the timeout. Rasa applies a named turn once and answers a repeat with its first
        answer, so the second try is safe; an unnamed turn is never sent twice (a questionnaire
        answer applied twice) and the person gets the apology instead."""
        body = {"sender": sender, "message": message, "metadata": metadata}
        named = TURN_KEY in metadata
        for attempt in (1, 2):
            messages, why, reached = await self._attempt(body)
            if messages is not None:
                return messages
            if attempt == 2 or (reached and not named):
                raise DialogueUnavailable(why)
            log.info("%s; sending the turn again", why)
        raise DialogueUnavailable("Rasa failed twice")

    async def _attempt(self, body: dict[str, Any]) -> tuple[list[dict[str, Any]] | None, str, bool]:
        """Rasa's messages; or None, why, and whether Rasa may have seen the turn."""
        await self.start()
        assert self._session is not None
        try:
            async with self._session.post(self.webhook, json=body) as response:
                if response.status in _REPLICA_FAILED:
                    return None, f"Rasa answered HTTP {response.status}", True
                if response.status != 200:
                    raise DialogueUnavailable(f"Rasa answered HTTP {response.status}")
                messages = await response.json(content_type=None)
        except aiohttp.ClientConnectorError as exc:
            return None, f"cannot reach Rasa: {exc}", False
        except aiohttp.ClientConnectionError as exc:
            return None, f"connection to Rasa lost: {exc}", True
        except TimeoutError:
            return None, "Rasa timed out", True
        except (aiohttp.ClientError, ValueError) as exc:
            raise DialogueUnavailable(f"bad answer from Rasa: {exc}") from exc
        if isinstance(messages, list) and messages:
            return [m for m in messages if isinstance(m, dict)], "", True
        # Rasa swallows its own errors and returns []: that is a failure, not silence.
        return None, "Rasa returned no messages", True
