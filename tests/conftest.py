"""Shared fixtures. Database tests run on SQLite always, and on PostgreSQL when TEST_DATABASE_URL is set.

    TEST_DATABASE_URL=postgresql://root@127.0.0.1:5432/test .venv/bin/python -m pytest -q

The URL names a database the tests may connect to with a role that may CREATE DATABASE; each test
gets a fresh throwaway database next to it (`tsgbot_t_<random>`), dropped afterwards.

- `db_url`: an empty database's URL, one test per backend (ids "sqlite", "postgresql")
- `migrated_url`: the same, migrated to the latest schema with Alembic
- `engine_factory`: `engine_factory(url)` makes engines that are disposed after the test
- `db_engine`, `session_factory`: an engine and a sessionmaker on `migrated_url`
- `knowledge_root`: the repository's `knowledge/` directory
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool

from bot.db.engine import database_url, make_engine, make_sessionmaker
from bot.db.migrate import upgrade

pytest_plugins = ["tests.engine_fixtures"]

REPO_ROOT = Path(__file__).resolve().parent.parent
PG_URL_ENV = "TEST_DATABASE_URL"


def _backends() -> list:
    params = [pytest.param("sqlite", id="sqlite")]
    if os.environ.get(PG_URL_ENV):
        params.append(pytest.param("postgresql", id="postgresql"))
    return params


@pytest.fixture(scope="session")
def knowledge_root() -> Path:
    return REPO_ROOT / "knowledge"


@pytest.fixture(scope="session")
def _pg_admin() -> Iterator[Engine]:
    # AUTOCOMMIT: CREATE/DROP DATABASE cannot run inside a transaction.
    engine = create_engine(database_url(os.environ[PG_URL_ENV]), isolation_level="AUTOCOMMIT", poolclass=NullPool)
    yield engine
    engine.dispose()


@contextmanager
def fresh_database(backend: str, request, sqlite_dir: Path) -> Iterator[str]:
    """The URL of an empty database on `backend` ("sqlite" or "postgresql"), dropped afterwards."""
    if backend == "sqlite":
        yield f"sqlite:///{sqlite_dir / 'tsgbot.db'}"
        return
    admin: Engine = request.getfixturevalue("_pg_admin")
    name = f"tsgbot_t_{secrets.token_hex(6)}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin.url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            # FORCE: an engine the test forgot to dispose must not keep the database alive.
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(params=_backends())
def db_url(request, tmp_path) -> Iterator[str]:
    """The URL of an empty database that lives only for this test."""
    with fresh_database(request.param, request, tmp_path) as url:
        yield url


@pytest.fixture
def migrated_url(db_url: str) -> str:
    """`db_url` after `alembic upgrade head`."""
    upgrade(db_url)
    return db_url


@pytest.fixture
def engine_factory() -> Iterator:
    """`engine_factory(url) -> Engine`; every engine made is disposed after the test."""
    engines: list[Engine] = []

    def make(url: str) -> Engine:
        engines.append(make_engine(url))
        return engines[-1]

    yield make
    for engine in engines:
        engine.dispose()


@pytest.fixture
def db_engine(migrated_url: str, engine_factory) -> Engine:
    return engine_factory(migrated_url)


@pytest.fixture
def session_factory(db_engine: Engine) -> sessionmaker[Session]:
    return make_sessionmaker(db_engine)
