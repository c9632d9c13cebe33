"""Prometheus metrics of one app: what `GET /metrics` shows (and `python app.py worker`'s metrics port).

Implements `bot.slack.ports.Metrics` for the Slack layer; the web layer adds requests, the
knowledge-base version and the values read at scrape time (the outbox, Slack's state).

Under `serve` every gunicorn worker is its own process: prometheus_client's multiprocess mode
(`bot.web.multiprocess`) keeps each process's values in files of one directory and a scrape, answered
by any one worker, adds them all up. Without it (tests building apps in-process, the stand-alone
delivery worker) the values live in this object's own registry, so two apps in one process never
mix counts. Labels have a few values each: never an entry id, a channel or a user, whose values grow
with the knowledge base or the workspace (entries are counted in the database: `kb stats`).
"""

from __future__ import annotations

from collections.abc import Iterable

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.registry import Collector

from bot.web import multiprocess

# Diagnoses take milliseconds, a Slack round trip up to seconds: buckets cover both.
SECONDS_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class PrometheusMetrics:
    """The counters, histograms and gauges of `GET /metrics`."""

    content_type = CONTENT_TYPE_LATEST

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        self._live: list[Collector] = []  # read at scrape time by the process answering it
        r = self.registry
        self.http_requests = Counter("tsgbot_http_requests", "HTTP requests answered, by route and status",
                                     ("route", "status"), registry=r)
        self.http_seconds = Histogram("tsgbot_http_request_duration_seconds",
                                      "Time to answer an HTTP request, by route", ("route",),
                                      buckets=SECONDS_BUCKETS, registry=r)
        self.diagnoses = Counter("tsgbot_diagnoses", "Diagnoses made, by surface and decision "
                                 "(match, close_call, no_match)", ("surface", "decision"), registry=r)
        self.diagnosis_seconds = Histogram("tsgbot_diagnosis_duration_seconds",
                                           "Time to diagnose and record a paste, by surface",
                                           ("surface",), buckets=SECONDS_BUCKETS, registry=r)
        self.slack_api_errors = Counter("tsgbot_slack_api_errors", "Failed Slack Web API calls, by method and error",
                                        ("method", "error"), registry=r)
        self.duplicates = Counter("tsgbot_slack_duplicates_dropped",
                                  "Slack events dropped because their event id was handled already", registry=r)
        self.slack_refused = Counter("tsgbot_slack_requests_refused",
                                     "Requests to /slack/events refused or ignored before Bolt, by reason "
                                     "(too_large, no_signature, bad_timestamp, stale, bad_signature, malformed, "
                                     "other_workspace, workspace_unknown, response_url)", ("reason",), registry=r)
        self.alerts = Counter("tsgbot_alerts_received", "Alert notifications stored, by source and what they did "
                              "(open, repeat, resolve, ignore)", ("source", "action"), registry=r)
        self.deliveries = Counter("tsgbot_alert_deliveries", "Outbox jobs finished or retried, by kind and outcome "
                                  "(sent, retry, dead)", ("kind", "outcome"), registry=r)
        # Gauges need a rule for adding up processes. The version: the lowest one a live process
        # serves, so it reaches N once every process has loaded N. The entries: the last one loaded.
        self.kb_version = Gauge("tsgbot_kb_version", "Version of the knowledge base served (the oldest one "
                                "any process of this server still serves)", registry=r, multiprocess_mode="livemin")
        self.kb_entries = Gauge("tsgbot_kb_entries", "Entries in the knowledge base loaded last",
                                registry=r, multiprocess_mode="livemostrecent")

    # bot.slack.ports.Metrics
    def diagnosis(self, *, surface: str, decision: str, entry_id: str | None, seconds: float) -> None:
        # entry_id is not a label: with 10,000 entries it would make 10,000 series per surface.
        self.diagnoses.labels(surface, decision).inc()
        self.diagnosis_seconds.labels(surface).observe(seconds)

    def slack_api_error(self, *, method: str, error: str) -> None:
        self.slack_api_errors.labels(method, error or "unknown").inc()

    def duplicate_dropped(self) -> None:
        self.duplicates.inc()

    # the web layer
    def slack_request_refused(self, reason: str) -> None:
        self.slack_refused.labels(reason).inc()

    def http_request(self, *, route: str, status: int, seconds: float) -> None:
        self.http_requests.labels(route, str(status)).inc()
        self.http_seconds.labels(route).observe(seconds)

    def knowledge_base(self, *, version: int, entries: int) -> None:
        self.kb_version.set(version)
        self.kb_entries.set(entries)

    # alerts
    def alert_received(self, source: str, action: str) -> None:
        self.alerts.labels(source, action).inc()

    def alert_delivery(self, kind: str, outcome: str) -> None:
        self.deliveries.labels(kind, outcome).inc()

    # values read when scraped
    def add_live(self, collectors: Iterable[Collector]) -> None:
        """Collectors whose values are read at scrape time by the process that answers it (the outbox
        from the database, this process's Slack connection): never stored, never added up."""
        for collector in collectors:
            self._live.append(collector)
            if not multiprocess.enabled():
                self.registry.register(collector)

    def render(self) -> bytes:
        """The Prometheus text exposition of every metric (of every process of the server)."""
        if not multiprocess.enabled():
            return generate_latest(self.registry)
        registry = CollectorRegistry()
        multiprocess.collect_into(registry)
        for collector in self._live:
            registry.register(collector)
        return generate_latest(registry)
