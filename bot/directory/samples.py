"""Made-up listings: about 300 for the playground, or any number for benchmarks.

Every sample listing is plainly fake: its name says "Sample", its register is the sample
register, its phone is +7 700 000 …, its e-mail is at example.invalid, and `sample` is true so
the bot can say that it is showing sample data.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Iterator
from typing import Any

from bot.directory.csvio import joined
from bot.directory.models import lat_band
from bot.places.gazetteer import Gazetteer, Place
from bot.screening.dispute_types import DISPUTE_TYPES

SAMPLE_REGISTER = "SAMPLE register (not real)"
_KINDS: tuple[str, ...] = ("professional", "public", "room", "desk")
_KIND_WEIGHTS: tuple[float, ...] = (5, 3, 1, 1)
_KIND_NAMES = {
    "professional": "Sample mediator",
    "public": "Sample public mediator",
    "room": "Sample mediation room, House of Friendship",
    "desk": "Sample akimat desk of public mediators",
}


def _languages(rng: random.Random) -> list[str]:
    languages = ["kk"] if rng.random() < 0.9 else []
    if rng.random() < 0.8 or not languages:
        languages.append("ru")
    if rng.random() < 0.15:
        languages.append("en")
    return languages


def _jitter(rng: random.Random, place: Place, km: float) -> tuple[float, float]:
    # Spread listings over the town, not on one point: a few kilometres around its centre.
    distance = km * math.sqrt(rng.random())
    angle = rng.uniform(0, 2 * math.pi)
    dlat = distance * math.cos(angle) / 111.2
    dlon = distance * math.sin(angle) / (111.2 * max(math.cos(math.radians(place.lat)), 0.1))
    return round(place.lat + dlat, 6), round(place.lon + dlon, 6)


def listing(rng: random.Random, number: int, place: Place, today: dt.date) -> dict[str, Any]:
    """One sample listing's column values (as for Listing(**values))."""
    kind = rng.choices(_KINDS, _KIND_WEIGHTS)[0]
    types = rng.sample(DISPUTE_TYPES, rng.randint(2, 5))
    if kind in ("room", "desk"):
        types = sorted(set(types) | {"community", "family"}, key=DISPUTE_TYPES.index)
    lat, lon = _jitter(rng, place, 4.0 if place.kind != "settlement" else 1.5)
    return {
        "kind": kind,
        "name": f"{_KIND_NAMES[kind]} No. {number}",
        "register": SAMPLE_REGISTER,
        "entry": f"S-{number:06d}",
        "languages": joined(_languages(rng)),
        "dispute_types": joined(sorted(types, key=DISPUTE_TYPES.index)),
        "settlement_id": place.id,
        "region_id": place.region,
        "address": f"Sample street {1 + number % 97}",
        "lat": lat,
        "lon": lon,
        "lat_band": lat_band(lat),  # bulk inserts skip the ORM's events
        "phone": f"+7700{number:07d}"[:12],
        "email": f"sample{number}@example.invalid",
        "telegram": "",
        "online": rng.random() < 0.3,
        "fee_note": "free" if kind != "professional" else "by agreement",
        "verified_on": today - dt.timedelta(days=rng.randint(0, 300)),
        "source": "generated sample data",
        "sample": True,
    }


def places_by_weight(gazetteer: Gazetteer) -> tuple[list[Place], list[float]]:
    """Towns weighted by population, every region present."""
    places, weights = [], []
    for region in gazetteer.regions():
        for place in gazetteer.settlements_in(region.id) or [region]:
            places.append(place)
            weights.append(max(place.population or 0, 2000) ** 0.7)
    return places, weights


def playground(
    gazetteer: Gazetteer, today: dt.date, per_region: int = 15
) -> Iterator[dict[str, Any]]:
    """About 300 listings: `per_region` in each region and city, in its centre and big towns."""
    rng = random.Random(2026)
    number = 0
    for region in gazetteer.regions():
        towns = gazetteer.settlements_in(region.id)[:5] or [region]
        for i in range(per_region):
            number += 1
            # The centre gets half of a region's listings; the other towns share the rest.
            place = towns[0] if i % 2 == 0 or len(towns) == 1 else towns[1 + i % (len(towns) - 1)]
            yield listing(rng, number, place, today)


def many(
    gazetteer: Gazetteer, count: int, today: dt.date, seed: int = 7
) -> Iterator[dict[str, Any]]:
    """`count` listings spread over the country by population, for benchmarks."""
    rng = random.Random(seed)
    places, weights = places_by_weight(gazetteer)
    for number, place in enumerate(rng.choices(places, weights, k=count), start=1):
        yield listing(rng, number, place, today)
