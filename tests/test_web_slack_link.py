"""The background check of Slack's Web API: what `/readyz` and `tsgbot_slack_up` report in each case,
against the fake Slack over real HTTP (and a port where nothing listens)."""

from __future__ import annotations

import pytest

from bot.web.metrics import PrometheusMetrics
from bot.web.slack_auth import authorize_from
from bot.web.slack_client import make_slack_client
from bot.web.slack_link import SlackLink
from tests.fake_slack import FakeSlack
from tests.server_process import free_port, metric_value, wait_until

TOKEN = "xoxb-1-2-linktest"


@pytest.fixture(scope="module")
def slack():
    with FakeSlack(bot_token=TOKEN) as fake:
        yield fake


def link_to(api_url: str, metrics: PrometheusMetrics | None = None, **options) -> SlackLink:
    client = make_slack_client(TOKEN, metrics=metrics or PrometheusMetrics(), base_url=api_url, max_retries=0,
                               timeout=5)
    return SlackLink(client, **options)


def test_before_the_first_answer_it_says_checking():
    link = link_to("http://127.0.0.1:9/api/")
    assert link.state.as_json() == {"api": "checking"} and not link.state.up


def test_a_good_answer_is_ok_with_the_team(slack):
    slack.reset()
    state = link_to(slack.api_url).check()
    assert state.up and state.team == "TSG Test" and state.bot_user_id == "UBOT"
    body = state.as_json()
    assert body["api"] == "ok" and body["last_ok"] == body["checked_at"] and "error" not in body
    [call] = slack.calls("auth.test")
    assert call.token == TOKEN


def test_nothing_listening_is_unreachable_and_counted_as_a_connection_error():
    metrics = PrometheusMetrics()
    state = link_to(f"http://127.0.0.1:{free_port()}/api/", metrics).check()
    assert state.state == "unreachable" and state.error.startswith("ConnectionRefusedError")
    assert metric_value(metrics.render().decode(), "tsgbot_slack_api_errors_total", method="auth.test",
                        error="connection_error") == 1


def test_a_refused_token_is_token_rejected_and_a_5xx_is_unreachable(slack):
    slack.reset()
    slack.api_error("auth.test", "invalid_auth")
    slack.server_error("auth.test", status=503)
    link = link_to(slack.api_url)
    assert (link.check().state, link.state.error) == ("token_rejected", "invalid_auth")
    assert (link.check().state, link.state.error) == ("unreachable", "http_503")


def test_an_outage_keeps_when_slack_last_answered_and_the_thread_sees_it_come_back(slack):
    slack.reset()
    link = link_to(slack.api_url, retry_seconds=(0.05,), recheck_seconds=0.05)
    first = link.check()
    slack.server_error("auth.test", times=3)
    link.start()
    try:
        down = wait_until(lambda: link.state.state == "unreachable" and link.state, what="the outage seen")
        assert down.last_ok == first.last_ok
        wait_until(lambda: link.state.up, what="Slack seen again")
    finally:
        link.stop()


def test_bolt_learns_who_the_bot_is_from_the_check_and_makes_do_with_the_token_before_slack_answered(slack):
    slack.reset()
    never = link_to(f"http://127.0.0.1:{free_port()}/api/")
    never.check()
    alone = authorize_from(never, TOKEN)(enterprise_id=None, team_id="T1", user_id="U9")
    assert (alone.bot_token, alone.team_id, alone.user_id, alone.bot_user_id) == (TOKEN, "T1", "U9", None)

    link = link_to(slack.api_url)
    link.check()
    slack.server_error("auth.test", times=1)
    link.check()  # an outage after a good answer: the bot is still who it was
    known = authorize_from(link, TOKEN)(enterprise_id=None, team_id="T1", user_id="U9")
    assert (known.bot_token, known.bot_user_id, known.bot_id, known.user_id) == (TOKEN, "UBOT", "BBOT", "U9")
    assert len(slack.calls("auth.test")) == 2  # asking Bolt made no call of its own
