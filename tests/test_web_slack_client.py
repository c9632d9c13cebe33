"""The bot's Slack client: 429 and 5xx are retried, and every call that fails in the end is counted."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from slack_sdk.errors import SlackApiError

from bot.slack.errors import count_api_error
from bot.web.metrics import PrometheusMetrics
from bot.web.slack_client import make_slack_client


class ScriptedSlack:
    """A Web API on 127.0.0.1 answering from a script of (status, headers, body), then `{"ok": true}`."""

    def __init__(self) -> None:
        self.script: list[tuple[int, dict, str]] = []
        self.calls: list[str] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                owner.calls.append(self.path)
                status, headers, body = owner.script.pop(0) if owner.script else (200, {}, '{"ok": true}')
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body.encode())

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/api/"


@pytest.fixture
def slack() -> Iterator[ScriptedSlack]:
    fake = ScriptedSlack()
    thread = threading.Thread(target=fake.server.serve_forever, daemon=True)
    thread.start()
    yield fake
    fake.server.shutdown()
    fake.server.server_close()


@pytest.fixture
def metrics() -> PrometheusMetrics:
    return PrometheusMetrics()


def errors(metrics: PrometheusMetrics, method: str, error: str) -> float:
    return metrics.registry.get_sample_value("tsgbot_slack_api_errors_total", {"method": method, "error": error}) or 0


def test_a_slack_error_is_raised_and_counted_by_method_and_error(slack, metrics):
    slack.script = [(200, {}, '{"ok": false, "error": "channel_not_found"}')]
    client = make_slack_client("xoxb-test", metrics=metrics, base_url=slack.url)
    with pytest.raises(SlackApiError) as raised:
        client.chat_postMessage(channel="C404", text="hi")
    assert raised.value.response["error"] == "channel_not_found"
    assert errors(metrics, "chat.postMessage", "channel_not_found") == 1
    count_api_error(metrics, raised.value)  # the Slack layer meeting the same error does not count it again
    assert errors(metrics, "chat.postMessage", "channel_not_found") == 1
    assert slack.calls == ["/api/chat.postMessage"]


def test_a_rate_limit_is_waited_out_and_retried(slack, metrics):
    slack.script = [(429, {"Retry-After": "0"}, '{"ok": false, "error": "ratelimited"}')]
    client = make_slack_client("xoxb-test", metrics=metrics, base_url=slack.url)
    assert client.chat_postMessage(channel="C1", text="hi")["ok"] is True
    assert slack.calls == ["/api/chat.postMessage"] * 2
    assert errors(metrics, "chat.postMessage", "ratelimited") == 0


def test_a_server_error_is_retried(slack, metrics):
    slack.script = [(500, {}, "oops")]
    client = make_slack_client("xoxb-test", metrics=metrics, base_url=slack.url)
    assert client.chat_postMessage(channel="C1", text="hi")["ok"] is True
    assert len(slack.calls) == 2


def test_a_server_error_that_persists_is_counted(slack, metrics):
    slack.script = [(500, {}, "oops")] * 3
    client = make_slack_client("xoxb-test", metrics=metrics, base_url=slack.url, max_retries=0)
    with pytest.raises(SlackApiError):
        client.views_publish(user_id="U1", view={"type": "home", "blocks": []})
    assert errors(metrics, "views.publish", "http_500") == 1


def test_an_unreachable_slack_is_counted_as_a_connection_error(metrics):
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = make_slack_client("xoxb-test", metrics=metrics, base_url=f"http://127.0.0.1:{port}/api/", max_retries=0)
    with pytest.raises(OSError):
        client.auth_test()
    assert errors(metrics, "auth.test", "connection_error") == 1
