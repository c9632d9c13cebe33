"""The outbox: Slack calls queued with the alerts they are about, claimed by delivery workers.

A job is claimed by one worker at a time: on PostgreSQL the candidate rows are locked with
`FOR UPDATE SKIP LOCKED` while they are claimed (so several instances on one database never take the
same job), and the claim itself is a conditional UPDATE that also holds on SQLite. A claim is a lease:
a worker that dies leaves a claim that expires and the job goes to the next worker. Jobs of one alert
go out in order: a job waits while an earlier job of its alert is still pending.

A channel's jobs are claimed only together with the channel's turn (`channel_pacing`): one worker at
a time sends to a channel, in batches, so the per-channel rate holds across processes. The turn is a
lease too, and hands on the time the channel's next message may go.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, bindparam, exists, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from bot.db.tables import ChannelPacingRow, OutboxRow, UTCDateTime

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
        self.paces: dict[str, float] = {}  # after `claim`: channel -> unix time its next message may go

    def claim(self, worker: str, *, now: datetime, lease: timedelta, limit: int = 20, per_channel: int = 1,
              skip_channels: frozenset[str] = frozenset()) -> list[OutboxJob]:
        """Claim up to `limit` due jobs (at most `per_channel` per channel, none of `skip_channels`, none of
        a channel whose turn another worker holds) for `worker`, taking those channels' turns.

        Channels are served by their oldest due job, so a storm in one channel does not starve the others.
        The channels' paces are in `self.paces` afterwards (channel -> unix time its next message may go);
        give every turn back with `end_turn` when the batch is done.
        """
        due = and_(OutboxRow.status == "pending", OutboxRow.next_attempt_at <= now,
                   or_(OutboxRow.claimed_until.is_(None), OutboxRow.claimed_until < now))
        most = max(1, limit // max(1, per_channel))
        channels = self.session.scalars(
            select(OutboxRow.channel).where(due).group_by(OutboxRow.channel).order_by(func.min(OutboxRow.id))
            .limit(most + len(skip_channels))).all()
        earlier = aliased(OutboxRow)
        blocked = exists().where(and_(earlier.alert_id == OutboxRow.alert_id, earlier.status == "pending",
                                      earlier.id < OutboxRow.id))
        jobs: list[OutboxJob] = []
        self.paces = {}
        for channel in channels:
            if len(self.paces) >= most or len(jobs) >= limit:
                break
            if channel in skip_channels:
                continue
            pace = self._take_turn(channel, worker, now=now, lease=lease)
            if pace is None:  # another worker is sending to this channel
                continue
            rows = self.session.scalars(
                select(OutboxRow).where(due, OutboxRow.channel == channel, ~blocked).order_by(OutboxRow.id)
                .limit(min(per_channel, limit - len(jobs))).with_for_update(skip_locked=True, of=OutboxRow)).all()
            # Conditional: a row another worker took meanwhile (a lease that just expired) is not ours.
            taken = set(self.session.scalars(
                update(OutboxRow)
                .where(OutboxRow.id.in_([row.id for row in rows]), OutboxRow.status == "pending",
                       or_(OutboxRow.claimed_until.is_(None), OutboxRow.claimed_until < now))
                .values(claimed_by=worker, claimed_until=now + lease, attempts=OutboxRow.attempts + 1,
                        in_doubt=True)
                .returning(OutboxRow.id).execution_options(synchronize_session=False)).all()) if rows else set()
            mine = [OutboxJob(row.id, row.alert_id, row.kind, row.channel, dict(row.payload or {}), row.attempts,
                              row.in_doubt, row.created_at) for row in rows if row.id in taken]
            if not mine:
                self.end_turn(channel, worker, next_at=pace)
                continue
            self.paces[channel] = pace
            jobs += mine
        return jobs

    def _take_turn(self, channel: str, worker: str, *, now: datetime, lease: timedelta) -> float | None:
        """The channel's pace (unix time its next message may go) once `worker` holds its turn; None when
        another worker holds it."""
        free = or_(ChannelPacingRow.holder.is_(None), ChannelPacingRow.holder == worker,
                   ChannelPacingRow.held_until < now)
        # A conditional UPDATE: of two workers racing, the second finds the row held and matches nothing.
        taken = self.session.execute(
            update(ChannelPacingRow).where(ChannelPacingRow.channel == channel, free)
            .values(holder=worker, held_until=now + lease).execution_options(synchronize_session=False))
        if taken.rowcount != 1:
            if self.session.get(ChannelPacingRow, channel) is not None:
                return None
            try:
                with self.session.begin_nested():  # the first job ever for this channel
                    self.session.add(ChannelPacingRow(channel=channel, holder=worker, held_until=now + lease,
                                                      next_at=0.0))
            except IntegrityError:  # another worker added it first: its turn
                return None
        return float(self.session.execute(
            select(ChannelPacingRow.next_at).where(ChannelPacingRow.channel == channel)).scalar_one())

    def end_turn(self, channel: str, worker: str, *, next_at: float) -> None:
        """Give the channel's turn back, with the unix time its next message may go."""
        self.session.execute(
            update(ChannelPacingRow).where(ChannelPacingRow.channel == channel, ChannelPacingRow.holder == worker)
            .values(holder=None, held_until=None, next_at=next_at).execution_options(synchronize_session=False))

    def release(self, job: OutboxJob, worker: str) -> None:
        """Hand a claimed job back untried (the channel was told to wait, the worker is stopping)."""
        self.session.execute(
            update(OutboxRow).where(OutboxRow.id == job.id, OutboxRow.claimed_by == worker)
            .values(claimed_by=None, claimed_until=None, attempts=job.attempts, in_doubt=job.in_doubt)
            .execution_options(synchronize_session=False))

    def waiting_posts(self, channel: str) -> int:
        """New-alert messages queued for `channel` and not yet sent (claimed ones included)."""
        return self.session.execute(select(func.count()).select_from(OutboxRow).where(
            OutboxRow.channel == channel, OutboxRow.status == "pending", OutboxRow.kind == "post")).scalar_one()

    def sent(self, job_id: int, *, now: datetime, ts: str | None = None) -> None:
        # One statement compiled once: the worker marks every message it sends.
        self.session.connection().execute(_SENT, {"p_id": job_id, "p_now": now, "p_ts": ts})

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


_O = OutboxRow.__table__
_SENT = (_O.update().where(_O.c.id == bindparam("p_id"))
         .values(status="sent", sent_at=bindparam("p_now", type_=UTCDateTime), result_ts=bindparam("p_ts"),
                 in_doubt=False, last_error=None, claimed_by=None, claimed_until=None))
