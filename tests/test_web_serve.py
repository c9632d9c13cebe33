"""`python app.py serve`: settings checked first, gunicorn configured from them, a real start and stop."""

from __future__ import annotations

import io
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

from bot.serve import TsgbotServer, describe, serve
from bot.settings import Settings
from tests.conftest import REPO_ROOT

BOT, SECRET, APP = "xoxb-1-2-abc", "8f742231b10e8888abcd99yyyzzz85a5", "xapp-1-A1-2-abc"


def test_unusable_settings_stop_serve_with_status_2_and_one_line_each():
    err = io.StringIO()
    settings = Settings.from_env({"PORT": "eighty", "SLACK_BOT_TOKEN": "xoxp-1"})
    assert serve(settings, out=io.StringIO(), err=err) == 2
    assert err.getvalue().splitlines() == [
        "tsgbot: PORT must be a number 1-65535, not 'eighty'",
        "tsgbot: SLACK_BOT_TOKEN must start with xoxb- (OAuth & Permissions > Bot User OAuth Token)",
        "tsgbot: SLACK_SIGNING_SECRET is missing: Slack signs every request with it "
        "(Basic Information > App Credentials); or set SLACK_APP_TOKEN for Socket Mode",
    ]


def test_alert_settings_and_a_broken_routes_file_stop_serve_with_their_problems(tmp_path):
    routes = tmp_path / "routes.yaml"
    routes.write_text("routes:\n  - match: {severity: critical}\n    chanel: C0123456789\n", encoding="utf-8")
    err = io.StringIO()
    settings = Settings.from_env({"ALERT_WEBHOOK_TOKEN": "t" * 32, "ALERT_ROUTES": str(routes)})
    assert serve(settings, out=io.StringIO(), err=err) == 2
    lines = err.getvalue().splitlines()
    assert lines and all(line.startswith(f"tsgbot: {routes}:") for line in lines), lines
    assert any(":3:" in line and "chanel" in line for line in lines), lines

    err = io.StringIO()
    short = Settings.from_env({"ALERT_WEBHOOK_TOKEN": "short"})
    assert serve(short, out=io.StringIO(), err=err) == 2
    assert "ALERT_CHANNEL is missing" in err.getvalue() and "at least 16 characters" in err.getvalue()


def test_the_start_line_says_where_it_listens_and_how_slack_reaches_it():
    off = describe(Settings.from_env({"PORT": "3000"}))
    assert off.startswith("tsgbot serving on http://0.0.0.0:3000 (1 x 8 threads); Slack off")
    assert "alert webhooks off" in off
    alerts = describe(Settings.from_env({"ALERT_WEBHOOK_TOKEN": "t" * 32, "ALERT_CHANNEL": "C0123456789"}))
    assert "alerts at http://0.0.0.0:3000/alerts/<source>" in alerts
    http = describe(Settings.from_env({"SLACK_BOT_TOKEN": BOT, "SLACK_SIGNING_SECRET": SECRET, "HOST": "127.0.0.1",
                                       "PORT": "8080"}))
    assert "Slack on over HTTP: point Slack's request URLs at http://127.0.0.1:8080/slack/events" in http
    socket_mode = describe(Settings.from_env({"SLACK_BOT_TOKEN": BOT, "SLACK_APP_TOKEN": APP}))
    assert "Slack on in Socket Mode" in socket_mode
    with_password = describe(Settings.from_env({"DATABASE_URL": "postgresql://bot:hunter2@db/tsgbot"}))
    assert "hunter2" not in with_password


def test_gunicorn_runs_one_threaded_worker_that_builds_the_app_itself():
    server = TsgbotServer(Settings.from_env({"HOST": "127.0.0.1", "PORT": "8123", "WEB_THREADS": "4"}))
    cfg = server.cfg
    assert cfg.bind == ["127.0.0.1:8123"]
    assert (cfg.workers, cfg.worker_class_str, cfg.threads) == (1, "gthread", 4)
    assert cfg.preload_app is False  # the database and Socket Mode connections open after the fork


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def get(url: str) -> tuple[int, dict | str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            status, body = response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        status, body = exc.code, exc.read().decode()
    try:
        return status, json.loads(body)
    except ValueError:
        return status, body


def environment(**values: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SLACK_") and k not in ("PORT", "HOST")}
    return {**env, **values}


def test_serve_with_bad_settings_exits_2_before_starting(tmp_path):
    done = subprocess.run([sys.executable, "app.py", "serve"], cwd=REPO_ROOT, capture_output=True, text=True,
                          timeout=60, env=environment(PORT="0", SLACK_APP_TOKEN="xapp-1",
                                                      DATABASE_URL=f"sqlite:///{tmp_path / 't.db'}"))
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        "tsgbot: PORT must be a number 1-65535, not '0'",
        "tsgbot: SLACK_BOT_TOKEN is missing: the bot cannot answer without it (xoxb-...)"]
    assert not (tmp_path / "t.db").exists()


def test_serve_without_slack_answers_health_readiness_and_metrics_and_stops_on_sigterm(tmp_path):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(
        [sys.executable, "app.py", "serve"], cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env=environment(HOST="127.0.0.1", PORT=str(port), WEB_THREADS="2",
                        DATABASE_URL=f"sqlite:///{tmp_path / 't.db'}"))
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                status, body = get(f"{base}/readyz")
                if status == 200:
                    break
            except OSError:
                pass
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < deadline, "the server did not become ready"
            time.sleep(0.1)
        assert body["status"] == "ready" and body["kb_version"] == 1
        assert get(f"{base}/healthz") == (200, {"status": "ok"})
        status, metrics = get(f"{base}/metrics")
        assert status == 200 and "tsgbot_kb_version 1.0" in metrics
        request = urllib.request.Request(f"{base}/slack/events", data=b"{}", method="POST")
        try:
            urllib.request.urlopen(request, timeout=5)
        except urllib.error.HTTPError as exc:
            assert exc.code == 503
        else:
            raise AssertionError("POST /slack/events should be 503 without Slack")
    finally:
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    assert out.splitlines()[0].startswith(f"tsgbot serving on http://127.0.0.1:{port} (1 x 2 threads); Slack off")
    assert "Slack is off" in err
