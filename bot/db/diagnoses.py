"""The diagnosis log: what each surface was asked (redacted, cut short) and what the bot answered."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.records import EXCERPT_MAX, TOP_MATCHES, DiagnosisRecord, record_from_diagnosis
from bot.db.tables import DiagnosisRow

__all__ = ["EXCERPT_MAX", "TOP_MATCHES", "DiagnosisLog", "DiagnosisRecord", "record_from_diagnosis"]


class DiagnosisLog:
    """Appends to and reads the diagnosis log."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, record: DiagnosisRecord) -> int:
        """Append a record; returns its id (buttons and feedback refer to it)."""
        row = DiagnosisRow(
            created_at=record.created_at,
            surface=record.surface,
            # Defensive: a caller passing a whole paste must not fill the database with logs.
            excerpt=record.excerpt[:EXCERPT_MAX],
            language=record.language,
            decision=record.decision,
            top_entry_id=record.top_entry_id,
            top_score=record.top_score,
            matches=[{"id": entry_id, "score": score} for entry_id, score in record.matches],
            elapsed_ms=record.elapsed_ms,
            user_id=record.user_id,
            channel_id=record.channel_id,
        )
        self.session.add(row)
        self.session.flush()  # assigns the id
        return row.id

    def get(self, diagnosis_id: int) -> DiagnosisRecord | None:
        row = self.session.get(DiagnosisRow, diagnosis_id)
        return None if row is None else _record(row)

    def recent(self, limit: int = 20, surface: str | None = None) -> list[DiagnosisRecord]:
        """The latest records, newest first, optionally of one surface only."""
        query = select(DiagnosisRow).order_by(DiagnosisRow.created_at.desc(), DiagnosisRow.id.desc()).limit(limit)
        if surface is not None:
            query = query.where(DiagnosisRow.surface == surface)
        return [_record(row) for row in self.session.scalars(query)]

    def by_user(self, user_id: str, limit: int = 5) -> list[tuple[int, DiagnosisRecord]]:
        """A user's latest records with their ids, newest first."""
        query = (select(DiagnosisRow).where(DiagnosisRow.user_id == user_id)
                 .order_by(DiagnosisRow.created_at.desc(), DiagnosisRow.id.desc()).limit(limit))
        return [(row.id, _record(row)) for row in self.session.scalars(query)]


def _record(row: DiagnosisRow) -> DiagnosisRecord:
    return DiagnosisRecord(
        surface=row.surface,
        excerpt=row.excerpt,
        language=row.language,
        decision=row.decision,
        matches=tuple((m["id"], float(m["score"])) for m in row.matches or ()),
        elapsed_ms=row.elapsed_ms,
        created_at=row.created_at,
        user_id=row.user_id,
        channel_id=row.channel_id,
    )
