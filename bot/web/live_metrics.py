"""Metrics read when Prometheus scrapes, by the process answering it: never stored, never added up.

The outbox backlog comes from the database (so every server and worker on one database reports the
same numbers, whoever delivered what); Slack's state is this process's own view of it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy.orm import sessionmaker

from bot.db.outbox_stats import backlog

log = logging.getLogger(__name__)
LOG_EVERY_SECONDS = 60.0  # a database that is down is logged once a minute, not at every scrape


class OutboxBacklog(Collector):
    """`tsgbot_outbox_waiting_messages` and `tsgbot_outbox_oldest_waiting_age_seconds`.

    When the database does not answer, both are left out of the scrape (alert on `absent(...)` or on
    `/readyz`), rather than reporting a made-up 0.
    """

    def __init__(self, sessions: sessionmaker, *, now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.sessions = sessions
        self.now = now
        self._logged = 0.0

    def collect(self) -> Iterator[GaugeMetricFamily]:
        try:
            with self.sessions.begin() as session:
                found = backlog(session)
        except Exception as exc:  # a scrape must still show every other metric
            if time.monotonic() - self._logged > LOG_EVERY_SECONDS:
                self._logged = time.monotonic()
                log.warning("metrics: could not read the outbox: %s: %s", exc.__class__.__name__,
                            (str(exc).splitlines() or [""])[0])
            return
        age = max(0.0, (self.now() - found.oldest).total_seconds()) if found.oldest is not None else 0.0
        yield GaugeMetricFamily("tsgbot_outbox_waiting_messages",
                                "Alert messages queued for Slack and not sent yet (due now or waiting to retry)",
                                value=found.waiting)
        yield GaugeMetricFamily("tsgbot_outbox_oldest_waiting_age_seconds",
                                "Seconds since the oldest message still waiting in the outbox was queued "
                                "(0 when none waits)", value=age)


class SlackState(Collector):
    """`tsgbot_slack_up` (this process reached Slack's Web API at its last check) and, in Socket Mode,
    `tsgbot_slack_socket_mode_connected`."""

    def __init__(self, api_up: Callable[[], bool | None], socket_connected: Callable[[], bool | None]) -> None:
        self.api_up = api_up
        self.socket_connected = socket_connected

    def collect(self) -> Iterator[GaugeMetricFamily]:
        up = self.api_up()
        if up is not None:
            yield GaugeMetricFamily("tsgbot_slack_up", "1 when Slack's Web API answered this process's last check "
                                    "with the bot token accepted, else 0", value=1 if up else 0)
        connected = self.socket_connected()
        if connected is not None:
            yield GaugeMetricFamily("tsgbot_slack_socket_mode_connected",
                                    "1 while this process's Socket Mode connection to Slack is open",
                                    value=int(connected))
