"""Engines and session factories for SQLite (one file, many threads) and PostgreSQL (psycopg 3)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import create_engine, event
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

BUSY_TIMEOUT_MS = 10_000
_POSTGRES_NAMES = ("postgres", "postgresql", "postgresql+psycopg2", "postgresql+psycopg")


def database_url(url: str | URL) -> URL:
    """The URL SQLAlchemy should use: `postgres://` and `postgresql://` become psycopg 3."""
    parsed = make_url(url)
    # Hosting platforms hand out `postgres://`; SQLAlchemy would pick psycopg2, which is not installed.
    if parsed.drivername in _POSTGRES_NAMES:
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def _is_memory(url: URL) -> bool:
    return url.database in (None, "", ":memory:") or bool(url.query.get("mode") == "memory")


def make_engine(url: str | URL, *, echo: bool = False) -> Engine:
    """An engine for `url`; SQLite gets foreign keys, WAL and a busy timeout on every connection."""
    parsed = database_url(url)
    if parsed.get_backend_name() != "sqlite":
        # pre_ping: a long-running bot outlives server restarts and idle-connection reaping.
        return create_engine(parsed, echo=echo, pool_pre_ping=True)

    memory = _is_memory(parsed)
    if not memory and not parsed.database.startswith("file:"):
        Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    options: dict = {"connect_args": {"check_same_thread": False, "timeout": BUSY_TIMEOUT_MS / 1000}}
    if memory:
        # Each new connection to ":memory:" would see an empty database of its own.
        options["poolclass"] = StaticPool
    engine = create_engine(parsed, echo=echo, **options)
    event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA foreign_keys=ON")
        # WAL lets readers (the bot answering) go on while a writer (kb sync, the diagnosis log) works.
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    finally:
        cursor.close()


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    """Sessions for `engine`; use `.begin()` at the edge as the transaction boundary."""
    # Repositories hand out model objects, never rows, so nothing needs refreshing after a commit.
    return sessionmaker(engine, expire_on_commit=False)
