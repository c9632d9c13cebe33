"""AlertDesk: what Slack's alert buttons change in the database (`bot.slack.alert_buttons.AlertDesk`)."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session, sessionmaker

from bot.db.alerts import AlertStore
from bot.db.tables import utcnow


class AlertDesk:
    def __init__(self, sessions: sessionmaker[Session], *, wake: Callable[[], None] | None = None) -> None:
        self.sessions = sessions
        self.wake = wake

    def acknowledge(self, alert_id: int, user_id: str) -> bool:
        with self.sessions.begin() as session:
            record = AlertStore(session).acknowledge(alert_id, user_id, now=utcnow())
        if record is not None and self.wake is not None:
            self.wake()  # the edit that shows who took it is queued: send it now
        return record is not None
