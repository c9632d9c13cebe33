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
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.db.engine import make_engine, make_sessionmaker
from bot.db.migrate import upgrade
from bot.db.scratch import admin_engine, throwaway_database

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
    engine = admin_engine(os.environ[PG_URL_ENV])
    yield engine
    engine.dispose()


@contextmanager
def fresh_database(backend: str, request, sqlite_dir: Path) -> Iterator[str]:
    """The URL of an empty database on `backend` ("sqlite" or "postgresql"), dropped afterwards."""
    if backend == "sqlite":
        yield f"sqlite:///{sqlite_dir / 'tsgbot.db'}"
        return
    admin: Engine = request.getfixturevalue("_pg_admin")
    with throwaway_database(admin, prefix="tsgbot_t") as url:
        yield url


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
