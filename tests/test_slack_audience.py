"""Whose requests are answered: the configured team and app, or the team auth.test names, learned once."""

from __future__ import annotations

import pytest

from bot.slack.audience import RETRY_SECONDS, Audience, Unknown


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_configured_ids_need_no_call_and_others_are_refused():
    audience = Audience(team_id="T1", app_id="A1", auth_test=None)
    assert audience.accepts("T1", "A1")
    assert not audience.accepts("T2", "A1") and not audience.accepts("T1", "A2") and not audience.accepts(None, "A1")


def test_without_an_app_id_only_the_team_is_checked():
    assert Audience(team_id="T1", app_id=None).accepts("T1", "A9")


def test_the_team_is_learned_once_from_auth_test():
    calls = []

    def auth_test() -> dict:
        calls.append(1)
        return {"ok": True, "team_id": "T1", "user_id": "UBOT"}

    audience = Audience(team_id=None, app_id="A1", auth_test=auth_test)
    assert audience.accepts("T1", "A1") and not audience.accepts("T2", "A1")
    assert audience.expected() == ("T1", "A1") and len(calls) == 1


def test_while_auth_test_fails_requests_cannot_be_checked_and_it_is_asked_again_only_after_a_pause():
    clock, answers = Clock(), [OSError("connection refused"), {"ok": True, "team_id": "T1", "app_id": "A7"}]
    calls = []

    def auth_test() -> dict:
        calls.append(clock.now)
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    audience = Audience(team_id=None, app_id=None, auth_test=auth_test, clock=clock)
    with pytest.raises(Unknown):
        audience.accepts("T1", "A7")
    clock.now += RETRY_SECONDS / 2
    with pytest.raises(Unknown):
        audience.accepts("T1", "A7")
    assert len(calls) == 1  # not asked again yet
    clock.now += RETRY_SECONDS
    assert audience.accepts("T1", "A7") and not audience.accepts("T1", "A8")  # the app named by auth.test
    assert len(calls) == 2


def test_an_answer_without_a_team_is_no_answer():
    audience = Audience(team_id=None, app_id=None, auth_test=lambda: {"ok": True})
    with pytest.raises(Unknown):
        audience.expected()
