"""Azure Monitor action groups' webhook in the common alert schema: metric, log search and activity log alerts.

Every payload is one alert. Its fingerprint is the rule, the targets and the dimension values, so the
same rule firing again on the same target after it resolved is the same alert; the alert instance id
(`alertId`) changes between instances and is not used for it. Activity log alerts have no resolved
state: each event is its own firing alert.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from bot.alerts.model import (
    MAX_ANNOTATION_VALUE,
    MAX_SUMMARY,
    MAX_TITLE,
    MAX_VALUE_LINE,
    MAX_VALUES,
    Alert,
    AlertPayloadError,
)
from bot.alerts.sources.fields import (
    annotation_links,
    annotation_map,
    cap,
    format_number,
    labels_fingerprint,
    links_of,
    need_object,
    one_line,
    optional_object,
    parse_time,
    severity_of,
    string_map,
    text_of,
)

SOURCE = "azure-monitor"
SCHEMA_ID = "azureMonitorCommonAlertSchema"
PORTAL = "https://portal.azure.com/#"

_OPERATORS = {"greaterthan": ">", "greaterthanorequal": ">=", "lessthan": "<", "lowerthan": "<",
              "lessthanorequal": "<=", "equal": "=", "equals": "=", "notequal": "!=",
              "greaterorlessthan": "> or <"}
# Activity-log fields worth reading beside the operation, in the order they are shown.
_ACTIVITY_FIELDS = (("operationName", "operation"), ("status", "status"), ("subStatus", "sub-status"),
                    ("eventSource", "event source"), ("level", "level"), ("caller", "caller"),
                    ("eventTimestamp", "event time"), ("correlationId", "correlation id"))


def parse(payload: Any) -> list[Alert]:
    """The one alert of a common-schema notification."""
    root = need_object(payload, "")
    if root.get("schemaId") != SCHEMA_ID:
        raise AlertPayloadError(422, "schemaId", f'schemaId must be "{SCHEMA_ID}": turn on "Enable the common '
                                                 f'alert schema" for this webhook in the action group.')
    data = need_object(root.get("data"), "data")
    essentials = need_object(data.get("essentials"), "data.essentials")
    context = optional_object(data.get("alertContext"), "data.alertContext")
    signal = text_of(essentials.get("signalType"), 40)
    activity = signal.lower() == "activity log"
    status = _status(essentials.get("monitorCondition"), activity)
    given = essentials.get("alertTargetIDs")
    targets = [t.strip() for t in given if isinstance(t, str) and t.strip()] if isinstance(given, list) else []
    conditions = _conditions(context)

    labels: dict[str, str] = {}
    for condition in conditions:
        labels.update(_dimensions(condition.get("dimensions")))
    labels.update(_dimensions(context.get("Dimensions")))  # log search alerts of the 2018 API
    labels.update(string_map(context.get("labels"), "data.alertContext.labels", strict=False))  # Prometheus rules
    properties = context.get("properties")
    if not activity:  # log search alert rules put their custom properties here
        labels.update(string_map(properties, "data.alertContext.properties", strict=False))
    labels.update(string_map(data.get("customProperties"), "data.customProperties", strict=False))
    labels = dict(list(labels.items())[:100])

    annotations = annotation_map(context.get("annotations"), "data.alertContext.annotations", strict=False)
    if activity:
        annotations.update(_activity(context))
    rule = text_of(essentials.get("alertRule"), MAX_TITLE)
    service = text_of(essentials.get("monitoringService"), 80)
    title = one_line(rule or annotations.get("summary", "") or f"{service or 'Azure Monitor'} alert", MAX_TITLE)

    rule_id = rule or text_of(essentials.get("originAlertId"), 300) or text_of(essentials.get("alertId"), 300)
    identity: list[Any] = [rule_id, sorted(t.lower() for t in targets),
                           sorted((name.lower(), value) for name, value in labels.items())]
    if activity:  # each activity-log event is an alert of its own; Azure's retries of it share its id
        identity.append(text_of(context.get("eventDataId") or context.get("correlationId"), 200))
    return [Alert(
        source=SOURCE,
        fingerprint=labels_fingerprint(signal.lower(), *identity),
        group_key=None,
        status=status,
        title=title,
        summary=cap(text_of(essentials.get("description"), MAX_SUMMARY), MAX_SUMMARY),
        severity=severity_of(essentials.get("severity")),
        labels=labels,
        annotations=annotations,
        values=tuple(one_line(line, MAX_VALUE_LINE) for line in _values(conditions, context))[:MAX_VALUES],
        links=links_of(_links(essentials, context, conditions, targets) + annotation_links(labels)
                       + [(name.replace("_", " ").capitalize(), value) for name, value in labels.items()]),
        resource=targets[0] if targets else _activity_scope(context) if activity else None,
        starts_at=parse_time(essentials.get("firedDateTime")),
        ends_at=parse_time(essentials.get("resolvedDateTime")) if status == "resolved" else None,
    )]


def _status(condition: Any, activity: bool) -> str:
    if activity:
        return "firing"
    value = condition.strip().lower() if isinstance(condition, str) else None
    if value == "fired":
        return "firing"
    if value == "resolved":
        return "resolved"
    raise AlertPayloadError(422, "data.essentials.monitorCondition",
                            f'data.essentials.monitorCondition must be "Fired" or "Resolved", '
                            f"not {json.dumps(condition)[:60]}.")


def _conditions(context: dict) -> list[dict]:
    condition = context.get("condition")
    items = condition.get("allOf") if isinstance(condition, dict) else None
    return [c for c in items if isinstance(c, dict)][:MAX_VALUES] if isinstance(items, list) else []


def _dimensions(value: Any) -> dict[str, str]:
    out = {}
    for item in value if isinstance(value, list) else []:
        if isinstance(item, dict) and isinstance(item.get("name"), str) and item.get("value") is not None:
            out[cap(item["name"].strip(), 200)] = text_of(item.get("value"), 500)
    return out


def _values(conditions: list[dict], context: dict) -> list[str]:
    """One line per condition: "RequestsPerMinute (deployment=blue, statusCode=429) Total > 100 in PT5M: 312"."""
    condition = context.get("condition")
    window = text_of(condition.get("windowSize"), 20) if isinstance(condition, dict) else ""
    lines = []
    for c in conditions:
        dims = ", ".join(f"{k}={v}" for k, v in _dimensions(c.get("dimensions")).items())
        query = one_line(text_of(c.get("searchQuery"), 300), 300)
        what = text_of(c.get("metricName"), 200) or (f"log query `{query}`" if query else "condition")
        aggregation = text_of(c.get("timeAggregation"), 40)
        operator = text_of(c.get("operator"), 40)
        rule = " ".join(p for p in (aggregation, _OPERATORS.get(operator.lower().replace(" ", ""), operator),
                                    text_of(c.get("threshold"), 40)) if p)
        value = c.get("metricValue")
        line = f"{what} ({dims})" if dims else what
        line += f" {rule}" if rule else ""
        line += f" in {window}" if window else ""
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            line += f": {format_number(value)}"
        lines.append(line)
    if not conditions and context.get("SearchQuery"):  # log search alerts of the 2018 API
        query = one_line(text_of(context.get("SearchQuery"), 300), 300)
        op = text_of(context.get("Operator"), 40)
        lines.append(f"log query `{query}` results: {text_of(context.get('ResultCount'), 20) or '?'}"
                     f" (threshold {op} {text_of(context.get('Threshold'), 40)})")
    if context.get("expression"):  # Azure Monitor managed Prometheus rules
        lines.append(f"{text_of(context.get('expression'), 300)}: {text_of(context.get('expressionValue'), 40)}")
    return lines


def _activity(context: dict) -> dict[str, str]:
    """Operation, status, caller and the error Azure recorded, as annotations."""
    out = {}
    for field, name in _ACTIVITY_FIELDS:
        value = text_of(context.get(field), 500)
        if value:
            out[name] = value
    properties = context.get("properties") if isinstance(context.get("properties"), dict) else {}
    status_code = text_of(properties.get("statusCode"), 100)
    if status_code:
        out["status code"] = status_code
    errors = _errors(properties.get("statusMessage")) + _errors(properties.get("error"))
    if errors:
        out["error"] = cap("\n".join(dict.fromkeys(errors)), MAX_ANNOTATION_VALUE)
    for name in ("message", "description", "title"):
        value = text_of(properties.get(name), MAX_ANNOTATION_VALUE)
        if value and value != out.get("operation"):
            out[name] = value
    return out


def _errors(value: Any, depth: int = 0) -> list[str]:
    """ "(Code) message" lines from an ARM error, also when it arrives as a JSON string (statusMessage)."""
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("{"):
            try:
                return _errors(json.loads(text), depth)
            except (ValueError, RecursionError):
                pass
        return [cap(text, MAX_ANNOTATION_VALUE)] if text else []
    if not isinstance(value, dict) or depth > 4:
        return []
    if isinstance(value.get("error"), dict):
        return _errors(value["error"], depth + 1)
    lines = []
    code, message = text_of(value.get("code"), 100), text_of(value.get("message"), MAX_ANNOTATION_VALUE)
    if code or message:
        lines.append(f"({code}) {message}".strip() if code else message)
    details = value.get("details")
    for detail in details[:20] if isinstance(details, list) else []:
        lines += _errors(detail, depth + 1)
    return lines


def _activity_scope(context: dict) -> str | None:
    authorization = context.get("authorization")
    scope = authorization.get("scope") if isinstance(authorization, dict) else None
    return scope.strip() if isinstance(scope, str) and scope.strip().lower().startswith("/subscriptions/") else None


def _links(essentials: dict, context: dict, conditions: list[dict], targets: list[str]) -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = [("Investigate", essentials.get("investigationLink"))]
    for c in conditions:
        out += [("Search results", c.get("linkToFilteredSearchResultsUI")),
                ("All search results", c.get("linkToSearchResultsUI"))]
    out += [("Search results", context.get("LinkToFilteredSearchResultsUI")),
            ("All search results", context.get("LinkToSearchResults"))]
    alert_id = essentials.get("alertId")
    if isinstance(alert_id, str) and alert_id.lower().startswith("/subscriptions/"):
        out.append(("Alert in the Azure portal",
                    f"{PORTAL}blade/Microsoft_Azure_Monitoring_Alerts/AlertDetailsTemplateBlade/alertId/"
                    f"{quote(alert_id, safe='')}"))
    for target in targets[:3]:
        if target.lower().startswith("/subscriptions/"):
            out.append(("Resource in the Azure portal", f"{PORTAL}resource{quote(target, safe='/')}"))
    return out
