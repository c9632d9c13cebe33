"""With Slack credentials the app builds Bolt on the bot's own client and routes signed requests to it.

`bot.slack.register` is replaced by a stand-in here: what the listeners answer is tested with them
(and end to end); this checks what the web layer hands them and that unsigned requests never reach them.
"""

from __future__ import annotations

import hashlib
import hmac
import time
import urllib.parse

import pytest

import bot.slack
from bot.settings import Settings
from bot.web.app import app_state, create_app
from bot.web.slack_client import MeteredWebClient
from tests.slack_fakes import wait_for
from tests.test_web_slack_client import slack  # noqa: F401  (the fixture)

BOT, SECRET, APP = "xoxb-1-2-wiring", "0123456789abcdef0123456789abcdef", "xapp-1-A1-2-wiring"


@pytest.fixture
def registered(monkeypatch) -> list[dict]:
    calls: list[dict] = []

    class Threads:
        stopped = False

        def shutdown(self, *, wait: bool) -> None:
            self.stopped = wait

    def register(app, *, service, metrics, command, alerts=None, maintainers=frozenset()):
        calls.append({"app": app, "service": service, "metrics": metrics, "command": command, "threads": Threads(),
                      "alerts": alerts, "maintainers": maintainers})
        app.command(command)(lambda ack: ack("pong"))
        return calls[-1]["threads"]

    monkeypatch.setattr(bot.slack, "register", register, raising=False)
    return calls


@pytest.fixture
def make_app(db_url, knowledge_root):
    apps = []

    def make(**env: str):
        settings = Settings.from_env({"DATABASE_URL": db_url, "KNOWLEDGE_DIR": str(knowledge_root), **env})
        apps.append(create_app(settings))
        return apps[-1]

    yield make
    for app in apps:
        app_state(app).close()


def signed(body: str, *, secret: str = SECRET, age: float = 0) -> dict[str, str]:
    timestamp = str(int(time.time() - age))
    digest = hmac.new(secret.encode(), f"v0:{timestamp}:{body}".encode(), hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": timestamp, "X-Slack-Signature": f"v0={digest}",
            "Content-Type": "application/x-www-form-urlencoded"}


def slash(command: str = "/tsg", text: str = "ERR_1200") -> str:
    return urllib.parse.urlencode({"command": command, "text": text, "user_id": "U1", "channel_id": "C1",
                                   "team_id": "T1", "response_url": "https://hooks.slack.com/commands/T1/1/abc",
                                   "trigger_id": "1.2.3"})


def test_the_listeners_get_the_apps_service_metrics_and_command(make_app, registered, slack):  # noqa: F811
    app = make_app(SLACK_BOT_TOKEN=BOT, SLACK_SIGNING_SECRET=SECRET, SLACK_API_URL=slack.url, SLACK_COMMAND="/tsg",
                   KB_MAINTAINERS="U0MAINT1 U0MAINT2")
    state = app_state(app)
    [call] = registered
    assert call["app"] is state.bolt_app
    assert (call["service"], call["metrics"], call["command"]) == (state.service, state.metrics, "/tsg")
    assert call["maintainers"] == {"U0MAINT1", "U0MAINT2"}
    client = state.bolt_app.client
    assert isinstance(client, MeteredWebClient) and client.metrics is state.metrics
    assert client.base_url == slack.url and client.token == BOT
    # The token is checked on start by the background link, in its own thread: a window, not a limit
    assert wait_for(lambda: slack.calls == ["/api/auth.test"], timeout=30.0), slack.calls


def test_a_signed_request_reaches_the_listeners(make_app, registered, slack):  # noqa: F811
    client = make_app(SLACK_BOT_TOKEN=BOT, SLACK_SIGNING_SECRET=SECRET, SLACK_API_URL=slack.url,
                      SLACK_COMMAND="/tsg", SLACK_TEAM_ID="T1").test_client()
    body = slash()
    response = client.post("/slack/events", data=body, headers=signed(body))
    assert response.status_code == 200 and response.get_data(as_text=True) == "pong"


@pytest.mark.parametrize("headers", [
    pytest.param(lambda body: signed(body, secret="f" * 32), id="forged"),
    pytest.param(lambda body: signed(body, age=6 * 60), id="stale"),
    pytest.param(lambda body: {"Content-Type": "application/x-www-form-urlencoded"}, id="unsigned"),
])
def test_a_forged_stale_or_unsigned_request_gets_401(make_app, registered, slack, headers):  # noqa: F811
    app = make_app(SLACK_BOT_TOKEN=BOT, SLACK_SIGNING_SECRET=SECRET, SLACK_API_URL=slack.url, SLACK_COMMAND="/tsg")
    body = slash()
    response = app.test_client().post("/slack/events", data=body, headers=headers(body))
    assert response.status_code == 401
    assert "pong" not in response.get_data(as_text=True)
    lines = app.test_client().get("/metrics").get_data(as_text=True).splitlines()
    assert 'tsgbot_http_requests_total{route="/slack/events",status="401"} 1.0' in lines


def test_in_socket_mode_the_http_route_is_closed(make_app, registered, slack):  # noqa: F811
    app = make_app(SLACK_BOT_TOKEN=BOT, SLACK_APP_TOKEN=APP, SLACK_API_URL=slack.url)
    assert app_state(app).bolt_app is not None and registered
    body = slash("/troubleshoot")
    response = app.test_client().post("/slack/events", data=body, headers=signed(body))
    assert response.status_code == 503
    assert "Socket Mode" in response.json["error"]


def test_closing_the_app_lets_the_slack_replies_under_way_finish(make_app, registered, slack):  # noqa: F811
    app = make_app(SLACK_BOT_TOKEN=BOT, SLACK_SIGNING_SECRET=SECRET, SLACK_API_URL=slack.url)
    [call] = registered
    assert app_state(app).slack_threads is call["threads"]
    app_state(app).close()
    assert call["threads"].stopped is True
