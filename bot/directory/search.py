"""Nearest listings first, with filters; the search widens until it finds enough.

The database narrows to a bounding box (an index on latitude band and longitude that also
carries the filter columns) and orders by a flat-earth distance that needs no trigonometry in
SQL, so SQLite and PostgreSQL run the same query; the exact great-circle distance is then
computed for the few rows returned, and only those listings are loaded.
"""

from __future__ import annotations

import math
from collections.abc import Generator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Executable,
    Float,
    Row,
    Select,
    bindparam,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from bot.directory.models import FREE_KINDS, Listing, lat_band
from bot.places.gazetteer import EARTH_RADIUS_KM, great_circle_km
from bot.screening.fields import type_of_category

__all__ = ["Query", "Result", "directory_type", "great_circle_km", "search", "search_async"]

KM_PER_DEGREE = math.pi * EARTH_RADIUS_KM / 180
# Beyond this many latitude bands (about 1,100 km) the box is most of the country: scan it.
_MAX_BANDS = 40
# Widening steps; the last one covers the whole country from anywhere in it.
RADII_KM: tuple[float, ...] = (2, 5, 12, 30, 75, 200, 500, 2500)


def directory_type(dispute_type: str) -> str:
    """The directory's kind of dispute for a directory type or a screening category."""
    return type_of_category(dispute_type)


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


def _shape(query: Query, bands: bool) -> tuple[str, bool, bool, bool, bool]:
    return (query.kind or "", bool(query.dispute_type), bool(query.language), query.online, bands)


@lru_cache(maxsize=64)
def _cached(shape: tuple[str, bool, bool, bool, bool]) -> Select[int, float, float]:
    """One statement per combination of filters, values bound at run time.

    Building a statement costs more than running it on a small box, so each shape is built
    once. Only id and coordinates are read, all from the index; the listings themselves are
    loaded once the nearest are known."""
    kind, has_type, has_language, online, bands = shape
    where: list[ColumnElement[bool]] = [
        Listing.lat.between(bindparam("south"), bindparam("north")),
        Listing.lon.between(bindparam("west"), bindparam("east")),
    ]
    if bands:
        # One index range per latitude band instead of the whole width of the country.
        where.append(Listing.lat_band.in_(bindparam("bands", expanding=True)))
    if has_type:
        where.append(Listing.dispute_types.like(bindparam("type_pattern")))
    if has_language:
        where.append(Listing.languages.like(bindparam("language_pattern")))
    if kind == "free":
        where.append(Listing.kind.in_(FREE_KINDS))
    elif kind == "professional":
        where.append(Listing.kind == "professional")
    if online:
        where.append(Listing.online.is_(True))
    lat0: BindParameter[float] = bindparam("lat0", type_=Float())
    lon0: BindParameter[float] = bindparam("lon0", type_=Float())
    cos_lat: BindParameter[float] = bindparam("cos_lat", type_=Float())
    flat = (Listing.lat - lat0) * (Listing.lat - lat0) + ((Listing.lon - lon0) * cos_lat) * (
        (Listing.lon - lon0) * cos_lat
    )
    return (
        select(Listing.id, Listing.lat, Listing.lon)
        .where(*where)
        .order_by(flat, Listing.id)
        .limit(bindparam("limit"))
    )


def statement(
    query: Query, radius_km: float, limit: int
) -> tuple[Select[int, float, float], dict[str, object]]:
    """The ids and coordinates within the box around the point, roughly nearest first."""
    dlat = radius_km / KM_PER_DEGREE
    cos_lat = max(math.cos(math.radians(query.lat)), 0.01)
    dlon = dlat / cos_lat
    south, north = query.lat - dlat, query.lat + dlat
    bands = list(range(lat_band(south), lat_band(north) + 1))
    use_bands = len(bands) <= _MAX_BANDS
    params: dict[str, object] = {
        "south": south, "north": north, "west": query.lon - dlon, "east": query.lon + dlon,
        "lat0": query.lat, "lon0": query.lon, "cos_lat": cos_lat, "limit": limit,
    }  # fmt: skip
    if use_bands:
        params["bands"] = bands
    if query.dispute_type:
        params["type_pattern"] = f"%,{directory_type(query.dispute_type)},%"
    if query.language:
        params["language_pattern"] = f"%,{query.language},%"
    return _cached(_shape(query, use_bands)), params


def _nearest(
    query: Query, rows: Sequence[Row[int, float, float]], radius_km: float
) -> list[tuple[float, int]]:
    found = [
        (great_circle_km(query.lat, query.lon, lat, lon), listing_id)
        for listing_id, lat, lon in rows
    ]
    # The box's corners reach beyond the radius: keep the circle, nearest first.
    return sorted(f for f in found if f[0] <= radius_km)


def _result(nearest: list[tuple[float, int]], listings: Sequence[Listing], radius: float) -> Result:
    by_id = {listing.id: listing for listing in listings}
    return Result(tuple(Hit(by_id[i], km) for km, i in nearest if i in by_id), radius)


# One search, written once without I/O: it yields each statement it needs run (with its
# parameters, or None for a select of listings) and is sent back the rows; `search` and
# `search_async` only run the statements, on a blocking or an async session.
Step = tuple[Executable, dict[str, object] | None]
Searching = Generator[Step, Sequence[Any], Result]


def _searching(query: Query, want: int) -> Searching:
    """Widen the radius until `want` listings are found (or the whole country is searched)."""
    nearest: list[tuple[float, int]] = []
    radius = 0.0
    for radius in RADII_KM:
        rows = yield statement(query, radius, want)
        nearest = _nearest(query, rows, radius)
        if len(nearest) >= want:
            break
    if not nearest:
        return Result((), 0.0)
    listings = yield select(Listing).where(Listing.id.in_([i for _, i in nearest])), None
    return _result(nearest, listings, radius)


def search(session: Session, query: Query, want: int = 25) -> Result:
    """The nearest listings, on a blocking session (the CLI, the benchmark)."""
    steps = _searching(query, want)
    try:
        sql, params = next(steps)
        while True:
            rows = session.execute(sql, params).all() if params else session.scalars(sql).all()
            sql, params = steps.send(rows)
    except StopIteration as done:
        found: Result = done.value
        return found


async def search_async(session: AsyncSession, query: Query, want: int = 25) -> Result:
    """The nearest listings, on the bot's event loop."""
    steps = _searching(query, want)
    try:
        sql, params = next(steps)
        while True:
            if params:
                rows: Sequence[Any] = (await session.execute(sql, params)).all()
            else:
                rows = (await session.scalars(sql)).all()
            sql, params = steps.send(rows)
    except StopIteration as done:
        found: Result = done.value
        return found
