"""The stored knowledge base and the diagnosis log over the plain DB-API driver, for the command line.

`python app.py diagnose` answers one paste and exits. Importing SQLAlchemy's ORM costs about 0.25 s
of CPU, several times the diagnosis itself, so a plain diagnose on a database that is already
migrated and filled reads the same rows through `sqlite3` (or psycopg) directly. Everything else
(servers, `kb` commands, migrations, a database that needs any work) goes through SQLAlchemy.

This module knows the shape of a few tables as of the revision in `SCHEMA`: the fast path is only
taken when the migrations' head is that revision, so a schema change turns it off (safely: the full
path then answers) until this reader has been checked against the new schema and `SCHEMA` updated.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC
from pathlib import Path
from typing import Any

from bot.db.records import EXCERPT_MAX, DiagnosisRecord
from bot.engine.model import ConfirmedExample, Entry, Guide

# The migration head this reader was written against (tables kb_entries, guides, kb_state, diagnoses,
# feedback_examples).
SCHEMA = "0005_alert_groups"
SQLITE_BUSY_TIMEOUT_MS = 10_000  # bot.db.engine.BUSY_TIMEOUT_MS (that module imports SQLAlchemy)
_SQLITE_SCHEMES = ("sqlite://", "sqlite+pysqlite://")
_POSTGRES_SCHEMES = ("postgresql://", "postgres://", "postgresql+psycopg://")


class DirectStore:
    """One DB-API connection to the database; `open_direct` makes it."""

    def __init__(self, connection: Any, dialect: str) -> None:
        self.connection = connection
        self.dialect = dialect  # "sqlite" or "postgresql"
        self._mark = "?" if dialect == "sqlite" else "%s"

    def _rows(self, sql: str, params: tuple = ()) -> list[tuple]:
        cursor = self.connection.cursor()
        try:
            cursor.execute(sql.replace("?", self._mark), params)
            return cursor.fetchall()
        finally:
            cursor.close()

    def revision(self) -> str | None:
        """The revision Alembic recorded; None when the database was never migrated."""
        rows = self._rows("SELECT version_num FROM alembic_version")
        return rows[0][0] if len(rows) == 1 else None

    def entry_count(self) -> int:
        return self._rows("SELECT COUNT(*) FROM kb_entries")[0][0]

    def kb_version(self) -> int:
        rows = self._rows("SELECT version FROM kb_state WHERE id = 1")
        return (rows[0][0] or 0) if rows else 0

    def entries(self) -> list[Entry]:
        """Every stored entry, ordered by id, as `bot.db.entries.EntryRepository.all` returns them."""
        from bot.kb.codec import parse_entry

        documents = (self._document(doc) for (doc,) in self._rows("SELECT document FROM kb_entries"))
        return sorted((parse_entry(doc) for doc in documents), key=lambda entry: entry.id)

    def guides(self) -> list[Guide]:
        """Every stored guide, ordered by name, as `bot.db.guides.GuideRepository.all` returns them."""
        from bot.kb.guide_codec import guide_from_dict

        documents = (self._document(doc) for (doc,) in self._rows("SELECT document FROM guides"))
        return sorted((guide_from_dict(doc) for doc in documents), key=lambda guide: guide.name)

    def confirmed(self) -> list[ConfirmedExample]:
        """The accepted feedback examples, oldest first, as `bot.db.examples.ExampleRepository.accepted`."""
        rows = self._rows("SELECT entry_id, text FROM feedback_examples WHERE status = 'accepted' ORDER BY id")
        return [ConfirmedExample(entry_id, text) for entry_id, text in rows]

    def log(self, records: Iterable[DiagnosisRecord]) -> None:
        """Append diagnosis records in one transaction, stored exactly as `bot.db.diagnoses.DiagnosisLog` does."""
        rows = [self._log_row(record) for record in records]
        if not rows:
            return
        json_value = "?" if self.dialect == "sqlite" else "CAST(? AS json)"
        sql = ("INSERT INTO diagnoses (created_at, surface, excerpt, language, decision, top_entry_id, top_score, "
               f"matches, elapsed_ms, user_id, channel_id) VALUES (?, ?, ?, ?, ?, ?, ?, {json_value}, ?, ?, ?)")
        cursor = self.connection.cursor()
        try:
            cursor.executemany(sql.replace("?", self._mark), rows)
            self.connection.commit()
        except BaseException:
            self.connection.rollback()
            raise
        finally:
            cursor.close()

    def close(self) -> None:
        self.connection.close()

    def _document(self, value: Any) -> dict:
        # SQLAlchemy's JSON type stores text on SQLite; psycopg hands PostgreSQL's json over parsed.
        return json.loads(value) if isinstance(value, str | bytes) else value

    def _log_row(self, record: DiagnosisRecord) -> tuple:
        created_at = record.created_at.astimezone(UTC)
        if self.dialect == "sqlite":
            # SQLAlchemy's DateTime on SQLite: ISO text without an offset (bot.db.tables.UTCDateTime keeps UTC).
            created_at = created_at.strftime("%Y-%m-%d %H:%M:%S.%f")
        matches = json.dumps([{"id": entry_id, "score": score} for entry_id, score in record.matches])
        return (created_at, record.surface, record.excerpt[:EXCERPT_MAX], record.language, record.decision,
                record.top_entry_id, record.top_score, matches, record.elapsed_ms, record.user_id,
                record.channel_id)


def driver_errors() -> tuple[type[Exception], ...]:
    """The exceptions the drivers raise for database trouble (psycopg's only once it was imported)."""
    import sqlite3
    import sys

    psycopg = sys.modules.get("psycopg")
    return (sqlite3.Error, psycopg.Error) if psycopg is not None else (sqlite3.Error,)


def open_direct(url: str) -> DirectStore | None:
    """A connection for the fast path, or None when the URL is not one it handles or the database
    is not there (a missing SQLite file is left for the full path to create and migrate)."""
    if url.startswith(_SQLITE_SCHEMES):
        return _open_sqlite(url)
    if url.startswith(_POSTGRES_SCHEMES):
        return _open_postgres(url)
    return None


def _open_sqlite(url: str) -> DirectStore | None:
    import sqlite3

    database = url.split(":///", 1)[1] if ":///" in url else ""
    if not database or database == ":memory:" or "?" in database or database.startswith("file:"):
        return None  # in-memory or URL options: only SQLAlchemy's engine knows what they mean
    path = Path(database).expanduser()
    if not path.is_file():
        return None
    try:
        # mode=rw: never create a database here; that is the migration's job.
        connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=rw", uri=True,
                                     timeout=SQLITE_BUSY_TIMEOUT_MS / 1000)
        # The pragmas bot.db.engine sets on every connection; WAL is the file's, set when it was made.
        connection.execute("PRAGMA foreign_keys=ON")
        connection.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        connection.execute("PRAGMA synchronous=NORMAL")
    except sqlite3.Error:
        return None
    return DirectStore(connection, "sqlite")


def _open_postgres(url: str) -> DirectStore | None:
    try:
        import psycopg
    except ImportError:
        return None
    # libpq reads postgresql:// URIs itself (and postgres://); only SQLAlchemy's driver suffix goes.
    conninfo = "postgresql://" + url.split("://", 1)[1]
    try:
        connection = psycopg.connect(conninfo, connect_timeout=10)
    except psycopg.Error:
        return None
    return DirectStore(connection, "postgresql")
