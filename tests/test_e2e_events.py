"""End to end: mentions, DMs, attached snippets, the message shortcut, retries and a misbehaving Slack.

One `python app.py serve` per backend for the module; every test uses its own channel and asserts on
what the fake Slack received there.
"""

from __future__ import annotations

import re
import threading

import pytest

from tests import server_process as e2e
from tests.fake_slack import FILES, RESPONSE_URL, FakeSlack
from tests.server_process import BOT_TOKEN, ServerProcess, metric_value, wait_until
from tests.slack_signing import Signer, mention_event, message_event, unique_id, unique_ts

# The shared end-to-end fixtures (one server per module and backend, the fake Slack, the signer).
e2e_db_url, e2e_slack_module, e2e_slack = e2e.e2e_db_url, e2e.e2e_slack_module, e2e.e2e_slack
e2e_server_module, e2e_server, signer = e2e.e2e_server_module, e2e.e2e_server, e2e.signer

LOG = """Creating/updating online deployment blue ....
ERROR: (BadArgument) ERR_1200: Unable to download user container image. Failed to pull image
myacr.azurecr.io/azureml/azureml_3f2a:latest for deployment blue of endpoint fraud-ep"""
ERR_1200_TITLE = "the deployment cannot pull its container image"
QUIET = 0.6  # how long "no reply" is watched for, after the server has shown it is answering



def posts_in(slack: FakeSlack, channel: str, *, ok_only: bool = True):
    return slack.calls("chat.postMessage", ok_only=ok_only, where=lambda c: c.body.get("channel") == channel)


def wait_post(slack: FakeSlack, channel: str, *, timeout: float = 10.0):
    [post] = slack.wait_for("chat.postMessage", ok_only=True, timeout=timeout,
                            where=lambda c: c.body.get("channel") == channel)
    return post


def assert_acked(result) -> None:
    assert result.status == 200, (result.status, result.text[:300])


def proves_alive(server: ServerProcess, signer: Signer, slack: FakeSlack) -> None:
    """A DM that is answered: so 'no reply' elsewhere means ignored, not a server that answers nothing."""
    channel = unique_id("D")
    assert_acked(server.post(signer.event(message_event(LOG, channel=channel))))
    wait_post(slack, channel)


# -- mentions -----------------------------------------------------------------------------------------


def test_a_mention_with_a_log_gets_exactly_one_threaded_reply_even_when_slack_retries(e2e_server, e2e_slack,
                                                                                      signer):
    channel = unique_id("C")
    event = mention_event(f"<@UBOT> blue won't deploy, any idea?\n```{LOG}```", channel=channel)
    request = signer.event(event)
    assert_acked(e2e_server.post(request))

    post = wait_post(e2e_slack, channel)
    assert post.body["thread_ts"] == event["ts"]
    assert "ERR_1200" in post.text_everywhere and ERR_1200_TITLE in post.text_everywhere
    assert post.body.get("text"), "a text fallback beside the blocks"
    assert "<@UBOT>" not in post.text_everywhere
    assert post.token == BOT_TOKEN

    duplicates = metric_value(e2e_server.metrics(), "tsgbot_slack_duplicates_dropped_total")
    assert_acked(e2e_server.post(request.retried(1, "http_timeout")))
    assert_acked(e2e_server.post(request.retried(2, "http_error")))
    wait_until(lambda: metric_value(e2e_server.metrics(), "tsgbot_slack_duplicates_dropped_total") >= duplicates + 2,
               what="the two repeated deliveries counted as duplicates")
    e2e_slack.wait_quiet(QUIET)
    assert len(posts_in(e2e_slack, channel, ok_only=False)) == 1
    assert metric_value(e2e_server.metrics(), "tsgbot_slack_duplicates_dropped_total") == duplicates + 2
    assert metric_value(e2e_server.metrics(), "tsgbot_diagnoses_total", surface="mention", decision="match") >= 1


def test_the_same_event_delivered_twice_at_once_is_answered_once(e2e_server, e2e_slack, signer):
    channel = unique_id("C")
    request = signer.event(mention_event(f"<@UBOT> {LOG}", channel=channel))
    results = []
    threads = [threading.Thread(target=lambda r=r: results.append(e2e_server.post(r)))
               for r in (request, request.retried(1, "http_timeout"), request.retried(2, "http_timeout"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [r.status for r in results] == [200, 200, 200]
    wait_post(e2e_slack, channel)
    e2e_slack.wait_quiet(QUIET)
    assert len(posts_in(e2e_slack, channel, ok_only=False)) == 1


def test_a_later_mention_in_the_thread_uses_the_earlier_pastes(e2e_server, e2e_slack, signer):
    channel, parent = unique_id("C"), unique_ts()
    e2e_slack.set_thread(channel, parent, [
        {"type": "message", "user": "U123", "ts": parent, "thread_ts": parent, "text": f"```{LOG}```"},
        {"type": "message", "user": "U456", "ts": unique_ts(), "thread_ts": parent, "text": "same here"},
    ])
    event = mention_event("<@UBOT> what is going on here?", channel=channel, thread_ts=parent)
    assert_acked(e2e_server.post(signer.event(event)))
    post = wait_post(e2e_slack, channel)
    assert post.body["thread_ts"] == parent
    assert "ERR_1200" in post.text_everywhere
    replies = e2e_slack.calls("conversations.replies", where=lambda c: c.body.get("channel") == channel)
    assert replies and replies[0].body["ts"] == parent


def test_an_attached_snippet_is_fetched_with_the_bot_token_and_diagnosed(e2e_server, e2e_slack, signer):
    channel = unique_id("C")
    file = e2e_slack.add_file("deploy-blue.log", "2024-05-01T10:00:00Z INFO starting\n" + LOG + "\n")
    event = mention_event("<@UBOT> log attached", channel=channel, files=[file])
    assert_acked(e2e_server.post(signer.event(event)))

    post = wait_post(e2e_slack, channel)
    assert post.body["thread_ts"] == event["ts"]
    assert "ERR_1200" in post.text_everywhere
    assert [c.body.get("file") for c in e2e_slack.calls("files.info")] == [file["id"]]
    downloads = e2e_slack.calls(FILES, where=lambda c: c.name == file["id"])
    assert downloads and all(d.headers.get("authorization") == f"Bearer {BOT_TOKEN}" for d in downloads)


def test_a_huge_paste_is_answered_within_slacks_limits(e2e_server, e2e_slack, signer):
    channel = unique_id("C")
    noise = "".join(f"2024-05-01T10:{i // 60 % 60:02d}:{i % 60:02d}Z INFO polling deployment state {i}\n"
                    for i in range(600))
    event = mention_event(f"<@UBOT> ```{noise}{LOG}\n{noise}```", channel=channel)
    assert len(event["text"]) > 35_000
    assert_acked(e2e_server.post(signer.event(event)))
    post = wait_post(e2e_slack, channel)
    assert "ERR_1200" in post.text_everywhere
    assert len(post.blocks) <= 50
    for block in post.blocks:
        text = (block.get("text") or {}).get("text", "")
        assert len(text) <= (150 if block["type"] == "header" else 3000)
    assert len(post.body.get("text") or "") <= 40_000


# -- direct messages and what is ignored ---------------------------------------------------------------


def test_a_direct_message_gets_a_reply_inline_not_in_a_thread(e2e_server, e2e_slack, signer):
    channel = unique_id("D")
    event = message_event(LOG, channel=channel, user="U789")
    assert_acked(e2e_server.post(signer.event(event)))
    post = wait_post(e2e_slack, channel)
    assert not post.body.get("thread_ts")  # the next message of the conversation, not "1 reply"
    [reply] = [m for m in e2e_slack.messages(channel) if m["ts"] == post.answer["ts"]]
    assert "thread_ts" not in reply
    assert "ERR_1200" in post.text_everywhere
    assert metric_value(e2e_server.metrics(), "tsgbot_diagnoses_total", surface="dm") >= 1


IGNORED = {
    "another bot's DM": dict(bot_id="B0OTHER", user="U0OTHERBOT"),
    "a bot_message": dict(subtype="bot_message", bot_id="B0OTHER", user=None),
    "the bot itself": dict(user="UBOT", bot_id="BBOT"),
    "an edit": dict(subtype="message_changed", user=None, hidden=True,
                    message={"type": "message", "user": "U123", "text": LOG, "ts": "1700000000.000001"}),
    "a channel message without mention": dict(channel_type="channel"),
}


@pytest.mark.parametrize("kind", list(IGNORED))
def test_bots_itself_edits_and_unaddressed_messages_get_no_reply(e2e_server, e2e_slack, signer, kind):
    channel = unique_id("C" if kind.startswith("a channel") else "D")
    result = e2e_server.post(signer.event(message_event(LOG, channel=channel, **IGNORED[kind])))
    assert_acked(result)  # acknowledged, or Slack would retry it
    proves_alive(e2e_server, signer, e2e_slack)
    e2e_slack.wait_quiet(QUIET)
    assert e2e_slack.calls(where=lambda c: c.body.get("channel") == channel) == []


# -- the message shortcut -----------------------------------------------------------------------------


def test_the_message_shortcut_replies_in_the_thread(e2e_server, e2e_slack, signer):
    channel, ts = unique_id("C"), unique_ts()
    url = e2e_slack.response_url()
    request = signer.message_action({"user": "U456", "ts": ts, "text": LOG}, response_url=url,
                                    channel_id=channel, user_id="U123")
    assert_acked(e2e_server.post(request))
    post = wait_post(e2e_slack, channel)
    assert post.body["thread_ts"] == ts
    assert "ERR_1200" in post.text_everywhere
    assert metric_value(e2e_server.metrics(), "tsgbot_diagnoses_total", surface="shortcut") >= 1


@pytest.mark.parametrize("error", ["not_in_channel", "channel_not_found"])
def test_the_message_shortcut_answers_privately_where_the_bot_is_not_in_the_channel(e2e_server, e2e_slack, signer,
                                                                                   error):
    channel, ts = unique_id("C"), unique_ts()
    e2e_slack.api_error("chat.postMessage", error)
    url = e2e_slack.response_url()
    request = signer.message_action({"user": "U456", "ts": ts, "text": LOG}, response_url=url, channel_id=channel)
    assert_acked(e2e_server.post(request))
    [private] = e2e_slack.wait_for(RESPONSE_URL, where=lambda c: c.name == url.rsplit("/", 1)[1])
    assert private.body.get("response_type", "ephemeral") == "ephemeral"
    assert "ERR_1200" in private.text_everywhere
    e2e_slack.wait_quiet(QUIET)
    assert posts_in(e2e_slack, channel) == []
    assert len(e2e_slack.responses(url)) == 1


def test_the_request_url_check_is_answered(e2e_server, signer):
    result = e2e_server.post(signer.url_verification("3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"))
    assert result.status == 200
    assert "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" in result.text


# -- a misbehaving Slack ------------------------------------------------------------------------------


def test_a_rate_limited_reply_waits_retry_after_and_arrives_once(e2e_server, e2e_slack, signer):
    channel = unique_id("C")
    e2e_slack.rate_limit("chat.postMessage", times=1, retry_after=1)
    assert_acked(e2e_server.post(signer.event(mention_event(f"<@UBOT> {LOG}", channel=channel))))
    post = wait_post(e2e_slack, channel, timeout=15)
    first, second = posts_in(e2e_slack, channel, ok_only=False)
    assert (first.status, second) == (429, post)
    assert second.at - first.at >= 1.0  # Retry-After honoured
    e2e_slack.wait_quiet(QUIET)
    assert len(posts_in(e2e_slack, channel)) == 1


def test_server_errors_are_retried_and_the_reply_arrives_once(e2e_server, e2e_slack, signer):
    channel = unique_id("C")
    e2e_slack.server_error("chat.postMessage", times=2)
    assert_acked(e2e_server.post(signer.event(mention_event(f"<@UBOT> {LOG}", channel=channel))))
    wait_post(e2e_slack, channel, timeout=20)
    e2e_slack.wait_quiet(QUIET)
    assert [c.status for c in posts_in(e2e_slack, channel, ok_only=False)] == [500, 500, 200]


def test_a_failure_reaches_the_user_as_one_apology_with_a_reference_id_found_in_the_log(e2e_server, e2e_slack,
                                                                                         signer):
    channel = unique_id("C")
    e2e_slack.api_error("chat.postMessage", "invalid_blocks")  # not retried: the reply itself fails
    event = mention_event(f"<@UBOT> {LOG}", channel=channel)
    assert_acked(e2e_server.post(signer.event(event)))
    apology = wait_post(e2e_slack, channel)
    e2e_slack.wait_quiet(QUIET)
    failed, sent = posts_in(e2e_slack, channel, ok_only=False)
    assert (failed.answer["error"], sent) == ("invalid_blocks", apology)
    assert apology.body.get("thread_ts") == event["ts"]
    words = set(re.findall(r"[0-9A-Za-z-]{6,}", apology.text_everywhere))
    assert "invalid_blocks" not in apology.text_everywhere and "Traceback" not in apology.text_everywhere
    logs = wait_until(lambda: e2e_server.logs() if any(w in e2e_server.logs() for w in words) else None,
                      what="the apology's reference id in the server log")
    # The details (the Slack error) are in the log, next to the reference the user was given.
    assert any("invalid_blocks" in logs.split(w, 1)[1][:3000] for w in words if w in logs and re.search(r"\d", w))
    assert metric_value(e2e_server.metrics(), "tsgbot_slack_api_errors_total", method="chat.postMessage",
                        error="invalid_blocks") >= 1


def test_acks_never_wait_on_slack_while_replies_do(e2e_server, e2e_slack, signer):
    """A burst of mentions whose replies are stuck on Slack must not hold up the next commands' acks.

    Slack's contract is an ack within 3 s; instead of timing it, Slack is held: no Web API call is
    answered until the end, so an ack that waited on one could not come back at all.
    """
    e2e_slack.hold()
    try:
        channels = [unique_id("C") for _ in range(10)]
        events = [signer.event(mention_event(f"<@UBOT> {LOG}", channel=c)) for c in channels]
        commands = [signer.slash_command(LOG, response_url=e2e_slack.response_url(), user_id=unique_id("U"))
                    for _ in range(4)]
        acked = concurrently(e2e_server, events)
        e2e_slack.wait_arrived("chat.postMessage", len(channels), timeout=60)  # every reply now waits on Slack
        answered = concurrently(e2e_server, commands)
        assert [r.status for r in acked + answered] == [200] * (len(events) + len(commands)), (
            [(r.status, r.text[:200]) for r in acked + answered])
        assert all("ERR_1200" in r.text for r in answered)
        assert e2e_slack.calls("chat.postMessage") == []  # none answered yet: the acks did not wait
    finally:
        e2e_slack.release()
    for channel in channels:  # the replies still arrive
        wait_post(e2e_slack, channel, timeout=60)


def concurrently(server: ServerProcess, requests: list) -> list:
    results: list = [None] * len(requests)

    def send(index: int) -> None:
        results[index] = server.post(requests[index])

    threads = [threading.Thread(target=send, args=(i,)) for i in range(len(requests))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results
