"""parse_payload(source, body): a sender's raw webhook body -> Alert values, or AlertPayloadError."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.alerts.model import SOURCES, Alert, AlertPayloadError
from bot.alerts.redaction import redact_alert
from bot.alerts.sources import alertmanager, azure_monitor, datadog, generic, grafana
from bot.alerts.sources.fields import load_json

PARSERS: dict[str, Callable[[Any], list[Alert]]] = {
    "alertmanager": alertmanager.parse,
    "azure-monitor": azure_monitor.parse,
    "grafana": grafana.parse,
    "datadog": datadog.parse,
    "generic": generic.parse,
}


def parse_payload(source: str, body: bytes) -> list[Alert]:
    """The alerts in one request body from `source`, secrets redacted; unknown extra fields are ignored.

    Raises AlertPayloadError: status 400 when the body is not a readable JSON object (or list, for
    generic), 422 when it is JSON of the wrong shape, with the JSON path of the first bad field.
    """
    parser = PARSERS.get(source)
    if parser is None:
        raise AlertPayloadError(400, "", f"Unknown alert source {source!r}; use one of {', '.join(SOURCES)}.")
    # The one place every alert enters: secrets are masked here, before anything stores or posts them.
    return [redact_alert(alert) for alert in parser(load_json(body))]
