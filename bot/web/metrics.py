"""Prometheus metrics of one app, in a registry of its own (two apps in one process never mix counts).

Implements `bot.slack.ports.Metrics` for the Slack layer; the web layer adds requests and the
knowledge-base version.
"""

from __future__ import annotations

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest

# Diagnoses take milliseconds, a Slack round trip up to seconds: buckets cover both.
SECONDS_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
NO_ENTRY = "none"


class PrometheusMetrics:
    """The counters, histograms and gauges of `GET /metrics`."""

    content_type = CONTENT_TYPE_LATEST

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        r = self.registry
        self.http_requests = Counter("tsgbot_http_requests", "HTTP requests answered, by route and status",
                                     ("route", "status"), registry=r)
        self.http_seconds = Histogram("tsgbot_http_request_seconds", "Time to answer an HTTP request, by route",
                                      ("route",), buckets=SECONDS_BUCKETS, registry=r)
        self.diagnoses = Counter("tsgbot_diagnoses", "Diagnoses made, by surface, decision and top entry",
                                 ("surface", "decision", "entry"), registry=r)
        self.diagnosis_seconds = Histogram("tsgbot_diagnosis_seconds",
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
        self.kb_version = Gauge("tsgbot_kb_version", "Version of the knowledge base being served", registry=r)
        self.kb_entries = Gauge("tsgbot_kb_entries", "Entries in the knowledge base being served", registry=r)

    # bot.slack.ports.Metrics
    def diagnosis(self, *, surface: str, decision: str, entry_id: str | None, seconds: float) -> None:
        self.diagnoses.labels(surface, decision, entry_id or NO_ENTRY).inc()
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

    def render(self) -> bytes:
        """The Prometheus text exposition of every metric."""
        return generate_latest(self.registry)
