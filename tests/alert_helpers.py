"""Building alerts and a delivery worker on a real database and the fake Slack, for alert tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.alerts.model import Alert, AlertLink
from bot.alerts.routing import Route
from bot.db.alerts import AlertStore
from bot.db.tables import OutboxRow, utcnow
from bot.delivery.slack_calls import SlackCalls
from bot.delivery.worker import DeliveryWorker
from bot.web.metrics import PrometheusMetrics
from bot.web.slack_client import make_slack_client

ENDPOINT_RESOURCE = ("/subscriptions/0b9f7e1c-1111-2222-3333-444455556666/resourceGroups/rg-ml-prod/providers/"
                     "Microsoft.MachineLearningServices/workspaces/ws-prod/onlineEndpoints/fraud-ep")
CHANNEL = "C0ALERTS01"
HOUR = timedelta(hours=1)


def endpoint_alert(status: str = "firing", *, fingerprint: str = "fp-429", title: str | None = None,
                   value: str = "312", links: tuple[AlertLink, ...] = (), labels: dict | None = None) -> Alert:
    """An Azure Monitor metric alert: an online endpoint answering 429."""
    return Alert(source="azure-monitor", fingerprint=fingerprint, group_key=None, status=status,
                 title=title or "fraud-ep: too many 429 responses", summary="Requests with StatusCode=429 above 100",
                 severity="error", labels={"StatusCode": "429", "deployment": "blue", **(labels or {})},
                 values=(f"RequestsPerMinute (StatusCode=429) GreaterThan 100: {value}",), links=links,
                 resource=ENDPOINT_RESOURCE)


@dataclass
class Delivery:
    """A store, a worker and a clock-free way to run them: `receive(...)`, then `drain()`."""

    sessions: sessionmaker[Session]
    worker: DeliveryWorker
    route: Route = Route(CHANNEL)

    def receive(self, alert: Alert, *, now: datetime | None = None, note_every: timedelta = HOUR):
        with self.sessions.begin() as session:
            return AlertStore(session).receive(alert, self.route, now=now or utcnow(), note_every=note_every)

    def drain(self, *, rounds: int = 50) -> int:
        """Run the worker until no job is due; returns how many jobs it handled."""
        handled = 0
        for _ in range(rounds):
            done = self.worker.run_once()
            if not done:
                return handled
            handled += done
        raise AssertionError("the outbox did not drain")

    def jobs(self) -> list[OutboxRow]:
        with self.sessions() as session:
            return list(session.scalars(select(OutboxRow).order_by(OutboxRow.id)))

    def record(self, alert_id: int):
        with self.sessions() as session:
            return AlertStore(session).get(alert_id)


@dataclass(frozen=True)
class Knowledge:
    index: object
    renderer: object


def make_delivery(sessions, slack, index, renderer, *, lease: timedelta = timedelta(seconds=30),
                  name: str | None = None, **worker_options) -> Delivery:
    client = make_slack_client(slack.bot_token, metrics=PrometheusMetrics(), base_url=slack.api_url, max_retries=0,
                               timeout=5)
    calls = SlackCalls(client, lambda: Knowledge(index, renderer))
    return Delivery(sessions, DeliveryWorker(sessions, calls, lease=lease, per_channel_rate=0, name=name,
                                             **worker_options))
