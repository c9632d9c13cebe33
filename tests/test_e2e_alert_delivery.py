"""Alert delivery end to end: the real server over HTTP, the fake Slack, SQLite and PostgreSQL.

Poison alerts are cleaned or refused and never answered 500; Datadog's firing and recovered turn one
message resolved; 400 alerts for one channel go out at ALERT_CHANNEL_RATE, as the fake Slack
observes it; a storm becomes one summary with the single alerts in its thread; a `#name` route is
resolved once.
"""

from __future__ import annotations

import json

import pytest

from tests import server_process
from tests.alert_requests import TOKEN, payload, send
from tests.alertbench import observed_peak
from tests.fake_slack import channel_id, message_text
from tests.server_process import ServerProcess, query_db, server_env, unique_id

e2e_db_url = server_process.e2e_db_url
e2e_slack_module = server_process.e2e_slack_module
e2e_slack = server_process.e2e_slack

DEFAULT = "C0DELIVERY1"
PACED = "C0PACED0001"
STORMY = "C0STORMY001"
RATE = 100
SENDERS = 4  # bot.delivery.setup: ceil(100 / 25) calls in flight at once
ROUTES = """\
routes:
  - match: {team: paced}
    channel: C0PACED0001
  - match: {team: stormy}
    channel: C0STORMY001
  - match: {team: named}
    channel: "#ml-alerts"
"""


@pytest.fixture(scope="module")
def server_module(e2e_db_url, e2e_slack_module, tmp_path_factory):
    routes = tmp_path_factory.mktemp("routes") / "routes.yaml"
    routes.write_text(ROUTES, encoding="utf-8")
    env = server_env(database_url=e2e_db_url, slack=e2e_slack_module, ALERT_WEBHOOK_TOKEN=TOKEN,
                     ALERT_CHANNEL=DEFAULT, ALERT_ROUTES=str(routes), ALERT_CHANNEL_RATE=str(RATE),
                     ALERT_STORM_THRESHOLD="20", WEB_WORKERS="2")  # two processes deliver, one pace
    with ServerProcess(env) as server:
        yield server


@pytest.fixture
def server(server_module, e2e_slack):
    start = server_module.log_size()
    yield server_module
    with server_module.log_path.open("rb") as log:
        log.seek(start)
        print("--- server log ---\n" + log.read().decode("utf-8", "replace"))


def alertmanager(alerts: list[dict], *, group_key: str = "{}:{alertname=\"x\"}", truncated: int = 0) -> dict:
    return {"version": "4", "groupKey": group_key, "truncatedAlerts": truncated, "status": "firing",
            "receiver": "tsgbot", "groupLabels": {}, "commonLabels": {}, "commonAnnotations": {},
            "externalURL": "http://alertmanager.example.com:9093", "alerts": alerts}


def firing(fingerprint: str, *, rule: str = "Endpoint429", summary: str | None = None, **labels: str) -> dict:
    return {"status": "firing", "fingerprint": fingerprint, "startsAt": "2026-11-24T09:12:31.508Z",
            "endsAt": "0001-01-01T00:00:00Z", "generatorURL": "http://prometheus.example.com:9090/graph",
            "labels": {"alertname": rule, "severity": "warning", **labels},
            "annotations": {"summary": summary or f"{rule} on {labels.get('endpoint', 'fraud-ep')}"}}


def posts_in(slack, channel: str, *, thread: bool | None = None):
    return slack.calls("chat.postMessage", ok_only=True,
                       where=lambda c: c.answer.get("channel") == channel
                       and (thread is None or bool(c.body.get("thread_ts")) == thread))


def pending(url: str) -> int:
    return query_db(url, "SELECT COUNT(*) AS n FROM outbox WHERE status = 'pending'")[0]["n"]


# -- poison -----------------------------------------------------------------------------------------


def test_poison_alerts_are_cleaned_or_refused_never_a_500_and_posted_once(server, e2e_slack, e2e_db_url):
    tag = unique_id("p")
    poison = alertmanager([
        firing(f"lone-\ud800-{tag}", rule="Rule\udfff", summary="Lone \ud800 surrogate in the title"),
        firing(f"nul-{tag}", summary="NUL \u0000 in the title, and \u202egnp.exe and \u001b[31mred"),
    ], group_key="{}:{alertname=\"\ud800\"}" + tag)
    body = json.dumps(poison).encode()  # ensure_ascii: the surrogate goes as the escape \ud800
    assert b"\\ud800" in body
    answer = send(server, "alertmanager", body)
    assert answer.status == 202, answer.text
    ids = {a["id"] for a in answer.json()["alerts"]}
    posts = e2e_slack.wait_for("chat.postMessage", 2, ok_only=True, timeout=30)
    e2e_slack.wait_quiet(1.0)
    assert len(posts) == 2 and len(ids) == 2
    for post in posts:
        seen = post.text_everywhere
        assert not any(ch in seen for ch in ("\x00", "\x1b", "\u202e", "\ud800", "\udfff"))
    assert any("gnp.exe and [31mred" in p.text_everywhere for p in posts)
    assert pending(e2e_db_url) == 0  # nothing left to retry

    # Sent again, as Alertmanager repeats: still 202, the same alerts, edits and no new message.
    again = send(server, "alertmanager", body)
    assert again.status == 202 and {a["id"] for a in again.json()["alerts"]} == ids
    e2e_slack.wait_for("chat.update", 2, ok_only=True, timeout=30)
    e2e_slack.wait_quiet(1.0)
    assert len(e2e_slack.calls("chat.postMessage", ok_only=True)) == 2


def test_a_body_that_is_not_utf8_or_json_is_a_400_not_a_500(server):
    for body in (b'{"version": "4", "alerts": [\xff\xfe]}', b'{"title": "\\ud800', b"\x00" * 10):
        answer = send(server, "alertmanager", body)
        assert answer.status == 400, answer.text


# -- Datadog ----------------------------------------------------------------------------------------


def test_datadog_triggered_then_recovered_is_one_message_turned_resolved(server, e2e_slack):
    tag = unique_id("d")
    triggered, recovered = payload("datadog_triggered"), payload("datadog_recovered")
    for body in (triggered, recovered):
        body["alert_id"] = f"48213377{tag}"
    answer = send(server, "datadog", triggered)
    assert answer.status == 202, answer.text
    [alert] = answer.json()["alerts"]
    assert alert["status"] == "firing" and alert["action"] == "open"
    [post] = e2e_slack.wait_for("chat.postMessage", 1, ok_only=True, timeout=30)
    assert "Firing: fraud-ep: too many 429 responses" in post.text_everywhere

    answer = send(server, "datadog", recovered)
    assert answer.status == 202, answer.text
    [done] = answer.json()["alerts"]
    assert done["id"] == alert["id"] and done["action"] == "resolve"
    e2e_slack.wait_for("chat.update", 1, ok_only=True, timeout=30,
                       where=lambda c: str(c.body.get("text", "")).startswith("Resolved"))
    e2e_slack.wait_quiet(1.0)
    top = [c for c in e2e_slack.calls("chat.postMessage", ok_only=True) if not c.body.get("thread_ts")]
    assert len(top) == 1  # not a second 'Firing' message for the recovery
    [message] = [m for m in e2e_slack.messages(DEFAULT) if m["ts"] == post.answer["ts"]]
    assert message["text"].startswith("Resolved")


# -- pacing and storms ------------------------------------------------------------------------------


def test_400_alerts_for_one_channel_are_all_posted_at_the_channel_rate(server, e2e_slack, e2e_db_url):
    tag = unique_id("r")
    for batch in range(4):  # as Alertmanager sends a big group: 100 alerts a notification
        alerts = [firing(f"{tag}-{batch}-{n}", team="paced", endpoint=f"ep-{n % 7}") for n in range(100)]
        answer = send(server, "alertmanager", alertmanager(alerts, group_key=f"{tag}-{batch}"))
        assert answer.status == 202, answer.text
    e2e_slack.wait_for("chat.postMessage", 401, ok_only=True, timeout=120,
                       where=lambda c: c.answer.get("channel") == PACED)  # 400 and the storm's summary
    e2e_slack.wait_quiet(1.0)
    assert len(posts_in(e2e_slack, PACED)) == 401
    arrivals = [c.at for c in e2e_slack.calls("chat.postMessage", where=lambda c: c.body.get("channel") == PACED)]
    # Calls start 1/RATE seconds apart; at most SENDERS of them are on their way at once, so the busiest
    # second the fake sees holds at most RATE starts and SENDERS arrivals started before it.
    assert observed_peak(arrivals) <= RATE + SENDERS
    assert (len(arrivals) - 1) / (max(arrivals) - min(arrivals)) <= RATE
    assert pending(e2e_db_url) == 0


def test_a_storm_is_one_summary_with_the_single_alerts_in_its_thread(server, e2e_slack):
    tag = unique_id("s")
    alerts = [firing(f"{tag}-{n}", rule="Endpoint5xx" if n % 3 else "Endpoint429", team="stormy",
                     endpoint="fraud-ep" if n % 2 else "payments-ep") for n in range(60)]
    assert send(server, "alertmanager", alertmanager(alerts, group_key=tag, truncated=12)).status == 202
    e2e_slack.wait_for("chat.postMessage", 61, ok_only=True, timeout=60,
                       where=lambda c: c.answer.get("channel") == STORMY)
    [summary] = posts_in(e2e_slack, STORMY, thread=False)
    singles = posts_in(e2e_slack, STORMY, thread=True)
    assert "Alert storm" in summary.text_everywhere
    assert len(singles) == 60 and {c.body["thread_ts"] for c in singles} == {summary.answer["ts"]}
    assert all("12 more alerts of this notification were left out by Alertmanager" in c.text_everywhere
               for c in singles)

    def shown() -> str:
        [message] = [m for m in e2e_slack.messages(STORMY) if m["ts"] == summary.answer["ts"]]
        return message_text(message)

    # Posted counting what waited, then edited in place as the alerts went into its thread.
    server_process.wait_until(lambda: "Endpoint5xx: 40" in shown(), timeout=30, what="the summary's counts")
    text = shown()
    assert "Alert storm: 60 alerts" in text and "Endpoint429: 20" in text
    assert "fraud-ep: 30" in text and "payments-ep: 30" in text


def test_a_channel_named_in_a_route_is_resolved_once_and_used_by_its_id(server, e2e_slack):
    named = e2e_slack.add_channel("ml-alerts")
    tag = unique_id("n")
    for n in range(3):
        answer = send(server, "alertmanager", alertmanager([firing(f"{tag}-{n}", team="named")], group_key=tag))
        assert answer.status == 202
    e2e_slack.wait_for("chat.postMessage", 3, ok_only=True, timeout=30)
    e2e_slack.wait_quiet(1.0)
    assert {c.body["channel"] for c in e2e_slack.calls("chat.postMessage")} == {named}
    assert len(e2e_slack.calls("conversations.list")) == 1  # looked up once, then kept
    assert named == channel_id("ml-alerts")
