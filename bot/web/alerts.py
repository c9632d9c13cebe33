"""The alert webhooks: `POST /alerts/<source>` and `POST /alerts/<source>/<token>`.

Sources: alertmanager, azure-monitor, grafana, datadog, generic. A request is answered 202 only once its
alerts and the Slack messages they need are committed to the database (the delivery worker sends
them); until then nothing is acknowledged. Status codes follow the senders' retry rules:
Alertmanager retries 5xx only and Azure Monitor 408/429/503/504 only, so a bad request (400, 401,
413, 415, 422) is never retried and a passing failure (the database is down: 503) always is.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import timedelta

from flask import Flask, jsonify, request
from sqlalchemy.exc import DataError, IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from bot.alerts.auth import AlertAuth
from bot.alerts.model import SOURCES, Alert, AlertPayloadError
from bot.alerts.records import Received
from bot.alerts.routing import RoutingTable, load_routes
from bot.alerts.sources import parse_payload
from bot.db.alerts import AlertStore
from bot.db.tables import utcnow
from bot.settings import Settings

log = logging.getLogger(__name__)
STORE_ATTEMPTS = 3  # two first firings of one alert racing each other: the loser tries again
JSON_TYPES = ("application/json", "text/json")


def alert_config(settings: Settings) -> tuple[AlertAuth, RoutingTable, list[str]]:
    """Authentication and routes from the settings, with the routes file's problems (file:line: ...)."""
    auth = AlertAuth(token=settings.alert_token, hmac_secret=settings.alert_hmac_secret)
    routes, problems = load_routes(settings.alert_routes, default_channel=settings.alert_channel)
    return auth, routes, problems


def register_alert_routes(app: Flask, *, sessions: sessionmaker[Session], auth: AlertAuth, routes: RoutingTable,
                          max_bytes: int, note_every: timedelta,
                          on_stored: Callable[[set[str]], None] | None = None,
                          count: Callable[[str, str], None] | None = None) -> None:
    """Attach the receivers; `on_stored(channels)` wakes the local delivery worker for messages queued
    to those channels, `count(source, action)` counts."""

    def error(status: int, message: str, field: str | None = None):
        body = {"ok": False, "error": message}
        if field is not None:
            body["field"] = field
        return jsonify(body), status

    @app.post("/alerts/<source>")
    @app.post("/alerts/<source>/<path:token>")
    def receive_alerts(source: str, token: str | None = None):
        if source not in SOURCES:
            return error(404, f"unknown alert source {source!r}; use one of: {', '.join(SOURCES)}")
        if not auth.enabled:
            return error(503, "alert webhooks are off: set ALERT_WEBHOOK_TOKEN or ALERT_WEBHOOK_HMAC_SECRET")
        if request.content_length is not None and request.content_length > max_bytes:
            return error(413, f"the body is larger than {max_bytes} bytes")
        body = request.stream.read(max_bytes + 1)
        if len(body) > max_bytes:
            return error(413, f"the body is larger than {max_bytes} bytes")
        headers = {name.lower(): value for name, value in request.headers.items()}
        if not auth.verify(headers=headers, body=body, path_token=token, now=time.time()):
            return error(401, "unauthorized")
        if request.mimetype not in JSON_TYPES and not request.mimetype.endswith("+json"):
            return error(415, f"send JSON (Content-Type: application/json), not {request.mimetype or 'nothing'!r}")
        try:
            alerts = parse_payload(source, body)
        except AlertPayloadError as exc:
            return error(exc.status, exc.message, exc.field)
        try:
            results = _store(sessions, alerts, routes, note_every)
        except (OperationalError, IntegrityError):  # down, or the same alert racing in again and again
            log.exception("%s alerts: the database did not take them; the sender will try again", source)
            return error(503, "the alerts could not be stored just now; try again")
        except (DataError, UnicodeError):
            # The same body would fail the same way: a 5xx would have the sender retry it forever.
            log.exception("%s alerts: a value the database refuses; answered 422", source)
            return error(422, "the alerts hold a value that cannot be stored as sent; nothing was stored", "")
        if count is not None:
            for result in results:
                count(source, result.action)
        channels = {r.channel for r in results if r.queued and r.channel}
        if on_stored is not None and channels:
            on_stored(channels)
        return jsonify(ok=True, accepted=len(alerts),
                       alerts=[{"key": a.key, "status": a.status, "action": r.action, "id": r.alert_id}
                               for a, r in zip(alerts, results, strict=True)]), 202


def _store(sessions: sessionmaker[Session], alerts: list[Alert], routes: RoutingTable,
           note_every: timedelta) -> list[Received]:
    """Every alert of one request in one transaction: all stored, or none and the sender retries."""
    for attempt in range(1, STORE_ATTEMPTS + 1):
        try:
            with sessions.begin() as session:
                store = AlertStore(session)
                now = utcnow()
                return [store.receive(alert, routes.route(alert), now=now, note_every=note_every)
                        for alert in alerts]
        except IntegrityError:
            if attempt == STORE_ATTEMPTS:
                raise
    raise AssertionError("unreachable")
