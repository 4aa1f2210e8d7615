"""Commands for the bot's admins: /reload and /stats, and telling them how a reload went."""

from __future__ import annotations

import asyncio
import datetime as dt
import html
import logging

from telegram import (
    Bot,
    Update,
)

from bot import clock
from bot.content.live import ReloadResult
from bot.languages import DEFAULT_LANGUAGE
from bot.outreach import counts, report
from bot.telegram import send
from bot.telegram.handlers.common import say, user_language
from bot.telegram.handlers.turn import unknown_command
from bot.telegram.services import Context, Services

log = logging.getLogger(__name__)


# A failed reload lists this many problems in the chat; the rest are counted (the log has all).
PROBLEMS_SHOWN = 15


def _is_admin(svc: Services, update: Update) -> bool:
    return update.effective_user is not None and update.effective_user.id in svc.settings.admin_ids


def _reload_report(svc: Services, lang: str, errors: tuple[str, ...]) -> str:
    # Problems are file names and keys, not user text: safe to show to admins as they are.
    shown = "\n".join(f"• {html.escape(e)}" for e in errors[:PROBLEMS_SHOWN])
    more = len(errors) - PROBLEMS_SHOWN
    if more > 0:
        shown += "\n" + svc.catalogue.text(lang, "admin.more_problems", count=more)
    return svc.catalogue.text(lang, "admin.reload_failed", count=len(errors)) + "\n" + shown


async def reload_command(update: Update, context: Context) -> None:
    """/reload (admins only): check content/ and swap it in, or say why not."""
    svc = context.services
    if not _is_admin(svc, update):
        await unknown_command(update, context)
        return
    assert update.effective_chat is not None
    result = await asyncio.to_thread(svc.content.reload)
    lang = await user_language(context, update)
    if result.ok:
        if svc.reloaded is not None:
            await svc.reloaded()
        text = svc.catalogue.text(lang, "admin.reloaded")
    else:
        text = _reload_report(svc, lang, result.errors)
    await say(context, update.effective_chat.id, text)


_STATS = (
    ("started", counts.STARTED),
    ("screened", "screened"),
    ("searches", counts.MEDIATOR_SEARCH),
    ("handoffs", counts.HANDOFF),
)


def _all(totals: dict[tuple[str, str], int], office: str, family: str) -> int:
    """An office's events of one family ("helpful": every page's and verdict's 👍)."""
    return sum(
        n for (o, event), n in totals.items() if o == office and event.startswith(f"{family}:")
    )


async def stats_command(update: Update, context: Context) -> None:
    """/stats (admins only): the last 7 and 30 days per office; counts under 5 hidden."""
    svc = context.services
    if not _is_admin(svc, update):
        await unknown_command(update, context)
        return
    assert update.effective_chat is not None
    lang = await user_language(context, update)
    today = clock.today()
    await svc.counter.flush()  # what this process still holds in memory counts too
    week = await svc.counter.totals(today - dt.timedelta(days=6))
    month = await svc.counter.totals(today - dt.timedelta(days=29))
    offices = sorted({office for office, _ in month}, key=lambda o: (o == "", o))
    lines = [svc.catalogue.text(lang, "admin.stats.title")]
    if not offices:
        lines.append(svc.catalogue.text(lang, "admin.stats.none"))
    for code in offices:
        office = await svc.offices.get(code) if code else None
        name = (
            office.name(lang)
            if office
            else code or svc.catalogue.label(lang, "admin.stats.no_office")
        )
        values = {
            label: " / ".join(
                report.shown(days.get((code, event), 0), lang) for days in (week, month)
            )
            for label, event in _STATS
        }
        votes = {
            vote: " / ".join(report.shown(_all(days, code, family), lang) for days in (week, month))
            for vote, family in (("up", "helpful"), ("down", "unhelpful"))
        }
        lines.append(
            f"<b>{html.escape(name)}</b>\n"
            + svc.catalogue.text(lang, "admin.stats.line", **values)
            + "\n"
            + svc.catalogue.text(lang, "admin.stats.helpful", **votes)
        )
    await say(context, update.effective_chat.id, "\n\n".join(lines))


async def tell_admins_about_reload(bot: Bot, svc: Services, result: ReloadResult) -> None:
    """After an automatic reload, tell every admin whether the edit went live."""
    for admin in sorted(svc.settings.admin_ids):
        try:
            lang = await svc.db.get_language(admin) or DEFAULT_LANGUAGE
            if result.ok:
                text = svc.catalogue.text(lang, "admin.reloaded")
            else:
                text = _reload_report(svc, lang, result.errors)
            await send.tell(bot, admin, text)
        except Exception:  # an admin who never wrote to the bot cannot be messaged
            log.warning("could not tell admin %s about the content reload", admin)
