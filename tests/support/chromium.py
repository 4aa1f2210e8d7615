"""Headless Chromium for the browser tests (Debian's package, `make browser`)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]
# `make test` sets KELISIM_REQUIRE_BROWSER, so a missing browser fails there instead of skipping.
needs_chromium = pytest.mark.skipif(
    not CHROMIUM.exists() and not os.environ.get("KELISIM_REQUIRE_BROWSER"),
    reason="/usr/bin/chromium is missing (apt-get install -y chromium)",
)


def tid(name: str) -> str:
    """The CSS selector of the playground element with this data-testid."""
    return f'[data-testid="{name}"]'
