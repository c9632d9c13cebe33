"""Alerts survive what servers go through: SIGKILL between accept and delivery, SIGKILL in the middle of
a Slack call, and two servers sharing one PostgreSQL database. Each message reaches Slack exactly once."""

from __future__ import annotations

import os
import signal

import pytest

from tests import server_process
from tests.alert_requests import CHANNEL, TOKEN, payload, send, unique
from tests.server_process import ServerProcess, query_db, server_env, unique_id, wait_until

e2e_db_url = server_process.e2e_db_url
e2e_slack_module = server_process.e2e_slack_module
e2e_slack = server_process.e2e_slack

ALERT_ENV = {"ALERT_WEBHOOK_TOKEN": TOKEN, "ALERT_CHANNEL": CHANNEL, "ALERT_CHANNEL_RATE": "50",
             # Short leases: a job claimed by a killed server goes back to the queue within seconds.
             "DELIVERY_LEASE_SECONDS": "3"}


def kill(server: ServerProcess) -> None:
    """SIGKILL the whole process group: no graceful shutdown, no finishing of anything."""
    os.killpg(server.process.pid, signal.SIGKILL)
    server.process.wait(timeout=10)
    server.process = None


def top_posts(slack):
    return slack.calls("chat.postMessage", ok_only=True, where=lambda c: not c.body.get("thread_ts"))


def posted_alert_ids(slack) -> list[int]:
    return [m["metadata"]["event_payload"]["alert_id"] for m in slack.messages(CHANNEL)
            if not m.get("thread_ts") and m.get("metadata")]


def pending(url: str) -> int:
    return query_db(url, "SELECT COUNT(*) AS n FROM outbox WHERE status = 'pending'")[0]["n"]


def test_killed_between_accept_and_delivery_it_delivers_after_restart_once(e2e_db_url, e2e_slack):
    slack = e2e_slack
    slack.server_error("chat.postMessage", times=1000, status=503)  # Slack is down: nothing goes out
    server = ServerProcess(server_env(database_url=e2e_db_url, slack=slack, **ALERT_ENV))
    try:
        server.start()
        bodies = [unique("generic", payload("generic_firing"), unique_id(f"k{n}")) for n in range(3)]
        for body in bodies:
            assert send(server, "generic", body).status == 202
        kill(server)
        assert pending(e2e_db_url) >= 3  # accepted means stored, whatever happens to the process

        slack.reset()  # Slack is back
        server.start()
        wait_until(lambda: len(posted_alert_ids(slack)) >= 3, timeout=30, what="three alert messages")
        slack.wait_quiet(1.0)
        ids = posted_alert_ids(slack)
        assert len(ids) == 3 and len(set(ids)) == 3
    finally:
        server.close()


def test_killed_in_the_middle_of_a_slack_call_it_neither_loses_nor_doubles_the_message(e2e_db_url, e2e_slack):
    slack = e2e_slack
    slack.delay(2.0)  # Slack takes its time: the server dies while the call is under way
    server = ServerProcess(server_env(database_url=e2e_db_url, slack=slack, **ALERT_ENV))
    try:
        server.start()
        body = unique("generic", payload("generic_firing"), unique_id("mid"))
        assert send(server, "generic", body).status == 202
        slack.wait_arrived("chat.postMessage")
        kill(server)
        slack.wait_for("chat.postMessage", ok_only=True, timeout=10)  # Slack did post it
        slack.delay(0)

        server.start()
        # The restarted worker takes the job once its lease ends, looks in the channel, finds the message.
        wait_until(lambda: slack.calls("conversations.history"), timeout=30, what="a look in the channel")
        wait_until(lambda: pending(e2e_db_url) == 0, timeout=30, what="the outbox to empty")
        assert len(top_posts(slack)) == 1 and len(posted_alert_ids(slack)) == 1
    finally:
        server.close()


def test_two_servers_on_one_database_deliver_every_message_once(e2e_db_url, e2e_slack):
    if not e2e_db_url.startswith("postgresql"):
        pytest.skip("several servers share PostgreSQL in production; SQLite is for one")
    slack = e2e_slack
    env = server_env(database_url=e2e_db_url, slack=slack, **ALERT_ENV)
    with ServerProcess(env) as one, ServerProcess(env) as two:
        bodies = [unique("generic", payload("generic_firing"), unique_id(f"two{n}")) for n in range(20)]
        for n, body in enumerate(bodies):
            assert send(one if n % 2 else two, "generic", body).status == 202
        # The same alerts again, crosswise: repeats edit, they never post.
        for n, body in enumerate(bodies):
            assert send(two if n % 2 else one, "generic", body).status == 202
        wait_until(lambda: len(posted_alert_ids(slack)) >= 20, timeout=60, what="twenty alert messages")
        wait_until(lambda: pending(e2e_db_url) == 0, timeout=60, what="the outbox to empty")
        slack.wait_quiet(1.0)
        ids = posted_alert_ids(slack)
        assert len(ids) == 20 and len(set(ids)) == 20
        assert len(top_posts(slack)) == 20
