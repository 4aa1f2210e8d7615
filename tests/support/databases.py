"""The databases tests run on: a SQLite file, or a private schema of the test PostgreSQL."""

from __future__ import annotations

import contextlib
import functools
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import create_engine, make_url, text

POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


@functools.cache
def postgres_unavailable() -> str | None:
    """Why the test PostgreSQL cannot be used (None: it answers); asked once a run."""
    try:
        with psycopg.connect(POSTGRES_URL, connect_timeout=3):
            return None
    except psycopg.Error as exc:
        return str(exc).strip().splitlines()[0]


DATABASES = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)]


@contextlib.contextmanager
def database_at(kind: str, folder: Path) -> Iterator[str]:
    """A SQLite file in `folder`, or a private schema of the test PostgreSQL (dropped after);
    skipped, saying why, when PostgreSQL does not answer."""
    if kind == "sqlite":
        yield f"sqlite:///{folder / 'test.db'}"
        return
    if reason := postgres_unavailable():
        where = make_url(POSTGRES_URL).render_as_string(hide_password=True)
        pytest.skip(f"no PostgreSQL at {where} (TEST_POSTGRES_URL): {reason}")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL.replace("postgresql://", "postgresql+psycopg://"))
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
