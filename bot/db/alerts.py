"""Alert messages and their outbox rows, written in the caller's transaction.

`AlertStore.receive` applies `bot.alerts.lifecycle.next_step` to the latest message of the alert's key
and queues the Slack calls it needs in the same transaction, so an alert accepted (202) is never lost
and never queued twice. On PostgreSQL the latest message is locked while it changes; two first
firings of one key racing each other end in an IntegrityError on (key, generation), which the caller
retries.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta

from sqlalchemy import JSON, bindparam, select, update
from sqlalchemy.orm import Session

from bot.alerts.lifecycle import IGNORE, OPEN, RESOLVE, Current, next_step
from bot.alerts.model import Alert, AlertLink
from bot.alerts.records import AlertRecord, Received
from bot.alerts.routing import Route
from bot.db.tables import AlertRow, OutboxRow, UTCDateTime, utcnow

_TIMES = ("starts_at", "ends_at")


def alert_to_dict(alert: Alert) -> dict:
    data = {}
    for item in dataclasses.fields(alert):
        value = getattr(alert, item.name)
        if item.name in _TIMES:
            value = value.isoformat() if value is not None else None
        elif item.name == "links":
            value = [{"label": link.label, "url": link.url} for link in value]
        elif item.name in ("labels", "annotations"):
            value = dict(value)
        elif isinstance(value, tuple):
            value = list(value)
        data[item.name] = value
    return data


def alert_from_dict(data: dict) -> Alert:
    values = dict(data)
    for name in _TIMES:
        values[name] = datetime.fromisoformat(values[name]) if values.get(name) else None
    values["links"] = tuple(AlertLink(link["label"], link["url"]) for link in values.get("links") or ())
    values["values"] = tuple(values.get("values") or ())
    known = {item.name for item in dataclasses.fields(Alert)}
    return Alert(**{k: v for k, v in values.items() if k in known})


class AlertStore:
    def __init__(self, session: Session) -> None:
        self.session = session

    def receive(self, alert: Alert, route: Route | None, *, now: datetime, note_every: timedelta) -> Received:
        """Record one notification and queue what Slack must be told."""
        latest = self._db.execute(_LATEST, {"p_key": alert.key}).first()
        current = Current(latest.id, latest.generation, latest.status, latest.noted_at) if latest else None
        step = next_step(current, alert.status, now=now, note_every=note_every)
        if step.action == IGNORE:
            return Received(None, IGNORE)
        if step.action == OPEN:
            alert_id = self._open(alert, route, latest, now)
            channel = route.channel if route else None
        else:
            alert_id, channel = latest.id, latest.channel
            if step.action == RESOLVE:
                self._resolve(latest.id, alert, now)
            else:
                self._repeat(latest.id, alert, now, noted=step.note)
        queued = self._queue(alert_id, channel, step.messages, now) if channel else ()
        return Received(alert_id, step.action, queued, channel)

    def acknowledge(self, alert_id: int, user_id: str, *, now: datetime) -> AlertRecord | None:
        """Record who took the alert (the first click counts) and queue the edit that shows it."""
        row = self.session.get(AlertRow, alert_id, with_for_update=True)
        if row is None:
            return None
        if row.acked_by is None:
            row.acked_by, row.acked_at = user_id, now
            self.session.flush()
            if row.channel:
                self._queue(row.id, row.channel, ("update",), now)
        return record_of(row)

    def get(self, alert_id: int) -> AlertRecord | None:
        row = self.session.get(AlertRow, alert_id)
        return record_of(row) if row is not None else None

    def posted(self, alert_id: int, ts: str, *, channel: str | None = None) -> None:
        """The message is in Slack: its ts, and the channel id Slack names (edits need the id, not "#name")."""
        values = {"message_ts": ts, **({"channel": channel} if channel else {})}
        self.session.execute(update(AlertRow).where(AlertRow.id == alert_id).values(**values))

    def diagnosed(self, alert_id: int, diagnosis_id: int) -> None:
        self.session.execute(update(AlertRow).where(AlertRow.id == alert_id).values(diagnosis_id=diagnosis_id))

    # -- the steps: Core statements built once, parameters apart (the accept path is hot) ---------

    @property
    def _db(self):
        return self.session.connection()

    def _open(self, alert: Alert, route: Route | None, latest, now: datetime) -> int:
        values = dict(
            key=alert.key, generation=(latest.generation + 1) if latest else 1, source=alert.source,
            status="firing", title=alert.title, severity=alert.severity, document=alert_to_dict(alert),
            channel=route.channel if route else None, route=route.name if route else "none",
            mentions=list(route.mentions) if route else [], message_ts=None,
            previous_id=latest.id if latest else None, count=1, first_seen=now, last_seen=now, noted_at=now,
            resolved_at=None, acked_by=None, acked_at=None, diagnosis_id=None, group_id=None,
        )
        return self._db.execute(_INSERT_ALERT, values).scalar_one()

    def _repeat(self, alert_id: int, alert: Alert, now: datetime, *, noted: bool) -> None:
        self._db.execute(_REPEAT_NOTED if noted else _REPEAT, {
            "p_id": alert_id, "p_now": now, "p_title": alert.title, "p_severity": alert.severity,
            "p_document": alert_to_dict(alert)})

    def _resolve(self, alert_id: int, alert: Alert, now: datetime) -> None:
        # The message keeps what was measured while it fired; only the end time comes from the resolve.
        document = dict(self._db.execute(_DOCUMENT, {"p_id": alert_id}).scalar_one())
        document["ends_at"] = (alert.ends_at or now).isoformat()
        self._db.execute(_RESOLVE, {"p_id": alert_id, "p_now": now, "p_document": document})

    def _queue(self, alert_id: int, channel: str, kinds: tuple[str, ...], now: datetime) -> tuple[str, ...]:
        rows = []
        queued_at = utcnow()  # due at once, by the clock the workers read (`now` is the alert's time)
        for kind in kinds:
            if kind == "update" and self._db.execute(_UPDATE_WAITING, {"p_id": alert_id}).first():
                continue  # an edit not yet started renders the message as it is when it is sent
            rows.append(dict(alert_id=alert_id, kind=kind, channel=channel, payload={"at": now.isoformat()},
                             status="pending", attempts=0, next_attempt_at=queued_at, claimed_by=None,
                             claimed_until=None, in_doubt=False, created_at=queued_at, sent_at=None, result_ts=None,
                             last_error=None))
        if rows:
            self._db.execute(_INSERT_OUTBOX, rows)
        return tuple(row["kind"] for row in rows)


_A = AlertRow.__table__
_O = OutboxRow.__table__
_LATEST = (select(_A.c.id, _A.c.generation, _A.c.status, _A.c.noted_at, _A.c.channel)
           .where(_A.c.key == bindparam("p_key")).order_by(_A.c.generation.desc()).limit(1).with_for_update())
_INSERT_ALERT = _A.insert().returning(_A.c.id)
_INSERT_OUTBOX = _O.insert()
_DOCUMENT = select(_A.c.document).where(_A.c.id == bindparam("p_id"))
_REPEAT_VALUES = dict(count=_A.c.count + 1, last_seen=bindparam("p_now", type_=UTCDateTime),
                      title=bindparam("p_title"), severity=bindparam("p_severity"),
                      document=bindparam("p_document", type_=JSON))
_REPEAT = _A.update().where(_A.c.id == bindparam("p_id")).values(**_REPEAT_VALUES)
_REPEAT_NOTED = (_A.update().where(_A.c.id == bindparam("p_id"))
                 .values(**_REPEAT_VALUES, noted_at=bindparam("p_now", type_=UTCDateTime)))
_RESOLVE = (_A.update().where(_A.c.id == bindparam("p_id"))
            .values(status="resolved", resolved_at=bindparam("p_now", type_=UTCDateTime),
                    document=bindparam("p_document", type_=JSON)))
_UPDATE_WAITING = (select(_O.c.id).where(_O.c.alert_id == bindparam("p_id"), _O.c.kind == "update",
                                         _O.c.status == "pending", _O.c.attempts == 0, _O.c.claimed_by.is_(None))
                   .limit(1))


def record_of(row: AlertRow) -> AlertRecord:
    return AlertRecord(
        id=row.id, key=row.key, generation=row.generation, status=row.status, alert=alert_from_dict(row.document),
        channel=row.channel, route=row.route, mentions=tuple(row.mentions or ()), message_ts=row.message_ts,
        previous_id=row.previous_id, count=row.count, first_seen=row.first_seen, last_seen=row.last_seen,
        resolved_at=row.resolved_at, acked_by=row.acked_by, acked_at=row.acked_at, diagnosis_id=row.diagnosis_id,
        group_id=row.group_id)
