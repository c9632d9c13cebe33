"""The Flask app: `POST /slack/events` (Bolt), `POST /alerts/<source>`, `GET /healthz`, `/readyz`, `/metrics`.

    app = create_app(Settings.from_env())

Built inside the server's worker process (never before a fork): it opens the database, migrates it,
loads the knowledge base when the database is empty and builds the index once. It never waits on
Slack: the token is checked in the background (`bot.web.slack_link`), so the server starts and takes
alerts while Slack is unreachable.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import timedelta

from flask import Flask, Response, g, jsonify, request
from slack_sdk import WebClient

from bot.alert_desk import AlertDesk
from bot.diagnosis_pool import DiagnosisPool
from bot.kb_watch import start_watcher
from bot.runtime import Runtime, open_runtime
from bot.service import BotService
from bot.settings import Settings
from bot.web.health import readiness
from bot.web.live_metrics import OutboxBacklog, SlackState
from bot.web.metrics import PrometheusMetrics
from bot.web.slack_app import build_bolt_app, start_slack_link
from bot.web.slack_link import SlackLink

log = logging.getLogger(__name__)
EXTENSION = "tsgbot"
UNMATCHED = "unmatched"  # the route label of a 404: unknown paths must not grow the metrics


@dataclass
class AppState:
    """What a request handler (and `serve`) may need, kept in `app.extensions["tsgbot"]`."""

    settings: Settings
    runtime: Runtime
    metrics: PrometheusMetrics
    service: BotService
    bolt_app: object | None  # slack_bolt.App when Slack is on (HTTP or Socket Mode)
    slack_threads: object | None = None  # what bot.slack.register returned: its pool, shut down on exit
    watcher: object | None = None  # bot.kb_watch.KnowledgeWatcher: reloads the knowledge base; None when off
    delivery: object | None = None  # bot.delivery.worker.DeliveryWorker sending alert messages; None when off
    slack_link: SlackLink | None = None  # Slack's Web API as this process sees it; None when Slack is off
    socket_mode: object | None = None  # bot.web.socket_mode.SocketModeConnection, set by `serve` in Socket Mode

    def close(self) -> None:
        """Stop reloading the knowledge base, let the Slack replies under way finish, close the database."""
        if self.slack_link is not None:
            self.slack_link.stop()
        if self.watcher is not None:
            self.watcher.stop()
        if self.delivery is not None:
            self.delivery.stop()
        shutdown = getattr(self.slack_threads, "shutdown", None)
        if shutdown is not None:
            shutdown(wait=True)
        if self.service.pool is not None:
            self.service.pool.close()
        self.runtime.engine.dispose()


def app_state(app: Flask) -> AppState:
    return app.extensions[EXTENSION]


def create_app(settings: Settings, *, runtime: Runtime | None = None,
               slack_client: WebClient | None = None) -> Flask:
    """The HTTP app for `settings`; `runtime` and `slack_client` replace the ones it would build."""
    runtime = runtime or open_runtime(settings)
    metrics = PrometheusMetrics()
    metrics.knowledge_base(version=runtime.kb_version, entries=len(runtime.index.entries))
    # Heavy pastes are diagnosed in processes of their own (started by `serve`, or at the first one).
    pool = (DiagnosisPool(settings.database_url, workers=settings.diagnosis_workers,
                          queue_limit=settings.diagnosis_queue, time_limit=settings.diagnosis_time_limit)
            if settings.slack_mode != "off" else None)
    service = BotService(runtime, metrics=metrics, pool=pool)
    delivery = _delivery_worker(settings, runtime, metrics)
    desk = AlertDesk(runtime.sessions, wake=delivery.wake if delivery is not None else None)
    slack_link = start_slack_link(settings, metrics, slack_client)
    bolt_app, slack_threads = (build_bolt_app(settings, service=service, metrics=metrics, client=slack_client,
                                              alerts=desk, link=slack_link)
                               if slack_link is not None else (None, None))

    app = Flask(__name__)
    watcher = start_watcher(runtime, interval=settings.kb_poll_seconds,
                            on_swap=lambda s: metrics.knowledge_base(version=s.version, entries=s.entry_count))
    state = AppState(settings, runtime, metrics, service, bolt_app, slack_threads, watcher, delivery, slack_link)
    app.extensions[EXTENSION] = state
    metrics.add_live([OutboxBacklog(runtime.sessions),
                      SlackState(lambda: slack_link.state.up if slack_link is not None else None,
                                 lambda: state.socket_mode.connected if state.socket_mode is not None else None)])
    _count_requests(app, metrics)
    _health_routes(app, state)
    _slack_route(app, settings, bolt_app, metrics, slack_link)
    _alert_routes(app, settings, runtime, metrics, delivery)
    return app


def _delivery_worker(settings: Settings, runtime: Runtime, metrics: PrometheusMetrics):
    if not settings.delivery_worker:
        log.info("alert delivery runs elsewhere (DELIVERY_WORKER=off): run 'python app.py worker'")
        return None
    from bot.delivery.setup import build_worker

    worker = build_worker(runtime, metrics)
    return worker.start() if worker is not None else None


def _alert_routes(app: Flask, settings: Settings, runtime: Runtime, metrics: PrometheusMetrics, delivery) -> None:
    from bot.web.alerts import alert_config, register_alert_routes

    auth, routes, problems = alert_config(settings)
    if problems:
        raise ValueError("alert routes: " + "; ".join(problems))
    if not auth.enabled:
        log.info("alert webhooks are off: set ALERT_WEBHOOK_TOKEN or ALERT_WEBHOOK_HMAC_SECRET to turn them on")
    register_alert_routes(app, sessions=runtime.sessions, auth=auth, routes=routes,
                          max_bytes=settings.alert_max_bytes,
                          note_every=timedelta(minutes=settings.alert_note_minutes),
                          on_stored=delivery.wake if delivery is not None else None,
                          count=metrics.alert_received)


def _count_requests(app: Flask, metrics: PrometheusMetrics) -> None:
    @app.before_request
    def start_timer() -> None:
        g.started = time.perf_counter()

    @app.after_request
    def count(response: Response) -> Response:
        route = request.url_rule.rule if request.url_rule is not None else UNMATCHED
        seconds = time.perf_counter() - g.get("started", time.perf_counter())
        metrics.http_request(route=route, status=response.status_code, seconds=seconds)
        return response


def _health_routes(app: Flask, state: AppState) -> None:
    metrics = state.metrics

    @app.get("/healthz")
    def healthz():
        return jsonify(status="ok")

    @app.get("/readyz")
    def readyz():
        found = readiness(state.runtime, slack=_slack_json(state))
        # Slack's state is reported, never a reason for 503: an outage of Slack is every replica's at
        # once, and taking them all out of service would stop the alert intake it should buffer.
        return jsonify(found.as_json()), 200 if found.ready else 503

    @app.get("/metrics")
    def prometheus():
        return Response(metrics.render(), mimetype=None, content_type=metrics.content_type)


def _slack_json(state: AppState) -> dict:
    body: dict = {"mode": state.settings.slack_mode}
    if state.slack_link is not None:
        body.update(state.slack_link.state.as_json())
    if state.socket_mode is not None:
        body.update(state.socket_mode.as_json())
    return body


def _slack_endpoint(settings: Settings, bolt_app, metrics: PrometheusMetrics, link: SlackLink | None):
    from bot.slack.audience import Audience
    from bot.web.slack_events import SlackEndpoint, response_url_prefixes

    def auth_test() -> dict:
        # The background link's last good auth.test: a request never calls Slack itself, and waits at
        # most briefly for a first check still under way.
        identity = link.identity(wait=2.0) if link is not None else None
        if identity is None:
            raise RuntimeError("Slack has not answered auth.test yet")
        return identity

    audience = Audience(team_id=settings.slack_team_id, app_id=settings.slack_app_id, auth_test=auth_test)
    return SlackEndpoint(bolt_app, secrets=settings.slack_signing_secrets, audience=audience,
                         response_url_prefixes=response_url_prefixes(settings.slack_api_url),
                         count_refused=metrics.slack_request_refused)


def _slack_route(app: Flask, settings: Settings, bolt_app, metrics: PrometheusMetrics,
                 link: SlackLink | None) -> None:
    mode = settings.slack_mode
    if mode == "http":
        handler = _slack_endpoint(settings, bolt_app, metrics, link)
        log.info("Slack is on: events, commands and interactivity at POST /slack/events")
    elif mode == "socket":
        handler = None
        log.info("Slack is on in Socket Mode: POST /slack/events is closed")
    else:
        handler = None
        log.warning("Slack is off: set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET (or SLACK_APP_TOKEN) to turn it on")

    @app.post("/slack/events")
    def slack_events():
        if handler is not None:
            return handler.handle(request)
        if mode == "socket":
            error = "Slack events arrive over Socket Mode (SLACK_APP_TOKEN is set), not over HTTP"
        else:
            error = "Slack is off: SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET are not set"
        return jsonify(ok=False, error=error), 503
