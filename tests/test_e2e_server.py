"""End to end: health, readiness and metrics, serving without Slack, and de-duplication across restarts.

Each test starts its own `python app.py serve` on a fresh database (the conftest's `db_url`).
"""

from __future__ import annotations

import pytest

from tests.fake_slack import FakeSlack
from tests.server_process import BOT_TOKEN, SIGNING_SECRET, ServerProcess, metric_value, server_env, wait_until
from tests.slack_signing import Signer, mention_event, unique_id

LOG = """ERROR: (BadArgument) ERR_1200: Unable to download user container image. Failed to pull image
myacr.azurecr.io/azureml/azureml_3f2a:latest for deployment blue of endpoint fraud-ep"""


@pytest.fixture
def slack():
    with FakeSlack(bot_token=BOT_TOKEN) as fake:
        yield fake


def test_health_readiness_and_metrics_answer(db_url, slack):
    with ServerProcess(server_env(database_url=db_url, slack=slack)) as server:
        assert server.get("/healthz").status == 200
        ready = server.get("/readyz")
        assert ready.status == 200
        assert ready.json()["entries"] == 18  # the knowledge base was loaded into the empty database
        metrics = server.get("/metrics")
        assert metrics.status == 200 and metrics.headers["content-type"].startswith("text/plain")
        assert metric_value(metrics.text, "tsgbot_kb_version") >= 1
        assert metric_value(metrics.text, "tsgbot_http_requests_total", route="/readyz", status="200") >= 1
        assert server.get("/no-such-page").status == 404
        assert slack.calls("auth.test"), "Bolt checked the token against the fake on start"
        assert server.stop() == 0  # SIGTERM: a clean stop


def test_without_slack_credentials_it_still_serves_and_says_slack_is_off(db_url, slack):
    with ServerProcess(server_env(database_url=db_url, slack=None)) as server:
        assert server.get("/healthz").status == 200
        assert server.get("/readyz").status == 200
        request = Signer(SIGNING_SECRET).event(mention_event(f"<@UBOT> {LOG}"))
        refused = server.post(request)
        assert refused.status == 503
        assert refused.json()["ok"] is False and "Slack is off" in refused.json()["error"]
        assert "Slack off" in server.logs() or "Slack is off" in server.logs()
        assert "tsgbot_http_requests_total" in server.metrics()
    assert slack.calls() == []


def test_a_retry_after_a_restart_is_still_not_answered_twice(db_url, slack):
    signer = Signer(SIGNING_SECRET)
    channel = unique_id("C")
    request = signer.event(mention_event(f"<@UBOT> {LOG}", channel=channel))

    with ServerProcess(server_env(database_url=db_url, slack=slack)) as first:
        assert first.post(request).status == 200
        slack.wait_for("chat.postMessage", ok_only=True, where=lambda c: c.body.get("channel") == channel)
        assert first.stop() == 0

    with ServerProcess(server_env(database_url=db_url, slack=slack)) as second:
        assert second.post(request.retried(1, "http_timeout")).status == 200
        other = unique_id("C")  # a new event is answered: the restarted server does reply
        assert second.post(signer.event(mention_event(f"<@UBOT> {LOG}", channel=other))).status == 200
        slack.wait_for("chat.postMessage", ok_only=True, where=lambda c: c.body.get("channel") == other)
        slack.wait_quiet(1.0)
        assert len(slack.calls("chat.postMessage", where=lambda c: c.body.get("channel") == channel)) == 1
        wait_until(lambda: metric_value(second.metrics(), "tsgbot_slack_duplicates_dropped_total") == 1,
                   what="the repeated delivery counted as a duplicate")
