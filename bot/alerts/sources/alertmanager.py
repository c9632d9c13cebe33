"""Prometheus Alertmanager's webhook (payload version 4): one Alert per element of `alerts`."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from bot.alerts.model import MAX_FINGERPRINT, MAX_SUMMARY, MAX_TITLE, Alert, AlertPayloadError
from bot.alerts.sources.fields import (
    alert_list,
    annotation_links,
    annotation_map,
    cap,
    http_url,
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
    truncated_alerts,
)

SOURCE = "alertmanager"


def parse(payload: Any) -> list[Alert]:
    """Alerts of an Alertmanager notification; AlertPayloadError when it is not version 4 of its shape."""
    root = need_object(payload, "")
    version = root.get("version")
    if version != "4":
        raise AlertPayloadError(422, "version", f'version must be "4" (Alertmanager\'s webhook payload), '
                                                f"not {text_of(version, 40) or 'missing'}.")
    items = alert_list(root.get("alerts"), "alerts")
    group_key = text_of(root.get("groupKey"), MAX_FINGERPRINT) or None
    external = http_url(root.get("externalURL"))
    truncated = truncated_alerts(root.get("truncatedAlerts"))
    return [_alert(item, f"alerts[{n}]", group_key, external, truncated) for n, item in enumerate(items)]


def _alert(item: Any, path: str, group_key: str | None, external: str | None, truncated: int = 0) -> Alert:
    item = need_object(item, path)
    status = status_of(item.get("status"), f"{path}.status")
    if "labels" not in item:
        raise AlertPayloadError(422, f"{path}.labels", f"{path}.labels is missing; every alert needs its labels.")
    labels = string_map(item.get("labels"), f"{path}.labels")
    annotations = annotation_map(item.get("annotations"), f"{path}.annotations")
    title, summary = title_and_summary(labels, annotations, default="Alertmanager alert")
    fingerprint = text_of(item.get("fingerprint"), MAX_FINGERPRINT) or labels_fingerprint(sorted(labels.items()))
    candidates = annotation_links(annotations)
    candidates.append(("Source", item.get("generatorURL")))
    if external and labels:
        candidates.append(("Silence", silence_url(external, labels)))
    return Alert(
        source=SOURCE,
        fingerprint=fingerprint,
        group_key=group_key,
        status=status,
        title=title,
        summary=summary,
        severity=severity_of(labels.get("severity") or labels.get("priority")),
        labels=labels,
        annotations=annotations,
        links=links_of(candidates),
        resource=resource_from_labels(labels),
        starts_at=parse_time(item.get("startsAt")),
        ends_at=parse_time(item.get("endsAt")),
        truncated=truncated,
    )


def title_and_summary(labels: dict[str, str], annotations: dict[str, str], *, default: str) -> tuple[str, str]:
    """Title from the summary annotation (else alertname); summary from description or message."""
    note = annotations.get("summary", "")
    title = one_line(note or labels.get("alertname", "") or default, MAX_TITLE)
    body = annotations.get("description") or annotations.get("message") or ""
    if not body and len(" ".join(note.split())) > MAX_TITLE:
        body = note  # a long summary is cut in the title; keep all of it here
    return title, cap(body.strip(), MAX_SUMMARY)


def silence_url(external: str, labels: dict[str, str]) -> str:
    """Alertmanager's UI form for a new silence, pre-filled with the alert's labels."""
    matchers = ",".join(f'{name}="{value}"' for name, value in sorted(labels.items()))
    return f"{external.rstrip('/')}/#/silences/new?filter={quote('{' + matchers + '}', safe='')}"
