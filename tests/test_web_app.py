"""The HTTP app without Slack: health, readiness, metrics, and a clear 503 where Slack would be."""

from __future__ import annotations

import logging
from dataclasses import replace

import pytest

from bot.db.engine import make_engine
from bot.kb.files import load_knowledge
from bot.runtime import open_runtime
from bot.settings import Settings
from bot.web.app import app_state, create_app


@pytest.fixture
def settings(db_url, knowledge_root):
    return Settings(database_url=db_url, knowledge_dir=knowledge_root)


@pytest.fixture
def app(settings):
    app = create_app(settings)
    yield app
    app_state(app).runtime.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


def metric_lines(client) -> list[str]:
    response = client.get("/metrics")
    assert response.status_code == 200
    return response.get_data(as_text=True).splitlines()


def test_healthz_says_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json == {"status": "ok"}


def test_readyz_reports_the_knowledge_base_it_serves(client, knowledge_root):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json == {"status": "ready", "database": "ok", "kb_version": 1,
                             "entries": len(load_knowledge(knowledge_root).entries), "slack": {"mode": "off"}}


def test_readyz_is_503_when_the_database_does_not_answer(settings):
    runtime = open_runtime(settings)
    unreachable = make_engine("postgresql://tsgbot:hunter2@127.0.0.1:1/tsgbot")  # nothing listens on port 1
    try:
        client = create_app(settings, runtime=replace(runtime, engine=unreachable)).test_client()
        response = client.get("/readyz")
        assert response.status_code == 503
        assert response.json["status"] == "not ready" and response.json["database"] == "unreachable"
        assert response.json["reason"].startswith("database: OperationalError")
        assert "hunter2" not in response.get_data(as_text=True)
        assert client.get("/healthz").status_code == 200  # the process is up all the same
    finally:
        runtime.engine.dispose()
        unreachable.dispose()


def test_readyz_is_503_while_the_knowledge_base_is_empty(settings):
    runtime = open_runtime(settings, sync_if_empty=False)
    try:
        response = create_app(settings, runtime=runtime).test_client().get("/readyz")
        assert response.status_code == 503
        assert response.json == {"status": "not ready", "database": "ok", "kb_version": 0, "entries": 0,
                                 "reason": "knowledge base is empty: run 'python app.py kb sync'",
                                 "slack": {"mode": "off"}}
    finally:
        runtime.engine.dispose()


def test_metrics_are_prometheus_text_with_the_kb_version_and_every_request(client):
    client.get("/healthz")
    client.get("/healthz")
    client.get("/no/such/page")
    response = client.get("/metrics")
    assert response.content_type.startswith("text/plain")
    lines = metric_lines(client)
    assert "tsgbot_kb_version 1.0" in lines
    assert 'tsgbot_http_requests_total{route="/healthz",status="200"} 2.0' in lines
    assert 'tsgbot_http_requests_total{route="unmatched",status="404"} 1.0' in lines
    assert 'tsgbot_http_requests_total{route="/metrics",status="200"} 1.0' in lines
    assert 'tsgbot_http_request_duration_seconds_count{route="/healthz"} 2.0' in lines
    for name in ("tsgbot_diagnoses_total", "tsgbot_diagnosis_duration_seconds", "tsgbot_slack_api_errors_total",
                 "tsgbot_slack_duplicates_dropped_total"):
        assert any(line.startswith(f"# HELP {name}") for line in lines), name


def test_a_diagnosis_and_a_dropped_duplicate_show_in_the_metrics(app, client):
    state = app_state(app)
    state.service.diagnose("ERR_1200 image build failed", surface="slash", user_id="U1")
    state.metrics.duplicate_dropped()
    lines = metric_lines(client)
    assert 'tsgbot_diagnoses_total{decision="match",surface="slash"} 1.0' in lines
    assert "tsgbot_slack_duplicates_dropped_total 1.0" in lines
    # No label whose values grow with the knowledge base: 10,000 entries must not make 10,000 series.
    assert not any("entry=" in line or "ERR_1200" in line for line in lines)


def test_two_apps_count_apart(settings, client):
    other = create_app(settings)
    try:
        client.get("/healthz")
        assert not any(line.startswith('tsgbot_http_requests_total{route="/healthz"')
                       for line in metric_lines(other.test_client()))
    finally:
        app_state(other).runtime.engine.dispose()


def test_without_slack_credentials_slack_events_is_503_and_the_log_says_slack_is_off(settings, caplog):
    with caplog.at_level(logging.INFO, logger="bot.web.app"):
        app = create_app(settings)
    try:
        response = app.test_client().post("/slack/events", data="command=%2Ftroubleshoot&text=ERR_1200",
                                          content_type="application/x-www-form-urlencoded")
        assert response.status_code == 503
        assert response.json == {"ok": False,
                                 "error": "Slack is off: SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET are not set"}
        assert app_state(app).bolt_app is None
        assert any("Slack is off" in record.getMessage() for record in caplog.records)
    finally:
        app_state(app).runtime.engine.dispose()


def test_the_first_start_loads_the_knowledge_base_into_an_empty_database(app):
    assert app_state(app).runtime.kb_version == 1
    assert app_state(app).runtime.index.entry("ERR_1200") is not None
