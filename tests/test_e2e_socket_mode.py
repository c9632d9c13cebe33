"""End to end over Socket Mode: the real server with SLACK_APP_TOKEN connects out to a local Socket Mode
server (its URL from `apps.connections.open` on the fake Web API), acknowledges each envelope and answers
a slash command, a mention and a button as it does over HTTP; `/readyz` and `/metrics` show the connection.
"""

from __future__ import annotations

import pytest

from tests.conftest import fresh_database
from tests.fake_slack import FakeSlack, elements, message_text
from tests.fake_socket_mode import FakeSocketMode
from tests.server_process import BOT_TOKEN, ServerProcess, http, metric_value, server_env, wait_until
from tests.slack_signing import Signer, mention_event, unique_id

APP_TOKEN = "xapp-1-A0TSGBOT01-1111-e2esocketmodetoken"
ERR_1200_PASTE = """$ az ml online-deployment create -f blue.yml --all-traffic -e fraud-ep -g rg-ml
ERROR: (BadArgument) ERR_1200: Unable to download user container image. Failed to pull image
myacr.azurecr.io/azureml/azureml_3f2a:latest for deployment blue of endpoint fraud-ep"""
ERR_1200_TITLE = "the deployment cannot pull its container image"
signer = Signer("unused-over-socket-mode")  # Socket Mode envelopes carry the payloads unsigned


@pytest.fixture(scope="module")
def slack():
    with FakeSlack(bot_token=BOT_TOKEN, app_token=APP_TOKEN) as fake, FakeSocketMode() as socket_mode:
        fake.socket_mode = socket_mode
        yield fake


@pytest.fixture(scope="module")
def server(slack, request, tmp_path_factory):
    with fresh_database("sqlite", request, tmp_path_factory.mktemp("socket")) as url:
        env = server_env(database_url=url, slack=slack, SLACK_APP_TOKEN=APP_TOKEN)
        del env["SLACK_SIGNING_SECRET"]  # a Socket Mode app needs none
        with ServerProcess(env) as running:
            slack.socket_mode.wait_connected()
            yield running


@pytest.fixture
def socket_mode(slack, server):
    start = server.log_size()
    yield slack.socket_mode
    with server.log_path.open("rb") as log:  # shown when a test failed
        log.seek(start)
        print("--- server log ---\n" + log.read().decode("utf-8", "replace"))


def test_it_connects_with_the_app_token_and_readyz_and_metrics_show_the_connection(server, slack, socket_mode):
    [opened] = slack.calls("apps.connections.open", ok_only=True)
    assert opened.token == APP_TOKEN  # the app-level token, never the bot token
    ready = wait_until(lambda: (r := server.get("/readyz").json())["slack"]["api"] == "ok"
                       and r["slack"]["socket_mode"] == "connected" and r, what="/readyz to see the connection")
    assert ready["status"] == "ready" and ready["slack"]["mode"] == "socket"
    assert metric_value(server.metrics(), "tsgbot_slack_socket_mode_connected") == 1
    closed = http("POST", server.url("/slack/events"), body=b"{}", headers={"Content-Type": "application/json"})
    assert closed.status == 503 and "Socket Mode" in closed.json()["error"]  # not how Slack reaches it


def test_with_slack_unreachable_it_serves_says_connecting_and_connects_once_slack_answers(tmp_path, request):
    with FakeSlack(bot_token=BOT_TOKEN, app_token=APP_TOKEN) as slack, \
            fresh_database("sqlite", request, tmp_path) as url:
        env = server_env(database_url=url, slack=slack, SLACK_APP_TOKEN=APP_TOKEN)
        with ServerProcess(env) as server:  # apps.connections.open answers 503: no Socket Mode server yet
            ready = wait_until(lambda: (r := server.get("/readyz").json())["slack"].get("socket_mode_error") and r,
                               what="a failed connection attempt")
            assert ready["status"] == "ready" and ready["slack"]["socket_mode"] == "connecting"
            assert metric_value(server.metrics(), "tsgbot_slack_socket_mode_connected") == 0
            with FakeSocketMode() as socket_mode:
                slack.socket_mode = socket_mode
                socket_mode.wait_connected(timeout=60)  # the next retry (at most 30 s apart) gets through
                wait_until(lambda: server.get("/readyz").json()["slack"]["socket_mode"] == "connected",
                           what="/readyz to see the connection")
                command = signer.slash_command("ERR_1200", response_url=slack.response_url())
                envelope_id = socket_mode.send_request(command)
                assert "ERR_1200" in message_text(socket_mode.wait_ack(envelope_id)["payload"])
                assert server.stop() == 0


def test_a_slash_command_is_answered_in_its_acknowledgement(server, slack, socket_mode):
    request = signer.slash_command(ERR_1200_PASTE, response_url=slack.response_url(), user_id=unique_id("U"))
    envelope_id = socket_mode.send_request(request)
    ack = socket_mode.wait_ack(envelope_id)
    answer = ack["payload"]
    assert answer["response_type"] == "ephemeral" and answer["text"]
    seen = message_text(answer)
    assert "ERR_1200" in seen and ERR_1200_TITLE in seen and "fraud-ep" in seen
    assert len(socket_mode.acks(envelope_id)) == 1


def test_a_mention_is_acknowledged_and_answered_in_its_thread_through_the_web_api(server, slack, socket_mode):
    channel = unique_id("C")
    event = mention_event(f"<@UBOT> {ERR_1200_PASTE}", channel=channel)
    envelope_id = socket_mode.send_request(signer.event(event))
    assert socket_mode.wait_ack(envelope_id).get("payload") in (None, {})
    [reply] = slack.wait_for("chat.postMessage", ok_only=True, where=lambda c: c.body.get("channel") == channel)
    assert reply.token == BOT_TOKEN and reply.body["thread_ts"] == event["ts"]
    assert "ERR_1200" in reply.text_everywhere


def test_a_button_is_acknowledged_and_answered_at_its_response_url(server, slack, socket_mode):
    user = unique_id("U")
    asked = socket_mode.send_request(signer.slash_command(ERR_1200_PASTE, response_url=slack.response_url(),
                                                          user_id=user))
    blocks = socket_mode.wait_ack(asked)["payload"]["blocks"]
    [(block, button)] = elements(blocks, "share_diagnosis")
    url = slack.response_url()
    click = signer.block_actions({"type": "button", "action_id": "share_diagnosis", "block_id": block.get("block_id"),
                                  "text": button["text"], "value": button["value"]}, response_url=url, user_id=user)
    clicked = socket_mode.send_request(click)
    assert socket_mode.wait_ack(clicked)["envelope_id"] == clicked
    [shared] = slack.wait_for(None, where=lambda c: c.path.endswith(url.rsplit("/", 1)[1]))
    assert shared.body["response_type"] == "in_channel"
    assert "ERR_1200" in shared.text_everywhere and f"<@{user}>" in shared.text_everywhere
    assert metric_value(server.metrics(), "tsgbot_diagnoses_total", surface="slash", decision="match") >= 2
