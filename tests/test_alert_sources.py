"""Each sender's real payloads become the alerts a user sees; malformed ones get a clear 400/422."""

from __future__ import annotations

import copy
import dataclasses
import json
import pickle
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.alerts.model import SOURCES, Alert, AlertPayloadError
from bot.alerts.sources import PARSERS, parse_payload

PAYLOADS = Path(__file__).resolve().parent / "alert_payloads"


def load(name: str) -> dict:
    return json.loads((PAYLOADS / name).read_text(encoding="utf-8"))


def parse(source: str, payload) -> list[Alert]:
    return parse_payload(source, json.dumps(payload).encode())


def parse_file(source: str, name: str) -> list[Alert]:
    return parse_payload(source, (PAYLOADS / name).read_bytes())


def rejected(source: str, body: bytes) -> AlertPayloadError:
    with pytest.raises(AlertPayloadError) as info:
        parse_payload(source, body)
    return info.value


def test_every_source_has_a_parser():
    assert tuple(PARSERS) == SOURCES


# --- Alertmanager -----------------------------------------------------------------------------------

def test_alertmanager_gives_one_alert_per_element_with_its_own_status():
    first, second = parse_file("alertmanager", "alertmanager_firing.json")
    assert first.source == "alertmanager" and first.status == "firing"
    assert first.title == "Online endpoint fraud-ep answers HTTP 503"
    assert "Worker failed to boot" in first.summary
    assert first.severity == "critical" and second.severity == "warning"
    assert first.labels["endpoint"] == "fraud-ep"
    assert first.fingerprint == "c2a4b0e7d3f61a95"
    assert first.group_key == '{}/{team="payments"}:{team="payments"}'
    assert first.starts_at == datetime(2026, 11, 24, 9, 12, 31, 508000, tzinfo=UTC)
    assert first.ends_at is None  # 0001-01-01T00:00:00Z means "still firing"
    assert second.title == "p95 latency of fraud-ep above 2s"


def test_alertmanager_links_runbook_dashboard_source_and_silence():
    alert = parse_file("alertmanager", "alertmanager_firing.json")[0]
    links = {link.label: link.url for link in alert.links}
    assert links["Runbook"] == "https://wiki.example.com/runbooks/azureml-5xx"
    assert links["Dashboard"].startswith("https://grafana.example.com/d/azureml")
    assert links["Source"].startswith("http://prometheus.example.com:9090/graph")
    assert links["Silence"].startswith("http://alertmanager.example.com:9093/#/silences/new?filter=%7B")
    assert "alertname%3D%22AzureMLEndpointServerErrors%22" in links["Silence"]


def test_alertmanager_resolved_keeps_the_same_key_and_has_an_end():
    firing = parse_file("alertmanager", "alertmanager_firing.json")[0]
    resolved = parse_file("alertmanager", "alertmanager_resolved.json")[0]
    assert resolved.status == "resolved"
    assert resolved.key == firing.key and len(resolved.key) <= 64 and resolved.key.startswith("alertmanager:")
    assert resolved.ends_at == datetime(2026, 11, 24, 9, 47, 31, 508000, tzinfo=UTC)


def test_alertmanager_title_falls_back_to_alertname_and_fingerprint_to_labels():
    payload = load("alertmanager_firing.json")
    alert = payload["alerts"][1]
    del alert["fingerprint"], alert["annotations"]["summary"]
    a1 = parse("alertmanager", payload)[1]
    alert["labels"] = dict(reversed(list(alert["labels"].items())))
    a2 = parse("alertmanager", payload)[1]
    assert a1.title == "AzureMLEndpointLatencyHigh"
    assert a1.fingerprint and a1.fingerprint == a2.fingerprint  # label order does not matter


@pytest.mark.parametrize("change, field", [
    (lambda p: p.update(version="3"), "version"),
    (lambda p: p.pop("version"), "version"),
    (lambda p: p.update(alerts={"a": 1}), "alerts"),
    (lambda p: p["alerts"][1].update(status="pending"), "alerts[1].status"),
    (lambda p: p["alerts"][0].update(labels=["a"]), "alerts[0].labels"),
    (lambda p: p["alerts"][0].pop("labels"), "alerts[0].labels"),
    (lambda p: p["alerts"].__setitem__(1, "oops"), "alerts[1]"),
])
def test_alertmanager_wrong_shapes_are_422_with_the_field(change, field):
    payload = load("alertmanager_firing.json")
    change(payload)
    error = rejected("alertmanager", json.dumps(payload).encode())
    assert (error.status, error.field) == (422, field)
    assert field in error.message


def test_alertmanager_extra_fields_are_ignored_and_bad_times_kept_as_none():
    payload = load("alertmanager_firing.json")
    payload["somethingNew"] = {"x": 1}
    payload["alerts"][0]["startsAt"] = "yesterday"
    payload["alerts"][0]["labels"]["replicas"] = 3
    payload["alerts"][0]["labels"]["nested"] = {"a": [1, 2]}
    alert = parse("alertmanager", payload)[0]
    assert alert.starts_at is None
    assert alert.labels["replicas"] == "3" and alert.labels["nested"] == '{"a": [1, 2]}'


# --- Azure Monitor ----------------------------------------------------------------------------------

def test_azure_metric_alert_has_dimensions_values_severity_and_links():
    (alert,) = parse_file("azure-monitor", "azure_metric_firing.json")
    assert alert.source == "azure-monitor" and alert.status == "firing" and alert.group_key is None
    assert alert.title == "fraud-ep-throttled"
    assert alert.summary == "Requests to the fraud scoring endpoint are being throttled"
    assert alert.severity == "error"  # Sev1
    assert alert.labels["statusCode"] == "429" and alert.labels["deployment"] == "blue"
    assert alert.labels["team"] == "payments"  # custom properties are labels too
    assert alert.values == ("RequestsPerMinute (deployment=blue, statusCode=429) Total > 100 in PT5M: 312",)
    assert alert.resource.endswith("/onlineendpoints/fraud-ep")
    labels = [link.label for link in alert.links]
    assert {"Investigate", "Alert in the Azure portal", "Resource in the Azure portal", "Runbook"} <= set(labels)
    assert alert.starts_at == datetime(2026, 11, 24, 9, 21, 44, 517491, tzinfo=UTC)


def test_azure_resolved_and_refired_alerts_keep_one_fingerprint():
    (fired,) = parse_file("azure-monitor", "azure_metric_firing.json")
    (resolved,) = parse_file("azure-monitor", "azure_metric_resolved.json")
    refire = load("azure_metric_firing.json")
    refire["data"]["essentials"]["alertId"] = refire["data"]["essentials"]["alertId"][:-4] + "ffff"  # new instance
    refire["data"]["alertContext"]["condition"]["allOf"][0]["metricValue"] = 999
    (again,) = parse("azure-monitor", refire)
    assert resolved.status == "resolved" and resolved.ends_at is not None
    assert fired.fingerprint == resolved.fingerprint == again.fingerprint
    assert fired.key == again.key


def test_azure_other_dimension_value_or_target_is_another_alert():
    base = parse_file("azure-monitor", "azure_metric_firing.json")[0]
    other = load("azure_metric_firing.json")
    other["data"]["alertContext"]["condition"]["allOf"][0]["dimensions"][0]["value"] = "green"
    moved = load("azure_metric_firing.json")
    moved["data"]["essentials"]["alertTargetIDs"][0] = moved["data"]["essentials"]["alertTargetIDs"][0] + "2"
    assert parse("azure-monitor", other)[0].fingerprint != base.fingerprint
    assert parse("azure-monitor", moved)[0].fingerprint != base.fingerprint


def test_azure_activity_log_failure_reads_operation_and_nested_error():
    (alert,) = parse_file("azure-monitor", "azure_activity_failed.json")
    assert alert.status == "firing" and alert.severity == "warning"
    assert alert.annotations["operation"].endswith("/onlineEndpoints/deployments/write")
    assert alert.annotations["status"] == "Failed"
    assert "(OutOfQuota) Not enough quota available for Standard_DS3_v2" in alert.annotations["error"]
    assert alert.resource.endswith("/deployments/green")


def test_azure_activity_events_are_alerts_of_their_own():
    (first,) = parse_file("azure-monitor", "azure_activity_failed.json")
    payload = load("azure_activity_failed.json")
    payload["data"]["alertContext"]["eventDataId"] = "another-event"
    assert parse("azure-monitor", payload)[0].fingerprint != first.fingerprint
    assert parse_file("azure-monitor", "azure_activity_failed.json")[0].fingerprint == first.fingerprint


def test_azure_log_search_alert_has_query_value_and_search_links():
    (alert,) = parse_file("azure-monitor", "azure_log_firing.json")
    assert alert.severity == "critical"  # Sev0
    assert alert.labels == {"DeploymentName": "blue", "team": "payments"}
    assert "LivenessProbeFailed" in alert.values[0] and alert.values[0].endswith("Count > 0 in PT15M: 7")
    links = {link.label: link.url for link in alert.links}
    assert links["Search results"].startswith("https://portal.azure.com#@")
    assert not any("api.loganalytics.io" in url for url in links.values())  # API links need a token


def test_azure_test_notification_with_nulls_parses():
    payload = {"schemaId": "azureMonitorCommonAlertSchema", "data": {"essentials": {
        "monitoringService": "CostAlerts", "description": "Delivery Confirmation: a sample budget alert.",
        "alertId": "/subscriptions/aaaa/providers/Microsoft.CostManagement/alerts/Test_Alert", "alertRule": None,
        "severity": None, "signalType": None, "monitorCondition": "Fired", "alertTargetIDs": None,
        "firedDateTime": "2025-04-15T17:49:34.022Z"}, "alertContext": {"AlertCategory": "budgets"}}}
    (alert,) = parse("azure-monitor", payload)
    assert alert.title == "CostAlerts alert" and alert.severity is None and alert.resource is None
    assert alert.fingerprint


@pytest.mark.parametrize("change, field", [
    (lambda p: p.update(schemaId="Microsoft.Insights/activityLogs"), "schemaId"),
    (lambda p: p.update(data=[]), "data"),
    (lambda p: p["data"].pop("essentials"), "data.essentials"),
    (lambda p: p["data"]["essentials"].update(monitorCondition="Maybe"), "data.essentials.monitorCondition"),
])
def test_azure_wrong_shapes_are_422(change, field):
    payload = load("azure_metric_firing.json")
    change(payload)
    error = rejected("azure-monitor", json.dumps(payload).encode())
    assert (error.status, error.field) == (422, field)


def test_azure_without_common_schema_says_how_to_turn_it_on():
    error = rejected("azure-monitor", b'{"schemaId": "AzureMonitorMetricAlert", "data": {}}')
    assert "common alert schema" in error.message


# --- Grafana ----------------------------------------------------------------------------------------

def test_grafana_alert_has_values_links_and_group_key():
    (alert,) = parse_file("grafana", "grafana_firing.json")
    assert alert.source == "grafana" and alert.status == "firing"
    assert alert.title == "fraud-ep answers HTTP 429 Too Many Requests"
    assert alert.severity == "error"  # "high"
    assert alert.fingerprint == "4f2c7a9e01b3d865" and alert.group_key.startswith("{}/{__grafana_autogenerated__")
    assert alert.values == ("A (deployment=blue, endpoint=fraud-ep): 87", "B (deployment=blue, endpoint=fraud-ep): 1")
    labels = [link.label for link in alert.links]
    assert labels == ["Runbook", "Alert rule", "Dashboard", "Panel", "Silence"]


def test_grafana_resolved_keeps_the_key_and_values_fall_back_to_the_map():
    (firing,) = parse_file("grafana", "grafana_firing.json")
    payload = load("grafana_resolved.json")
    del payload["alerts"][0]["valueString"]
    (resolved,) = parse("grafana", payload)
    assert resolved.status == "resolved" and resolved.key == firing.key
    assert resolved.values == ("A: 3", "B: 0")
    assert resolved.ends_at == datetime(2026, 11, 24, 9, 55, tzinfo=UTC)


def test_grafana_test_notification_parses():
    payload = {"receiver": "test", "status": "firing", "orgId": 1, "alerts": [{
        "status": "firing", "labels": {"alertname": "TestAlert", "instance": "Grafana"},
        "annotations": {"summary": "Notification test"}, "startsAt": "2026-11-24T10:00:00.000Z",
        "endsAt": "0001-01-01T00:00:00Z", "generatorURL": "", "fingerprint": "57c6d9296de2ad39",
        "silenceURL": "", "dashboardURL": "", "panelURL": "", "values": None, "valueString": ""}],
        "groupKey": "test-57c6d9296de2ad39-1700000000", "version": "1"}
    (alert,) = parse("grafana", payload)
    assert alert.title == "Notification test" and alert.links == () and alert.values == ()


def test_grafana_alert_status_must_be_firing_or_resolved():
    payload = load("grafana_firing.json")
    payload["alerts"][0]["status"] = "alerting"
    assert rejected("grafana", json.dumps(payload).encode()).field == "alerts[0].status"


# --- generic ----------------------------------------------------------------------------------------

def test_generic_object_defaults_to_firing_with_a_stable_fingerprint():
    (alert,) = parse_file("generic", "generic_firing.json")
    assert alert.status == "firing" and alert.severity == "error"
    assert alert.summary.startswith("az ml online-deployment create failed")
    assert [(link.label, link.url) for link in alert.links] == [
        ("Pipeline run", "https://dev.azure.com/example/ml/_build/results?buildId=4711"),
        ("Link", "https://wiki.example.com/runbooks/azureml-deploy")]
    resolved = parse_file("generic", "generic_list.json")[1]
    assert resolved.status == "resolved" and resolved.fingerprint == alert.fingerprint


def test_generic_list_gives_several_alerts():
    alerts = parse_file("generic", "generic_list.json")
    assert [a.title for a in alerts] == ["Nightly batch scoring slow", "Deployment green of fraud-ep not ready"]


@pytest.mark.parametrize("payload, field", [
    ({"text": "no title"}, "title"),
    ({"title": "  "}, "title"),
    ([{"title": "ok"}, {"title": 5}], "[1].title"),
    ({"title": "x", "status": "ok"}, "status"),
    ({"title": "x", "labels": ["a"]}, "labels"),
    ({"title": "x", "links": "https://a.example"}, "links"),
])
def test_generic_wrong_shapes_are_422(payload, field):
    error = rejected("generic", json.dumps(payload).encode())
    assert (error.status, error.field) == (422, field)


def test_only_http_links_survive():
    payload = {"title": "x", "links": ["javascript:alert(1)", "ftp://files.example", {"label": "ok",
               "url": "https://ok.example/a"}, {"label": "no url"}, "https://ok.example/a", "http://"]}
    (alert,) = parse("generic", payload)
    assert [link.url for link in alert.links] == ["https://ok.example/a"]


# --- bodies and limits ------------------------------------------------------------------------------

@pytest.mark.parametrize("body", [b"", b"   ", b"not json", b"\xff\xfe\x00garbage", b"[" * 100000, b'"text"', b"42"])
@pytest.mark.parametrize("source", ["alertmanager", "azure-monitor", "grafana", "generic"])
def test_unreadable_bodies_are_400(source, body):
    error = rejected(source, body)
    assert error.status == 400 and error.field == "" and error.message


def test_a_list_is_400_where_an_object_is_needed():
    assert rejected("alertmanager", b"[]").status == 400


def test_unknown_source_is_refused():
    assert "generic" in rejected("pagerduty", b"{}").message


def test_body_with_a_byte_order_mark_is_read():
    assert parse_payload("generic", b"\xef\xbb\xbf" + b'{"title": "x"}')[0].title == "x"


def test_more_than_1000_alerts_is_422():
    payload = load("alertmanager_firing.json")
    payload["alerts"] = payload["alerts"][:1] * 1001
    error = rejected("alertmanager", json.dumps(payload).encode())
    assert (error.status, error.field) == (422, "alerts") and "1000" in error.message
    assert len(parse("generic", [{"title": f"t{n}"} for n in range(1000)])) == 1000


def test_strings_are_capped():
    labels = {f"l{n}": "v" * 2000 for n in range(150)}
    payload = {"title": "T" * 1000 + "\nsecond line", "text": "s" * 10000, "labels": labels,
               "links": [f"https://example.com/{n}" for n in range(50)]}
    (alert,) = parse("generic", payload)
    assert len(alert.title) == 200 and "\n" not in alert.title
    assert len(alert.summary) == 3000
    assert len(alert.labels) == 100 and all(len(v) == 500 for v in alert.labels.values())
    assert len(alert.links) == 20


def test_alert_values_cannot_be_changed():
    (alert,) = parse_file("generic", "generic_firing.json")
    with pytest.raises(TypeError):
        alert.labels["endpoint"] = "other"  # type: ignore[index]
    assert hash(alert) == hash(parse_file("generic", "generic_firing.json")[0])


def test_alerts_copy_pickle_and_serialise():
    (alert,) = parse_file("azure-monitor", "azure_metric_firing.json")
    assert pickle.loads(pickle.dumps(alert)) == alert
    assert copy.deepcopy(alert) == alert
    assert json.loads(json.dumps(dataclasses.asdict(alert), default=str))["labels"]["statusCode"] == "429"
    assert dataclasses.replace(alert, status="resolved").labels == alert.labels


def _paths(value, path=()):
    """Every (path) inside a JSON value, objects and lists alike."""
    yield path
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, path + (key,))
    elif isinstance(value, list):
        for n, item in enumerate(value):
            yield from _paths(item, path + (n,))


def _replaced(value, path, new):
    if not path:
        return new
    out = copy.deepcopy(value)
    target = out
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = new
    return out


@pytest.mark.parametrize("source, name", [
    ("alertmanager", "alertmanager_firing.json"), ("azure-monitor", "azure_metric_firing.json"),
    ("azure-monitor", "azure_activity_failed.json"), ("azure-monitor", "azure_log_firing.json"),
    ("grafana", "grafana_firing.json"), ("generic", "generic_list.json")])
def test_any_field_of_any_type_gives_alerts_or_a_clear_error(source, name):
    payload = load(name)
    for path in list(_paths(payload)):
        for new in (None, 7, -1.5, True, "", "text", [], [1, {"a": None}], {}, {"name": [1]}):
            try:
                result = parse(source, _replaced(payload, path, new))
            except AlertPayloadError as error:
                assert error.status in (400, 422) and error.message, (path, new)
            else:
                assert all(isinstance(a, Alert) and a.fingerprint and a.title for a in result), (path, new)


# -- Datadog ----------------------------------------------------------------------------------------


def test_datadog_triggered_then_recovered_is_one_alert_turned_resolved():
    [fired] = parse_file("datadog", "datadog_triggered.json")
    [recovered] = parse_file("datadog", "datadog_recovered.json")
    assert fired.status == "firing" and recovered.status == "resolved"
    assert fired.key == recovered.key
    assert fired.title == "fraud-ep: too many 429 responses"
    assert fired.severity == "error"  # P2
    assert fired.labels["endpoint"] == "fraud-ep" and fired.labels["team"] == "ml-platform"
    assert fired.labels["monitor"] == "true"
    assert "%%%" not in fired.summary and "@webhook" not in fired.summary and "HTTP 429" in fired.summary
    assert [link.url for link in fired.links] == ["https://app.datadoghq.com/event/event?id=7461237849302193847"]
    assert fired.starts_at == datetime(2026, 11, 29, 11, 12, 31, tzinfo=UTC)  # $DATE: milliseconds


def test_datadog_s_default_payload_alone_is_enough():
    default = {key: load("datadog_triggered.json")[key]
               for key in ("body", "last_updated", "event_type", "title", "date", "org", "id")}
    [fired] = parse("datadog", default)
    recovered_default = dict(default, title="[Recovered] " + fired.title, id="another-event")
    [recovered] = parse("datadog", recovered_default)
    assert fired.status == "firing" and recovered.status == "resolved" and fired.key == recovered.key


@pytest.mark.parametrize(("payload", "field"), [({"body": "no title"}, "title"),
                                                 ({"title": "[Triggered] x", "tags": 5}, "tags")])
def test_a_datadog_payload_without_what_it_needs_is_a_422(payload, field):
    with pytest.raises(AlertPayloadError) as failed:
        parse("datadog", payload)
    assert failed.value.status == 422 and failed.value.field == field


# -- poison ---------------------------------------------------------------------------------------


def test_lone_surrogates_nul_control_and_bidi_characters_never_reach_an_alert():
    body = (b'{"version": "4", "groupKey": "g\\ud800", "status": "firing", "alerts": [{"status": "firing",'
            b' "fingerprint": "f\\udfff", "labels": {"alertname": "Rule\\ud800", "k\\u0000": "v\\u001b[31m"},'
            b' "annotations": {"summary": "Title \\u0000 with \\u202egnp.exe and \\u001b[2J"}}]}')
    [alert] = parse_payload("alertmanager", body)
    for text in (alert.title, alert.fingerprint, alert.group_key, *alert.labels, *alert.labels.values()):
        assert text.encode("utf-8")  # storable, hashable, postable
        assert not any(ch in text for ch in "\x00\x1b\u202e")
    assert alert.title == "Title with gnp.exe and [2J"
    assert alert.labels["alertname"] == "Rule\ufffd" and alert.key
