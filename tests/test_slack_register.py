"""register() wires every listener into a real Bolt App: requests dispatched through Bolt reach them
with the arguments Bolt injects by name, and their replies reach (a local stand-in for) Slack."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from urllib.parse import urlencode

import pytest
from slack_bolt.request import BoltRequest

from tests.slack_fakes import (
    BOT_ID,
    BOT_USER,
    LocalSlack,
    World,
    bolt_app,
    command_request,
    event_body,
    event_request,
    local_slack,
    payload_request,
    signed,
    wait_for,
)

QUOTA = "ERROR: (OutOfQuota) Not enough quota available for Standard_DS3_v2"



@pytest.fixture
def world(shipped_index, renderer) -> World:
    return World.build(shipped_index, renderer)


@pytest.fixture
def slack() -> Iterator[LocalSlack]:
    with local_slack() as server:
        yield server


def test_every_listener_is_registered(world):
    names = {listener.ack_function.__name__ for listener in bolt_app(world)._listeners}
    assert names == {"slash_command", "app_mention", "direct_message", "diagnose_message", "share_diagnosis",
                     "other_matches", "feedback_solved", "feedback_wrong", "feedback_pick_entry", "feedback_accept",
                     "feedback_reject",
                     "app_home_opened"}


def test_the_slash_command_is_answered_in_the_acknowledgement(world):
    response = bolt_app(world).dispatch(command_request(QUOTA))
    assert response.status == 200
    sent = json.loads(response.body)
    assert sent["response_type"] == "ephemeral" and sent["text"].startswith("Likely match: ERR_1100")
    assert world.service.diagnosed[0]["surface"] == "slash"


def test_a_listener_exception_gives_one_apology_in_the_acknowledgement(world):
    world.service.fail_with = RuntimeError("database is gone")
    response = bolt_app(world).dispatch(command_request(QUOTA))
    assert response.status == 200
    sent = json.loads(response.body)
    assert sent["response_type"] == "ephemeral" and "Sorry, something went wrong" in sent["text"]


def test_a_failure_of_a_request_not_verified_before_bolt_apologises_nowhere(world, slack):
    """Defence in depth: should a body ever reach Bolt without passing bot.web.slack_events, its channel
    and response_url are the sender's words, not Slack's: the failure is logged, nothing is sent."""
    world.service.fail_with = RuntimeError("database is gone")
    app = bolt_app(world, slack.url + "/api/")

    def mention(channel: str, event_id: str, *, verified: bool):
        event = {"type": "app_mention", "user": "U123", "text": f"<@{BOT_USER}> {QUOTA}", "channel": channel,
                 "ts": "1700000100.000200"}
        return app.dispatch(signed(json.dumps(event_body(event, event_id)), "application/json", verified=verified))

    assert mention("C0VICTIM", "Ev0UNVERIFIED", verified=False).status == 200
    command = urlencode({"command": "/troubleshoot", "text": QUOTA, "channel_id": "C0VICTIM", "team_id": "T1",
                         "response_url": slack.url + "/response/1", "user_id": "U1", "trigger_id": "t"})
    response = app.dispatch(signed(command, "application/x-www-form-urlencoded", verified=False))
    assert "Sorry" not in str(response.body)
    # The same failure of a verified mention is apologised for: the marker that the others had their chance.
    assert mention("C0MARKER", "Ev0VERIFIED", verified=True).status == 200
    assert wait_for(lambda: slack.calls("/api/chat.postMessage"))
    time.sleep(0.3)  # a wrong post to C0VICTIM would have been sent before or with the marker's
    assert [post["channel"] for post in slack.calls("/api/chat.postMessage")] == ["C0MARKER"]
    assert [path for path, _ in slack.received if path.startswith("/response/")] == []


def test_a_failure_of_a_socket_mode_request_is_apologised_for_in_its_thread(world, slack):
    """Socket Mode requests come over the connection Slack opened with the app token: they are Slack's."""
    world.service.fail_with = RuntimeError("database is gone")
    event = {"type": "app_mention", "user": "U123", "text": f"<@{BOT_USER}> {QUOTA}", "channel": "C0SOCKET",
             "ts": "1700000100.000300"}
    request = BoltRequest(body=event_body(event, "Ev0SOCKET"), mode="socket_mode")
    assert bolt_app(world, slack.url + "/api/").dispatch(request).status == 200
    assert wait_for(lambda: slack.calls("/api/chat.postMessage"))
    [post] = slack.calls("/api/chat.postMessage")
    assert post["channel"] == "C0SOCKET" and "Sorry, something went wrong" in post["text"]


def test_a_mention_is_answered_in_its_thread(world, slack):
    event = {"type": "app_mention", "user": "U123", "text": f"<@{BOT_USER}> {QUOTA}", "channel": "C42",
             "ts": "1700000100.000200"}
    assert bolt_app(world, slack.url + "/api/").dispatch(event_request(event)).status == 200
    assert wait_for(lambda: slack.calls("/api/chat.postMessage"))
    [post] = slack.calls("/api/chat.postMessage")
    assert (post["channel"], post["thread_ts"]) == ("C42", "1700000100.000200")
    assert "ERR_1100" in post["text"] and "ERR_1100" in json.dumps(post["blocks"])
    assert world.service.diagnosed[0]["surface"] == "mention"


def test_an_event_from_ourselves_is_dropped_before_any_work(world, slack):
    event = {"type": "message", "channel_type": "im", "user": BOT_USER, "bot_id": BOT_ID, "text": "ERR_1200",
             "channel": "D1", "ts": "1.0"}
    assert bolt_app(world, slack.url + "/api/").dispatch(event_request(event)).status == 200
    assert not wait_for(lambda: world.service.seen or slack.received, timeout=0.2)


def test_a_button_reaches_its_listener_and_updates_the_message(world, slack):
    recorded = world.service.diagnose(QUOTA, surface="slash", user_id="U123")
    payload = {"type": "block_actions", "team": {"id": "T1"}, "user": {"id": "U777"}, "api_app_id": "A1",
               "trigger_id": "t", "response_url": slack.url + "/response/2", "channel": {"id": "C42"},
               "container": {"type": "message", "is_ephemeral": True},
               "actions": [{"type": "button", "action_id": "feedback_solved", "block_id": "feedback:1",
                            "value": json.dumps({"d": recorded.diagnosis_id, "lang": "en"})}]}
    assert bolt_app(world, slack.url + "/api/").dispatch(payload_request(payload)).status == 200
    assert wait_for(lambda: slack.calls("/response/2"))
    [update] = slack.calls("/response/2")
    assert update["replace_original"] is True and "Thanks <@U777>" in json.dumps(update["blocks"])
    assert world.service.feedback[0]["verdict"] == "solved"


def test_the_message_shortcut_reaches_its_listener(world, slack):
    payload = {"type": "message_action", "callback_id": "diagnose_message", "team": {"id": "T1"},
               "user": {"id": "U123"}, "channel": {"id": "C42"}, "trigger_id": "t", "message_ts": "1.0",
               "response_url": slack.url + "/response/3", "message": {"user": "U5", "text": QUOTA, "ts": "1.0"}}
    assert bolt_app(world, slack.url + "/api/").dispatch(payload_request(payload)).status == 200
    assert wait_for(lambda: slack.calls("/api/chat.postMessage"))
    assert slack.calls("/api/chat.postMessage")[0]["thread_ts"] == "1.0"
    assert world.service.diagnosed[0]["surface"] == "shortcut"


def test_app_home_is_published(world, slack):
    event = {"type": "app_home_opened", "user": "U123", "channel": "D1", "tab": "home"}
    assert bolt_app(world, slack.url + "/api/").dispatch(event_request(event, "EvHome")).status == 200
    assert wait_for(lambda: slack.calls("/api/views.publish"))
    [published] = slack.calls("/api/views.publish")
    assert published["user_id"] == "U123" and published["view"]["type"] == "home"


def test_acks_never_wait_while_replies_are_stuck_on_slack(world, slack):
    """Bolt has 5 listener threads; replies waiting on Slack must not hold them, or the next slash
    command's acknowledgement misses Slack's 3 seconds. Slack is held rather than timed: no Web API
    call is answered until the end, so an ack that needed a free listener thread could not come."""
    slack.hold()
    try:
        app = bolt_app(world, slack.url + "/api/", threads=4)
        for n in range(12):
            event = {"type": "app_mention", "user": "U123", "text": f"<@{BOT_USER}> {QUOTA}", "channel": f"C{n}",
                     "ts": f"{n}.0"}
            assert app.dispatch(event_request(event, f"EvSlow{n}")).status == 200
        assert wait_for(lambda: len(slack.calls("/api/chat.postMessage")) >= 4)  # the reply pool is stuck now
        response = app.dispatch(command_request(QUOTA))
        assert response.status == 200 and "ERR_1100" in json.loads(response.body)["text"]
        assert slack.answered == []  # answered while every reply still waited on Slack
    finally:
        slack.release()


def test_a_failure_in_the_background_gets_one_apology(world, slack):
    world.service.fail_with = RuntimeError("database is gone")
    payload = {"type": "message_action", "callback_id": "diagnose_message", "team": {"id": "T1"},
               "user": {"id": "U123"}, "channel": {"id": "C42"}, "trigger_id": "t", "message_ts": "1.0",
               "response_url": slack.url + "/response/4", "message": {"user": "U5", "text": QUOTA, "ts": "1.0"}}
    assert bolt_app(world, slack.url + "/api/").dispatch(payload_request(payload)).status == 200
    assert wait_for(lambda: slack.calls("/response/4"))
    time.sleep(0.1)
    [apology] = slack.calls("/response/4")
    assert apology["response_type"] == "ephemeral" and "Sorry, something went wrong" in apology["text"]
    assert not slack.calls("/api/chat.postMessage")
