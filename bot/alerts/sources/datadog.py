"""Datadog's Webhooks integration: one monitor notification per request.

Datadog posts the payload configured on the webhook, its variables filled in. The default payload
has `title` ($EVENT_TITLE, "[Triggered on {host:a}] Monitor name", "[Recovered] ..."), `body`
($EVENT_MSG), `date` and `last_updated` (milliseconds since 1970), `event_type`, `id` (the event)
and `org`. The payload suggested in the README adds `alert_id`, `alert_transition`, `alert_type`,
`alert_priority`, `alert_scope`, `tags` and `link`; every one of them is optional here.

Status: `alert_transition` (Recovered -> resolved), else the title's "[Recovered ...]" prefix, else
`alert_type` "success"; anything else fires. Identity: the monitor (`alert_id`) and the group it
fired for (`alert_scope`), else the title without its prefixes and the tags: a recovery finds the
message its trigger opened.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from bot.alerts.model import MAX_FINGERPRINT, MAX_LABELS, MAX_SUMMARY, MAX_TITLE, Alert, AlertPayloadError
from bot.alerts.sources.fields import (
    cap,
    labels_fingerprint,
    links_of,
    need_object,
    one_line,
    parse_time,
    resource_from_labels,
    severity_of,
    string_map,
    text_of,
)

SOURCE = "datadog"
_PREFIX_RE = re.compile(r"^\s*\[([^\]]{0,200})\]\s*")
_RESOLVED = ("recovered",)
_TYPE_SEVERITY = {"error": "error", "warning": "warning", "info": "info"}


def parse(payload: Any) -> list[Alert]:
    item = need_object(payload, "")
    fields = {str(name).lower(): value for name, value in item.items()}
    raw_title = text_of(fields.get("title") or fields.get("alert_title") or fields.get("event_title"), 2000)
    prefixes, title = _strip_prefixes(raw_title)
    if not title:
        raise AlertPayloadError(422, "title", 'title is required: send Datadog\'s "$EVENT_TITLE" as "title".')
    transition = text_of(fields.get("alert_transition") or fields.get("transition"), 60).lower()
    alert_type = text_of(fields.get("alert_type"), 40).lower()
    status = _status(transition, prefixes, alert_type)
    labels = _tags(fields.get("tags"), "tags")
    scope = text_of(fields.get("alert_scope") or fields.get("scope"), 500)
    monitor = text_of(fields.get("alert_id") or fields.get("monitor_id"), 100)
    if monitor:
        fingerprint = cap(f"monitor-{monitor}" + (f"/{scope}" if scope else ""), MAX_FINGERPRINT)
    else:
        fingerprint = labels_fingerprint(" ".join(title.split()), sorted(labels.items()))
    severity = (severity_of(text_of(fields.get("alert_priority") or fields.get("priority"), 20))
                or ("warning" if transition.startswith(("warn", "re-warn")) else None)
                or _TYPE_SEVERITY.get(alert_type))
    if monitor:
        labels.setdefault("monitor_id", monitor)
    if scope:
        labels.setdefault("scope", scope)
    moment = _epoch_ms(fields.get("date")) or parse_time(fields.get("date"))
    return [Alert(
        source=SOURCE,
        fingerprint=fingerprint,
        group_key=None,
        status=status,
        title=one_line(title, MAX_TITLE),
        summary=cap(_message(text_of(fields.get("body") or fields.get("event_msg") or fields.get("text"),
                                     MAX_SUMMARY * 2)), MAX_SUMMARY),
        severity=severity,
        labels=labels,
        links=links_of([("Datadog", fields.get("link")), ("Datadog", fields.get("url")),
                        ("Snapshot", fields.get("snapshot"))]),
        resource=resource_from_labels(labels),
        starts_at=moment if status == "firing" else None,
        ends_at=moment if status == "resolved" else None,
    )]


def _strip_prefixes(title: str) -> tuple[list[str], str]:
    """'[P1] [Triggered on {host:a}] CPU high' -> (['P1', 'Triggered on {host:a}'], 'CPU high')."""
    prefixes = []
    while (m := _PREFIX_RE.match(title)) and len(prefixes) < 5:
        prefixes.append(m.group(1).strip())
        title = title[m.end():]
    return prefixes, title.strip()


def _status(transition: str, prefixes: list[str], alert_type: str) -> str:
    if transition:
        return "resolved" if transition.startswith(_RESOLVED) else "firing"
    if any(p.lower().startswith(_RESOLVED) for p in prefixes):
        return "resolved"
    return "resolved" if alert_type == "success" else "firing"


def _tags(value: Any, path: str) -> dict[str, str]:
    """Datadog tags ("env:prod,endpoint:fraud-ep,critical") as labels; a tag without a value is "true"."""
    if value is None:
        return {}
    if isinstance(value, dict):
        return string_map(value, path)
    if isinstance(value, str):
        tags = value.split(",")
    elif isinstance(value, list):
        tags = [text_of(t, 600) for t in value]
    else:
        raise AlertPayloadError(422, path, f'{path} must be Datadog\'s "$TAGS" (a comma-separated string) or a list.')
    labels: dict[str, str] = {}
    for tag in tags:
        name, _, tag_value = tag.strip().partition(":")
        if name.strip() and len(labels) < MAX_LABELS:
            labels.setdefault(name.strip(), tag_value.strip() or "true")
    return string_map(labels, path)


def _message(body: str) -> str:
    """$EVENT_MSG without Datadog's markdown fences (%%%) and the notification handles (@webhook-...)."""
    kept = [re.sub(r"(?<!\S)@[\w.\-]+", "", line).rstrip() for line in body.replace("%%%", "\n").splitlines()]
    return "\n".join(kept).strip()


def _epoch_ms(value: Any) -> datetime | None:
    """$DATE / $LAST_UPDATED: milliseconds since 1970 (as a number or its digits)."""
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    try:
        moment = datetime.fromtimestamp(value / 1000, UTC)
    except (OverflowError, OSError, ValueError):
        return None
    return moment if moment.year >= 1971 else None
