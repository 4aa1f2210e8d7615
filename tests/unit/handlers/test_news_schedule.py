"""Scheduled news (`broadcast FILE --at`): the running bot's own task sends a campaign once when
it is due, against our Bot API emulator, only while it holds the "broadcast" lease, and a
campaign half-sent before a restart goes on from the journal."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from bot import clock
from bot.content import Catalogue
from bot.storage import leases
from bot.storage.models import BroadcastDelivery, Campaign
from bot.telegram import broadcast, campaigns
from bot.telegram.broadcast import Audience
from tests.support.in_process import InProcessBot
from tests.support.playground import Chat, callback_data

NEWS = {"kk": "Жаңалық", "ru": "Новость", "en": "News"}


@pytest.fixture(autouse=True)
def _looks_often(monkeypatch: pytest.MonkeyPatch) -> None:
    """The task looks for due news every 0.1 s instead of 30 (set before the bot starts)."""
    monkeypatch.setattr(campaigns, "CHECK_SECONDS", 0.1)


async def _subscribed(bot: InProcessBot, language: str) -> Chat:
    chat = await bot.ready(language)
    await chat.send("/subscribe")
    return chat


async def _schedule(
    bot: InProcessBot, news_id: str, due: dt.datetime, audience: Audience = broadcast.EVERYONE
) -> int:
    messages = {lang: f"{text} ({news_id})" for lang, text in NEWS.items()}
    return await campaigns.schedule(bot.services.db.sessions, news_id, messages, audience, due)


async def _status(bot: InProcessBot, number: int) -> str:
    async with bot.services.db.sessions() as session:
        campaign = await session.get(Campaign, number)
        assert campaign is not None
        return campaign.status


async def _news_in(chat: Chat, news_id: str, quiet: float = 0.6) -> list[str]:
    return [str(e["text"]) for e in await chat.settle(quiet) if f"({news_id})" in str(e["text"])]


async def test_a_campaign_is_sent_once_when_it_is_due(
    bot: InProcessBot, catalogue: Catalogue
) -> None:
    kk = await _subscribed(bot, "kk")
    ru = await _subscribed(bot, "ru")
    later = await _schedule(bot, "later", clock.now() + dt.timedelta(hours=1))
    number = await _schedule(
        bot, "due", clock.now() - dt.timedelta(minutes=1), Audience(languages=frozenset({"kk"}))
    )
    [news] = await kk.replies()
    assert news["text"] == "Жаңалық (due)"
    assert callback_data(news) == ["n:due"]
    assert await _news_in(kk, "due") == []  # once
    assert await _news_in(ru, "due") == []  # not in the audience
    assert await _status(bot, number) == campaigns.DONE
    assert await _status(bot, later) == campaigns.SCHEDULED
    assert await _news_in(ru, "later", quiet=0.3) == []
    # Another bot process starts on the same database: the campaign is not sent again.
    await bot.restart()
    assert await _news_in(kk, "due") == []
    # Its counts, with the button pressed.
    await kk.press("n:due")
    counted = await campaigns.counts(bot.services.db.sessions, ["due"])
    assert counted["due"] == campaigns.Counts(delivered=1, unsubscribed=1)


async def test_no_campaign_is_sent_while_another_process_holds_the_lease(
    bot: InProcessBot,
) -> None:
    chat = await _subscribed(bot, "en")
    sessions = bot.services.db.sessions
    assert await leases.take(sessions, broadcast.LEASE, "another-worker", 60)
    number = await _schedule(bot, "held", clock.now() - dt.timedelta(seconds=1))
    assert await _news_in(chat, "held") == []
    assert await _status(bot, number) == campaigns.SENDING  # its turn comes
    await leases.release(sessions, broadcast.LEASE, "another-worker")
    [news] = await chat.replies()
    assert news["text"] == "News (held)"
    assert await _news_in(chat, "held") == []


async def test_a_campaign_half_sent_before_a_restart_goes_on_from_the_journal(
    bot: InProcessBot,
) -> None:
    """The first run sent to one person and the process died: after the restart, the task
    sends to the others only, and the one left "sending" (unknown) is not sent it again."""
    first = await _subscribed(bot, "ru")
    second = await _subscribed(bot, "kk")
    third = await _subscribed(bot, "en")
    sessions = bot.services.db.sessions
    # The process that died still holds the lease until it runs out: nothing is sent meanwhile.
    assert await leases.take(sessions, broadcast.LEASE, "dead-worker", 60)
    async with sessions.begin() as session:
        session.add(BroadcastDelivery(broadcast="half", telegram_id=first.user_id, status="sent"))
        session.add(
            BroadcastDelivery(broadcast="half", telegram_id=second.user_id, status="sending")
        )
    number = await _schedule(bot, "half", clock.now() - dt.timedelta(minutes=5))
    async with sessions.begin() as session:
        campaign = await session.get(Campaign, number)
        assert campaign is not None
        campaign.status = campaigns.SENDING
    await bot.restart()
    sessions = bot.services.db.sessions
    assert await _news_in(third, "half", quiet=0.3) == []
    await leases.release(sessions, broadcast.LEASE, "dead-worker")  # it ran out
    [news] = await third.replies()
    assert news["text"] == "News (half)"
    assert await _news_in(first, "half") == []
    assert await _news_in(second, "half") == []
    assert await _status(bot, number) == campaigns.DONE
    async with sessions() as session:
        journal = dict(
            (await session.execute(
                select(BroadcastDelivery.telegram_id, BroadcastDelivery.status)
                .where(BroadcastDelivery.broadcast == "half")
            )).all()
        )  # fmt: skip
    assert journal == {first.user_id: "sent", second.user_id: "sending", third.user_id: "sent"}


async def test_a_cancelled_campaign_is_never_sent(bot: InProcessBot) -> None:
    chat = await _subscribed(bot, "kk")
    sessions = bot.services.db.sessions
    number = await _schedule(bot, "off", clock.now() + dt.timedelta(seconds=1))
    await campaigns.cancel(sessions, number)
    assert await _news_in(chat, "off", quiet=1.5) == []
    assert await _status(bot, number) == campaigns.CANCELLED
    with pytest.raises(campaigns.CampaignError, match="cancelled"):
        await campaigns.cancel(sessions, number)
    with pytest.raises(campaigns.CampaignError, match="no campaign 999"):
        await campaigns.cancel(sessions, 999)


def test_the_time_is_kazakhstan_s() -> None:
    due = campaigns.parse_due("2026-12-10 10:00")
    assert due.astimezone(dt.UTC) == dt.datetime(2026, 12, 10, 5, 0, tzinfo=dt.UTC)
    with pytest.raises(campaigns.CampaignError, match="2026-12-10 10:00"):
        campaigns.parse_due("tomorrow at ten")
