"""The signature check and the reading of a verified body, as pure functions (the server's use of them
is tested end to end in test_e2e_slack_security.py)."""

from __future__ import annotations

import json
import urllib.parse

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.slack.inbound import Malformed, origin, parse_body, response_url_allowed, response_urls
from bot.slack.signature import WINDOW_SECONDS, refusal, sign
from tests.slack_signing import signature as slack_signature

NEW, OLD = "n" * 32, "o" * 32
NOW = 1_700_000_000.0
BODY = b"command=%2Ftroubleshoot&text=ERR_1200"


def check(body: bytes = BODY, *, timestamp: str | None = str(int(NOW)), signature: str | None = "auto",
          secrets=(NEW,), now: float = NOW) -> str | None:
    if signature == "auto":
        signature = slack_signature(NEW, timestamp, body)
    return refusal(secrets, timestamp=timestamp, signature=signature, body=body, now=now)


def test_our_signature_is_slacks():
    assert sign(NEW, "1700000000", BODY) == slack_signature(NEW, 1700000000, BODY)


def test_a_request_signed_with_the_secret_or_during_a_rotation_the_old_one_passes():
    assert check() is None
    assert check(signature=slack_signature(OLD, int(NOW), BODY), secrets=(NEW, OLD)) is None
    assert check(signature=slack_signature(OLD, int(NOW), BODY), secrets=(NEW,)) == "bad signature"
    assert check(secrets=("", NEW)) is None  # an unset old secret is no secret


@pytest.mark.parametrize("timestamp", ["x", "", " 1700000000", "1700000000 ", "+1700000000", "1_700_000_000",
                                       "\u00b9\u00b2", "1e9", "-1", "9" * 13, "1700000000.5"])
def test_a_timestamp_that_is_not_plain_digits_is_refused_before_anything_else(timestamp):
    assert check(timestamp=timestamp, signature="v0=" + "0" * 64) in ("bad timestamp", "no signature")


def test_the_window_is_five_minutes_either_way():
    for seconds in (WINDOW_SECONDS, -WINDOW_SECONDS):
        assert check(timestamp=str(int(NOW - seconds))) is None
    for seconds in (WINDOW_SECONDS + 1, -WINDOW_SECONDS - 1):
        assert check(timestamp=str(int(NOW - seconds))) == "stale"


@pytest.mark.parametrize("signature", [None, "", "v0=", "v1=" + "0" * 64, "v0=" + "0" * 63, "v0=" + "G" * 64,
                                       "V0=" + "0" * 64])
def test_a_signature_of_the_wrong_shape_is_refused(signature):
    assert check(signature=signature) in ("no signature", "bad signature")


@settings(max_examples=300, deadline=None, database=None)
@given(body=st.binary(max_size=300), timestamp=st.one_of(st.none(), st.text(max_size=20)),
       signature=st.one_of(st.none(), st.text(max_size=80)), secret=st.text(min_size=1, max_size=40))
def test_no_input_raises_and_only_the_apps_secrets_pass(body, timestamp, signature, secret):
    # Always a reason or None, never an exception; random text never passes for a signature.
    assert check(body, timestamp=timestamp, signature=signature) in (
        "no signature", "bad timestamp", "stale", "bad signature")
    if timestamp is not None and timestamp.isascii() and timestamp.isdigit() and secret not in (NEW, OLD):
        forged = sign(secret, timestamp, body)
        assert check(body, timestamp=timestamp, signature=forged, secrets=(NEW, OLD)) is not None


# -- reading a verified body ----------------------------------------------------------------------


def test_a_slash_command_mentioning_payload_is_a_slash_command():
    form = urllib.parse.urlencode({"command": "/troubleshoot", "text": "HTTP 413 payload too large",
                                   "payload": "{}"}).encode()
    assert parse_body(form, "application/x-www-form-urlencoded")["text"] == "HTTP 413 payload too large"


def test_an_interactivity_form_is_its_payload_and_a_repeated_field_cannot_override_the_first():
    form = urllib.parse.urlencode([("payload", json.dumps({"type": "block_actions"})),
                                   ("payload", json.dumps({"type": "evil"}))]).encode()
    assert parse_body(form, "application/x-www-form-urlencoded") == {"type": "block_actions"}


@pytest.mark.parametrize("raw, content_type", [
    (b'{"a": "\xff"}', "application/json"),
    (b"[1]", "application/json"),
    (b"not json", "application/json"),
    (b"[" * 100_000, "application/json"),
    (b"text=only", "application/x-www-form-urlencoded"),
    (b"payload=%5B%5D", "application/x-www-form-urlencoded"),
    (b"&".join(b"f%d=1" % i for i in range(500)), "application/x-www-form-urlencoded"),
    (b"{}", "text/plain"),
])
def test_what_slack_never_sends_is_malformed(raw, content_type):
    with pytest.raises(Malformed):
        parse_body(raw, content_type)


def test_the_origin_of_events_commands_and_interactivity():
    assert origin({"team_id": "T1", "api_app_id": "A1"}) == ("T1", "A1")
    assert origin({"team": {"id": "T2"}, "api_app_id": "A2"}) == ("T2", "A2")
    assert origin({"team": None, "user": {"team_id": "T3"}}) == ("T3", None)
    assert origin({"team_id": ["T1"], "api_app_id": 5}) == (None, None)


@pytest.mark.parametrize("url, allowed", [
    ("https://hooks.slack.com/commands/T1/1/abc", True),
    ("https://HOOKS.slack.com/actions/T1/1/abc", True),
    ("http://127.0.0.1:8765/response/R1", True),  # the configured fake Slack
    ("http://127.0.0.1:8766/response/R1", False),
    ("http://hooks.slack.com/commands/T1/1/abc", False),
    ("https://hooks.slack.com.evil.example/x", False),
    ("https://hooks.slack.com@evil.example/x", False),
    ("https://user:pw@hooks.slack.com/x", False),
    ("https://hooks.slack.com:444/x", False),
    ("https://hooks.slack.com:99999/x", False),
    ("https:\\\\hooks.slack.com/x", False),
    ("file:///etc/passwd", False),
    ("", False),
    (None, False),
])
def test_response_urls_go_to_slack_only(url, allowed):
    assert response_url_allowed(url, ["https://hooks.slack.com/", "http://127.0.0.1:8765/"]) is allowed


def test_every_response_url_of_a_request_is_found():
    body = {"response_url": "a", "response_urls": [{"response_url": "b"}, "junk", {"other": 1}]}
    assert response_urls(body) == ["a", "b", None]
