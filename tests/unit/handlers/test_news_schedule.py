"""Scheduled news (`broadcast FILE --at`): the running bot's own task sends a campaign once when
it is due, against our Bot API emulator, only while it holds the "broadcast" lease, at the
bot's own send rate; a campaign half-sent before a restart goes on from the journal; one
cancelled while it is sent stops after the message being sent; failed deliveries are tried
again at their time (a restart between changes nothing), then reported apart from blocked;
two campaigns of one news id are counted apart."""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections.abc import Awaitable, Callable

import pytest
from sqlalchemy import select, update

from bot import clock
from bot.cli import news as news_cli
from bot.content import Catalogue
from bot.storage import leases
from bot.storage.models import BroadcastDelivery, Campaign, utcnow
from bot.telegram import app as telegram_app
from bot.telegram import broadcast, callbacks, campaigns
from bot.telegram.broadcast import Audience
from bot.telegram.sending import Delivery
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


PAST = dt.timedelta(minutes=1)


async def _eventually(check: Callable[[], Awaitable[bool]], seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while not await check():
        assert time.monotonic() < deadline, "not reached in time"
        await asyncio.sleep(0.05)


async def _journal(bot: InProcessBot, news_id: str) -> dict[int, str]:
    async with bot.services.db.sessions() as session:
        rows = await session.execute(
            select(BroadcastDelivery.telegram_id, BroadcastDelivery.status).where(
                BroadcastDelivery.broadcast == news_id
            )
        )
        return dict(rows.tuples().all())


async def _campaign(bot: InProcessBot, number: int) -> Campaign:
    async with bot.services.db.sessions() as session:
        campaign = await session.get(Campaign, number)
        assert campaign is not None
        return campaign


async def _story(bot: InProcessBot, number: int) -> str:
    """The campaign's line of `broadcast --list`."""
    lines = await news_cli._listed_campaigns(bot.services.db.sessions)
    [line] = [line for line in lines if line.startswith(f"{number};")]
    return line


def test_scheduled_news_take_their_tokens_where_the_bot_s_answers_do(bot: InProcessBot) -> None:
    """One rate for the whole bot (TELEGRAM_SENDS_PER_SECOND): the scheduler is given the
    bucket of the bot's own sending layer (in Redis with REDIS_URL: tests/unit/test_stream.py)."""
    limiter = bot.application.bot.rate_limiter
    assert isinstance(limiter, Delivery)
    assert telegram_app._news_scheduler(bot.application).bucket is limiter.bucket


async def test_a_campaign_cancelled_while_being_sent_stops_after_the_message_being_sent(
    bot: InProcessBot,
) -> None:
    chats = [await _subscribed(bot, language) for language in ("kk", "ru", "en", "ru")]
    sessions = bot.services.db.sessions
    # Telegram answers the campaign's first message after 3 s: it is cancelled meanwhile.
    await bot.control("faults", {"kind": "hang", "methods": ["sendMessage"], "delay": 3})
    number = await _schedule(bot, "cut", clock.now() - PAST)

    async def claimed() -> bool:
        return bool(await _journal(bot, "cut"))

    await _eventually(claimed)
    cancelled = await campaigns.cancel(sessions, number)  # waits for the sender to stop
    assert cancelled == campaigns.Cancelled(
        started=True, stopped=True, counts=campaigns.Counts(delivered=1)
    )
    assert list((await _journal(bot, "cut")).values()) == ["sent"]
    got = [len(await _news_in(chat, "cut", quiet=0.1)) for chat in chats]
    assert sorted(got) == [0, 0, 0, 1]  # the message being sent, and none after it
    assert await _status(bot, number) == campaigns.CANCELLED
    assert await leases.holder_of(sessions, broadcast.LEASE) is None
    assert await _story(bot, number) == (
        f"{number};cancelled;{campaigns.Scheduler.due_text(await _campaign(bot, number))};cut;"
        "every subscriber;delivered 1, blocked 0, unsubscribed 0, failed 0, unknown 0;"
        f"cancelled {campaigns.kazakhstan_time(clock.now())} while being sent: it stopped "
        "after 1 delivered, nobody else gets it"
    )
    with pytest.raises(campaigns.CampaignError, match="cancelled already"):
        await campaigns.cancel(sessions, number)


async def _quick_retries(
    bot: InProcessBot, monkeypatch: pytest.MonkeyPatch, pauses: tuple[float, ...]
) -> None:
    """Retries `pauses` apart, a message's own tries 10 ms apart: in the bot started next."""
    monkeypatch.setattr(campaigns, "RETRY_PAUSES", pauses)
    monkeypatch.setattr(broadcast, "BACKOFF_SECONDS", 0.01)
    await bot.restart()


async def test_failed_deliveries_are_tried_again_at_their_time_even_after_a_restart(
    bot: InProcessBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    await _quick_retries(bot, monkeypatch, (3600.0,))
    languages = ("kk", "ru", "en")
    chats = [await _subscribed(bot, language) for language in languages]
    blocked = await _subscribed(bot, "ru")
    await bot.control(f"users/{blocked.user_id}/block", {})
    # Telegram fails the first person's three tries (a 5xx each): the run goes on without them.
    await bot.control("faults", {"kind": "500", "methods": ["sendMessage"], "count": 3})
    number = await _schedule(bot, "again", clock.now() - PAST)

    async def retry_planned() -> bool:
        return (await _campaign(bot, number)).retry_at is not None

    await _eventually(retry_planned)
    journal = await _journal(bot, "again")
    [failed] = [user for user, status in journal.items() if status == "failed"]
    assert journal[blocked.user_id] == "blocked"
    for chat in chats:
        assert len(await _news_in(chat, "again", quiet=0.1)) == (chat.user_id != failed)
    campaign = await _campaign(bot, number)
    assert (campaign.status, campaign.retries) == (campaigns.SENDING, 1)
    assert campaign.retry_at is not None
    assert await _story(bot, number) == (
        f"{number};sending;{campaigns.Scheduler.due_text(campaign)};again;every subscriber;"
        "delivered 2, blocked 1, unsubscribed 0, failed 1, unknown 0;1 failed (not blocked): "
        f"tried again at {campaigns.kazakhstan_time(campaign.retry_at)}, retry 1 of 1"
    )

    # Another bot process: the retry waits for its time, which is in the database.
    await bot.restart()
    [person] = [chat for chat in chats if chat.user_id == failed]
    assert await _news_in(person, "again", quiet=0.5) == []
    async with bot.services.db.sessions.begin() as session:  # an hour later
        await session.execute(
            update(Campaign).where(Campaign.id == number).values(retry_at=utcnow())
        )
    [news] = await person.replies()
    assert news["text"] == f"{NEWS[languages[chats.index(person)]]} (again)"

    async def done() -> bool:
        return await _status(bot, number) == campaigns.DONE

    await _eventually(done)
    for chat in chats:  # nobody twice, the blocked one never
        assert await _news_in(chat, "again", quiet=0.1) == []
    assert await _news_in(blocked, "again", quiet=0.1) == []
    counted = await campaigns.campaign_counts(bot.services.db.sessions, [number])
    assert counted[number] == campaigns.Counts(delivered=3, blocked=1)
    assert (await _story(bot, number)).endswith(
        f"delivered 3, blocked 1, unsubscribed 0, failed 0, unknown 0;done "
        f"{campaigns.kazakhstan_time(clock.now())}"
    )
    # Telegram's one refusal was the blocked person's, once: then the bot knew.
    refused = await bot.control("errors")
    assert [(e["error_code"], int(e["params"]["chat_id"])) for e in refused] == [
        (403, blocked.user_id)
    ]
    await bot.control("reset", {})  # expected: not a call the bot got wrong


async def test_what_still_fails_after_the_last_retry_is_failed_not_blocked(
    bot: InProcessBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """(Failed and blocked side by side: the test above.)"""
    await _quick_retries(bot, monkeypatch, (0.0, 0.0))
    chat = await _subscribed(bot, "en")
    # Every try of every run fails: three tries in the first run and in each of two retries.
    await bot.control("faults", {"kind": "500", "methods": ["sendMessage"], "count": 9})
    number = await _schedule(bot, "never", clock.now() - PAST)

    async def done() -> bool:
        return await _status(bot, number) == campaigns.DONE

    await _eventually(done)
    assert [f["fired"] for f in await bot.control("faults")] == [9]
    assert await _news_in(chat, "never", quiet=0.1) == []
    campaign = await _campaign(bot, number)
    assert (campaign.retries, campaign.retry_at) == (2, None)
    assert (await _story(bot, number)).endswith(
        "delivered 0, blocked 0, unsubscribed 0, failed 1, unknown 0;done "
        f"{campaigns.kazakhstan_time(clock.now())}, 1 failed for good after 2 retries (Telegram "
        "refused or could not be reached, they had not blocked the bot): send the file by hand "
        "to try them again"
    )


async def test_two_campaigns_of_one_news_id_are_counted_apart(bot: InProcessBot) -> None:
    """The id names the news: the second campaign does not send it again to whoever had it
    from the first, and each counts only its own deliveries and its own unsubscribes."""
    kk = await _subscribed(bot, "kk")
    ru = await _subscribed(bot, "ru")
    first = await _schedule(
        bot, "shared", clock.now() - 2 * PAST, Audience(languages=frozenset({"kk"}))
    )
    second = await _schedule(bot, "shared", clock.now() - PAST)

    async def both_done() -> bool:
        return {await _status(bot, first), await _status(bot, second)} == {campaigns.DONE}

    await _eventually(both_done)
    assert len(await _news_in(kk, "shared", quiet=0.1)) == 1
    assert len(await _news_in(ru, "shared", quiet=0.1)) == 1
    await kk.press(callbacks.news_stop("shared"))
    sessions = bot.services.db.sessions
    assert await campaigns.campaign_counts(sessions, [first, second]) == {
        first: campaigns.Counts(delivered=1, unsubscribed=1),
        second: campaigns.Counts(delivered=1),
    }
    assert (await campaigns.counts(sessions, ["shared"]))["shared"] == campaigns.Counts(
        delivered=2, unsubscribed=1
    )
