"""`GET /control/translations`: the content's stale translations, for the playground's badge.

The playground marks a bot message or a button "needs update" when it shows a translation whose
source text changed since it was translated (bot/content/translations.py). The emulator reads
the content tree it was given (`CONTENT_DIR`), again only when a file in it changed.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from aiohttp import web


class StaleTexts:
    """The stale translations of the content at root (None: no content, nothing is stale)."""

    def __init__(self, root: Path | None) -> None:
        self.root = root
        self._stamp: object = None
        self._answer: dict[str, Any] = {"stale": []}

    def _read(self) -> dict[str, Any]:
        from bot.content.catalogue import ContentError
        from bot.content.live import tree_stamp
        from bot.content.translations import Tracking, TranslationError, stale_marks

        assert self.root is not None
        stamp = tree_stamp(self.root)
        if stamp != self._stamp:
            try:
                self._answer = {"stale": stale_marks(Tracking.load(self.root))}
            except (ContentError, TranslationError, OSError) as exc:
                self._answer = {"stale": [], "error": str(exc)}
            self._stamp = stamp
        return self._answer

    async def handle(self, request: web.Request) -> web.Response:
        if self.root is None:
            return web.json_response({"stale": []})
        return web.json_response(await asyncio.to_thread(self._read))
