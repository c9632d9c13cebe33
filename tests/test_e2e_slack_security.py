"""End to end, as an attacker would try it: requests to `POST /slack/events` that are not Slack's, not
for this bot, too large, or shaped to confuse the parser, against the real `python app.py serve`.

Nothing a request carries may make the server act before it is proven to be Slack's: no message
posted, no response_url called, no body in the log, never a 5xx. The server runs with the signing
secret of the tests and an old one still accepted (a rotation under way), `SLACK_APP_ID` set and the
team learned from the fake Slack's `auth.test`; heavy pastes meet a pool of one process with a
time limit none of them can meet.
"""

from __future__ import annotations

import json
import socket
import time
import urllib.parse
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests import server_process as e2e
from tests.ackbench import heavy_paste
from tests.fake_slack import RESPONSE_URL, FakeSlack
from tests.server_process import ServerProcess, http, metric_value, server_env
from tests.slack_signing import APP_ID, FORM, JSON, Signer, mention_event, message_event, unique_id

e2e_db_url, e2e_slack_module, e2e_slack, signer = e2e.e2e_db_url, e2e.e2e_slack_module, e2e.e2e_slack, e2e.signer

OLD_SECRET = "01d5ec7e7000000000000000000000aa"  # the secret being rotated out
MAX_BODY = 1_048_576  # bot.web.slack_events.MAX_BODY_BYTES, as the README documents it
SECRET_IN_BODY = "xoxb-9999-8888-LEAKEDTOKENMARKER"  # a body's secret: must never reach the log
LOG = "ERROR: (BadArgument) ERR_1200: Unable to download user container image for deployment blue"


@pytest.fixture(scope="module")
def internal() -> Iterator[FakeSlack]:
    """A service of the internal network the server can reach: a forged response_url would point here."""
    with FakeSlack(bot_token=None) as service:
        yield service


@pytest.fixture(scope="module")
def secure_server_module(e2e_db_url: str, e2e_slack_module: FakeSlack) -> Iterator[ServerProcess]:
    # One process for heavy pastes, one more may wait, and a time limit no heavy paste meets (no 40 KB
    # paste is diagnosed in a millisecond, however fast the machine: the test does not race the clock).
    env = server_env(database_url=e2e_db_url, slack=e2e_slack_module, SLACK_SIGNING_SECRET_OLD=OLD_SECRET,
                     SLACK_APP_ID=APP_ID, DIAGNOSIS_WORKERS="1", DIAGNOSIS_QUEUE="1", DIAGNOSIS_TIME_LIMIT="0.001")
    with ServerProcess(env) as server:
        yield server


@pytest.fixture
def server(secure_server_module: ServerProcess, e2e_slack: FakeSlack, internal: FakeSlack) -> Iterator[ServerProcess]:
    internal.reset()
    start = secure_server_module.log_size()
    yield secure_server_module
    with secure_server_module.log_path.open("rb") as log:
        log.seek(start)
        print("--- server log ---\n" + log.read().decode("utf-8", "replace"))


def raw_post(server: ServerProcess, body: bytes, headers: dict[str, str]):
    return http("POST", server.url("/slack/events"), body=body, headers=headers)


def assert_nothing_sent(slack: FakeSlack, internal: FakeSlack, server: ServerProcess, signer: Signer) -> None:
    """No message, no response_url call, nothing to the internal service: proven after a request that
    is answered (its reply is the marker that the server was working meanwhile)."""
    channel = unique_id("D")
    assert server.post(signer.event(message_event(LOG, channel=channel))).status == 200
    slack.wait_for("chat.postMessage", where=lambda c: c.body.get("channel") == channel, timeout=20)
    slack.wait_quiet(0.5)
    posts = [c.body.get("channel") for c in slack.calls("chat.postMessage")]
    assert posts == [channel], posts
    assert slack.calls(RESPONSE_URL) == [] and internal.calls() == []


# -- 1. unverified requests never act ---------------------------------------------------------------


def test_a_non_numeric_timestamp_gets_401_and_no_apology_in_the_named_channel(server, e2e_slack, internal, signer):
    body = json.dumps({"type": "event_callback", "event": {"type": "app_mention", "channel": "C0VICTIM",
                                                           "ts": "1.1"}}).encode()
    result = raw_post(server, body, {"Content-Type": JSON, "X-Slack-Request-Timestamp": "x"})
    assert result.status == 401, (result.status, result.text[:300])
    assert_nothing_sent(e2e_slack, internal, server, signer)
    assert "Traceback" not in server.logs()


def test_a_block_action_with_a_bad_timestamp_never_calls_its_response_url(server, e2e_slack, internal, signer):
    target = internal.response_url()  # "http://127.0.0.1:<port>/response/R..." on the internal network
    request = signer.block_actions({"type": "button", "action_id": "share_diagnosis", "value": '{"d": "x"}'},
                                   response_url=target)
    for timestamp in ("x", "", "1e3", " 1", "+1", "\u00b9\u00b2\u00b3", "9" * 40, str(2**70)):
        headers = {**request.headers, "X-Slack-Request-Timestamp": timestamp}
        result = raw_post(server, request.body, headers)
        assert result.status == 401, (timestamp, result.status, result.text[:200])
    assert_nothing_sent(e2e_slack, internal, server, signer)


def nested(depth: int) -> bytes:
    return b'{"type":"event_callback","event":' + b"[" * depth + b"]" * depth + b"}"


MALFORMED = {
    "deeply nested JSON": (nested(200_000), JSON),  # 400 KB: under the size limit
    "JSON nested deeper than Slack's": (nested(100), JSON),  # parses, but deeper than any Slack payload
    "invalid UTF-8": (b'{"type":"event_callback","text":"\xff\xfe\xc3"}', JSON),
    "a form sent as JSON": (b"command=%2Ftroubleshoot&text=x&channel_id=C0VICTIM", JSON),
    "JSON sent as a form": (b'{"type":"event_callback"}', FORM),
    "a form whose payload is not JSON": (b"payload=%7Bnot+json", FORM),
    "a JSON array": (b"[1, 2, 3]", JSON),
    "no content type": (b"payload=%7B%7D", ""),
    "an empty body": (b"", JSON),
}


@pytest.mark.parametrize("name", list(MALFORMED))
def test_malformed_bodies_get_401_unsigned_and_400_signed_never_a_5xx(server, signer, name):
    body, content_type = MALFORMED[name]
    unsigned = raw_post(server, body, {"Content-Type": content_type} if content_type else {})
    assert unsigned.status == 401, (unsigned.status, unsigned.text[:300])
    request = signer.sign(body, content_type)
    signed = raw_post(server, body, request.headers)
    assert signed.status == 400, (signed.status, signed.text[:300])
    assert signed.json()["ok"] is False and signed.json()["error"]
    assert "Traceback" not in server.logs()


def test_forged_stale_and_tampered_requests_get_401(server, e2e_slack, internal, signer):
    request = signer.event(mention_event(f"<@UBOT> {LOG}", channel="C0VICTIM"))
    for bad in (request.forged(), request.stale(), request.unsigned(), request.tampered(),
                request.stale(-6 * 60)):  # from the future, too
        result = server.post(bad)
        assert result.status == 401, (result.status, result.text[:200])
    assert_nothing_sent(e2e_slack, internal, server, signer)


def test_a_request_signed_with_the_old_secret_is_answered_during_a_rotation(server, e2e_slack):
    old = Signer(OLD_SECRET)
    channel = unique_id("D")
    assert server.post(old.event(message_event(LOG, channel=channel))).status == 200
    [post] = e2e_slack.wait_for("chat.postMessage", where=lambda c: c.body.get("channel") == channel, timeout=20)
    assert "ERR_1200" in post.text_everywhere or "image" in post.text_everywhere


def envelope(request, **changes) -> bytes:
    body = json.loads(request.body)
    body.update(changes)
    return json.dumps(body).encode()


def test_signed_events_of_another_workspace_or_app_are_ignored(server, e2e_slack, internal, signer):
    metrics_before = server.metrics()
    for changes in ({"team_id": "T0THEIRS"}, {"api_app_id": "A0OTHERAPP"}, {"team_id": None}):
        request = signer.event(message_event(LOG, channel="D0THEIRS"))
        result = server.post(signer.sign(envelope(request, **changes), JSON))
        assert result.status == 200, (changes, result.status, result.text[:200])
    # An interactivity payload of another workspace: its response_url is not called either.
    click = signer.block_actions({"type": "button", "action_id": "other_matches", "value": '{"d": 1}'},
                                 response_url=e2e_slack.response_url())
    payload = click.json
    payload["team"] = {"id": "T0THEIRS", "domain": "theirs"}
    payload["user"]["team_id"] = "T0THEIRS"
    result = server.post(signer.interactive(payload))
    assert result.status == 200
    assert_nothing_sent(e2e_slack, internal, server, signer)
    ignored = (metric_value(server.metrics(), "tsgbot_slack_requests_refused_total", reason="other_workspace")
               - metric_value(metrics_before, "tsgbot_slack_requests_refused_total", reason="other_workspace"))
    assert ignored == 4


@pytest.mark.parametrize("url", [
    "internal",  # the internal service, replaced below
    "https://hooks.slack.com.evil.example/actions/T1/1/x",
    "https://hooks.slack.com@evil.example/actions/T1/1/x",
    "http://hooks.slack.com/actions/T1/1/x",
    "file:///etc/passwd",
    "",
])
def test_a_signed_click_whose_response_url_is_not_slacks_gets_400_and_no_call(server, e2e_slack, internal, signer,
                                                                                url):
    url = internal.response_url() if url == "internal" else url
    click = signer.block_actions({"type": "button", "action_id": "other_matches", "value": '{"d": 1}'},
                                 response_url=url)
    result = server.post(click)
    assert result.status == 400, (result.status, result.text[:200])
    assert "response_url" in result.json()["error"]
    assert_nothing_sent(e2e_slack, internal, server, signer)


# -- 3. bodies: a size limit, and never in the log ----------------------------------------------------


def send_raw(server: ServerProcess, head: bytes, body_parts: Iterator[bytes]) -> tuple[int, int]:
    """Send a request head, then body parts until the server answers; (status, body bytes sent)."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as sock:
        sock.sendall(head)
        sent = 0
        sock.settimeout(0.05)
        answer = b""
        for part in body_parts:
            try:
                answer = sock.recv(65536)
            except (TimeoutError, BlockingIOError):
                pass
            if answer:
                break
            try:
                sock.sendall(part)
            except (BrokenPipeError, ConnectionResetError):
                break
            except TimeoutError:  # the server stopped reading: its answer must be on the way
                continue
            sent += len(part)
        sock.settimeout(30)
        while b"\r\n" not in answer:
            more = sock.recv(65536)
            if not more:
                break
            answer += more
    return int(answer.split(b" ", 2)[1]), sent


def test_a_body_over_the_limit_gets_413_before_it_is_read(server, signer):
    announced = 50 * 1024 * 1024
    head = (f"POST /slack/events HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: {JSON}\r\n"
            f"X-Slack-Request-Timestamp: {int(time.time())}\r\nX-Slack-Signature: v0={'0' * 64}\r\n"
            f"Content-Length: {announced}\r\n\r\n").encode()
    status, sent = send_raw(server, head, iter([b"x" * 65536] * (announced // 65536)))
    assert status == 413
    assert sent < announced // 2  # answered long before the body was all there


def test_a_chunked_body_over_the_limit_gets_413(server):
    head = (f"POST /slack/events HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: {JSON}\r\n"
            f"Transfer-Encoding: chunked\r\n\r\n").encode()
    chunk = b"x" * 65536
    parts = [b"%x\r\n" % len(chunk) + chunk + b"\r\n"] * (MAX_BODY // len(chunk) + 8) + [b"0\r\n\r\n"]
    status, _ = send_raw(server, head, iter(parts))
    assert status == 413


def test_a_body_just_under_the_limit_is_verified_as_usual(server, signer):
    body = json.dumps({"type": "event_callback", "padding": "x" * (MAX_BODY - 100)}).encode()
    assert len(body) <= MAX_BODY
    assert raw_post(server, body, signer.sign(body, JSON).unsigned().headers).status == 401


def test_refused_bodies_never_reach_the_log(server, signer):
    before = server.log_size()
    big = json.dumps({"type": "event_callback", "token": SECRET_IN_BODY, "text": "y" * (MAX_BODY - 200)}).encode()
    for _ in range(3):  # unsigned, just under the limit: read, refused, and not logged
        assert raw_post(server, big, {"Content-Type": JSON}).status == 401
    small = urllib.parse.urlencode({"command": "/troubleshoot", "text": SECRET_IN_BODY}).encode()
    assert raw_post(server, small, signer.sign(small, FORM).forged().headers).status == 401
    time.sleep(0.5)  # the log is written by the server process; give it a moment to flush
    grown = server.log_size() - before
    assert SECRET_IN_BODY not in server.logs()
    assert grown < 4096, grown  # a short line per refusal, not the 3 MB that were sent


# -- 6. a slash command whose text contains "payload" ----------------------------------------------


def test_a_slash_command_about_payload_too_large_is_diagnosed(server, e2e_slack, signer):
    for text in ("payload={}", "payload", "HTTP 413 payload too large"):
        result = server.post(signer.slash_command(text, response_url=e2e_slack.response_url()))
        assert result.status == 200, (text, result.status, result.text[:300])
        assert result.json()["response_type"] == "ephemeral", result.text[:300]
    assert "HTTP 413" in json.dumps(result.json())  # the paste: the status is seen
    paste = "POST https://fraud-ep.westeurope.inference.ml.azure.com/score returned HTTP 413 payload too large"
    result = server.post(signer.slash_command(paste, response_url=e2e_slack.response_url()))
    assert result.status == 200
    assert "HTTP 413: the request payload is larger than 1.5 MB" in json.dumps(result.json())


# -- 7. heavy pastes: bounded in number and time, and always answered ---------------------------------

BUSY = "Too many long pastes are being diagnosed right now"
TOO_SLOW = "took too long to diagnose"


def test_heavy_mentions_beyond_the_pool_or_its_time_limit_each_get_a_clear_reply(server, e2e_slack, signer):
    paste = heavy_paste()
    channels = [unique_id("C") for _ in range(10)]
    requests = [signer.event(mention_event(f"<@UBOT> {paste}", channel=channel)) for channel in channels]
    with ThreadPoolExecutor(len(requests)) as clients:
        assert [r.status for r in clients.map(server.post, requests)] == [200] * len(requests)
    replies = {}
    for channel in channels:
        [post] = e2e_slack.wait_for("chat.postMessage", where=lambda c, ch=channel: c.body.get("channel") == ch,
                                    timeout=60)
        replies[channel] = post.text_everywhere
    busy = [c for c, text in replies.items() if BUSY in text]
    slow = [c for c, text in replies.items() if TOO_SLOW in text]
    # Each gets one of the two clear replies; which one depends on when it arrived (a paste finding the
    # pool full is "busy"; `tests/test_diagnosis_pool.py` proves both ways on the pool itself).
    assert len(busy) + len(slow) == len(channels), replies
    assert slow, (len(busy), len(slow))
    assert "40 KB" in replies[slow[0]]
    e2e_slack.wait_quiet(0.5)
    assert len(e2e_slack.calls("chat.postMessage")) == len(channels)  # one reply each, no second one


def test_a_heavy_slash_command_is_acknowledged_with_a_clear_reply(server, e2e_slack, signer):
    result = server.post(signer.slash_command(heavy_paste(), response_url=e2e_slack.response_url()))
    assert result.status == 200, (result.status, result.text[:200])
    assert TOO_SLOW in json.dumps(result.json())


# -- property: whatever arrives, never a 5xx, and nothing unverified reaches Slack -------------------

HEADER_TEXT = st.text(st.characters(min_codepoint=32, max_codepoint=255, exclude_characters="\x7f"), max_size=80)
SLACK_SHAPED = st.fixed_dictionaries({
    "type": st.sampled_from(["event_callback", "block_actions", "url_verification", "message_action", "x"]),
    "team_id": st.sampled_from(["T1", "T0THEIRS", ""]),
    "api_app_id": st.sampled_from([APP_ID, "A0OTHER"]),
    "event": st.fixed_dictionaries({"type": st.sampled_from(["app_mention", "message"]),
                                    "channel": st.just("C0PROPERTY"), "ts": st.just("1.1"),
                                    "user": st.just("U1"), "text": st.text(max_size=200)}),
    "response_url": st.sampled_from(["https://hooks.slack.com/actions/1", "http://127.0.0.1:9/x", "x"]),
})
BODIES = st.one_of(
    st.binary(max_size=2000),
    SLACK_SHAPED.map(lambda value: json.dumps(value).encode()),
    SLACK_SHAPED.map(lambda value: urllib.parse.urlencode({"payload": json.dumps(value)}).encode()),
    st.dictionaries(st.sampled_from(["command", "text", "team_id", "payload", "ssl_check", "response_url"]),
                    HEADER_TEXT).map(lambda fields: urllib.parse.urlencode(fields).encode()),
    st.recursive(st.none() | st.integers() | st.text(max_size=20),
                 lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
                 max_leaves=30).map(lambda value: json.dumps(value).encode()),
)
CONTENT_TYPES = st.sampled_from([JSON, FORM, "", "text/plain", "application/json; charset=utf-8",
                                 "multipart/form-data"])
TIMESTAMPS = st.one_of(st.none(), HEADER_TEXT, st.integers(-2**70, 2**70).map(str),
                       st.integers(-400, 400).map(lambda delta: str(int(time.time()) + delta)))


def _headers(content_type: str, timestamp: str | None, signature: str | None) -> dict[str, str]:
    headers = {"Content-Type": content_type} if content_type else {}
    if timestamp is not None:
        headers["X-Slack-Request-Timestamp"] = timestamp
    if signature is not None:
        headers["X-Slack-Signature"] = signature
    return headers


PROPERTY = settings(max_examples=300, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


def test_no_unsigned_or_forged_request_gets_a_5xx_or_reaches_slack(secure_server_module, e2e_slack_module):
    server, slack = secure_server_module, e2e_slack_module
    slack.wait_quiet(0.3, at_least=False)
    calls_before = len(slack.calls())

    @PROPERTY
    @given(body=BODIES, content_type=CONTENT_TYPES, timestamp=TIMESTAMPS,
           signature=st.one_of(st.none(), HEADER_TEXT, st.text("0123456789abcdef", min_size=64, max_size=64)
                               .map(lambda digits: "v0=" + digits), st.binary(max_size=40).map(
                                   lambda secret: signer_for(secret.hex()))))
    def unverified(body, content_type, timestamp, signature):
        if callable(signature):  # a valid signature, but under a secret that is not the app's
            signature = signature(timestamp or "0", body)
        result = raw_post(server, body, _headers(content_type, timestamp, signature))
        assert result.status in (401, 413), (result.status, result.text[:200])

    unverified()
    slack.wait_quiet(0.5)
    assert len(slack.calls()) == calls_before, [c.key for c in slack.calls()[calls_before:]]
    assert "Traceback" not in server.logs()


def test_no_signed_request_gets_a_5xx_whatever_its_body(secure_server_module, signer):
    @PROPERTY
    @given(body=BODIES, content_type=CONTENT_TYPES)
    def signed(body, content_type):
        result = raw_post(secure_server_module, body, signer.sign(body, content_type).headers)
        assert result.status < 500, (result.status, result.text[:200])

    signed()
    assert "Traceback" not in secure_server_module.logs()


def signer_for(secret: str):
    def sign_with(timestamp: str, body: bytes) -> str:
        from bot.slack.signature import sign

        try:
            return sign(secret, timestamp, body)
        except UnicodeEncodeError:  # a timestamp that is not ASCII: no signature can be made over it
            return "v0=" + "0" * 64
    return sign_with
