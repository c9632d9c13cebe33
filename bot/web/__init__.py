"""The HTTP edge: the Flask app (Slack events, health, readiness, metrics) and its Prometheus metrics."""
