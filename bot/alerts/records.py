"""What the store hands out about an alert's message: plain values, never database rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.alerts.model import Alert


@dataclass(frozen=True)
class AlertRecord:
    """One alert message: the alert as it last fired and what happened to it since."""

    id: int
    key: str
    generation: int
    status: str  # firing | resolved
    alert: Alert
    channel: str | None
    route: str
    mentions: tuple[str, ...]
    message_ts: str | None
    previous_id: int | None
    count: int
    first_seen: datetime
    last_seen: datetime
    resolved_at: datetime | None
    acked_by: str | None
    acked_at: datetime | None
    diagnosis_id: int | None
    group_id: int | None = None  # the storm whose summary thread holds the message


@dataclass(frozen=True)
class Received:
    """What storing one notification did: the message it belongs to (None when ignored) and the step."""

    alert_id: int | None
    action: str  # bot.alerts.lifecycle: open | repeat | resolve | ignore
    queued: tuple[str, ...] = ()  # outbox kinds queued
    channel: str | None = None  # where they go
