"""Grafana unified alerting's webhook contact point: one Alert per element of `alerts`.

The payload is Alertmanager's with Grafana's additions: `orgId`, per-alert `values` / `valueString`,
`silenceURL`, `dashboardURL`, `panelURL` and `imageURL`.
"""

from __future__ import annotations

import re
from typing import Any

from bot.alerts.model import MAX_FINGERPRINT, MAX_VALUE_LINE, MAX_VALUES, Alert
from bot.alerts.sources.alertmanager import silence_url, title_and_summary
from bot.alerts.sources.fields import (
    alert_list,
    annotation_links,
    annotation_map,
    format_number,
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

SOURCE = "grafana"

# One measurement of valueString: "[ var='B' labels={instance=a} value=44.2 ]" (older: metric='...').
_VALUE_RE = re.compile(r"\[\s*(?:var|metric)='(?P<name>[^']*)'\s+labels=\{(?P<labels>[^}]*)\}"
                       r"\s+value=(?P<value>[^\s\]]+)")


def parse(payload: Any) -> list[Alert]:
    """Alerts of a Grafana webhook notification."""
    root = need_object(payload, "")
    items = alert_list(root.get("alerts"), "alerts")
    group_key = text_of(root.get("groupKey"), MAX_FINGERPRINT) or None
    external = http_url(root.get("externalURL"))
    truncated = truncated_alerts(root.get("truncatedAlerts"))
    return [_alert(item, f"alerts[{n}]", group_key, external, truncated) for n, item in enumerate(items)]


def _alert(item: Any, path: str, group_key: str | None, external: str | None, truncated: int = 0) -> Alert:
    item = need_object(item, path)
    status = status_of(item.get("status"), f"{path}.status")
    labels = string_map(item.get("labels"), f"{path}.labels")
    annotations = annotation_map(item.get("annotations"), f"{path}.annotations")
    title, summary = title_and_summary(labels, annotations, default="Grafana alert")
    fingerprint = text_of(item.get("fingerprint"), MAX_FINGERPRINT) or labels_fingerprint(sorted(labels.items()))
    candidates = annotation_links(annotations)
    candidates += [("Alert rule", item.get("generatorURL")), ("Dashboard", item.get("dashboardURL")),
                   ("Panel", item.get("panelURL")), ("Image", item.get("imageURL"))]
    silence = item.get("silenceURL") or (silence_url(external, labels) if external and labels else None)
    candidates.append(("Silence", silence))
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
        values=values_of(item.get("valueString"), item.get("values")),
        links=links_of(candidates),
        resource=resource_from_labels(labels),
        starts_at=parse_time(item.get("startsAt")),
        ends_at=parse_time(item.get("endsAt")),
        truncated=truncated,
    )


def values_of(value_string: Any, values: Any) -> tuple[str, ...]:
    """Measured values as lines: "B (instance=a): 44.2"; from valueString, else the `values` map."""
    lines: list[str] = []
    if isinstance(value_string, str):
        for m in _VALUE_RE.finditer(value_string[:20000]):
            name, where, number = m.group("name") or "value", m.group("labels").strip(), m.group("value")
            lines.append(f"{name} ({where}): {number}" if where else f"{name}: {number}")
    if not lines and isinstance(values, dict):
        for name, number in values.items():
            if isinstance(number, (int, float)) and not isinstance(number, bool):
                lines.append(f"{name}: {format_number(number)}")
            elif isinstance(number, str):
                lines.append(f"{name}: {number}")
    return tuple(one_line(line, MAX_VALUE_LINE) for line in lines[:MAX_VALUES])
