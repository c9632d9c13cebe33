"""`kb feedback`: candidates from Slack feedback, listed for review, accepted or rejected from the terminal."""

from __future__ import annotations

import json

import pytest

from bot.runtime import open_runtime
from bot.service import BotService
from bot.settings import Settings
from tests.cli import run_app
from tests.test_confirmed import WRONGLY_ANSWERED


@pytest.fixture
def reported(db_url):
    """A database where three people said WRONGLY_ANSWERED is ERR_2200 and one said ERR_1200 was solved."""
    runtime = open_runtime(Settings.from_env({"DATABASE_URL": db_url}))
    service = BotService(runtime)
    try:
        for user in ("U1", "U2", "U1"):
            asked = service.diagnose(WRONGLY_ANSWERED, surface="slash", user_id=user)
            service.record_feedback(diagnosis_id=asked.diagnosis_id, user_id=user, verdict="wrong_match",
                                    correct_entry_id="ERR_2200")
        solved = service.diagnose("ERR_1200 Unable to download user container image", surface="slash", user_id="U3")
        service.record_feedback(diagnosis_id=solved.diagnosis_id, user_id="U3", verdict="solved")
        secret = service.diagnose("Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJlX18",
                                  surface="slash", user_id="U4")
        service.record_feedback(diagnosis_id=secret.diagnosis_id, user_id="U4", verdict="wrong_match",
                                correct_entry_id="HTTP_401")
    finally:
        runtime.engine.dispose()
    return db_url


def candidates(db_url: str, *args: str) -> list[dict]:
    result = run_app("kb", "feedback", "--json", *args, database_url=db_url)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)["candidates"]


def test_the_listing_groups_candidates_with_counts_reporters_and_todays_answer(reported):
    result = run_app("kb", "feedback", database_url=reported)
    assert result.returncode == 0, result.stderr
    out = result.stdout.decode()
    assert "ERR_2200" in out and "reported 3 times" in out and "by U1, U2" in out
    assert "today: HTTP_404" in out  # still the wrong answer: nothing changed on its own
    assert "today: ERR_1200 (match" in out and "already right" in out
    assert "eyJ" not in out  # the token was redacted before anything was stored
    rows = candidates(reported)
    assert sorted((r["entry_id"], r["count"], r["status"]) for r in rows) == [
        ("ERR_1200", 1, "pending"), ("ERR_2200", 3, "pending"), ("HTTP_401", 1, "pending")]
    [wrong] = [r for r in rows if r["entry_id"] == "ERR_2200"]
    assert wrong["today"]["entry_id"] == "HTTP_404" and wrong["reporters"] == ["U1", "U2"]


def test_accepting_changes_the_answer_and_rejecting_hides_the_candidate(reported):
    rows = {r["entry_id"]: r["id"] for r in candidates(reported)}
    accepted = run_app("kb", "feedback", "accept", str(rows["ERR_2200"]), database_url=reported)
    assert accepted.returncode == 0, accepted.stderr
    assert f"#{rows['ERR_2200']}: accepted: ERR_2200" in accepted.stdout.decode()
    rejected = run_app("kb", "feedback", "reject", f"#{rows['HTTP_401']}", database_url=reported)
    assert rejected.returncode == 0, rejected.stderr

    answer = json.loads(run_app("diagnose", WRONGLY_ANSWERED, "--json", database_url=reported).stdout)
    assert (answer["decision"], answer["matches"][0]["id"]) == ("match", "ERR_2200")
    assert {r["entry_id"] for r in candidates(reported)} == {"ERR_1200"}
    assert {r["entry_id"]: r["status"] for r in candidates(reported, "--status", "all")} == {
        "ERR_1200": "pending", "ERR_2200": "accepted", "HTTP_401": "rejected"}


def test_bad_ids_get_a_clear_answer(reported):
    result = run_app("kb", "feedback", "accept", "12x", database_url=reported)
    assert result.returncode == 2 and "not a candidate id: '12x'" in result.stderr.decode()
    result = run_app("kb", "feedback", "accept", "4242", database_url=reported)
    assert result.returncode == 1 and "#4242: refused: no such candidate" in result.stderr.decode()
    assert b"Traceback" not in result.stderr
