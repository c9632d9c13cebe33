"""Throwaway PostgreSQL databases for benchmarks and tests: created beside a given one, dropped after."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine
from sqlalchemy.pool import NullPool

from bot.db.engine import database_url


def admin_engine(url: str) -> Engine:
    """An engine for CREATE/DROP DATABASE (which cannot run inside a transaction)."""
    return create_engine(database_url(url), isolation_level="AUTOCOMMIT", poolclass=NullPool)


@contextmanager
def throwaway_database(admin: Engine, *, prefix: str = "tsgbot_tmp") -> Iterator[str]:
    """The URL of a new empty database on `admin`'s server; dropped afterwards, connections or not."""
    name = f"{prefix}_{secrets.token_hex(6)}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin.url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            # FORCE: an engine someone forgot to dispose must not keep the database alive.
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@contextmanager
def throwaway_postgres(url: str, *, prefix: str = "tsgbot_tmp") -> Iterator[str]:
    """`throwaway_database` beside the database at `url`, with an admin engine of its own."""
    admin = admin_engine(url)
    try:
        with throwaway_database(admin, prefix=prefix) as fresh:
            yield fresh
    finally:
        admin.dispose()
