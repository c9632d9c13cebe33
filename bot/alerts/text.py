"""What the diagnosis engine reads for an alert, and the names its commands are filled with.

The text says only what the alert says, laid out the way people paste it: title, description,
annotations, the measured values with their dimensions, labels as "name: value", the resource id.
"""

from __future__ import annotations

import re

from bot.alerts.model import Alert
from bot.alerts.sources.fields import is_url_annotation

# Annotations already shown as title or summary.
_SHOWN = ("summary", "description", "message")

_RESOURCE_RE = re.compile(
    r"/subscriptions/(?P<sub>[^/\s]+)(?:/resourcegroups/(?P<rg>[^/\s]+))?"
    r"(?:/providers/microsoft\.machinelearningservices/workspaces/(?P<ws>[^/\s]+)"
    r"(?:/onlineendpoints/(?P<ep>[^/\s]+)(?:/deployments/(?P<dep>[^/\s]+))?)?)?",
    re.IGNORECASE)
_RESOURCE_ENTITIES = {"sub": "subscription-id", "rg": "resource-group", "ws": "workspace-name",
                      "ep": "endpoint-name", "dep": "deployment-name"}

# Label names (lower case, without "_" and "-") that name an entity of the engine's commands.
_LABEL_ENTITIES = {
    "endpoint": "endpoint-name", "endpointname": "endpoint-name", "onlineendpoint": "endpoint-name",
    "onlineendpointname": "endpoint-name", "azuremlendpoint": "endpoint-name",
    "deployment": "deployment-name", "deploymentname": "deployment-name", "onlinedeployment": "deployment-name",
    "azuremlmodeldeployment": "deployment-name",
    "resourcegroup": "resource-group", "resourcegroupname": "resource-group", "rg": "resource-group",
    "workspace": "workspace-name", "workspacename": "workspace-name", "amlworkspace": "workspace-name",
    "subscription": "subscription-id", "subscriptionid": "subscription-id",
    "region": "region", "location": "region", "azureregion": "region",
    "instancetype": "instance-type", "vmsize": "instance-type", "sku": "instance-type",
    "model": "model-name", "modelname": "model-name", "modelversion": "model-version",
}


def alert_text(alert: Alert) -> str:
    """A compact multi-line text of the alert for `diagnose`."""
    lines = [alert.title]
    if alert.summary and alert.summary != alert.title:
        lines.append(alert.summary)
    for name, value in alert.annotations.items():
        if name.lower() in _SHOWN and (value == alert.title or value == alert.summary):
            continue
        if not is_url_annotation(name, value):
            lines.append(f"{name}: {value}")
    lines += [f"Metric: {line}" for line in alert.values]
    lines += [f"{name}: {value}" for name, value in alert.labels.items() if not is_url_annotation(name, value)]
    entities = alert_entities(alert)
    if "endpoint-name" in _resource_entities(alert.resource):
        # The resource id says so (often lower-cased); the words let the engine know the service.
        described = f"Azure ML online endpoint {entities['endpoint-name']}"
        if "deployment-name" in entities:
            described += f", deployment {entities['deployment-name']}"
        lines.append(described)
    if alert.resource:
        lines.append(f"Resource: {alert.resource}")
    return "\n".join(line for line in lines if line.strip())


def alert_entities(alert: Alert) -> dict[str, str]:
    """Entity names of the engine (endpoint-name, resource-group, ...) from the resource id and the labels.

    The resource id wins where both name a value; values are kept as given (Azure often lower-cases ids).
    """
    found = _resource_entities(alert.resource)
    for name, value in alert.labels.items():
        entity = _LABEL_ENTITIES.get(re.sub(r"[_\-. ]", "", name.lower()))
        value = value.strip()
        if entity and value and len(value) <= 200 and entity not in found:
            if entity == "subscription-id" and "/" in value:
                continue
            found[entity] = value
    return found


def _resource_entities(resource: str | None) -> dict[str, str]:
    if not resource:
        return {}
    m = _RESOURCE_RE.search(resource)
    if not m:
        return {}
    return {entity: m.group(group) for group, entity in _RESOURCE_ENTITIES.items() if m.group(group)}
