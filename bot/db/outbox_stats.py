"""What an on-call watches in the outbox: how many Slack messages wait, and since when.

One aggregate over the pending rows, which the (status, next_attempt_at) index finds without reading
the rows already sent: its cost grows with the backlog, not with the outbox's history.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from bot.db.tables import OutboxRow

STATEMENT_TIMEOUT_MS = 2000  # a scrape never waits long on a busy database


@dataclass(frozen=True)
class Backlog:
    waiting: int  # messages not sent yet (due now or waiting for a retry)
    oldest: datetime | None  # when the oldest of them was queued; None when none waits


def backlog(session: Session) -> Backlog:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text(f"SET LOCAL statement_timeout = {STATEMENT_TIMEOUT_MS}"))
    count, oldest = session.execute(
        select(func.count(), func.min(OutboxRow.created_at)).where(OutboxRow.status == "pending")).one()
    return Backlog(int(count or 0), oldest)
