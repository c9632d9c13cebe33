"""Alert webhooks end to end: the real server, real HTTP, the fake Slack, SQLite and PostgreSQL.

Every source's payload, firing, repeated, resolved and firing again, gives exactly the Slack calls
expected; bad requests get their 4xx and store nothing; a Slack outage delays and loses nothing.
"""

from __future__ import annotations

import json

import pytest

from tests import server_process
from tests.alert_requests import (
    CHANNEL,
    HMAC_SECRET,
    TOKEN,
    alert_count,
    payload,
    send,
    signed_headers,
    unique,
    with_status,
)
from tests.fake_slack import elements
from tests.server_process import ServerProcess, click, query_db, server_env, unique_id

e2e_db_url = server_process.e2e_db_url
e2e_slack_module = server_process.e2e_slack_module
e2e_slack = server_process.e2e_slack
signer = server_process.signer

FIRING = {"alertmanager": "alertmanager_firing", "azure-monitor": "azure_metric_firing",
          "grafana": "grafana_firing", "generic": "generic_firing"}
ALERT_ENV = {"ALERT_WEBHOOK_TOKEN": TOKEN, "ALERT_WEBHOOK_HMAC_SECRET": HMAC_SECRET, "ALERT_CHANNEL": CHANNEL,
             "ALERT_CHANNEL_RATE": "50", "ALERT_MAX_BYTES": "65536"}


ROUTES = """\
routes:
  - name: payments on-call
    match: {team: payments-oncall, severity: critical}
    channel: C0PAYMENTS1
    mention: ["<!subteam^S0ONCALL1>"]
"""


@pytest.fixture(scope="module")
def alert_server_module(e2e_db_url, e2e_slack_module, tmp_path_factory):
    routes = tmp_path_factory.mktemp("routes") / "routes.yaml"
    routes.write_text(ROUTES, encoding="utf-8")
    env = server_env(database_url=e2e_db_url, slack=e2e_slack_module, ALERT_ROUTES=str(routes), **ALERT_ENV)
    with ServerProcess(env) as server:
        yield server


@pytest.fixture
def server(alert_server_module, e2e_slack):
    if not alert_server_module.running:
        alert_server_module.start()
    start = alert_server_module.log_size()
    yield alert_server_module
    with alert_server_module.log_path.open("rb") as log:
        log.seek(start)
        print("--- server log ---\n" + log.read().decode("utf-8", "replace"))


def alert_id_of(call) -> int | None:
    """The alert a posted message is about, from its metadata (a JSON string in a form body)."""
    metadata = call.body.get("metadata") or {}
    metadata = json.loads(metadata) if isinstance(metadata, str) else metadata
    return metadata.get("event_payload", {}).get("alert_id")


def ours(ids: set[int]):
    """Messages about these alerts only: a message of an earlier test may still be on its way."""
    return lambda call: alert_id_of(call) in ids


def top_posts(slack, ids: set[int]):
    return slack.calls("chat.postMessage", ok_only=True,
                       where=lambda c: not c.body.get("thread_ts") and ours(ids)(c))


def thread_posts(slack, ids: set[int]):
    return slack.calls("chat.postMessage", ok_only=True, where=lambda c: bool(c.body.get("thread_ts")) and ours(ids)(c))


def alert_ids(answer) -> set[int]:
    assert answer.status == 202, answer.text
    return {a["id"] for a in answer.json()["alerts"] if a["id"] is not None}


def stored(url: str) -> int:
    return query_db(url, "SELECT COUNT(*) AS n FROM alerts")[0]["n"]


@pytest.mark.parametrize("source", list(FIRING))
def test_firing_repeated_resolved_and_firing_again_give_exactly_the_expected_slack_calls(server, e2e_slack,
                                                                                         source):
    slack = e2e_slack
    firing = unique(source, payload(FIRING[source]), unique_id("t"))
    n = alert_count(source, firing)

    answer = send(server, source, firing)
    ids = alert_ids(answer)
    assert answer.json()["accepted"] == n and {a["action"] for a in answer.json()["alerts"]} == {"open"}
    assert len(ids) == n
    posts = slack.wait_for("chat.postMessage", n, ok_only=True, where=ours(ids))
    slack.wait_quiet(0.5)
    assert len(top_posts(slack, ids)) == n and all(p.body["channel"] == CHANNEL for p in posts)
    assert all(elements(p.blocks, "alert_ack") for p in posts)
    ours_ts = {p.answer["ts"] for p in posts}

    def edits(prefix: str = ""):
        return lambda c: c.body.get("ts") in ours_ts and str(c.body.get("text")).startswith(prefix)

    assert alert_ids(send(server, source, firing)) == ids  # the sender repeats: no new message, an edit
    slack.wait_for("chat.update", n, ok_only=True, where=edits())
    slack.wait_quiet(0.5)
    assert len(top_posts(slack, ids)) == n and thread_posts(slack, ids) == []

    assert alert_ids(send(server, source, with_status(source, firing, "resolved"))) == ids
    slack.wait_for("chat.postMessage", 2 * n, ok_only=True, where=ours(ids))
    slack.wait_for("chat.update", n, ok_only=True, where=edits("Resolved"))
    slack.wait_quiet(0.5)
    replies = thread_posts(slack, ids)
    assert len(replies) == n and all("Resolved" in r.body["text"] for r in replies)
    assert {r.body["thread_ts"] for r in replies} == {p.answer["ts"] for p in posts}
    for post in posts:  # every message now says resolved
        [message] = [m for m in slack.messages(CHANNEL) if m["ts"] == post.answer["ts"]]
        assert "Resolved" in message["text"]

    again = alert_ids(send(server, source, firing))  # firing again: new messages, linked from the old
    assert again.isdisjoint(ids) and len(again) == n
    slack.wait_for("chat.postMessage", 2 * n, ok_only=True, where=ours(again))
    slack.wait_quiet(0.5)
    assert len(top_posts(slack, again)) == n
    refired = [r for r in thread_posts(slack, again) if "Fired again" in r.body["text"]]
    assert {r.body["thread_ts"] for r in refired} == {p.answer["ts"] for p in posts}


def test_a_diagnosis_and_the_alert_s_own_links_are_in_the_message(server, e2e_slack):
    body = unique("generic", payload("generic_firing"), unique_id("g"))
    ids = alert_ids(send(server, "generic", body))
    [post] = e2e_slack.wait_for("chat.postMessage", ok_only=True, where=ours(ids))
    seen = post.text_everywhere
    assert "Deployment green of fraud-ep not ready" in seen
    assert "ERR_1200" in seen or "ERR_1300" in seen or "Liveness" in seen  # what the knowledge base says
    urls = [e.get("url") for _, e in elements(post.blocks)]
    assert "https://dev.azure.com/example/ml/_build/results?buildId=4711" in urls
    assert any("learn.microsoft.com" in (u or "") for u in urls)  # the guide beside the runbook


def test_a_route_sends_matching_alerts_to_their_channel_with_its_mention_and_others_to_the_default(server,
                                                                                                  e2e_slack):
    routed = unique("generic", {**payload("generic_firing"), "severity": "critical",
                                "labels": {"team": "payments-oncall", "endpoint": "fraud-ep"}}, unique_id("r"))
    other = unique("generic", {**payload("generic_firing"), "severity": "warning",
                               "labels": {"team": "payments-oncall"}}, unique_id("r"))
    ids = alert_ids(send(server, "generic", routed)) | alert_ids(send(server, "generic", other))
    posts = e2e_slack.wait_for("chat.postMessage", 2, ok_only=True, where=ours(ids))
    by_channel = {p.body["channel"]: p for p in posts}
    assert set(by_channel) == {"C0PAYMENTS1", CHANNEL}
    assert by_channel["C0PAYMENTS1"].body["text"].startswith("<!subteam^S0ONCALL1>")
    assert "<!subteam" not in by_channel[CHANNEL].text_everywhere  # nobody is mentioned unless a route says so


def test_acknowledge_in_slack_records_who_and_edits_the_message(server, e2e_slack, signer):
    body = unique("generic", payload("generic_firing"), unique_id("a"))
    ids = alert_ids(send(server, "generic", body))
    [post] = e2e_slack.wait_for("chat.postMessage", ok_only=True, where=ours(ids))
    answer, _ = click(server, signer, e2e_slack, post.blocks, "alert_ack", user_id="U0ONCALL", channel_id=CHANNEL,
                      message={"ts": post.answer["ts"], "text": post.body["text"]})
    assert answer.status == 200
    [edit] = e2e_slack.wait_for("chat.update", ok_only=True, where=lambda c: c.body.get("ts") == post.answer["ts"])
    assert "Acknowledged by <@U0ONCALL>" in edit.text_everywhere and not elements(edit.blocks, "alert_ack")


def test_every_way_to_authenticate_works_and_a_wrong_one_stores_nothing(server, e2e_slack, e2e_db_url):
    body = unique("generic", payload("generic_firing"), unique_id("auth"))
    raw = json.dumps(body).encode()
    before = stored(e2e_db_url)
    for answer in (send(server, "generic", raw, token=None),
                   send(server, "generic", raw, token="wrong-token-wrong-token"),
                   send(server, "generic", raw, token=None, path_token="wrong-token-wrong-token"),
                   send(server, "generic", raw, token=None, headers=signed_headers(raw, secret="x" * 32)),
                   send(server, "generic", raw, token=None, headers=signed_headers(raw, at=0)),  # a replay
                   send(server, "generic", raw + b" ", token=None, headers=signed_headers(raw))):  # tampered
        assert answer.status == 401 and answer.json() == {"ok": False, "error": "unauthorized"}
    assert stored(e2e_db_url) == before

    assert send(server, "azure-monitor", unique("azure-monitor", payload("azure_metric_firing"), unique_id("p")),
                token=None, path_token=TOKEN).status == 202
    assert send(server, "generic", raw, token=None, headers=signed_headers(raw)).status == 202
    assert send(server, "generic", raw, token=None,
                headers={"Authorization": "Basic " + __import__("base64").b64encode(
                    f"alertmanager:{TOKEN}".encode()).decode()}).status == 202


@pytest.mark.parametrize(("body", "content_type", "status", "field"), [
    (b"{not json", "application/json", 400, None),
    (b"\xff\xfe\x00binary", "application/json", 400, None),
    (json.dumps({"version": "4", "alerts": "nope"}).encode(), "application/json", 422, "alerts"),
    (json.dumps({"version": "3", "alerts": []}).encode(), "application/json", 422, "version"),
    (b"{}", "text/plain", 415, None),
    (b"x" * 70_000, "application/json", 413, None),
])
def test_a_bad_request_gets_its_4xx_naming_the_problem_and_stores_nothing(server, e2e_db_url, body, content_type,
                                                                          status, field):
    before = stored(e2e_db_url)
    answer = send(server, "alertmanager", body, content_type=content_type)
    assert answer.status == status, answer.text
    error = answer.json()
    assert error["ok"] is False and error["error"]
    if field:
        assert error["field"] == field
    assert stored(e2e_db_url) == before


def test_unknown_sources_are_404(server):
    assert send(server, "nagios", {"title": "x"}).status == 404


def test_a_slack_outage_delays_messages_and_loses_none(server, e2e_slack):
    slack = e2e_slack
    slack.server_error("chat.postMessage", times=4, status=503)
    bodies = [unique("generic", payload("generic_firing"), unique_id(f"o{n}")) for n in range(3)]
    ids = set().union(*(alert_ids(send(server, "generic", body)) for body in bodies))
    slack.wait_for("chat.postMessage", 3, ok_only=True, timeout=60, where=ours(ids))
    slack.wait_quiet(1.0)
    posted = [alert_id_of(p) for p in top_posts(slack, ids)]
    assert sorted(posted) == sorted(ids)  # each alert once
    # The outage was met (its 503s may also have hit messages of earlier tests still on their way).
    assert slack.calls("chat.postMessage", where=lambda c: c.status == 503 and ours(ids)(c))
