"""End to end, as an operator runs it: the server starts and takes alerts while Slack is unreachable and
delivers them once Slack is back; `/readyz` reports Slack apart from the database; `/metrics` adds up
every gunicorn worker, and the outbox backlog shows at scrape time.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.alert_requests import CHANNEL, TOKEN, payload, send, unique
from tests.conftest import PG_URL_ENV, fresh_database
from tests.fake_slack import FakeSlack, message_text
from tests.server_process import (
    BOT_TOKEN,
    ROOT,
    SIGNING_SECRET,
    ServerProcess,
    free_port,
    http,
    metric_value,
    server_env,
    wait_until,
)
from tests.slack_signing import Signer

ALERT_ENV = {"ALERT_WEBHOOK_TOKEN": TOKEN, "ALERT_CHANNEL": CHANNEL, "ALERT_CHANNEL_RATE": "100"}
SLACK_BACK_TIMEOUT = 90.0  # the link and the delivery worker back off while Slack is down (up to 30 s)


@pytest.fixture
def database(request, tmp_path):
    """PostgreSQL when the machine has it (several servers share it in production), else SQLite."""
    with fresh_database("postgresql" if os.environ.get(PG_URL_ENV) else "sqlite", request, tmp_path) as url:
        yield url


class Unreachable:
    """Where Slack's Web API would be: a port nothing listens on (until a FakeSlack takes it)."""

    def __init__(self) -> None:
        self.port = free_port()
        self.api_url = f"http://127.0.0.1:{self.port}/api/"


def alert(tag: str) -> dict:
    return unique("generic", payload("generic_firing"), tag)


def slack_state(server: ServerProcess) -> dict:
    answer = server.get("/readyz")
    assert answer.status == 200, (answer.status, answer.text)  # Slack's state never makes it 503
    return answer.json()["slack"]


def test_slack_down_at_start_the_server_takes_alerts_and_delivers_them_once_slack_is_back(database, tmp_path):
    down = Unreachable()
    env = server_env(database_url=database, slack=down, **ALERT_ENV)
    with ServerProcess(env) as server:
        # Up and ready although Slack never answered; /readyz says what is wrong with Slack.
        state = wait_until(lambda: (s := slack_state(server))["api"] != "checking" and s, what="a first check")
        assert state["mode"] == "http" and state["api"] == "unreachable", state
        assert "ConnectionRefused" in state["error"] and "last_ok" not in state
        ready = server.get("/readyz").json()
        assert ready["status"] == "ready" and ready["database"] == "ok" and ready["entries"] > 0

        # A slash command needs no Web API: it is answered in its acknowledgement, at once.
        command = Signer(SIGNING_SECRET).slash_command("ERR_1200", response_url=down.api_url + "../response/1")
        answered = server.post(command)
        assert answered.status == 200 and "ERR_1200" in message_text(answered.json())

        accepted = send(server, "generic", alert("slack-down"))
        assert accepted.status == 202, accepted.text
        [stored] = accepted.json()["alerts"]

        metrics = server.metrics()
        assert metric_value(metrics, "tsgbot_outbox_waiting_messages") == 1
        assert metric_value(metrics, "tsgbot_outbox_oldest_waiting_age_seconds") >= 0
        assert metric_value(metrics, "tsgbot_slack_up") == 0
        assert metric_value(metrics, "tsgbot_alerts_received_total", source="generic", action="open") == 1
        assert metric_value(metrics, "tsgbot_slack_api_errors_total", method="auth.test", error="connection_error") >= 1

        with FakeSlack(bot_token=BOT_TOKEN, port=down.port) as slack:  # Slack is back
            [post] = slack.wait_for("chat.postMessage", ok_only=True, timeout=SLACK_BACK_TIMEOUT)
            assert post.body["channel"] == CHANNEL and "fraud-ep" in post.text_everywhere
            metadata = post.body["metadata"]  # a JSON string in a form body, an object in a JSON one
            metadata = json.loads(metadata) if isinstance(metadata, str) else metadata
            assert metadata["event_payload"]["alert_id"] == stored["id"]
            state = wait_until(lambda: (s := slack_state(server))["api"] == "ok" and s,
                               timeout=SLACK_BACK_TIMEOUT, what="/readyz to see Slack again")
            assert state["team"] == "TSG Test" and "error" not in state and state["last_ok"]
            wait_until(lambda: metric_value(server.metrics(), "tsgbot_outbox_waiting_messages") == 0,
                       what="the outbox to empty")
            metrics = server.metrics()
            assert metric_value(metrics, "tsgbot_slack_up") == 1
            assert metric_value(metrics, "tsgbot_outbox_oldest_waiting_age_seconds") == 0
            assert metric_value(metrics, "tsgbot_alert_deliveries_total", outcome="sent") >= 1
            slack.wait_quiet(1.0)
            assert len(slack.calls("chat.postMessage", ok_only=True)) == 1  # delivered once
        assert server.stop() == 0


def test_metrics_add_up_across_two_workers_and_survive_a_worker_restart(database, tmp_path):
    alerts = 40
    with FakeSlack(bot_token=BOT_TOKEN) as slack:
        env = server_env(database_url=database, slack=slack, WEB_WORKERS="2", TMPDIR=str(tmp_path), **ALERT_ENV)
        with ServerProcess(env) as server:
            [metrics_dir] = Path(tmp_path).glob("tsgbot-metrics-*")  # this start's own directory
            # Many short connections: the kernel hands them to either worker.
            with ThreadPoolExecutor(4) as pool:
                answers = list(pool.map(lambda n: send(server, "generic", alert(f"w{n}")).status, range(alerts)))
            assert answers == [202] * alerts
            pids = set(re.findall(r"Booting worker with pid: (\d+)", server.logs()))
            assert len(pids) == 2, server.logs()

            def counted(text: str) -> tuple[float, float]:
                return (metric_value(text, "tsgbot_alerts_received_total", source="generic"),
                        metric_value(text, "tsgbot_http_requests_total", route="/alerts/<source>", status="202"))

            # Every scrape, whichever worker answers it, says all of them.
            assert {counted(server.metrics()) for _ in range(10)} == {(alerts, alerts)}
            assert metric_value(server.metrics(), "tsgbot_kb_version") == 1
            slack.wait_for("chat.postMessage", alerts, ok_only=True, timeout=120)
            wait_until(lambda: metric_value(server.metrics(), "tsgbot_alert_deliveries_total", outcome="sent")
                       == alerts, timeout=30, what="every delivery counted once")

            # A worker killed and replaced: what it counted still counts, its gauges do not linger.
            os.kill(int(sorted(pids)[0]), signal.SIGKILL)
            wait_until(lambda: len(set(re.findall(r"Booting worker with pid: (\d+)", server.logs()))) == 3,
                       timeout=60, what="gunicorn to boot a new worker")
            wait_until(lambda: server.get("/readyz").status == 200, what="ready again")
            assert {counted(server.metrics())[0] for _ in range(10)} == {alerts}
            assert metric_value(server.metrics(), "tsgbot_kb_version") == 1
            logs = server.logs()
            assert logs.count("tsgbot serving on") == 1  # printed once per start, not per worker...
            assert logs.index("tsgbot serving on") > logs.index("Booting worker")  # ...and once one serves
            assert server.stop() == 0
        assert not metrics_dir.exists()  # removed when the server stopped


def test_the_stand_alone_delivery_worker_serves_its_own_metrics(database, tmp_path):
    alerts = 3
    with FakeSlack(bot_token=BOT_TOKEN) as slack:
        env = server_env(database_url=database, slack=slack, DELIVERY_WORKER="off", **ALERT_ENV)
        with ServerProcess(env) as server:
            for n in range(alerts):
                assert send(server, "generic", alert(f"apart{n}")).status == 202
            # Nothing delivers yet: the backlog and its age show on the server's metrics.
            assert metric_value(server.metrics(), "tsgbot_outbox_waiting_messages") == alerts
            port = free_port()
            worker_env = {**env, "METRICS_PORT": str(port), "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "gone")}
            log = (tmp_path / "worker.log").open("wb")
            worker = subprocess.Popen([sys.executable, str(ROOT / "app.py"), "worker"], env=worker_env, cwd=tmp_path,
                                      stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
            try:
                slack.wait_for("chat.postMessage", alerts, ok_only=True, timeout=60)

                def worker_metrics() -> str:
                    try:
                        answer = http("GET", f"http://127.0.0.1:{port}/metrics", timeout=5)
                    except OSError:
                        return ""
                    return answer.text if answer.status == 200 else ""

                wait_until(lambda: metric_value(worker_metrics(), "tsgbot_alert_deliveries_total", outcome="sent")
                           == alerts, timeout=30, what="the worker's metrics to count its deliveries")
                metrics = worker_metrics()
                assert metric_value(metrics, "tsgbot_outbox_waiting_messages") == 0
                assert metric_value(metrics, "tsgbot_kb_version") == 1
                assert metric_value(server.metrics(), "tsgbot_alert_deliveries_total") == 0  # the server sent none
            finally:
                worker.send_signal(signal.SIGTERM)
                assert worker.wait(timeout=30) == 0
                log.close()
            output = (tmp_path / "worker.log").read_text()
            assert f"metrics at http://127.0.0.1:{port}/metrics" in output, output
