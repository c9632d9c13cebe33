"""The Socket Mode stand-in behaves as Slack documents: hello first, one connection per URL, envelopes acked by id."""

from __future__ import annotations

import json

import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from tests.fake_slack import FakeSlack
from tests.fake_socket_mode import FakeSocketMode
from tests.slack_signing import Signer

APP_TOKEN = "xapp-1-A0TSGBOT01-1-fake"


def test_a_url_is_good_for_one_connection_which_gets_hello_then_envelopes_to_ack():
    with FakeSocketMode() as socket_mode:
        url = socket_mode.new_url()
        with connect(url) as app:
            assert json.loads(app.recv(timeout=5))["type"] == "hello"
            envelope_id = socket_mode.send_request(Signer("s").slash_command("ERR_1200", response_url="http://x/r"))
            envelope = json.loads(app.recv(timeout=5))
            assert (envelope["envelope_id"], envelope["type"]) == (envelope_id, "slash_commands")
            assert envelope["payload"]["text"] == "ERR_1200" and envelope["accepts_response_payload"] is True
            app.send(json.dumps({"envelope_id": envelope_id}))
            assert socket_mode.wait_ack(envelope_id, timeout=5) == {"envelope_id": envelope_id}
        with pytest.raises(InvalidStatus):
            connect(url)  # used once already


def test_apps_connections_open_takes_only_the_app_level_token():
    with FakeSlack(bot_token="xoxb-1", app_token=APP_TOKEN) as slack, FakeSocketMode() as socket_mode:
        assert slack.answer_api("apps.connections.open", {}, "xoxb-1").body["error"] == "not_allowed_token_type"
        assert slack.answer_api("apps.connections.open", {}, "xapp-other").body["error"] == "invalid_auth"
        assert slack.answer_api("apps.connections.open", {}, APP_TOKEN).status == 503  # no socket server yet
        slack.socket_mode = socket_mode
        answer = slack.answer_api("apps.connections.open", {}, APP_TOKEN).body
        assert answer["ok"] is True and answer["url"].startswith(f"ws://127.0.0.1:{socket_mode.port}/link/?ticket=")
