"""The fake Slack and the signing helpers, checked against Slack's own client, verifier and Bolt.

If these pass, an end-to-end failure is the server's, not the test harness's.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.request

import pytest
from slack_bolt import App, BoltRequest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler, ServerErrorRetryHandler
from slack_sdk.signature import SignatureVerifier
from slack_sdk.webhook import WebhookClient

from tests.fake_slack import FILES, RESPONSE_URL, FakeSlack, Reply
from tests.server_process import metric_value
from tests.slack_signing import FORM, JSON, Signer, mention_event, message_event, signature

TOKEN = "xoxb-fake-token"
SECRET = "0123456789abcdef0123456789abcdef"


@pytest.fixture
def slack():
    with FakeSlack(bot_token=TOKEN) as fake:
        yield fake


def client(slack: FakeSlack, *, retries: int = 0) -> WebClient:
    handlers = [RateLimitErrorRetryHandler(max_retry_count=retries),
                ServerErrorRetryHandler(max_retry_count=retries)] if retries else []
    return WebClient(token=TOKEN, base_url=slack.api_url, retry_handlers=handlers)


# -- the Web API ------------------------------------------------------------------------------------


def test_answers_like_slack_and_records_every_call(slack):
    web = client(slack)
    assert web.auth_test()["user_id"] == "UBOT"
    posted = web.chat_postMessage(channel="C1", thread_ts="1700000000.000100", text="hi",
                                  blocks=[{"type": "section", "text": {"type": "mrkdwn", "text": "ERR_1200"}}])
    assert posted["ok"] and posted["channel"] == "C1" and posted["ts"]
    assert web.chat_postEphemeral(channel="C1", user="U1", text="psst")["message_ts"]
    assert web.chat_update(channel="C1", ts=posted["ts"], text="edited")["ts"] == posted["ts"]
    assert web.views_publish(user_id="U1", view={"type": "home", "blocks": []})["view"]["type"] == "home"
    assert web.users_info(user="U1")["user"]["id"] == "U1"

    [call] = slack.calls("chat.postMessage")
    assert call.verb == "POST" and call.path == "/api/chat.postMessage"
    assert call.body["channel"] == "C1" and call.body["thread_ts"] == "1700000000.000100"
    assert call.token == TOKEN and call.headers["authorization"] == f"Bearer {TOKEN}"
    assert "ERR_1200" in call.text_everywhere and call.ok
    assert [c.key for c in slack.calls()] == ["auth.test", "chat.postMessage", "chat.postEphemeral", "chat.update",
                                             "views.publish", "users.info"]


def test_unknown_methods_and_bad_tokens_fail_as_on_slack(slack):
    with pytest.raises(SlackApiError) as unknown:
        client(slack).api_call("chat.teleport")
    assert unknown.value.response["error"] == "unknown_method"
    with pytest.raises(SlackApiError) as bad:
        WebClient(token="xoxb-wrong", base_url=slack.api_url).auth_test()
    assert bad.value.response["error"] == "invalid_auth"


def test_threads_and_files_are_programmable(slack):
    slack.set_thread("C1", "1.000001", [{"type": "message", "user": "U1", "ts": "1.000001", "text": "paste"}])
    web = client(slack)
    assert web.conversations_replies(channel="C1", ts="1.000001")["messages"][0]["text"] == "paste"
    with pytest.raises(SlackApiError) as unknown:  # as Slack answers a thread that is not there
        web.conversations_replies(channel="C1", ts="9.000009")
    assert unknown.value.response["error"] == "thread_not_found"

    file = slack.add_file("deploy.log", "ERROR: ERR_1200 image pull failed\n")
    info = web.files_info(file=file["id"])["file"]
    assert info["url_private_download"] == file["url_private_download"]
    authed = urllib.request.Request(info["url_private_download"], headers={"Authorization": f"Bearer {TOKEN}"})
    with urllib.request.urlopen(authed) as response:
        assert response.read() == b"ERROR: ERR_1200 image pull failed\n"
    with urllib.request.urlopen(info["url_private_download"]) as response:  # no token: the sign-in page
        assert b"Sign in" in response.read()
    downloads = slack.calls(FILES)
    assert [d.token for d in downloads] == [TOKEN, None]
    with pytest.raises(SlackApiError):
        web.files_info(file="F404")


def test_channels_are_ids_except_for_posting_and_pages_follow_cursors_as_on_slack(slack):
    web = client(slack)
    alerts = slack.add_channel("ml-alerts")
    hidden = slack.add_channel("outside", member=False)

    def error(call, **kwargs) -> str:
        with pytest.raises(SlackApiError) as failed:
            call(**kwargs)
        return failed.value.response["error"]

    assert web.chat_postMessage(channel="#ml-alerts", text="by name")["channel"] == alerts
    assert error(web.chat_postMessage, channel="#nowhere", text="x") == "channel_not_found"
    assert error(web.conversations_history, channel="#ml-alerts") == "channel_not_found"
    assert error(web.conversations_join, channel="#outside") == "channel_not_found"
    assert error(web.chat_update, channel="#ml-alerts", ts="1.000001", text="x") == "channel_not_found"
    assert error(web.chat_update, channel=alerts, ts="1.000001", text="x") == "message_not_found"
    assert error(web.chat_postMessage, channel=hidden, text="x") == "not_in_channel"
    assert web.conversations_join(channel=hidden)["channel"]["id"] == hidden
    assert web.chat_postMessage(channel=hidden, text="now a member")["ok"]

    for n in range(7):
        web.chat_postMessage(channel=alerts, text=f"m{n}")
    texts, cursor, pages = [], None, 0
    while True:
        page = web.conversations_history(channel=alerts, limit=3, **({"cursor": cursor} if cursor else {}))
        assert len(page["messages"]) <= 3
        texts += [m["text"] for m in page["messages"]]
        pages += 1
        cursor = page["response_metadata"]["next_cursor"]
        if not cursor:
            break
    assert pages == 3 and texts == [f"m{n}" for n in reversed(range(7))] + ["by name"]
    assert len(web.conversations_history(channel=alerts)["messages"]) == 8  # default limit 100

    names = []
    for n in range(5):
        slack.add_channel(f"c{n}")
    cursor = None
    while True:
        page = web.conversations_list(limit=2, **({"cursor": cursor} if cursor else {}))
        names += [c["name"] for c in page["channels"]]
        cursor = page["response_metadata"]["next_cursor"]
        if not cursor:
            break
    assert {"ml-alerts", "outside", "c0", "c4"} <= set(names) and len(names) == len(set(names))


def test_response_urls_record_what_respond_posts(slack):
    url = slack.response_url()
    assert url.startswith(f"http://127.0.0.1:{slack.port}/response/")
    assert WebhookClient(url).send(text="shared", response_type="in_channel").status_code == 200
    [call] = slack.responses(url)
    assert call.key == RESPONSE_URL and call.body["response_type"] == "in_channel"
    assert slack.responses(slack.response_url()) == []


def test_rate_limit_is_answered_with_retry_after_and_honoured_by_the_sdk(slack):
    slack.rate_limit("chat.postMessage", times=1, retry_after=1)
    start = time.monotonic()
    assert client(slack, retries=2).chat_postMessage(channel="C1", text="x")["ok"]
    assert time.monotonic() - start >= 1.0
    first, second = slack.calls("chat.postMessage")
    assert (first.status, first.ok, second.status, second.ok) == (429, False, 200, True)


def test_server_errors_then_success(slack):
    slack.server_error("chat.postMessage", times=2)
    assert client(slack, retries=2).chat_postMessage(channel="C1", text="x")["ok"]
    assert [c.status for c in slack.calls("chat.postMessage")] == [500, 500, 200]
    assert len(slack.calls("chat.postMessage", ok_only=True)) == 1


def test_scripted_api_errors_and_generic_replies(slack):
    slack.api_error("chat.postMessage", "not_in_channel")
    slack.script("chat.update", Reply(200, {"ok": False, "error": "message_not_found"}))
    with pytest.raises(SlackApiError) as error:
        client(slack).chat_postMessage(channel="C1", text="x")
    assert error.value.response["error"] == "not_in_channel"
    assert client(slack).chat_postMessage(channel="C1", text="x")["ok"]  # only the next call failed
    with pytest.raises(SlackApiError):
        client(slack).chat_update(channel="C1", ts="1.1", text="x")


def test_delay_slows_every_answer_and_waiting_helpers(slack):
    slack.delay(0.3)
    web = client(slack)
    thread = threading.Thread(target=lambda: web.chat_postMessage(channel="C9", text="late"))
    start = time.monotonic()
    thread.start()
    [call] = slack.wait_for("chat.postMessage", timeout=5, where=lambda c: c.body["channel"] == "C9")
    assert time.monotonic() - start >= 0.3
    thread.join()
    with pytest.raises(AssertionError, match="waited 0.2s for 2 chat.postMessage"):
        slack.wait_for("chat.postMessage", 2, timeout=0.2)
    slack.delay(60)
    slack.reset()
    assert slack.calls() == []
    assert WebClient(token=TOKEN, base_url=slack.api_url, timeout=30).auth_test()["ok"]  # the delay is gone


# -- signing ----------------------------------------------------------------------------------------


def test_signatures_verify_with_slacks_own_verifier():
    signer = Signer(SECRET)
    verifier = SignatureVerifier(SECRET)
    request = signer.slash_command("ERR_1200", response_url="http://127.0.0.1:1/response/R1")
    assert request.headers["X-Slack-Signature"] == signature(SECRET, request.timestamp, request.body)
    assert verifier.is_valid_request(request.body, request.headers)
    assert not verifier.is_valid_request(request.forged().body, request.forged().headers)
    assert not verifier.is_valid_request(request.tampered().body, request.tampered().headers)
    assert not verifier.is_valid_request(request.unsigned().body, request.unsigned().headers)
    assert not verifier.is_valid_request(request.stale().body, request.stale().headers)
    retried = signer.event(mention_event("<@UBOT> hi")).retried(2, "http_timeout")
    assert verifier.is_valid_request(retried.body, retried.headers)
    assert retried.headers["X-Slack-Retry-Num"] == "2" and retried.headers["X-Slack-Retry-Reason"] == "http_timeout"


def test_bodies_have_slacks_shapes():
    signer = Signer(SECRET)
    slash = signer.slash_command("de ERR_1200", response_url="http://x/response/R1", user_id="U7")
    assert slash.content_type == FORM
    assert {k: slash.json[k] for k in ("command", "text", "user_id", "response_url")} == {
        "command": "/troubleshoot", "text": "de ERR_1200", "user_id": "U7", "response_url": "http://x/response/R1"}
    event = signer.event(message_event("hello"), event_id="Ev1")
    assert event.content_type == JSON
    assert event.json["type"] == "event_callback" and event.json["event_id"] == "Ev1"
    assert event.json["event"]["channel_type"] == "im" and event.json["authorizations"][0]["user_id"] == "UBOT"
    click = signer.block_actions({"type": "button", "action_id": "feedback_solved", "value": '{"d": 1}'},
                                 response_url="http://x/response/R2")
    assert click.body.startswith(b"payload=") and click.json["actions"][0]["action_id"] == "feedback_solved"
    shortcut = signer.message_action({"ts": "1.2", "text": "ERR_1200", "user": "U2"}, response_url="http://x/r")
    assert shortcut.json["callback_id"] == "diagnose_message" and shortcut.json["message"]["ts"] == "1.2"


# -- Bolt accepts them, and talks to the fake -------------------------------------------------------


def test_bolt_accepts_the_signed_requests_and_replies_through_the_fake(slack):
    app = App(client=WebClient(token=TOKEN, base_url=slack.api_url), signing_secret=SECRET)
    seen: list[str] = []

    @app.command("/troubleshoot")
    def command(ack, command):
        ack(response_type="ephemeral", text=f"got {command['text']}")

    @app.event("app_mention")
    def mention(event, say):
        say(text="reply", thread_ts=event["ts"])

    @app.action("feedback_solved")
    def solved(ack, respond):
        ack()
        respond(text="thanks", replace_original=True)

    @app.shortcut("diagnose_message")
    def shortcut(ack, shortcut):
        ack()
        seen.append(shortcut["message"]["text"])

    signer = Signer(SECRET)

    def dispatch(request):
        return app.dispatch(BoltRequest(body=request.body.decode(), headers=request.headers))

    url = slack.response_url()
    slash = signer.slash_command("ERR_1200", response_url=url)
    answered = dispatch(slash)
    assert answered.status == 200 and json.loads(answered.body)["text"] == "got ERR_1200"
    assert dispatch(slash.forged()).status == 401
    assert dispatch(slash.stale()).status == 401
    assert dispatch(slash.unsigned()).status == 401

    event = mention_event("<@UBOT> ERR_1200", channel="C5")
    assert dispatch(signer.event(event)).status == 200
    [post] = slack.wait_for("chat.postMessage")
    assert post.body["channel"] == "C5" and post.body["thread_ts"] == event["ts"]

    assert dispatch(signer.block_actions({"type": "button", "action_id": "feedback_solved", "value": "{}"},
                                         response_url=url)).status == 200
    [thanks] = slack.wait_for(RESPONSE_URL, where=lambda c: c.name == url.rsplit("/", 1)[1])
    assert thanks.body["replace_original"] is True

    assert dispatch(signer.message_action({"ts": "1.2", "text": "ERR_1200 log", "user": "U2"},
                                          response_url=url)).status == 200
    deadline = time.monotonic() + 5
    while not seen and time.monotonic() < deadline:
        time.sleep(0.01)
    assert seen == ["ERR_1200 log"]


def test_metric_value_reads_prometheus_text():
    text = ('# HELP tsgbot_diagnoses_total x\n# TYPE tsgbot_diagnoses_total counter\n'
            'tsgbot_diagnoses_total{decision="match",entry="ERR_1200",surface="slash"} 2.0\n'
            'tsgbot_diagnoses_total{decision="no_match",entry="",surface="mention"} 1.0\n'
            'tsgbot_diagnoses_created{decision="match",entry="ERR_1200",surface="slash"} 1.7e9\n'
            'tsgbot_slack_duplicates_dropped_total 3.0\n')
    assert metric_value(text, "tsgbot_diagnoses_total") == 3.0
    assert metric_value(text, "tsgbot_diagnoses_total", surface="slash", entry="ERR_1200") == 2.0
    assert metric_value(text, "tsgbot_slack_duplicates_dropped_total") == 3.0
    assert metric_value(text, "tsgbot_http_requests_total") == 0.0
