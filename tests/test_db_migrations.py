"""Migrations: an empty database gets the schema, again and again without harm, and can go back."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import make_url

from bot.db.diagnoses import DiagnosisLog, DiagnosisRecord
from bot.db.engine import make_sessionmaker
from bot.db.entries import EntryRepository
from bot.db.migrate import current_revision, downgrade, head_revision, upgrade
from bot.db.tables import Base
from tests.conftest import REPO_ROOT

TABLES = {"guides", "kb_entries", "kb_state", "diagnoses", "slack_events", "feedback", "alerts", "outbox",
          "feedback_examples",
          "channel_pacing", "alert_groups", "alert_group_counts"}


def tables(engine) -> set[str]:
    return set(inspect(engine).get_table_names()) - {"alembic_version"}


def test_upgrade_creates_the_tables_on_an_empty_database(db_url, engine_factory):
    assert current_revision(db_url) is None
    upgrade(db_url)
    engine = engine_factory(db_url)
    assert tables(engine) == TABLES
    with make_sessionmaker(engine)() as session:
        assert EntryRepository(session).version() == 0
        assert EntryRepository(session).count() == 0


def test_the_database_is_at_the_newest_revision(migrated_url):
    assert head_revision() == "0005_alert_groups"
    assert current_revision(migrated_url) == head_revision()


def test_upgrading_twice_changes_nothing_and_keeps_the_data(migrated_url, session_factory):
    with session_factory.begin() as session:
        DiagnosisLog(session).add(DiagnosisRecord("cli", "ERR_1200", "en", "match", (("ERR_1200", 0.9),), 1.0))
    upgrade(migrated_url)
    assert current_revision(migrated_url) == head_revision()
    with session_factory() as session:
        assert [r.excerpt for r in DiagnosisLog(session).recent()] == ["ERR_1200"]


def test_the_tables_match_the_migrations(db_engine):
    # A changed table without a new revision would show up here (like `alembic check`).
    with db_engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection, opts={"compare_type": True}), Base.metadata)
    assert diff == []


def test_downgrade_to_base_removes_the_tables_and_upgrade_brings_them_back(migrated_url, engine_factory):
    downgrade(migrated_url, "base")
    assert current_revision(migrated_url) is None
    assert tables(engine_factory(migrated_url)) == set()
    upgrade(migrated_url)
    assert current_revision(migrated_url) == head_revision()
    assert tables(engine_factory(migrated_url)) == TABLES


def test_a_percent_sign_in_the_url_survives_the_alembic_config(db_url):
    # The URL passes through configparser, where a bare '%' starts an interpolation.
    if db_url.startswith("sqlite"):
        url = db_url.replace("/tsgbot.db", "/50%/tsgbot.db")
    else:  # trust authentication ignores the password; what matters is that it reaches the driver intact
        url = make_url(db_url).set(password="p%ss").render_as_string(hide_password=False)
    assert "%" in url
    upgrade(url)
    assert current_revision(url) == head_revision()


def run_alembic(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "alembic", *args], cwd=REPO_ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def test_the_alembic_command_line_takes_the_url_from_x_or_database_url(db_url):
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    done = run_alembic("-x", f"url={db_url}", "upgrade", "head", env=env)
    assert done.returncode == 0, done.stderr
    assert current_revision(db_url) == head_revision()

    done = run_alembic("current", env={**env, "DATABASE_URL": db_url})
    assert done.returncode == 0, done.stderr
    assert "0005_alert_groups (head)" in done.stdout

    done = run_alembic("current", env=env)
    assert done.returncode != 0
    assert "no database URL" in done.stderr


def test_processes_migrating_a_new_database_at_once_all_succeed(db_url):
    """Server workers and replicas start together on an empty database: one migrates, the rest wait."""
    if db_url.startswith("sqlite"):
        pytest.skip("PostgreSQL: where several instances share one database")
    code = "import sys; from bot.db.migrate import upgrade; upgrade(sys.argv[1])"
    processes = [subprocess.Popen([sys.executable, "-c", code, db_url], cwd=REPO_ROOT, stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT) for _ in range(4)]
    outputs = [process.communicate(timeout=120)[0].decode() for process in processes]
    assert [process.returncode for process in processes] == [0, 0, 0, 0], outputs
    assert current_revision(db_url) == head_revision()
