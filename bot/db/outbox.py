"""The outbox: Slack calls queued with the alerts they are about, claimed by delivery workers.

A job is claimed by one worker at a time: on PostgreSQL the candidate rows are locked with
`FOR UPDATE SKIP LOCKED` while they are claimed (so several instances on one database never take the
same job), and the claim itself is a conditional UPDATE that also holds on SQLite. A claim is a lease:
a worker that dies leaves a claim that expires and the job goes to the next worker. Jobs of one alert
go out in order: a job waits while an earlier job of its alert is still pending.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, exists, or_, select, update
from sqlalchemy.orm import Session, aliased

from bot.db.tables import OutboxRow

MAX_ERROR_CHARS = 500


@dataclass(frozen=True)
class OutboxJob:
    id: int
    alert_id: int
    kind: str
    channel: str
    payload: dict
    attempts: int  # attempts before this one
    in_doubt: bool  # an earlier attempt may have reached Slack: look before posting again
    created_at: datetime


class Outbox:
    def __init__(self, session: Session) -> None:
        self.session = session

    def claim(self, worker: str, *, now: datetime, lease: timedelta, limit: int = 20,
              skip_channels: frozenset[str] = frozenset()) -> list[OutboxJob]:
        """Claim up to `limit` due jobs (at most one per channel, none of `skip_channels`) for `worker`."""
        earlier = aliased(OutboxRow)
        blocked = exists().where(and_(earlier.alert_id == OutboxRow.alert_id, earlier.status == "pending",
                                      earlier.id < OutboxRow.id))
        query = (select(OutboxRow)
                 .where(OutboxRow.status == "pending", OutboxRow.next_attempt_at <= now,
                        or_(OutboxRow.claimed_until.is_(None), OutboxRow.claimed_until < now), ~blocked)
                 .order_by(OutboxRow.id).limit(limit * 4)
                 .with_for_update(skip_locked=True, of=OutboxRow))
        jobs: list[OutboxJob] = []
        channels = set(skip_channels)
        for row in self.session.scalars(query):
            if len(jobs) >= limit:
                break
            if row.channel in channels:
                continue
            job = OutboxJob(row.id, row.alert_id, row.kind, row.channel, dict(row.payload or {}), row.attempts,
                            row.in_doubt, row.created_at)
            # Conditional: another worker that read the same row (SQLite, or a lease that just expired)
            # changes `attempts` first and this update then matches nothing.
            taken = self.session.execute(
                update(OutboxRow)
                .where(OutboxRow.id == row.id, OutboxRow.attempts == row.attempts, OutboxRow.status == "pending")
                .values(claimed_by=worker, claimed_until=now + lease, attempts=row.attempts + 1, in_doubt=True)
                .execution_options(synchronize_session=False))
            if taken.rowcount == 1:
                jobs.append(job)
                channels.add(row.channel)
        return jobs

    def sent(self, job_id: int, *, now: datetime, ts: str | None = None) -> None:
        self._finish(job_id, status="sent", sent_at=now, result_ts=ts, in_doubt=False, last_error=None)

    def dead(self, job_id: int, *, error: str) -> None:
        """Give up: Slack refused for good (a channel that does not exist, a message it will never take)."""
        self._finish(job_id, status="dead", in_doubt=False, last_error=error[:MAX_ERROR_CHARS])

    def retry(self, job_id: int, *, at: datetime, error: str, in_doubt: bool) -> None:
        """Try again at `at`; `in_doubt` when the call may have reached Slack (a timeout, a cut connection)."""
        self._finish(job_id, next_attempt_at=at, in_doubt=in_doubt, last_error=error[:MAX_ERROR_CHARS])

    def _finish(self, job_id: int, **values) -> None:
        self.session.execute(update(OutboxRow).where(OutboxRow.id == job_id)
                             .values(claimed_by=None, claimed_until=None, **values)
                             .execution_options(synchronize_session=False))
