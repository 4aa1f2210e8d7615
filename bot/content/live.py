"""Content that changes while the bot runs: a poll of content/ and an explicit reload.

A broken edit must never reach users, so a new tree is only swapped in when `content check`
passes on it; otherwise the last good catalogue stays live and the problems are returned for
the log and the admins.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from bot.content.catalogue import Catalogue
from bot.content.check import check

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReloadResult:
    errors: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.errors


def tree_stamp(root: Path) -> tuple[tuple[str, int, int], ...]:
    """Names, sizes and modification times: cheap enough to poll every few seconds."""
    stamp = []
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.name.startswith("."):
            info = path.stat()
            stamp.append((str(path.relative_to(root)), info.st_size, info.st_mtime_ns))
    return tuple(stamp)


class LiveContent:
    """Holds the current catalogue and replaces it only with content that passed the check."""

    def __init__(self, root: Path, catalogue: Catalogue | None = None) -> None:
        self.root = root
        self.catalogue = catalogue or Catalogue.load(root)
        self._stamp = tree_stamp(root)

    def reload(self, today: dt.date | None = None) -> ReloadResult:
        """Check the tree and swap it in if it is good; never raises for bad content."""
        self._stamp = tree_stamp(self.root)
        report = check(self.root, today=today)
        if not report.ok or report.catalogue is None:
            return ReloadResult(errors=tuple(report.errors))
        self.catalogue = report.catalogue
        return ReloadResult(warnings=tuple(report.warnings))

    def changed_on_disk(self) -> bool:
        return tree_stamp(self.root) != self._stamp

    async def watch(
        self,
        on_result: Callable[[ReloadResult], Awaitable[None]],
        interval: float = 2.0,
    ) -> None:
        """Poll for edits; after one, wait for the writes to settle, then reload."""
        while True:
            await asyncio.sleep(interval)
            try:
                if not self.changed_on_disk():
                    continue
                # Editors save in several writes; reload once the tree stops changing.
                while True:
                    before = tree_stamp(self.root)
                    await asyncio.sleep(min(interval, 0.5))
                    if tree_stamp(self.root) == before:
                        break
                result = await asyncio.to_thread(self.reload)
                if result.ok:
                    log.info("content reloaded from %s", self.root)
                else:
                    log.error(
                        "content edit rejected, the last good content stays live:\n  %s",
                        "\n  ".join(result.errors),
                    )
                await on_result(result)
            except asyncio.CancelledError:
                raise
            except Exception:  # the watcher must outlive any one bad poll
                log.exception("content watcher failed; retrying")
