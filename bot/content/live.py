"""Content that changes while the bot runs: a poll of content/ and an explicit reload.

A broken edit must never reach users, so a new tree is only swapped in when `content check`
passes on it; otherwise the last good catalogue stays live and the problems are returned for
the log and the admins. The screening rules (content/screening/rules.yml) are part of the tree:
they go live with the catalogue they were checked with, never on their own.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from bot.content.catalogue import Catalogue
from bot.content.check import Report, Uses, check
from bot.screening.rules import RuleBook

log = logging.getLogger(__name__)


class ContentRefused(Exception):
    """The tree fails `content check`: none of it may be served. str() is what the check prints."""

    def __init__(self, root: Path, report: Report) -> None:
        super().__init__(report.text())
        self.root = root
        self.report = report


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
    """Holds the current catalogue and rule book; replaces them only with content that passed
    the check. Make one with `checked`: the constructor trusts what it is given."""

    def __init__(self, root: Path, uses: Uses, catalogue: Catalogue, rules: RuleBook) -> None:
        self.root = root
        self.uses = uses  # what the running bot asks of the content, checked at each reload
        # One attribute, so that a reload (in a worker thread) swaps both at once.
        self._live = (catalogue, rules)
        self._stamp = tree_stamp(root)

    @classmethod
    def checked(cls, root: Path, uses: Uses, today: dt.date | None = None) -> LiveContent:
        """The tree at root if it passes `content check` for `uses`; ContentRefused otherwise."""
        stamp = tree_stamp(root)
        report = check(root, uses, today=today)
        if not report.ok or report.catalogue is None or report.rules is None:
            raise ContentRefused(root, report)
        for warning in report.warnings:
            log.warning("content: %s", warning)
        live = cls(root, uses, report.catalogue, report.rules)
        # The stamp from before the check: an edit made while it ran is still picked up.
        live._stamp = stamp
        return live

    @property
    def catalogue(self) -> Catalogue:
        return self._live[0]

    @property
    def rules(self) -> RuleBook:
        return self._live[1]

    def reload(self, today: dt.date | None = None) -> ReloadResult:
        """Check the tree and swap it in if it is good; never raises for bad content."""
        self._stamp = tree_stamp(self.root)
        report = check(self.root, self.uses, today=today)
        if not report.ok or report.catalogue is None or report.rules is None:
            return ReloadResult(errors=tuple(report.errors))
        self._live = (report.catalogue, report.rules)
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
                _log_reload(self.root, result)
                await on_result(result)
            except asyncio.CancelledError:
                raise
            except Exception:  # the watcher must outlive any one bad poll
                log.exception("content watcher failed; retrying")


def _log_reload(root: Path, result: ReloadResult) -> None:
    if result.ok:
        log.info("content reloaded from %s", root)
    else:
        log.error(
            "content edit rejected, the last good content stays live:\n  %s",
            "\n  ".join(result.errors),
        )


class FollowedContent:
    """Checked content for a process with no watcher task of its own (the action server).

    The tree is looked at when the content is asked for, at most every `interval` seconds, and
    re-checked when it changed. Until some version of it has passed the check, asking raises
    ContentRefused: nothing unchecked is ever served.
    """

    def __init__(self, root: Path, uses: Uses, interval: float = 2.0) -> None:
        self.root = root
        self.uses = uses
        self.interval = interval
        self._live: LiveContent | None = None
        # The tree as it was when refused, and the check's report on it.
        self._refused: tuple[tuple[tuple[str, int, int], ...], Report] | None = None
        self._next_look = 0.0

    def current(self) -> LiveContent:
        now = time.monotonic()
        if now >= self._next_look:
            self._look()
            self._next_look = time.monotonic() + self.interval
        if self._live is None:
            assert self._refused is not None
            raise ContentRefused(self.root, self._refused[1])
        return self._live

    def _look(self) -> None:
        if self._live is not None:
            if self._live.changed_on_disk():
                _log_reload(self.root, self._live.reload())
            return
        stamp = tree_stamp(self.root)
        if self._refused is not None and self._refused[0] == stamp:
            return  # checked and refused as it is now: the check would say the same again
        try:
            self._live = LiveContent.checked(self.root, self.uses)
        except ContentRefused as exc:
            self._refused = (stamp, exc.report)
            log.error(
                "content in %s fails `content check`; nothing of it is served until it passes:\n%s",
                self.root,
                exc,
            )
