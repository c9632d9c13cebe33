"""Realistic alerts reach the right knowledge-base entries through alert_text, on the shipped knowledge base."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.alerts.model import Alert
from bot.alerts.sources import parse_payload
from bot.alerts.text import alert_entities, alert_text
from bot.engine.diagnose import diagnose

PAYLOADS = Path(__file__).resolve().parent / "alert_payloads"


def alerts(source: str, name: str) -> list[Alert]:
    return parse_payload(source, (PAYLOADS / name).read_bytes())


def top_ids(alert: Alert, index) -> list[str]:
    diagnosis = diagnose(alert_text(alert), index)
    return [m.entry.id for m in diagnosis.matches]


@pytest.mark.parametrize("source, name", [("azure-monitor", "azure_metric_firing.json"),
                                          ("grafana", "grafana_firing.json")])
def test_throttled_online_endpoint_leads_to_a_429_entry(source, name, shipped_index):
    (alert,) = alerts(source, name)
    diagnosis = diagnose(alert_text(alert), shipped_index)
    assert diagnosis.decision in ("match", "close_call")
    assert diagnosis.matches[0].entry.id in ("HTTP_429_RATE_LIMIT", "HTTP_429_TOO_MANY_PENDING")
    assert 429 in [code for code, _ in diagnosis.extraction.status]


def test_azure_metric_text_names_the_metric_dimensions_and_endpoint():
    (alert,) = alerts("azure-monitor", "azure_metric_firing.json")
    text = alert_text(alert)
    assert "Metric: RequestsPerMinute (deployment=blue, statusCode=429) Total > 100 in PT5M: 312" in text
    assert "Azure ML online endpoint fraud-ep, deployment blue" in text
    assert text.splitlines()[-1].startswith("Resource: /subscriptions/0b1f6471-1bf0-4dda-aec3-cb9272f09590/")
    assert "https://" not in text  # links are shown beside the diagnosis, not read by it


def test_failed_deployment_for_quota_leads_to_err_1100(shipped_index):
    (alert,) = alerts("azure-monitor", "azure_activity_failed.json")
    text = alert_text(alert)
    assert "operation: Microsoft.MachineLearningServices/workspaces/onlineEndpoints/deployments/write" in text
    assert "status: Failed" in text
    assert top_ids(alert, shipped_index)[0] == "ERR_1100"


def test_worker_failed_to_boot_with_503_leads_to_err_2200(shipped_index):
    alert = alerts("alertmanager", "alertmanager_firing.json")[0]
    diagnosis = diagnose(alert_text(alert), shipped_index)
    assert diagnosis.decision == "match" and diagnosis.matches[0].entry.id == "ERR_2200"


def test_liveness_log_search_alert_leads_to_err_2200(shipped_index):
    (alert,) = alerts("azure-monitor", "azure_log_firing.json")
    assert top_ids(alert, shipped_index)[0] == "ERR_2200"


def test_latency_alert_without_error_text_is_diagnosed_without_a_crash(shipped_index):
    alert = alerts("alertmanager", "alertmanager_firing.json")[1]
    diagnosis = diagnose(alert_text(alert), shipped_index)
    assert diagnosis.decision in ("match", "close_call", "no_match")


def test_resolved_alert_still_has_a_text(shipped_index):
    alert = alerts("alertmanager", "alertmanager_resolved.json")[0]
    assert alert.status == "resolved"
    assert "Worker failed to boot" in alert_text(alert)


def test_text_lists_annotations_without_urls_and_labels_as_name_value():
    alert = alerts("alertmanager", "alertmanager_firing.json")[0]
    lines = alert_text(alert).splitlines()
    assert lines[0] == "Online endpoint fraud-ep answers HTTP 503"
    assert "endpoint: fraud-ep" in lines and "severity: critical" in lines
    assert not any("runbook" in line.lower() or "://" in line for line in lines)
    assert lines.count("Online endpoint fraud-ep answers HTTP 503") == 1  # the summary is not repeated


def test_entities_from_labels_case_insensitively():
    alert = alerts("alertmanager", "alertmanager_firing.json")[0]
    assert alert_entities(alert) == {"endpoint-name": "fraud-ep", "deployment-name": "blue",
                                     "resource-group": "rg-ml-prod", "workspace-name": "ws-prod",
                                     "region": "westeurope"}
    other = Alert(source="generic", fingerprint="f", group_key=None, status="firing", title="t",
                  labels={"EndpointName": "ep-1", "Resource-Group": "RG", "Location": "eastus",
                          "instance_type": "Standard_F4s_v2"})
    assert alert_entities(other) == {"endpoint-name": "ep-1", "resource-group": "RG", "region": "eastus",
                                     "instance-type": "Standard_F4s_v2"}


def test_entities_from_the_resource_id_keep_its_case_and_win_over_labels():
    (alert,) = alerts("azure-monitor", "azure_activity_failed.json")
    assert alert_entities(alert) == {"subscription-id": "0b1f6471-1bf0-4dda-aec3-cb9272f09590",
                                     "resource-group": "rg-ml-prod", "workspace-name": "ws-prod",
                                     "endpoint-name": "fraud-ep", "deployment-name": "green"}
    mixed = Alert(source="generic", fingerprint="f", group_key=None, status="firing", title="t",
                  labels={"deployment": "blue", "endpoint": "other"},
                  resource="/subscriptions/S1/resourceGroups/RG-X/providers/Microsoft.MachineLearningServices"
                           "/workspaces/WS/onlineEndpoints/My-EP")
    assert alert_entities(mixed) == {"subscription-id": "S1", "resource-group": "RG-X", "workspace-name": "WS",
                                     "endpoint-name": "My-EP", "deployment-name": "blue"}


def test_resource_of_another_service_adds_no_endpoint_words():
    alert = Alert(source="azure-monitor", fingerprint="f", group_key=None, status="firing", title="CPU high",
                  resource="/subscriptions/S1/resourcegroups/rg/providers/microsoft.compute/virtualmachines/vm1")
    text = alert_text(alert)
    assert "online endpoint" not in text.lower()
    assert alert_entities(alert) == {"subscription-id": "S1", "resource-group": "rg"}
