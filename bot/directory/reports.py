"""Contact reports for the content team: which listings people said have wrong details."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from bot.directory.models import ContactReport, Listing


@dataclass(frozen=True)
class Reported:
    listing: Listing
    reports: int
    last: dt.date


def reported(session: Session) -> list[Reported]:
    """Reported listings, the most reported first."""
    rows = session.execute(
        select(Listing, func.count(ContactReport.id), func.max(ContactReport.reported_on))
        .join(ContactReport, ContactReport.listing_id == Listing.id)
        .group_by(Listing.id)
        .order_by(func.count(ContactReport.id).desc(), Listing.id)
    )
    return [Reported(listing, int(count), last) for listing, count, last in rows]


def clear(session: Session, register: str, entry: str) -> int:
    """Forget the reports of one listing once its details were checked; how many went."""
    listing_id = session.scalar(
        select(Listing.id).where(Listing.register == register, Listing.entry == entry)
    )
    if listing_id is None:
        return 0
    with session.begin_nested():
        result = session.execute(
            delete(ContactReport).where(ContactReport.listing_id == listing_id)
        )
    session.commit()
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
