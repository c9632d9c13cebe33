"""tsgbot's own alert format, for senders with a templated or scripted webhook.

    {"title": "...", "text": "...", "severity": "critical", "status": "firing",
     "fingerprint": "...", "labels": {"endpoint": "fraud-ep"},
     "links": [{"label": "Runbook", "url": "https://..."}, "https://..."],
     "resource": "/subscriptions/.../onlineEndpoints/fraud-ep"}

Only `title` is required. A JSON list of such objects carries several alerts.
"""

from __future__ import annotations

from typing import Any

from bot.alerts.model import MAX_FINGERPRINT, MAX_SUMMARY, MAX_TITLE, Alert, AlertPayloadError
from bot.alerts.sources.fields import (
    alert_list,
    cap,
    labels_fingerprint,
    links_of,
    need_object,
    one_line,
    parse_time,
    resource_from_labels,
    severity_of,
    status_of,
    string_map,
    text_of,
)

SOURCE = "generic"


def parse(payload: Any) -> list[Alert]:
    """One alert from an object, several from a list of objects."""
    if isinstance(payload, list):
        items = alert_list(payload, "the list")
        return [_alert(item, f"[{n}]") for n, item in enumerate(items)]
    return [_alert(need_object(payload, "", "an object or a list of objects"), "")]


def _alert(item: Any, path: str) -> Alert:
    item = need_object(item, path or "")

    def at(name: str) -> str:
        return f"{path}.{name}" if path else name

    title = item.get("title")
    if not isinstance(title, str) or not title.strip():
        raise AlertPayloadError(422, at("title"), f"{at('title')} is required: a non-empty string naming the alert.")
    status = status_of("firing" if item.get("status") is None else item["status"], at("status"))
    labels = string_map(item.get("labels"), at("labels"))
    fingerprint = text_of(item.get("fingerprint"), MAX_FINGERPRINT)
    if not fingerprint:
        fingerprint = labels_fingerprint(" ".join(title.split()), sorted(labels.items()))
    resource = item.get("resource")
    return Alert(
        source=SOURCE,
        fingerprint=fingerprint,
        group_key=None,
        status=status,
        title=one_line(title, MAX_TITLE),
        summary=cap(text_of(item.get("text"), MAX_SUMMARY), MAX_SUMMARY),
        severity=severity_of(item.get("severity")),
        labels=labels,
        links=links_of(_links(item.get("links"), at("links"))),
        resource=one_line(resource, 500) if isinstance(resource, str) and resource.strip()
        else resource_from_labels(labels),
        starts_at=parse_time(item.get("startsAt") or item.get("starts_at")),
        ends_at=parse_time(item.get("endsAt") or item.get("ends_at")),
    )


def _links(value: Any, path: str) -> list[tuple[str, Any]]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise AlertPayloadError(422, path, f"{path} must be a list of URLs or of {{\"label\", \"url\"}} objects.")
    out: list[tuple[str, Any]] = []
    for item in value:
        if isinstance(item, str):
            out.append(("Link", item))
        elif isinstance(item, dict):
            out.append((text_of(item.get("label"), 80) or "Link", item.get("url")))
    return out
