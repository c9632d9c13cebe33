"""What the Slack surface stores: handled event ids (so a retried event is answered once) and feedback."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot.db.tables import VERDICTS, FeedbackRow, SlackEventRow, utcnow


class SlackEventLog:
    """Event ids already handled. `add` raises IntegrityError for an id seen before, in any process."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, event_id: str, *, at: datetime | None = None) -> None:
        """Record an event id; flushed at once so a duplicate fails here, not at commit."""
        self.session.add(SlackEventRow(event_id=event_id, received_at=at or utcnow()))
        self.session.flush()

    def seen(self, event_id: str) -> bool:
        return self.session.get(SlackEventRow, event_id) is not None

    def prune(self, older_than: datetime) -> int:
        """Forget ids received before `older_than` (Slack retries for minutes, not days); returns how many."""
        result = self.session.execute(delete(SlackEventRow).where(SlackEventRow.received_at < older_than))
        return result.rowcount or 0


@dataclass(frozen=True)
class FeedbackRecord:
    """One person's verdict on one diagnosis."""

    diagnosis_id: int
    user_id: str
    verdict: str  # one of VERDICTS
    correct_entry_id: str | None = None  # the entry the person says is right ('wrong_match')
    created_at: datetime = field(default_factory=utcnow)


class FeedbackLog:
    """Appends to and reads the feedback on diagnoses."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, record: FeedbackRecord) -> int:
        if record.verdict not in VERDICTS:
            raise ValueError(f"verdict must be one of {', '.join(VERDICTS)}, not {record.verdict!r}")
        row = FeedbackRow(diagnosis_id=record.diagnosis_id, user_id=record.user_id, verdict=record.verdict,
                          correct_entry_id=record.correct_entry_id, created_at=record.created_at)
        self.session.add(row)
        self.session.flush()
        return row.id

    def for_diagnosis(self, diagnosis_id: int) -> list[FeedbackRecord]:
        """The feedback on one diagnosis, oldest first."""
        query = (select(FeedbackRow).where(FeedbackRow.diagnosis_id == diagnosis_id)
                 .order_by(FeedbackRow.created_at, FeedbackRow.id))
        return [FeedbackRecord(row.diagnosis_id, row.user_id, row.verdict, row.correct_entry_id, row.created_at)
                for row in self.session.scalars(query)]
