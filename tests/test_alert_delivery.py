"""Alerts stored, then delivered by the worker to the fake Slack over HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

import re
import threading
from datetime import timedelta

import pytest

from bot.alert_desk import AlertDesk
from bot.alerts.model import AlertLink
from bot.alerts.routing import Route
from bot.db.alerts import AlertStore
from bot.db.outbox import Outbox
from bot.db.tables import utcnow
from bot.delivery.slack_calls import EVENT_TYPE
from bot.delivery.worker import DeliveryWorker
from tests.alert_helpers import CHANNEL, HOUR, endpoint_alert, make_delivery
from tests.alertbench import observed_peak
from tests.fake_slack import FakeSlack, elements, message_text


@pytest.fixture(scope="module")
def slack():
    with FakeSlack(bot_token="xoxb-alerts-test") as fake:
        yield fake


@pytest.fixture
def delivery(session_factory, slack, shipped_index, renderer):
    slack.reset()
    return make_delivery(session_factory, slack, shipped_index, renderer)


def posts(slack, *, thread: bool | None = None):
    calls = slack.calls("chat.postMessage", ok_only=True)
    if thread is None:
        return calls
    return [c for c in calls if bool(c.body.get("thread_ts")) == thread]


def test_a_first_firing_posts_one_message_with_the_diagnosis_and_the_alert_s_names(delivery, slack):
    runbook = AlertLink("Runbook", "https://wiki.example.com/runbooks/fraud-ep")
    received = delivery.receive(endpoint_alert(links=(runbook,)))
    assert received.action == "open" and received.queued == ("post",)
    assert delivery.drain() == 1

    [post] = posts(slack)
    assert post.body["channel"] == CHANNEL
    seen = post.text_everywhere
    assert "Firing: fraud-ep: too many 429 responses" in seen
    assert "HTTP 429" in seen or "429" in seen
    # Commands are filled from the alert's resource id and labels, not left as <placeholders>.
    assert "fraud-ep" in seen and "rg-ml-prod" in seen and "ws-prod" in seen
    assert elements(post.blocks, "alert_ack")
    [(_, link)] = [(b, e) for b, e in elements(post.blocks) if e.get("url") == runbook.url]
    assert link["text"]["text"] == "Runbook"
    assert post.body["metadata"]["event_type"] == EVENT_TYPE
    record = delivery.record(received.alert_id)
    assert record.message_ts == post.answer["ts"]
    assert record.diagnosis_id is not None  # the diagnosis is in the log like any other


def test_repeats_edit_the_message_and_add_at_most_one_note_per_interval(delivery, slack):
    start = utcnow()
    first = delivery.receive(endpoint_alert(), now=start)
    delivery.drain()
    for minutes in (5, 10, 15):
        repeat = delivery.receive(endpoint_alert(value=str(300 + minutes)), now=start + timedelta(minutes=minutes))
        assert repeat.alert_id == first.alert_id and repeat.action == "repeat"
    delivery.drain()
    assert len(posts(slack, thread=False)) == 1
    assert posts(slack, thread=True) == []  # within the hour: no note
    updates = slack.calls("chat.update", ok_only=True)
    assert updates and "*Notifications*\n4" in updates[-1].text_everywhere
    assert "315" in updates[-1].text_everywhere  # the latest value

    delivery.receive(endpoint_alert(), now=start + HOUR + timedelta(minutes=1))
    delivery.receive(endpoint_alert(), now=start + HOUR + timedelta(minutes=2))
    delivery.drain()
    [note] = posts(slack, thread=True)
    assert note.body["thread_ts"] == posts(slack, thread=False)[0].answer["ts"]
    # One note for both repeats past the hour; it tells the count when it is sent.
    assert "Still firing: 6 notifications" in note.body["text"]


def test_resolve_replies_in_the_thread_and_edits_the_message_keeping_the_firing_values(delivery, slack):
    opened = delivery.receive(endpoint_alert(value="312"))
    delivery.drain()
    resolved = delivery.receive(endpoint_alert("resolved", value="3"))
    assert resolved.action == "resolve" and resolved.alert_id == opened.alert_id
    assert delivery.receive(endpoint_alert("resolved")).action == "ignore"  # said twice: nothing new
    delivery.drain()

    [parent] = posts(slack, thread=False)
    [reply] = posts(slack, thread=True)
    assert reply.body["thread_ts"] == parent.answer["ts"] and "Resolved" in reply.body["text"]
    [edit] = slack.calls("chat.update", ok_only=True)
    assert edit.body["ts"] == parent.answer["ts"]
    seen = edit.text_everywhere
    assert "Resolved: fraud-ep" in seen and "100: 312" in seen and not re.search(r"100: 3(?!\d)", seen)
    assert not elements(edit.blocks, "alert_ack")  # nothing left to take


def test_firing_again_after_resolve_starts_a_new_message_linked_both_ways(delivery, slack):
    first = delivery.receive(endpoint_alert())
    delivery.drain()
    delivery.receive(endpoint_alert("resolved"))
    delivery.drain()
    again = delivery.receive(endpoint_alert())
    assert again.action == "open" and again.alert_id != first.alert_id
    delivery.drain()

    old, new = posts(slack, thread=False)
    old_link = f"p{old.answer['ts'].replace('.', '')}"
    assert old_link in new.text_everywhere  # the new message links the earlier thread
    refired = [c for c in posts(slack, thread=True) if "Fired again" in c.body["text"]]
    assert [c.body["thread_ts"] for c in refired] == [old.answer["ts"]]
    assert f"p{new.answer['ts'].replace('.', '')}" in refired[0].body["text"]
    assert delivery.record(again.alert_id).previous_id == first.alert_id


def test_a_slack_outage_delays_the_message_and_loses_nothing(delivery, slack, session_factory):
    slack.server_error("chat.postMessage", times=3, status=503)
    delivery.receive(endpoint_alert())
    for _ in range(3):
        assert delivery.worker.run_once() == 1
        [job] = delivery.jobs()
        assert job.status == "pending" and job.next_attempt_at > utcnow()
        with session_factory.begin() as session:  # do not wait out the backoff in a test
            job_row = session.get(type(job), job.id)
            job_row.next_attempt_at = utcnow()
    delivery.drain()
    # Every 503 may have reached Slack, so each retry looked first; exactly one message in the end.
    assert len(slack.calls("conversations.history")) == 3
    assert len(posts(slack)) == 1
    assert [j.status for j in delivery.jobs()] == ["sent"]


def test_rate_limited_waits_what_slack_asks(delivery, slack):
    slack.rate_limit("chat.postMessage", retry_after=30)
    delivery.receive(endpoint_alert())
    delivery.worker.run_once()
    [job] = delivery.jobs()
    assert job.status == "pending" and job.last_error == "ratelimited"
    assert timedelta(seconds=25) < job.next_attempt_at - utcnow() <= timedelta(seconds=31)
    assert delivery.worker.run_once() == 0  # not before Slack's time


def test_a_post_whose_answer_was_lost_is_found_instead_of_posted_twice(session_factory, slack, shipped_index,
                                                                       renderer):
    slack.reset()
    delivery = make_delivery(session_factory, slack, shipped_index, renderer, lease=timedelta(seconds=1))
    delivery.receive(endpoint_alert())
    # A worker claims the job, its post reaches Slack, and the worker dies before recording it.
    with session_factory.begin() as session:
        [job] = Outbox(session).claim("dead-worker", now=utcnow(), lease=timedelta(seconds=-1))
    posted = delivery.worker.calls.client.chat_postMessage(
        channel=CHANNEL, text="posted by the dead worker",
        metadata={"event_type": EVENT_TYPE, "event_payload": {"outbox_id": job.id, "alert_id": job.alert_id}})
    assert delivery.drain() == 1
    assert len(posts(slack)) == 1
    [row] = delivery.jobs()
    assert row.status == "sent" and row.result_ts == posted["ts"]


def test_a_channel_that_does_not_exist_gives_up_without_blocking_other_alerts(delivery, slack):
    slack.api_error("chat.postMessage", "channel_not_found")
    broken = delivery.receive(endpoint_alert(fingerprint="a"))
    delivery.drain()
    delivery.receive(endpoint_alert(fingerprint="a"))  # its edit has no message to edit
    delivery.receive(endpoint_alert(fingerprint="b", title="another alert"))
    delivery.drain()
    statuses = {(j.alert_id, j.kind): j.status for j in delivery.jobs()}
    assert statuses[(broken.alert_id, "post")] == "dead" and statuses[(broken.alert_id, "update")] == "dead"
    assert [c.body["text"] for c in posts(slack)] == [posts(slack)[0].body["text"]]
    assert "another alert" in posts(slack)[0].body["text"]


def test_acknowledge_records_who_and_edits_the_message(delivery, slack, session_factory):
    opened = delivery.receive(endpoint_alert())
    delivery.drain()
    desk = AlertDesk(session_factory)
    assert desk.acknowledge(opened.alert_id, "U0ONCALL")
    assert desk.acknowledge(opened.alert_id, "U0LATE")  # the first one counts
    assert not desk.acknowledge(999_999, "U0ONCALL")
    delivery.drain()
    [edit] = slack.calls("chat.update", ok_only=True)
    assert "Acknowledged by <@U0ONCALL>" in edit.text_everywhere
    assert not elements(edit.blocks, "alert_ack")
    assert delivery.record(opened.alert_id).acked_by == "U0ONCALL"


def test_two_workers_on_one_database_send_every_message_once(session_factory, slack, shipped_index, renderer):
    slack.reset()
    one = make_delivery(session_factory, slack, shipped_index, renderer, name="one")
    two = make_delivery(session_factory, slack, shipped_index, renderer, name="two")
    for n in range(12):
        one.receive(endpoint_alert(fingerprint=f"fp-{n}", title=f"alert {n}"))
    threads = [threading.Thread(target=d.drain) for d in (one, two)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    texts = [c.body["text"] for c in posts(slack)]
    assert len(texts) == 12 and len(set(texts)) == 12
    assert {j.status for j in one.jobs()} == {"sent"}


def test_a_route_naming_a_channel_by_name_is_resolved_once_and_every_call_goes_to_the_id(delivery, slack):
    ml_alerts = slack.add_channel("ml-alerts")
    for n in range(30):  # more channels than one page of conversations.list holds
        slack.add_channel(f"team-{n:02d}")
    delivery.worker.calls.channels.page = 7
    delivery.route = Route("#ml-alerts")
    opened = delivery.receive(endpoint_alert())
    delivery.receive(endpoint_alert())
    delivery.receive(endpoint_alert(fingerprint="other", title="another alert"))
    delivery.drain()
    assert [c.body["channel"] for c in posts(slack)] == [ml_alerts, ml_alerts]
    [edit] = slack.calls("chat.update", ok_only=True)
    assert edit.body["channel"] == ml_alerts
    assert delivery.record(opened.alert_id).channel == ml_alerts
    listed = slack.calls("conversations.list")
    assert listed and all(c.ok for c in listed)
    assert len({c.body.get("cursor") for c in listed}) == len(listed)  # one walk, page after page, then kept


def test_a_route_naming_a_channel_nobody_has_gives_up_with_channel_not_found(delivery, slack):
    delivery.route = Route("#no-such-channel")
    delivery.receive(endpoint_alert())
    delivery.drain()
    assert posts(slack) == []
    [job] = delivery.jobs()
    assert job.status == "dead" and job.last_error.startswith("channel_not_found")


def test_a_public_channel_the_bot_is_not_in_is_joined_once_by_id_then_posted_to(delivery, slack):
    outside = slack.add_channel("ml-alerts", member=False)
    delivery.route = Route("#ml-alerts")
    delivery.receive(endpoint_alert())
    delivery.receive(endpoint_alert(fingerprint="b", title="another alert"))
    delivery.drain()
    calls = [c for c in slack.calls() if c.name in ("chat.postMessage", "conversations.join")]
    assert [c.name for c in calls] == ["chat.postMessage", "conversations.join", "chat.postMessage",
                                       "chat.postMessage"]
    assert [c.ok for c in calls] == [False, True, True, True]
    assert {c.body["channel"] for c in calls} == {outside}


def test_a_lost_answer_is_found_behind_250_later_messages_and_not_posted_twice(session_factory, slack,
                                                                             shipped_index, renderer):
    slack.reset()
    delivery = make_delivery(session_factory, slack, shipped_index, renderer, lease=timedelta(seconds=1))
    delivery.receive(endpoint_alert())
    with session_factory.begin() as session:
        [job] = Outbox(session).claim("dead-worker", now=utcnow(), lease=timedelta(seconds=-1))
    client = delivery.worker.calls.client
    posted = client.chat_postMessage(
        channel=CHANNEL, text="posted by the dead worker",
        metadata={"event_type": EVENT_TYPE, "event_payload": {"outbox_id": job.id, "alert_id": job.alert_id}})
    for n in range(250):  # the channel goes on: people talk, other alerts arrive
        client.chat_postMessage(channel=CHANNEL, text=f"later message {n}")
    assert delivery.drain() == 1
    ours = [c for c in posts(slack) if c.body.get("metadata")]
    assert len(ours) == 1
    [row] = delivery.jobs()
    assert row.status == "sent" and row.result_ts == posted["ts"]
    looks = slack.calls("conversations.history")
    assert len(looks) >= 2 and all(c.ok for c in looks)  # it turned the pages


def test_the_look_back_in_a_thread_turns_the_pages_too(delivery, slack, session_factory):
    first = delivery.receive(endpoint_alert())
    delivery.drain()
    parent = delivery.record(first.alert_id).message_ts
    delivery.receive(endpoint_alert("resolved"))
    with session_factory.begin() as session:
        [job] = [j for j in Outbox(session).claim("dead-worker", now=utcnow(), lease=timedelta(seconds=-1))
                 if j.kind == "resolved"]
    client = delivery.worker.calls.client
    for n in range(210):  # a busy thread: replies oldest first, so the lost one is on the second page
        client.chat_postMessage(channel=CHANNEL, thread_ts=parent, text=f"reply {n}")
    client.chat_postMessage(channel=CHANNEL, thread_ts=parent, text="resolved (by the dead worker)",
                            metadata={"event_type": EVENT_TYPE,
                                      "event_payload": {"outbox_id": job.id, "alert_id": job.alert_id}})
    delivery.drain()
    resolved = [c for c in posts(slack, thread=True) if c.body.get("metadata")]
    assert len(resolved) == 1
    assert len(slack.calls("conversations.replies")) >= 2


def test_a_storm_is_one_summary_with_the_single_alerts_in_its_thread(session_factory, slack, shipped_index,
                                                                      renderer):
    slack.reset()
    delivery = make_delivery(session_factory, slack, shipped_index, renderer, storm_threshold=5, summary_every=0)
    for n in range(12):
        rule = "Endpoint429" if n < 8 else "Endpoint5xx"
        delivery.receive(endpoint_alert(fingerprint=f"storm-{n}", title=f"alert {n}", labels={"alertname": rule}))
    delivery.drain()

    [summary] = posts(slack, thread=False)
    singles = posts(slack, thread=True)
    assert "Alert storm" in summary.text_everywhere
    assert len(singles) == 12 and {c.body["thread_ts"] for c in singles} == {summary.answer["ts"]}
    assert {c.body["text"].split(": ", 1)[1].split(" — ")[0] for c in singles} == {f"alert {n}" for n in range(12)}
    [shown] = [m for m in slack.messages(CHANNEL) if m["ts"] == summary.answer["ts"]]
    seen = message_text(shown)
    assert "Alert storm: 12 alerts" in seen
    assert "Endpoint429: 8" in seen and "Endpoint5xx: 4" in seen and "fraud-ep: 12" in seen

    # Resolving one edits its message and the summary, without a reply per alert in the storm's thread.
    delivery.receive(endpoint_alert("resolved", fingerprint="storm-3", title="alert 3",
                                    labels={"alertname": "Endpoint429"}))
    delivery.drain()
    delivery.worker.run_once()  # the summary's edit comes due
    assert len(posts(slack)) == 13
    [shown] = [m for m in slack.messages(CHANNEL) if m["ts"] == summary.answer["ts"]]
    assert "1 resolved" in message_text(shown)


def test_below_the_threshold_alerts_post_on_their_own(session_factory, slack, shipped_index, renderer):
    slack.reset()
    delivery = make_delivery(session_factory, slack, shipped_index, renderer, storm_threshold=5, summary_every=0)
    for n in range(5):
        delivery.receive(endpoint_alert(fingerprint=f"calm-{n}", title=f"alert {n}"))
    delivery.drain()
    assert len(posts(slack, thread=False)) == 5 and posts(slack, thread=True) == []


def test_two_workers_together_keep_one_channel_s_rate(session_factory, slack, shipped_index, renderer):
    slack.reset()
    rate = 20
    one, two = (make_delivery(session_factory, slack, shipped_index, renderer, name=name) for name in ("one", "two"))
    for delivery in (one, two):  # paced as `serve` and `python app.py worker` pace
        delivery.worker = DeliveryWorker(session_factory, delivery.worker.calls, per_channel_rate=rate,
                                         name=delivery.worker.name, senders=2)
    for n in range(60):
        one.receive(endpoint_alert(fingerprint=f"paced-{n}", title=f"alert {n}"))
    threads = [threading.Thread(target=d.drain, kwargs={"rounds": 500}) for d in (one, two)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    one.drain(rounds=500)  # what the other left when it found the channel's turn taken
    arrivals = [c.at for c in posts(slack)]
    assert len(arrivals) == 60
    assert observed_peak(arrivals) <= rate + 2  # rate starts a second, at most 2 calls in flight from before
    assert {j.status for j in one.jobs()} == {"sent"}


def test_a_storm_in_one_channel_does_not_hold_up_another_channel(delivery, slack, session_factory):
    with session_factory.begin() as session:  # a backlog deeper than any one look at the outbox reads
        store = AlertStore(session)
        for n in range(2000):
            store.receive(endpoint_alert(fingerprint=f"backlog-{n}"), Route(CHANNEL), now=utcnow(), note_every=HOUR)
    quiet = delivery.receive(endpoint_alert(fingerprint="elsewhere", title="the other team's alert"),
                             now=utcnow())
    delivery.route = Route("C0OTHER001")
    other = delivery.receive(endpoint_alert(fingerprint="other-channel", title="the other channel's alert"))
    assert quiet.channel == CHANNEL and other.channel == "C0OTHER001"
    delivery.worker.run_once()  # one batch: some of the backlog, and the other channel's alert
    [elsewhere] = [c for c in posts(slack) if c.body["channel"] == "C0OTHER001"]
    assert "the other channel's alert" in elsewhere.body["text"]


def test_a_storm_of_many_rules_shows_the_most_frequent_and_sums_up_the_others(session_factory, slack,
                                                                             shipped_index, renderer):
    slack.reset()
    delivery = make_delivery(session_factory, slack, shipped_index, renderer, storm_threshold=5, summary_every=0)
    for n in range(12):
        delivery.receive(endpoint_alert(fingerprint=f"rules-{n}", title=f"alert {n}",
                                        labels={"alertname": f"Rule{n:02d}" if n < 11 else "Rule00"}))
    delivery.drain()
    delivery.worker.run_once()
    [summary] = posts(slack, thread=False)
    [shown] = [m for m in slack.messages(CHANNEL) if m["ts"] == summary.answer["ts"]]
    text = message_text(shown)
    assert "Rule00: 2" in text and "others: 3" in text and "Alert storm: 12 alerts" in text
