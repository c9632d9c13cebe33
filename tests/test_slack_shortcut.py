"""The message shortcut "Diagnose this": a reply in the message's thread, or privately where the bot may not post."""

from __future__ import annotations

import pytest
from slack_sdk.errors import SlackApiError

from bot.slack.shortcut import make_message_shortcut
from tests.slack_fakes import World, buttons, texts

PULL = "ImagePullFailed: failed to pull image myacr.azurecr.io/model:1 for deployment blue of endpoint fraud-ep"


@pytest.fixture
def world(shipped_index, renderer) -> World:
    return World.build(shipped_index, renderer)


def run(world: World, message: dict) -> None:
    shortcut = {"type": "message_action", "callback_id": "diagnose_message", "trigger_id": "T.1",
                "response_url": "http://127.0.0.1:9/response/7", "user": {"id": "U123"}, "channel": {"id": "C42"},
                "message_ts": message.get("ts"), "message": message}
    listener = make_message_shortcut(world.answerer(), download=world.download)
    listener(ack=world.ack, shortcut=shortcut, body=shortcut, client=world.client, context=world.context,
             respond=world.respond, logger=world.logger)


def test_the_diagnosis_goes_into_the_messages_thread(world):
    run(world, {"type": "message", "user": "U555", "text": PULL, "ts": "1700000000.000100"})
    assert len(world.ack.calls) == 1
    [post] = world.client.posted
    assert (post["channel"], post["thread_ts"]) == ("C42", "1700000000.000100")
    assert "ERR_1200" in post["text"]
    assert "Diagnosis asked for by <@U123>" in texts(post["blocks"])
    assert set(buttons(post["blocks"])) == {"other_matches", "feedback_solved", "feedback_wrong"}
    assert world.service.diagnosed[0]["surface"] == "shortcut"
    assert not world.respond.calls


def test_a_message_inside_a_thread_is_answered_in_that_thread(world):
    run(world, {"user": "U555", "text": PULL, "ts": "1700000050.000100", "thread_ts": "1700000000.000100"})
    assert world.client.posted[0]["thread_ts"] == "1700000000.000100"


def test_an_alert_posted_by_another_app_can_be_diagnosed(world):
    run(world, {"bot_id": "B77", "text": "", "ts": "1.0",
                "attachments": [{"title": "Deployment failed", "text": PULL}]})
    assert "ERR_1200" in world.client.posted[0]["text"]


@pytest.mark.parametrize("error", ["not_in_channel", "channel_not_found"])
def test_where_the_bot_may_not_post_the_asker_gets_it_privately(world, error):
    world.client.fail["chat.postMessage"] = error
    run(world, {"user": "U555", "text": PULL, "ts": "1.0"})
    [private] = world.respond.calls
    assert private["response_type"] == "ephemeral" and private["replace_original"] is False
    assert "ERR_1200" in private["text"]
    body = texts(private["blocks"])
    assert "only you see this answer" in body and "`ERR_1200`" in body
    assert ("chat.postMessage", error) in world.metrics.api_errors


def test_other_posting_errors_reach_the_error_handler(world):
    world.client.fail["chat.postMessage"] = "msg_too_long"
    with pytest.raises(SlackApiError):
        run(world, {"user": "U555", "text": PULL, "ts": "1.0"})
    assert world.metrics.api_errors == [("chat.postMessage", "msg_too_long")]
    assert not world.respond.calls


def test_a_message_with_nothing_to_diagnose_gets_the_help_privately(world):
    run(world, {"user": "U555", "text": "", "ts": "1.0",
                "files": [{"id": "F1", "name": "shot.png", "mimetype": "image/png", "filetype": "png"}]})
    assert not world.client.posted
    [private] = world.respond.calls
    assert private["response_type"] == "ephemeral" and private["text"] == "How to use tsgbot"
    assert "`shot.png` is not a text file" in texts(private["blocks"])
