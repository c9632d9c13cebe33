"""End to end: the feedback loop over real HTTP. A paste answered wrongly, "Wrong match" clicked with
the right entry, a maintainer accepts it in Slack, and the same paste is now answered right.

One `python app.py serve` per backend for the module (KB_MAINTAINERS names one maintainer,
KB_POLL_SECONDS=1), Slack's Web API and response_urls on the fake Slack.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from tests import server_process as e2e
from tests.fake_slack import FakeSlack, elements, message_text
from tests.server_process import ServerProcess, click, query_db, server_env, wait_until
from tests.slack_signing import unique_id
from tests.test_confirmed import WRONGLY_ANSWERED
from tests.test_e2e_slash import ERR_1200_PASTE, slash

e2e_db_url, e2e_slack_module, e2e_slack = e2e.e2e_db_url, e2e.e2e_slack_module, e2e.e2e_slack
e2e_server, signer = e2e.e2e_server, e2e.signer

MAINTAINER = "UMAINT0001"
RELOAD_WAIT = 60.0  # generous: the server polls every second, a loaded CI machine is slow


@pytest.fixture(scope="module")
def e2e_server_module(e2e_db_url: str, e2e_slack_module: FakeSlack) -> Iterator[ServerProcess]:
    env = server_env(database_url=e2e_db_url, slack=e2e_slack_module, KB_MAINTAINERS=f"{MAINTAINER}, UOTHER0002",
                     KB_POLL_SECONDS="1")
    with ServerProcess(env) as server:
        yield server


def header(body: dict) -> str:
    return body["blocks"][0]["text"]["text"]


def response_to(slack: FakeSlack, url: str):
    [answer] = slack.wait_for(None, where=lambda c: c.path.endswith(url.rsplit("/", 1)[1]))
    return answer


def candidate_rows(db_url: str) -> list[dict]:
    return query_db(db_url, "SELECT id, entry_id, status, count, decided_by FROM feedback_examples ORDER BY id")


def test_wrong_match_then_accept_in_slack_changes_the_answer(e2e_server, e2e_slack, signer, e2e_db_url):
    user = unique_id("U")
    # 1. Answered wrongly today.
    _, body, _ = slash(e2e_server, signer, e2e_slack, WRONGLY_ANSWERED, user_id=user)
    assert "HTTP 404" in header(body), header(body)

    # 2. "Wrong match", then the right entry. Twice, by two people: one candidate counted twice.
    for who in (user, unique_id("U")):
        _, body, _ = slash(e2e_server, signer, e2e_slack, WRONGLY_ANSWERED, user_id=who)
        _, url = click(e2e_server, signer, e2e_slack, body["blocks"], "feedback_wrong", user_id=who)
        offer = response_to(e2e_slack, url)
        _, url = click(e2e_server, signer, e2e_slack, offer.blocks, "feedback_pick_entry", user_id=who,
                       option="ERR_2200")
        assert "ERR_2200" in response_to(e2e_slack, url).text_everywhere
    [candidate] = [r for r in candidate_rows(e2e_db_url) if r["entry_id"] == "ERR_2200"]
    assert (candidate["status"], candidate["count"]) == ("pending", 2)
    # Feedback alone changes nothing.
    _, body, _ = slash(e2e_server, signer, e2e_slack, WRONGLY_ANSWERED, user_id=user)
    assert "HTTP 404" in header(body)

    # 3. Someone who is not a maintainer can neither list nor accept.
    _, refused, _ = slash(e2e_server, signer, e2e_slack, "feedback", user_id=user)
    assert "Only the knowledge base's maintainers" in message_text(refused)
    assert not elements(refused["blocks"], "feedback_accept")

    # 4. The maintainer lists the candidates: the paste, how often, what it is answered today.
    _, review, _ = slash(e2e_server, signer, e2e_slack, "feedback", user_id=MAINTAINER)
    seen = message_text(review)
    assert f"#{candidate['id']}" in seen and "ERR_2200" in seen and "2×" in seen and "HTTP_404" in seen
    accept = [e for _, e in elements(review["blocks"], "feedback_accept")
              if json.loads(e["value"])["c"] == candidate["id"]]
    assert accept

    _, url = click(e2e_server, signer, e2e_slack, review["blocks"], "feedback_accept", user_id=user)
    answer = response_to(e2e_slack, url)
    assert "Only the knowledge base's maintainers" in answer.text_everywhere
    assert [r["status"] for r in candidate_rows(e2e_db_url) if r["id"] == candidate["id"]] == ["pending"]

    # 5. The maintainer accepts it.
    _, url = click(e2e_server, signer, e2e_slack, review["blocks"], "feedback_accept", user_id=MAINTAINER)
    done = response_to(e2e_slack, url)
    assert done.body.get("replace_original") is True
    assert f"Accepted #{candidate['id']}" in done.text_everywhere
    assert not [e for _, e in elements(done.blocks, "feedback_accept")
                if json.loads(e["value"])["c"] == candidate["id"]]  # gone from the list
    row = [r for r in candidate_rows(e2e_db_url) if r["id"] == candidate["id"]][0]
    assert (row["status"], row["decided_by"]) == ("accepted", MAINTAINER)

    # 6. The same paste, asked again through the slash command, now lands on ERR_2200 and says why.
    def answered_right():
        _, body, _ = slash(e2e_server, signer, e2e_slack, WRONGLY_ANSWERED, user_id=user)
        return body if "ERR_2200" in header(body) else None

    body = wait_until(answered_right, timeout=RELOAD_WAIT, what="the accepted example to reach the server")
    assert "a maintainer confirmed for this entry" in message_text(body)
    # Other answers hold.
    _, body, _ = slash(e2e_server, signer, e2e_slack, ERR_1200_PASTE, user_id=user)
    assert "ERR_1200" in header(body)


def test_reject_in_slack_keeps_the_answer_and_the_candidate_does_not_come_back(e2e_server, e2e_slack, signer,
                                                                                e2e_db_url):
    user = unique_id("U")
    paste = "ERR_1200 Unable to download user container image for deployment blue of endpoint fraud-ep"
    _, body, _ = slash(e2e_server, signer, e2e_slack, paste, user_id=user)
    _, url = click(e2e_server, signer, e2e_slack, body["blocks"], "feedback_wrong", user_id=user)
    _, url = click(e2e_server, signer, e2e_slack, response_to(e2e_slack, url).blocks, "feedback_pick_entry",
                   user_id=user, option="HTTP_500")
    response_to(e2e_slack, url)
    [candidate] = [r for r in candidate_rows(e2e_db_url) if r["entry_id"] == "HTTP_500"]

    _, review, _ = slash(e2e_server, signer, e2e_slack, "feedback", user_id=MAINTAINER)
    reject = [(b, e) for b, e in elements(review["blocks"], "feedback_reject")
              if json.loads(e["value"])["c"] == candidate["id"]]
    _, url = click(e2e_server, signer, e2e_slack, [reject[0][0]], "feedback_reject", user_id=MAINTAINER)
    assert f"Rejected #{candidate['id']}" in response_to(e2e_slack, url).text_everywhere

    # Reported again: counted on the rejected candidate, not listed for review again.
    _, body, _ = slash(e2e_server, signer, e2e_slack, paste, user_id=user)
    _, url = click(e2e_server, signer, e2e_slack, body["blocks"], "feedback_wrong", user_id=user)
    _, url = click(e2e_server, signer, e2e_slack, response_to(e2e_slack, url).blocks, "feedback_pick_entry",
                   user_id=user, option="HTTP_500")
    response_to(e2e_slack, url)
    row = [r for r in candidate_rows(e2e_db_url) if r["id"] == candidate["id"]][0]
    assert (row["status"], row["count"]) == ("rejected", 2)
    _, review, _ = slash(e2e_server, signer, e2e_slack, "feedback", user_id=MAINTAINER)
    assert f"#{candidate['id']}*" not in message_text(review)
    _, body, _ = slash(e2e_server, signer, e2e_slack, paste, user_id=user)
    assert "ERR_1200" in header(body)
