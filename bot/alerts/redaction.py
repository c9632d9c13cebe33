"""Secrets out of an alert as it arrives, before it is stored, rendered, posted or logged.

Alert senders copy whatever the alert rule put in labels and annotations: a connection string in a
description, a SAS URL in a runbook link, a key in a log line. Every text field of the Alert is
passed through the same redaction as a paste (bot/engine/redact.py).
"""

from __future__ import annotations

from dataclasses import replace

from bot.alerts.model import Alert, AlertLink
from bot.engine.redact import MASK, redact


def _fields(alert: Alert) -> list[str]:
    # Labels as name=value: a label named "password" makes its value a secret, whatever it looks like.
    return [alert.fingerprint, alert.group_key or "", alert.title, alert.summary, alert.resource or "",
            *(f"{k}={v}" for k, v in alert.labels.items()), *(f"{k}={v}" for k, v in alert.annotations.items()),
            *alert.values, *(link.url for link in alert.links), *(link.label for link in alert.links)]


def _named_value(name: str, value: str) -> str:
    """A label's value, redacted on its own and as `name=value` (the name may be what marks it secret)."""
    clean = redact(value)
    if clean is not value:
        return clean
    pair = f"{name}={value}"
    masked = redact(pair)
    if masked is pair:
        return value
    return masked[len(name) + 1:] if masked.startswith(f"{name}=") else MASK


def redact_alert(alert: Alert) -> Alert:
    """The alert with every secret in its text replaced by [REDACTED] (the same object when it has none)."""
    # One pass over all fields together first: nearly every alert has no secret, and a thousand alerts
    # of a hundred labels each should cost one redaction each, not a hundred.
    joined = "\n".join(_fields(alert))
    if redact(joined) is joined:
        return alert

    def text(value: str | None) -> str | None:
        return None if value is None else redact(value)

    return replace(
        alert,
        fingerprint=redact(alert.fingerprint),
        group_key=text(alert.group_key),
        title=redact(alert.title),
        summary=redact(alert.summary),
        resource=text(alert.resource),
        labels={redact(k): _named_value(k, v) for k, v in alert.labels.items()},
        annotations={redact(k): _named_value(k, v) for k, v in alert.annotations.items()},
        values=tuple(redact(v) for v in alert.values),
        links=tuple(AlertLink(redact(link.label), redact(link.url)) for link in alert.links),
    )
