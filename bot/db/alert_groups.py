"""Alert storms in the database: the summary message of each, which alerts are in it, and its counts.

Counts are kept per (storm, facet, value) and raised with one conditional UPDATE each, so several
sending threads and workers counting into one storm never lose a count.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.alerts.storm import FACETS, StormCounts, top_values
from bot.db.tables import AlertGroupCountRow, AlertGroupRow, AlertRow, UTCDateTime


@dataclass(frozen=True)
class AlertGroup:
    id: int
    channel: str
    message_ts: str | None
    attempts: int
    opened_at: datetime
    last_at: datetime
    edited_at: datetime | None
    shown: str | None


class AlertGroups:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, group_id: int) -> AlertGroup | None:
        row = self.session.get(AlertGroupRow, group_id)
        return _group(row) if row is not None else None

    def active(self, channel: str, *, now: datetime, quiet: timedelta) -> AlertGroup | None:
        """The channel's storm that alerts still go into: its latest, when an alert went in within `quiet`."""
        row = self.session.scalars(select(AlertGroupRow).where(AlertGroupRow.channel == channel)
                                   .order_by(AlertGroupRow.id.desc()).limit(1)).first()
        return _group(row) if row is not None and row.last_at >= now - quiet else None

    def open(self, channel: str, *, now: datetime) -> AlertGroup:
        row = AlertGroupRow(channel=channel, message_ts=None, attempts=0, opened_at=now, last_at=now,
                            edited_at=None, shown=None)
        self.session.add(row)
        self.session.flush()
        return _group(row)

    def summary_tried(self, group_id: int) -> None:
        """A post of the summary is about to be made: the next attempt looks for it first."""
        self.session.execute(update(AlertGroupRow).where(AlertGroupRow.id == group_id)
                             .values(attempts=AlertGroupRow.attempts + 1))

    def summary_posted(self, group_id: int, ts: str, *, shown: str, now: datetime) -> None:
        self.session.execute(update(AlertGroupRow).where(AlertGroupRow.id == group_id)
                             .values(message_ts=ts, shown=shown, edited_at=now))

    def summary_edited(self, group_id: int, *, shown: str, now: datetime) -> None:
        self.session.execute(update(AlertGroupRow).where(AlertGroupRow.id == group_id)
                             .values(shown=shown, edited_at=now))

    def add(self, group_id: int, alert_id: int, facets: dict[str, str], *, now: datetime) -> None:
        """The alert's message went into the storm's thread: count it (Core statements built once: this
        runs for every alert of a storm)."""
        db = self.session.connection()
        db.execute(_SET_GROUP, {"p_alert": alert_id, "p_group": group_id})
        db.execute(_TOUCH, {"p_group": group_id, "p_now": now})
        for facet, value in facets.items():
            key = {"p_group": group_id, "p_facet": facet, "p_value": value}
            if db.execute(_RAISE, key).rowcount:
                continue
            try:
                with self.session.begin_nested():
                    db.execute(_INSERT_COUNT, {"group_id": group_id, "facet": facet, "value": value, "count": 1})
            except IntegrityError:  # another thread counted the first one: raise it instead
                db.execute(_RAISE, key)

    def counts(self, group_id: int) -> StormCounts:
        totals = dict(self.session.execute(
            select(AlertRow.status, func.count()).where(AlertRow.group_id == group_id).group_by(AlertRow.status)).all())
        rows = self.session.execute(select(AlertGroupCountRow.facet, AlertGroupCountRow.value,
                                           AlertGroupCountRow.count)
                                    .where(AlertGroupCountRow.group_id == group_id)).all()
        facets = {facet: top_values([(value, count) for f, value, count in rows if f == facet]) for facet in FACETS}
        return StormCounts(total=sum(totals.values()), resolved=totals.get("resolved", 0), facets=facets)


_A = AlertRow.__table__
_G = AlertGroupRow.__table__
_C = AlertGroupCountRow.__table__
_SET_GROUP = _A.update().where(_A.c.id == bindparam("p_alert")).values(group_id=bindparam("p_group"))
_TOUCH = (_G.update().where(_G.c.id == bindparam("p_group"), _G.c.last_at < bindparam("p_now", type_=UTCDateTime))
          .values(last_at=bindparam("p_now", type_=UTCDateTime)))
_RAISE = (_C.update().where(_C.c.group_id == bindparam("p_group"), _C.c.facet == bindparam("p_facet"),
                            _C.c.value == bindparam("p_value")).values(count=_C.c.count + 1))
_INSERT_COUNT = _C.insert()


def _group(row: AlertGroupRow) -> AlertGroup:
    return AlertGroup(row.id, row.channel, row.message_ts, row.attempts, row.opened_at, row.last_at, row.edited_at,
                      row.shown)
