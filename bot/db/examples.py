"""Candidate examples from feedback, and the maintainers' decisions on them.

"Solved it" on an answer and "Wrong match → the right entry" each propose the (redacted) paste as
an example of an entry. Proposals never change answers on their own: they wait as `pending` until
a maintainer accepts or rejects them. Accepting or rejecting bumps the knowledge-base version, so
every running server rebuilds its index with the accepted examples within KB_POLL_SECONDS.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.db.tables import STATE_ID, FeedbackExampleRow, KbStateRow, utcnow
from bot.engine.confirmed import example_key, fold, has_content
from bot.engine.model import ConfirmedExample

MAX_REPORTERS = 20  # distinct reporters kept per candidate; `count` goes on counting


@dataclass(frozen=True)
class Candidate:
    """One proposed example: a paste, the entry it is said to belong to, how often and by whom."""

    id: int
    entry_id: str
    text: str
    verdict: str  # how it was first reported: solved | wrong_match
    answered_entry_id: str | None  # what the bot answered when it was first reported
    status: str  # pending | accepted | rejected
    count: int
    reporters: tuple[str, ...]
    first_reported_at: datetime
    last_reported_at: datetime
    decided_by: str | None = None
    decided_at: datetime | None = None


@dataclass(frozen=True)
class Decision:
    """What became of one id given to accept/reject: `outcome` is accepted | rejected | unchanged | refused."""

    id: int
    outcome: str
    reason: str = ""
    candidate: Candidate | None = None
    code: str = ""  # why it was refused or unchanged: unknown | entry_gone | already


@dataclass(frozen=True)
class DecisionReport:
    decisions: tuple[Decision, ...] = ()
    version: int | None = None  # the knowledge-base version after the change; None when nothing changed
    changed: tuple[int, ...] = field(default=())

    @property
    def refused(self) -> tuple[Decision, ...]:
        return tuple(d for d in self.decisions if d.outcome == "refused")


class ExampleRepository:
    """Reads and writes `feedback_examples`; never commits (the caller owns the transaction)."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def propose(self, *, entry_id: str, text: str, verdict: str, user_id: str,
                answered_entry_id: str | None = None, at: datetime | None = None) -> int | None:
        """Record a report of `text` (already redacted) as an example of `entry_id`; returns the candidate id.

        None when redaction left nothing to learn from. A paste reported before for the same entry
        counts on the same candidate, whatever its status: a rejected one stays rejected.
        """
        if not entry_id or not has_content(text):
            return None
        folded, key, now = fold(text), example_key(text), at or utcnow()
        row = self._find(entry_id, key)
        if row is None:
            try:
                with self.session.begin_nested():  # another process may insert the same paste meanwhile
                    result = self.session.execute(insert(FeedbackExampleRow).values(
                        entry_id=entry_id, text=folded, text_hash=key, verdict=verdict,
                        answered_entry_id=answered_entry_id, status="pending", count=1,
                        reporters=[user_id] if user_id else [], first_reported_at=now, last_reported_at=now))
                return int(result.inserted_primary_key[0])
            except IntegrityError:
                row = self._find(entry_id, key)
                if row is None:
                    raise
        row.count += 1
        row.last_reported_at = now
        if user_id and user_id not in row.reporters and len(row.reporters) < MAX_REPORTERS:
            row.reporters = [*row.reporters, user_id]  # a new list: JSON columns track assignment only
        self.session.flush()
        return row.id

    def _find(self, entry_id: str, key: str) -> FeedbackExampleRow | None:
        query = (select(FeedbackExampleRow).where(FeedbackExampleRow.entry_id == entry_id,
                                                  FeedbackExampleRow.text_hash == key)
                 .with_for_update().execution_options(populate_existing=True))
        return self.session.scalars(query).one_or_none()

    def candidates(self, status: str | None = "pending") -> list[Candidate]:
        """Candidates of one status (None: all), by entry, most reported first."""
        query = select(FeedbackExampleRow)
        if status is not None:
            query = query.where(FeedbackExampleRow.status == status)
        rows = self.session.scalars(query).all()
        return sorted((_candidate(r) for r in rows), key=lambda c: (c.entry_id, -c.count, c.id))

    def get(self, candidate_id: int) -> Candidate | None:
        row = self.session.get(FeedbackExampleRow, candidate_id)
        return None if row is None else _candidate(row)

    def accepted(self) -> list[ConfirmedExample]:
        """The accepted examples, what the index learns from, oldest first."""
        query = (select(FeedbackExampleRow.entry_id, FeedbackExampleRow.text)
                 .where(FeedbackExampleRow.status == "accepted").order_by(FeedbackExampleRow.id))
        return [ConfirmedExample(entry_id, text) for entry_id, text in self.session.execute(query)]

    def decide(self, ids: Iterable[int], *, accept: bool, by: str, known_entries: set[str]) -> DecisionReport:
        """Accept (or reject) candidates; an accept naming an entry that no longer exists is refused.

        Bumps the knowledge-base version when any status changed, so servers reload their index.
        """
        target = "accepted" if accept else "rejected"
        decisions: list[Decision] = []
        changed: list[int] = []
        now = utcnow()
        for candidate_id in dict.fromkeys(ids):
            row = self.session.scalars(select(FeedbackExampleRow).where(FeedbackExampleRow.id == candidate_id)
                                       .with_for_update()).one_or_none()
            if row is None:
                decisions.append(Decision(candidate_id, "refused", "no such candidate", code="unknown"))
                continue
            if accept and row.entry_id not in known_entries:
                decisions.append(Decision(candidate_id, "refused",
                                          f"entry {row.entry_id} is no longer in the knowledge base "
                                          f"(reject it, or restore the entry and sync)", _candidate(row),
                                          "entry_gone"))
                continue
            if row.status == target:
                decisions.append(Decision(candidate_id, "unchanged", f"already {target}", _candidate(row), "already"))
                continue
            row.status, row.decided_by, row.decided_at = target, by[:64], now
            changed.append(candidate_id)
            decisions.append(Decision(candidate_id, target, "", _candidate(row)))
        version = self._bump_version(now) if changed else None
        self.session.flush()
        return DecisionReport(tuple(decisions), version, tuple(changed))

    def _bump_version(self, now: datetime) -> int:
        """One more knowledge-base version (an atomic UPDATE: concurrent bumps each count)."""
        result = self.session.execute(update(KbStateRow).where(KbStateRow.id == STATE_ID)
                                      .values(version=KbStateRow.version + 1, updated_at=now))
        if not result.rowcount:  # only in databases made by create_all; migrations insert the row
            self.session.add(KbStateRow(id=STATE_ID, version=1, updated_at=now))
            self.session.flush()
        return self.session.scalar(select(KbStateRow.version).where(KbStateRow.id == STATE_ID)) or 0


def _candidate(row: FeedbackExampleRow) -> Candidate:
    return Candidate(id=row.id, entry_id=row.entry_id, text=row.text, verdict=row.verdict,
                     answered_entry_id=row.answered_entry_id, status=row.status, count=row.count,
                     reporters=tuple(row.reporters or ()), first_reported_at=row.first_reported_at,
                     last_reported_at=row.last_reported_at, decided_by=row.decided_by, decided_at=row.decided_at)
