"""Directory tables: listings (mediators, mediation rooms, akimat desks) and contact reports."""

from __future__ import annotations

import datetime as dt
import math

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.models import Base, utcnow

# professional: in an organisation of mediators' register; public: in an akimat's register
# (free); room: a mediation room in a House of Friendship; desk: an akimat's public-mediator desk.
KINDS: tuple[str, ...] = ("professional", "public", "room", "desk")
FREE_KINDS: tuple[str, ...] = ("public", "room", "desk")
# Latitude bands of a quarter degree (about 28 km): the search asks for the few bands its box
# spans and a longitude range within each, which an index on (lat_band, lon) answers without
# reading the whole width of the country at that latitude.
BANDS_PER_DEGREE = 4
SEARCH_INDEX = ("lat_band", "lon", "lat", "kind", "online", "languages", "dispute_types")


def lat_band(lat: float) -> int:
    return math.floor(lat * BANDS_PER_DEGREE)


class Listing(Base):
    """One place to get mediation. Lists are stored as ",kk,ru," so that a LIKE finds one code
    on SQLite and PostgreSQL alike."""

    __tablename__ = "listings"
    __table_args__ = (
        UniqueConstraint("register", "entry", name="uq_listings_register_entry"),
        # The nearest-first search reads a few latitude bands, a longitude range in each; the
        # filter columns ride along so that it never has to read the table itself.
        Index("ix_listings_band_lon", *SEARCH_INDEX),
        Index("ix_listings_region", "region_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(200))
    register: Mapped[str] = mapped_column(String(200))
    entry: Mapped[str] = mapped_column(String(64))
    languages: Mapped[str] = mapped_column(String(16))
    dispute_types: Mapped[str] = mapped_column(String(200))
    settlement_id: Mapped[str] = mapped_column(String(64))
    region_id: Mapped[str] = mapped_column(String(64))
    address: Mapped[str] = mapped_column(String(300), default="")
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    lat_band: Mapped[int] = mapped_column(Integer, default=0)  # lat_band(lat), kept by events
    phone: Mapped[str] = mapped_column(String(16), default="")
    email: Mapped[str] = mapped_column(String(200), default="")
    telegram: Mapped[str] = mapped_column(String(40), default="")
    online: Mapped[bool] = mapped_column(Boolean, default=False)
    fee_note: Mapped[str] = mapped_column(String(300), default="")
    verified_on: Mapped[dt.date] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(300))
    sample: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )


class ContactReport(Base):
    """ "This contact is wrong", for the content team: which listing and when, never who."""

    __tablename__ = "contact_reports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    listing_id: Mapped[int] = mapped_column(ForeignKey("listings.id", ondelete="CASCADE"))
    reported_on: Mapped[dt.date] = mapped_column(Date)


@event.listens_for(Listing, "before_insert")
@event.listens_for(Listing, "before_update")
def _keep_band(mapper: object, connection: object, listing: Listing) -> None:
    """Whatever changed the coordinates (an import, an edit), the band follows."""
    listing.lat_band = lat_band(listing.lat)
