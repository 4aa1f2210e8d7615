"""Days as people in Kazakhstan count them, whatever the server's time zone.

The daily counts, /stats, the unanswered questions' retention, reports of wrong contacts and
the dates content and listings are checked against all turn over at midnight in Kazakhstan. Since
1 March 2024 the whole country keeps one time, UTC+5, with no daylight saving: a fixed offset,
so no time-zone database is needed.
"""

from __future__ import annotations

import datetime as dt

KAZAKHSTAN = dt.timezone(dt.timedelta(hours=5), "Kazakhstan")


def now() -> dt.datetime:
    """The time in Kazakhstan, aware."""
    return dt.datetime.now(KAZAKHSTAN)


def today() -> dt.date:
    """Today's date in Kazakhstan."""
    return now().date()
