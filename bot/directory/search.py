"""Nearest listings first, with filters; the search widens until it finds enough.

The database narrows to a bounding box (an index on lat, lon) and orders by a flat-earth
distance that needs no trigonometry in SQL, so SQLite and PostgreSQL run the same query; the
exact great-circle distance is then computed for the few rows returned.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from bot.directory.gazetteer import EARTH_RADIUS_KM, great_circle_km
from bot.directory.models import FREE_KINDS, Listing, lat_band

__all__ = ["Query", "Result", "directory_type", "great_circle_km", "search", "search_async"]

KM_PER_DEGREE = math.pi * EARTH_RADIUS_KM / 180
# Beyond this many latitude bands (about 1,100 km) the box is most of the country: scan it.
_MAX_BANDS = 40
# Widening steps; the last one covers the whole country from anywhere in it.
RADII_KM: tuple[float, ...] = (2, 5, 12, 30, 75, 200, 500, 2500)
# The screening's two administrative categories share one kind of mediator.
_DIRECTORY_TYPE = {"administrative_offence": "administrative", "public_law": "administrative"}


def directory_type(dispute_type: str) -> str:
    """The directory's kind of dispute for a directory type or a screening category."""
    return _DIRECTORY_TYPE.get(dispute_type, dispute_type)


@dataclass(frozen=True)
class Query:
    lat: float
    lon: float
    dispute_type: str | None = None  # a directory type or a screening category
    language: str | None = None
    kind: str | None = None  # "free" (public, rooms, desks), "professional", or None: all
    online: bool = False  # only those who also mediate online


@dataclass(frozen=True)
class Hit:
    listing: Listing
    km: float


@dataclass(frozen=True)
class Result:
    hits: tuple[Hit, ...]
    radius_km: float  # how far the search had to go (0 when it found nothing at all)


def _filters(query: Query) -> list[object]:
    conditions: list[object] = []
    if query.dispute_type:
        kind = directory_type(query.dispute_type)
        conditions.append(Listing.dispute_types.like(f"%,{kind},%"))
    if query.language:
        conditions.append(Listing.languages.like(f"%,{query.language},%"))
    if query.kind == "free":
        conditions.append(Listing.kind.in_(FREE_KINDS))
    elif query.kind == "professional":
        conditions.append(Listing.kind == "professional")
    if query.online:
        conditions.append(Listing.online.is_(True))
    return conditions


def statement(query: Query, radius_km: float, limit: int) -> Select[Listing]:
    """Listings within the box around the point, roughly nearest first, at most `limit`."""
    dlat = radius_km / KM_PER_DEGREE
    cos_lat = max(math.cos(math.radians(query.lat)), 0.01)
    dlon = dlat / cos_lat
    south, north = query.lat - dlat, query.lat + dlat
    box = [
        Listing.lat.between(south, north),
        Listing.lon.between(query.lon - dlon, query.lon + dlon),
    ]
    bands = list(range(lat_band(south), lat_band(north) + 1))
    if len(bands) <= _MAX_BANDS:
        # One index range per band instead of the whole width of the country.
        box.append(Listing.lat_band.in_(bands))
    flat = (Listing.lat - query.lat) * (Listing.lat - query.lat) + (
        (Listing.lon - query.lon) * cos_lat
    ) * ((Listing.lon - query.lon) * cos_lat)
    return (
        select(Listing)
        .where(*box, *_filters(query))  # type: ignore[arg-type]
        .order_by(flat, Listing.id)
        .limit(limit)
    )


def _hits(query: Query, rows: list[Listing], radius_km: float) -> list[Hit]:
    hits = [Hit(r, great_circle_km(query.lat, query.lon, r.lat, r.lon)) for r in rows]
    # The box's corners reach beyond the radius: keep the circle, nearest first.
    return sorted((h for h in hits if h.km <= radius_km), key=lambda h: (h.km, h.listing.id))


def search(session: Session, query: Query, want: int = 25) -> Result:
    """Widen the radius until `want` listings are found (or the whole country is searched)."""
    hits: list[Hit] = []
    for radius in RADII_KM:
        hits = _hits(query, list(session.scalars(statement(query, radius, want))), radius)
        if len(hits) >= want:
            return Result(tuple(hits), radius)
    return Result(tuple(hits), RADII_KM[-1] if hits else 0.0)


async def search_async(session: AsyncSession, query: Query, want: int = 25) -> Result:
    """The same search for the bot's event loop (one query per widening step)."""
    hits: list[Hit] = []
    for radius in RADII_KM:
        rows = list(await session.scalars(statement(query, radius, want)))
        hits = _hits(query, rows, radius)
        if len(hits) >= want:
            return Result(tuple(hits), radius)
    return Result(tuple(hits), RADII_KM[-1] if hits else 0.0)
