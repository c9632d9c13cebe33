"""Engines: the URLs people paste work, and SQLite is set up for a bot with many threads."""

from __future__ import annotations

import threading

from sqlalchemy import text

from bot.db.engine import database_url, make_engine


def test_postgres_urls_are_run_with_psycopg_3():
    for url in ("postgres://bot:secret@db.example.org:5432/tsgbot", "postgresql://bot:secret@db.example.org/tsgbot",
                "postgresql+psycopg://bot:secret@db.example.org/tsgbot"):
        parsed = database_url(url)
        assert parsed.drivername == "postgresql+psycopg"
        assert (parsed.username, parsed.password, parsed.database) == ("bot", "secret", "tsgbot")


def test_sqlite_urls_are_left_alone():
    assert database_url("sqlite:///tsgbot.db").render_as_string() == "sqlite:///tsgbot.db"


def test_the_sqlite_file_is_created_with_its_directory_foreign_keys_wal_and_a_busy_timeout(tmp_path):
    path = tmp_path / "data" / "nested" / "tsgbot.db"
    engine = make_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as connection:
            assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
            assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert connection.execute(text("PRAGMA busy_timeout")).scalar() > 0
        assert path.exists()
    finally:
        engine.dispose()


def test_a_sqlite_engine_can_be_used_from_other_threads(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'tsgbot.db'}")
    results, errors = [], []

    def work():
        try:
            with engine.connect() as connection:
                results.append(connection.execute(text("SELECT 1")).scalar())
        except Exception as exc:  # collected: a failure in a thread would otherwise go unseen
            errors.append(exc)

    try:
        threads = [threading.Thread(target=work) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        engine.dispose()
    assert errors == [] and results == [1, 1, 1, 1]


def test_in_memory_sqlite_is_one_database_for_every_session():
    engine = make_engine("sqlite://")
    try:
        with engine.begin() as connection:
            connection.execute(text("CREATE TABLE t (x INTEGER)"))
        with engine.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM t")).scalar() == 0
    finally:
        engine.dispose()


def test_make_engine_connects_to_the_test_database(db_url, engine_factory):
    with engine_factory(db_url).connect() as connection:
        assert connection.execute(text("SELECT 1")).scalar() == 1
