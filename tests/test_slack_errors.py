"""A failure reaches the user as one short apology with a reference id; the details go to the log."""

from __future__ import annotations

import json
import logging
import re

import pytest
from slack_bolt.response import BoltResponse

from bot.slack.errors import call, make_error_handler
from tests.slack_fakes import FakeClient, FakeMetrics, Recorder, World, api_error, event_body

REF = re.compile(r"`([0-9a-f]{8})`")


@pytest.fixture
def world(shipped_index, renderer) -> World:
    return World.build(shipped_index, renderer)


def fail(world: World, body: dict, *, response: BoltResponse | None, error: Exception | None = None):
    handler = make_error_handler(world.service.renderer, world.metrics)
    try:
        raise error or RuntimeError("database is gone")
    except Exception as exc:
        return handler(error=exc, body=body, response=response, logger=logging.getLogger("tests.slack.errors"),
                       client=world.client, respond=world.respond)


def logged_ref(caplog) -> str:
    [record] = [r for r in caplog.records if r.name == "tests.slack.errors" and r.levelno == logging.ERROR]
    assert record.exc_info and "database is gone" in str(record.exc_info[1])
    return re.search(r"ref ([0-9a-f]{8})", record.getMessage()).group(1)


def test_a_failed_slash_command_is_acknowledged_with_the_apology(world, caplog):
    body = {"command": "/troubleshoot", "text": "x", "user_id": "U1", "response_url": "http://127.0.0.1:9/r/1"}
    response = fail(world, body, response=BoltResponse(status=500))
    assert response.status == 200
    sent = json.loads(response.body)
    assert sent["response_type"] == "ephemeral"
    assert "Sorry, something went wrong" in sent["text"]
    assert REF.search(sent["text"]).group(1) == logged_ref(caplog)
    assert not world.respond.calls  # one apology, not two


def test_a_failure_after_the_ack_apologises_through_the_response_url(world, caplog):
    body = {"type": "block_actions", "user": {"id": "U1"}, "response_url": "http://127.0.0.1:9/r/2",
            "actions": [{"action_id": "share_diagnosis"}]}
    assert fail(world, body, response=None) is None
    [apology] = world.respond.calls
    assert apology["response_type"] == "ephemeral" and apology["replace_original"] is False
    assert REF.search(apology["text"]).group(1) == logged_ref(caplog)
    assert not world.client.calls


def test_a_failed_mention_apologises_in_the_thread(world, caplog):
    event = {"type": "app_mention", "user": "U1", "text": "x", "channel": "C1", "ts": "5.0", "thread_ts": "4.0"}
    fail(world, event_body(event), response=BoltResponse(status=200))
    [post] = world.client.posted
    assert (post["channel"], post["thread_ts"]) == ("C1", "4.0")
    assert REF.search(post["text"]).group(1) == logged_ref(caplog)
    assert not world.respond.calls


def test_a_failed_app_home_is_only_logged(world, caplog):
    fail(world, event_body({"type": "app_home_opened", "user": "U1", "tab": "home"}), response=None)
    assert not world.client.calls and not world.respond.calls
    assert logged_ref(caplog)


def test_an_apology_that_cannot_be_delivered_is_logged_not_raised(world, caplog):
    world.client.fail["chat.postMessage"] = "channel_not_found"
    event = {"type": "message", "channel_type": "im", "user": "U1", "text": "x", "channel": "D1", "ts": "5.0"}
    fail(world, event_body(event), response=None)
    assert ("chat.postMessage", "channel_not_found") in world.metrics.api_errors
    assert any("could not deliver" in r.getMessage() for r in caplog.records)


def test_every_slack_api_error_is_counted_once(world):
    exc = api_error("chat.postMessage", "ratelimited")
    metrics = FakeMetrics()
    client = FakeClient()
    client.fail["views.publish"] = "invalid_blocks"
    with pytest.raises(Exception) as raised:
        call(metrics, client.views_publish, user_id="U1", view={})
    assert metrics.api_errors == [("views.publish", "invalid_blocks")]
    world.metrics = metrics
    fail(world, {"command": "/troubleshoot"}, response=None, error=raised.value)
    assert metrics.api_errors == [("views.publish", "invalid_blocks")]  # not again
    fail(world, {"command": "/troubleshoot"}, response=None, error=exc)
    assert metrics.api_errors[-1] == ("chat.postMessage", "ratelimited")


def test_a_refused_response_url_is_counted(world):
    world.respond = Recorder(status_code=404)
    fail(world, {"type": "block_actions", "response_url": "http://127.0.0.1:9/r/9"}, response=None)
    assert ("response_url", "http_404") in world.metrics.api_errors

