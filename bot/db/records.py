"""A diagnosis as the log keeps it: the record and how a diagnosis becomes one.

Apart from `bot.db.diagnoses` (the SQLAlchemy side) so that the command line's fast path
(`bot.db.direct`) can write the same records without importing SQLAlchemy.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from bot.engine.model import Diagnosis

# Hard cap in the table, whatever the caller asked for: enough to diagnose a Slack paste again
# ("Share in channel", "Other matches") from the stored, already redacted text.
EXCERPT_MAX = 20_000
TOP_MATCHES = 5


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class DiagnosisRecord:
    """One logged diagnosis. `excerpt` must already be redacted."""

    surface: str  # cli | slack | alert | batch | ...
    excerpt: str
    language: str
    decision: str
    matches: tuple[tuple[str, float], ...]  # (entry id, score), best first
    elapsed_ms: float
    created_at: datetime = field(default_factory=utcnow)
    user_id: str | None = None  # who asked (a Slack user id), when known
    channel_id: str | None = None  # where (a Slack channel id), when known

    @property
    def top_entry_id(self) -> str | None:
        return self.matches[0][0] if self.matches else None

    @property
    def top_score(self) -> float | None:
        return self.matches[0][1] if self.matches else None


def record_from_diagnosis(diagnosis: Diagnosis, *, surface: str, excerpt_chars: int = 500,
                          user_id: str | None = None, channel_id: str | None = None) -> DiagnosisRecord:
    """The log record of a diagnosis: the start of its (already redacted) text and its top matches."""
    return DiagnosisRecord(
        surface=surface,
        excerpt=diagnosis.extraction.text[:max(excerpt_chars, 0)],
        language=diagnosis.extraction.language,
        decision=diagnosis.decision,
        matches=tuple((m.entry.id, float(m.score)) for m in diagnosis.matches[:TOP_MATCHES]),
        elapsed_ms=float(diagnosis.elapsed_ms),
        user_id=user_id,
        channel_id=channel_id,
    )
