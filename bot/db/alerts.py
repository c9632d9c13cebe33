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

from sqlalchemy import and_, func, insert, select, update
from sqlalchemy.orm import Session

from bot.alerts.lifecycle import IGNORE, OPEN, RESOLVE, Current, next_step
from bot.alerts.model import Alert, AlertLink
from bot.alerts.records import AlertRecord, Received
from bot.alerts.routing import Route
from bot.db.tables import AlertRow, OutboxRow, utcnow

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
        latest = self._latest(alert.key)
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
                self._resolve(latest, alert, now)
            else:
                self._repeat(latest, alert, now, noted=step.note)
        queued = self._queue(alert_id, channel, step.messages, now) if channel else ()
        return Received(alert_id, step.action, queued)

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

    def by_key(self, key: str) -> list[AlertRecord]:
        rows = self.session.scalars(select(AlertRow).where(AlertRow.key == key).order_by(AlertRow.generation))
        return [record_of(row) for row in rows]

    # -- the steps ------------------------------------------------------------------------------

    def _latest(self, key: str) -> AlertRow | None:
        query = (select(AlertRow).where(AlertRow.key == key).order_by(AlertRow.generation.desc()).limit(1)
                 .with_for_update())
        return self.session.scalars(query).first()

    def _open(self, alert: Alert, route: Route | None, latest: AlertRow | None, now: datetime) -> int:
        values = dict(
            key=alert.key, generation=(latest.generation + 1) if latest else 1, source=alert.source,
            status="firing", title=alert.title, severity=alert.severity, document=alert_to_dict(alert),
            channel=route.channel if route else None, route=route.name if route else "none",
            mentions=list(route.mentions) if route else [], message_ts=None,
            previous_id=latest.id if latest else None, count=1, first_seen=now, last_seen=now, noted_at=now,
        )
        return self.session.execute(insert(AlertRow).values(**values).returning(AlertRow.id)).scalar_one()

    def _repeat(self, row: AlertRow, alert: Alert, now: datetime, *, noted: bool) -> None:
        values = dict(count=AlertRow.count + 1, last_seen=now, title=alert.title, severity=alert.severity,
                      document=alert_to_dict(alert))
        if noted:
            values["noted_at"] = now
        self.session.execute(update(AlertRow).where(AlertRow.id == row.id).values(**values))

    def _resolve(self, row: AlertRow, alert: Alert, now: datetime) -> None:
        # The message keeps what was measured while it fired; only the end time comes from the resolve.
        document = dict(row.document)
        ends_at = alert.ends_at or now
        document["ends_at"] = ends_at.isoformat()
        self.session.execute(update(AlertRow).where(AlertRow.id == row.id)
                             .values(status="resolved", resolved_at=now, document=document))

    def _queue(self, alert_id: int, channel: str, kinds: tuple[str, ...], now: datetime) -> tuple[str, ...]:
        queued = []
        for kind in kinds:
            if kind == "update" and self._update_waiting(alert_id):
                continue  # an edit not yet started renders the message as it is when it is sent
            queued_at = utcnow()  # due at once, by the clock the workers read (`now` is the alert's time)
            self.session.execute(insert(OutboxRow).values(
                alert_id=alert_id, kind=kind, channel=channel, payload={"at": now.isoformat()}, status="pending",
                attempts=0, next_attempt_at=queued_at, in_doubt=False, created_at=queued_at))
            queued.append(kind)
        return tuple(queued)

    def _update_waiting(self, alert_id: int) -> bool:
        query = select(func.count()).select_from(OutboxRow).where(and_(
            OutboxRow.alert_id == alert_id, OutboxRow.kind == "update", OutboxRow.status == "pending",
            OutboxRow.attempts == 0, OutboxRow.claimed_by.is_(None)))
        return bool(self.session.scalar(query))


def record_of(row: AlertRow) -> AlertRecord:
    return AlertRecord(
        id=row.id, key=row.key, generation=row.generation, status=row.status, alert=alert_from_dict(row.document),
        channel=row.channel, route=row.route, mentions=tuple(row.mentions or ()), message_ts=row.message_ts,
        previous_id=row.previous_id, count=row.count, first_seen=row.first_seen, last_seen=row.last_seen,
        resolved_at=row.resolved_at, acked_by=row.acked_by, acked_at=row.acked_at, diagnosis_id=row.diagnosis_id)
