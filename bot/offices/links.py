"""Deep links for offices: https://t.me/<bot>?start=<payload>, and their QR codes.

A payload is "o_<code>" or "o_<code>-<language>": at most 64 characters of A-Z a-z 0-9 _ -,
as Telegram requires. Codes are lower case letters, digits and "_", 2 to 40 of them.
"""

from __future__ import annotations

import re
from pathlib import Path

import segno

CODE = re.compile(r"[a-z0-9_]{2,40}")
_PAYLOAD = re.compile(r"o_(?P<code>[a-z0-9_]{2,40})(?:-(?P<language>kk|ru|en))?")


def payload(code: str, language: str | None = None) -> str:
    if not CODE.fullmatch(code):
        raise ValueError(f"not an office code: {code!r} (2-40 of a-z, 0-9, _)")
    return f"o_{code}-{language}" if language else f"o_{code}"


def parse(value: str) -> tuple[str, str | None] | None:
    """(office code, language or None) from a /start payload; None if it is not ours."""
    match = _PAYLOAD.fullmatch(value or "")
    if match is None:
        return None
    return match["code"], match["language"]


def deep_link(bot_username: str, code: str, language: str | None = None) -> str:
    return f"https://t.me/{bot_username}?start={payload(code, language)}"


def write_qr(link: str, out_dir: Path, stem: str) -> list[Path]:
    """The link as a QR code, PNG (for printing at any size up to A4) and SVG."""
    out_dir.mkdir(parents=True, exist_ok=True)
    # Level M survives a smudge or a fold on a printed poster; the link is short enough.
    qr = segno.make(link, error="m", micro=False)
    png, svg = out_dir / f"{stem}.png", out_dir / f"{stem}.svg"
    qr.save(str(png), scale=12, border=4)
    qr.save(str(svg), scale=12, border=4)
    return [png, svg]
