"""A tile map of Kazakhstan's 17 regions and 3 cities for the report: one square per region,
placed roughly where it lies, coloured by a count, with the count written on it; and the same
figures as a table under it (screen readers, copying into a memo). No map data, no download:
the layout below is all of it.

Counts under the report's limit are hidden as everywhere in the report ("<5", grey).
"""

from __future__ import annotations

import html
from collections.abc import Callable

# (column, row) on a 7 x 5 grid, north at the top, west on the left (docs: the gazetteer's
# centres put each region in its tile; the three cities sit beside their regions).
TILES: dict[str, tuple[int, int]] = {
    "kostanay-region": (2, 0),
    "north-kazakhstan-region": (3, 0),
    "pavlodar-region": (5, 0),
    "west-kazakhstan-region": (0, 1),
    "aktobe-region": (1, 1),
    "akmola-region": (3, 1),
    "astana": (4, 1),
    "east-kazakhstan-region": (6, 1),
    "atyrau-region": (0, 2),
    "ulytau-region": (2, 2),
    "karaganda-region": (3, 2),
    "abai-region": (5, 2),
    "mangystau-region": (0, 3),
    "kyzylorda-region": (1, 3),
    "turkistan-region": (2, 3),
    "zhambyl-region": (4, 3),
    "zhetysu-region": (5, 3),
    "shymkent": (2, 4),
    "almaty-region": (4, 4),
    "almaty": (5, 4),
}
WIDTH, HEIGHT, GAP = 116, 64, 4
# From pale to deep blue: five steps, each readable with its number in white or black.
_SCALE = ("#eaf1fb", "#c6dbef", "#9ecae1", "#4292c6", "#08519c")
_HIDDEN = "#d9d9d9"


def _fill(value: int, top: int, shown: bool) -> tuple[str, str]:
    """The tile's colour and its text's colour."""
    if not shown:
        return _HIDDEN, "#222"
    if value <= 0 or top <= 0:
        return "#ffffff", "#555"
    step = min(len(_SCALE) - 1, int(value / top * (len(_SCALE) - 1) + 0.5))
    return _SCALE[step], "#fff" if step >= 3 else "#222"


def _short(name: str) -> list[str]:
    """A region's name on at most two lines of a tile."""
    words = name.split()
    if len(name) <= 16 or len(words) == 1:
        return [name]
    half = max(1, len(words) // 2)
    return [" ".join(words[:half]), " ".join(words[half:])]


def tile_map(
    values: dict[str, int],
    names: dict[str, str],
    title: str,
    heading_region: str,
    heading_value: str,
    number: Callable[[int], str],
    hide_below: int,
) -> str:
    """The map and its table (HTML). `values`: region id -> count; `names`: region id -> name
    in the report's language; `number` writes a count as the report does (hiding small ones)."""
    top = max((v for v in values.values() if v >= hide_below), default=0)
    width = 7 * (WIDTH + GAP)
    height = 5 * (HEIGHT + GAP)
    parts = [
        f'<svg viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'aria-label="{html.escape(title)}">'
    ]
    for region, (column, row) in TILES.items():
        value = values.get(region, 0)
        shown = value == 0 or value >= hide_below
        fill, ink = _fill(value, top, shown)
        x, y = column * (WIDTH + GAP), row * (HEIGHT + GAP)
        name = names.get(region, region)
        parts.append(
            f"<g><title>{html.escape(name)}: {html.escape(number(value))}</title>"
            f'<rect x="{x}" y="{y}" width="{WIDTH}" height="{HEIGHT}" rx="6" fill="{fill}" '
            f'stroke="#9aa7b5"/>'
        )
        for n, line in enumerate(_short(name)):
            parts.append(
                f'<text x="{x + WIDTH / 2}" y="{y + 16 + n * 13}" text-anchor="middle" '
                f'font-size="11" fill="{ink}">{html.escape(line)}</text>'
            )
        parts.append(
            f'<text x="{x + WIDTH / 2}" y="{y + HEIGHT - 10}" text-anchor="middle" '
            f'font-size="15" font-weight="bold" fill="{ink}">{html.escape(number(value))}</text>'
            "</g>"
        )
    parts.append("</svg>")
    ordered = sorted(TILES, key=lambda r: (-values.get(r, 0), names.get(r, r)))
    rows = "".join(
        f"<tr><td>{html.escape(names.get(r, r))}</td>"
        f"<td>{html.escape(number(values.get(r, 0)))}</td></tr>"
        for r in ordered
    )
    table = (
        f"<table><thead><tr><th>{html.escape(heading_region)}</th>"
        f"<th>{html.escape(heading_value)}</th></tr></thead><tbody>{rows}</tbody></table>"
    )
    return f"<h3>{html.escape(title)}</h3>" + "".join(parts) + table
