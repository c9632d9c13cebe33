"""Alembic environment: sees only the table metadata and the database URL.

The URL, first found wins:
  1. `-x url=...` on the command line:   alembic -x url=postgresql://user@host/db upgrade head
  2. `sqlalchemy.url` set by code:       bot.db.migrate.upgrade(url) does this
  3. the `DATABASE_URL` environment variable:   DATABASE_URL=sqlite:///tsgbot.db alembic upgrade head
`postgres://` and `postgresql://` URLs are run with psycopg 3, as the application does.
"""

from __future__ import annotations

import os
from logging.config import fileConfig

from alembic import context
from sqlalchemy import text

from bot.db.engine import database_url, make_engine
from bot.db.tables import Base

config = context.config
if config.config_file_name is not None and config.attributes.get("configure_logger", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = Base.metadata
MIGRATION_LOCK = 0x7473_6762_6F74  # "tsgbot": the advisory lock migrations hold on PostgreSQL


def _url() -> str:
    url = context.get_x_argument(as_dictionary=True).get("url") or config.get_main_option("sqlalchemy.url")
    url = url or os.environ.get("DATABASE_URL")
    if not url:
        raise SystemExit("no database URL: pass -x url=... or set DATABASE_URL")
    return database_url(url).render_as_string(hide_password=False)


def _options(url: str) -> dict:
    # SQLite cannot ALTER most things in place; batch mode copies the table instead.
    return {"target_metadata": target_metadata, "render_as_batch": url.startswith("sqlite"),
            "compare_type": True}


def run_migrations_offline() -> None:
    """Print the SQL instead of running it (`alembic upgrade head --sql`)."""
    url = _url()
    context.configure(url=url, literal_binds=True, dialect_opts={"paramstyle": "named"}, **_options(url))
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    url = _url()
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            context.configure(connection=connection, **_options(url))
            with context.begin_transaction():
                if connection.dialect.name == "postgresql":
                    # Several processes starting at once on a new database (server workers, replicas)
                    # would race to create the same tables: one migrates, the others wait and find it done.
                    connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
                context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
