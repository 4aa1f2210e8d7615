"""Shared fixtures: the content tree, the two databases we support, one SSL context for httpx."""

from __future__ import annotations

import functools
import os
import ssl
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import httpx._transports.default as httpx_transports
import pytest

from bot.config import ROOT
from bot.content import Catalogue
from tests.support.databases import DATABASES, database_at

pytest_plugins = ["tests.support.stack", "tests.support.processes"]

# `make test` runs two pytest workers, a file at a time each (-n 2 --dist loadfile). These
# files spend the longest (mostly waiting: a retention period, processes killed and restarted,
# ten thousand updates): they go first, so neither worker is left alone with one at the end.
LONGEST_FIRST = (
    "test_retention.py",
    "test_fuzz.py",
    "test_faults.py",
    "test_supervision.py",
    "test_understand.py",
    "test_engine_speedups.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    def rank(item: pytest.Item) -> int:
        name = item.path.name
        return LONGEST_FIRST.index(name) if name in LONGEST_FIRST else len(LONGEST_FIRST)

    items.sort(key=rank)  # stable: each file keeps its own order


@pytest.fixture(scope="session")
def catalogue() -> Catalogue:
    return Catalogue.load(ROOT / "content")


_create_ssl_context = httpx.create_ssl_context  # the function httpx_transports imports


@functools.cache
def _default_ssl_context(trust_env: bool, cafile: str | None, capath: str | None) -> ssl.SSLContext:
    return _create_ssl_context(verify=True, trust_env=trust_env)


def _shared_ssl_context(verify: Any = True, cert: Any = None, trust_env: bool = True) -> Any:
    if verify is not True or cert is not None:
        return _create_ssl_context(verify=verify, cert=cert, trust_env=trust_env)
    env = os.environ
    return _default_ssl_context(trust_env, env.get("SSL_CERT_FILE"), env.get("SSL_CERT_DIR"))


@pytest.fixture(autouse=True, scope="session")
def one_ssl_context() -> Iterator[None]:
    """Every python-telegram-bot `Bot` makes two httpx clients, and each loads the system's CA
    bundle into a new SSL context (about 80 ms), though the tests speak plain HTTP to 127.0.0.1.
    httpx's default context is made once and shared, as httpx allows; any other is made anew."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(httpx_transports, "create_ssl_context", _shared_ssl_context)
        yield


@pytest.fixture(params=DATABASES)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database: a SQLite file, or a private schema in PostgreSQL."""
    with database_at(request.param, tmp_path) as url:
        yield url


@pytest.fixture(scope="module", params=DATABASES)
def module_database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """The same, shared by a module's tests: for data they read and never change."""
    with database_at(request.param, tmp_path_factory.mktemp("db")) as url:
        yield url
