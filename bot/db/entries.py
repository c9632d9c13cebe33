"""Reading the knowledge base the last sync stored: entries as `bot.engine.model.Entry`, and its version."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.db.tables import STATE_ID, EntryRow, KbStateRow
from bot.engine.model import Entry
from bot.kb.codec import EntryError, parse_entry


class EntryRepository:
    """Entries stored by `bot.kb.sync.sync_knowledge`."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def all(self) -> list[Entry]:
        """Every entry, ordered by id."""
        rows = self.session.scalars(select(EntryRow)).all()
        # Sorted here, not in SQL: collations differ between backends and the index should not.
        return sorted((_entry(row) for row in rows), key=lambda entry: entry.id)

    def get(self, entry_id: str) -> Entry | None:
        row = self.session.get(EntryRow, entry_id)
        return None if row is None else _entry(row)

    def ids(self) -> set[str]:
        """The ids of the stored entries (without parsing their documents)."""
        return set(self.session.scalars(select(EntryRow.id)))

    def count(self) -> int:
        return self.session.scalar(select(func.count()).select_from(EntryRow)) or 0

    def version(self) -> int:
        """The knowledge-base version: 0 before the first sync, bumped by every sync that changed something."""
        version = self.session.scalar(select(KbStateRow.version).where(KbStateRow.id == STATE_ID))
        return version or 0


def _entry(row: EntryRow) -> Entry:
    try:
        return parse_entry(row.document)
    except EntryError as exc:
        # Only a schema change in the codec gets here; a fresh sync rewrites the stored documents.
        exc.add_note(f"stored entry {row.id!r} no longer parses; run 'python app.py kb sync'")
        raise
