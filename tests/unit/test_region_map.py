"""The report's tile map of Kazakhstan (bot/outreach/region_map.py): every region and city
once, none overlapping, roughly where it lies; counts written on the tiles and in the table,
small ones hidden."""

from __future__ import annotations

import re

from bot.outreach.region_map import TILES, tile_map
from bot.places.gazetteer import default as gazetteer


def _regions() -> dict[str, tuple[float, float]]:
    return {p.id: (p.lat, p.lon) for p in gazetteer() if p.kind != "settlement"}


def test_every_region_and_city_has_one_tile_of_its_own() -> None:
    assert set(TILES) == set(_regions())
    assert len(set(TILES.values())) == len(TILES)


def test_the_tiles_keep_north_up_and_west_left() -> None:
    """A region north of another is never drawn below it by more than one row, nor a region
    east of another drawn left of it by more than one column (a tile map bends, not flips)."""
    places = _regions()
    for a, (lat_a, lon_a) in places.items():
        for b, (lat_b, lon_b) in places.items():
            (col_a, row_a), (col_b, row_b) = TILES[a], TILES[b]
            if lat_a - lat_b > 3:
                assert row_a <= row_b + 1, (a, b)
            if lon_a - lon_b > 6:
                assert col_a >= col_b - 1, (a, b)


def _number(value: int) -> str:
    return "<5" if 0 < value < 5 else str(value)


def test_counts_are_on_the_tiles_and_in_the_table_small_ones_hidden() -> None:
    names = {region: region.replace("-", " ").title() for region in TILES}
    page = tile_map(
        {"almaty": 120, "astana": 3, "mangystau-region": 40},
        names,
        "Starts by region",
        "Region",
        "Starts",
        _number,
        5,
    )
    assert page.count("<rect") == 20
    assert "<td>Almaty</td><td>120</td>" in page
    assert "<td>Astana</td><td>&lt;5</td>" in page  # hidden, as everywhere in the report
    assert "<td>Zhetysu Region</td><td>0</td>" in page
    # The busiest region is the darkest, a hidden one is grey and shows no number.
    fills = dict(
        re.findall(r"<title>([^:<]+): [^<]*</title><rect [^>]*fill=\"(#[0-9a-f]+)\"", page)
    )
    assert fills["Almaty"] == "#08519c"
    assert fills["Astana"] == "#d9d9d9"
    assert fills["Mangystau Region"] not in {"#08519c", "#d9d9d9", "#ffffff"}
    rows = re.findall(r"<tr><td>([^<]+)</td>", page)
    assert rows[:2] == ["Almaty", "Mangystau Region"]  # most first
