"""The bot's days turn over at midnight in Kazakhstan (UTC+5), not the server's."""

from __future__ import annotations

import datetime as dt

from bot import clock


def test_kazakhstan_keeps_utc_plus_five() -> None:
    assert clock.now().utcoffset() == dt.timedelta(hours=5)


def test_today_is_the_date_in_kazakhstan() -> None:
    before = (dt.datetime.now(dt.UTC) + dt.timedelta(hours=5)).date()
    today = clock.today()
    after = (dt.datetime.now(dt.UTC) + dt.timedelta(hours=5)).date()
    assert today in (before, after)  # the same, unless midnight fell between the two reads
