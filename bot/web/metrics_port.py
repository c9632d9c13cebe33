"""`GET /metrics` of `python app.py worker`, which has no web app of its own: a small HTTP server on
HOST:METRICS_PORT in a background thread (prometheus_client's), serving the worker's own registry.

A port that cannot be bound (taken by a second worker on one machine) is logged and skipped: the
worker's job is delivering alerts, and that goes on without its metrics.
"""

from __future__ import annotations

import logging

from bot.web.metrics import PrometheusMetrics

log = logging.getLogger(__name__)


class MetricsPort:
    def __init__(self, server, thread) -> None:
        self.server = server
        self.thread = thread

    @property
    def port(self) -> int:
        return self.server.server_address[1]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


def serve_metrics(metrics: PrometheusMetrics, *, host: str, port: int) -> MetricsPort | None:
    """Serve `metrics` at http://host:port/metrics; None when `port` is 0 or cannot be bound."""
    if not port:
        return None
    from prometheus_client import start_wsgi_server

    try:
        server, thread = start_wsgi_server(port, addr=host, registry=metrics.registry)
    except OSError as exc:
        log.error("metrics not served: cannot listen on %s:%d (%s); set METRICS_PORT to a free port, or 0",
                  host, port, exc.strerror or exc)
        return None
    return MetricsPort(server, thread)
