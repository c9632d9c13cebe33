"""Alert requests are accepted only with the configured token or a fresh, valid signature."""

from __future__ import annotations

import base64
import hashlib
import hmac

import pytest

from bot.alerts.auth import AlertAuth

BODY = b'{"title": "Deployment failed", "status": "firing"}'
SECRET = "s3cret-hmac-key"
TOKEN = "tok-5f2a9c"
NOW = 1_800_000_000.0


def sign(secret: str, message: bytes) -> str:
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def ours(secret: str = SECRET, body: bytes = BODY, ts: int = int(NOW)) -> dict[str, str]:
    return {"X-Tsgbot-Timestamp": str(ts), "X-Tsgbot-Signature": "sha256=" + sign(secret, f"{ts}.".encode() + body)}


def grafana(secret: str = SECRET, body: bytes = BODY, ts: int | None = int(NOW),
            header: str = "X-Grafana-Alerting-Signature") -> dict[str, str]:
    if ts is None:
        return {header: sign(secret, body)}
    return {header: sign(secret, f"{ts}:".encode() + body), "X-Grafana-Alerting-Signature-Timestamp": str(ts)}


def basic(user: str, password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


def verify(auth: AlertAuth, headers: dict[str, str], *, body: bytes = BODY, path_token: str | None = None) -> bool:
    return auth.verify(headers=headers, body=body, path_token=path_token, now=NOW)


hmac_auth = AlertAuth(hmac_secret=SECRET)
token_auth = AlertAuth(token=TOKEN)


def test_nothing_configured_accepts_nothing():
    auth = AlertAuth()
    assert not auth.enabled
    assert not verify(auth, {"Authorization": "Bearer "}, path_token="")
    assert not verify(AlertAuth(token="", hmac_secret=""), {"Authorization": "Bearer "}, path_token="")
    assert not verify(auth, ours())


def test_enabled_when_either_is_set():
    assert token_auth.enabled and hmac_auth.enabled


def test_our_signature_is_accepted():
    assert verify(hmac_auth, ours())
    assert verify(hmac_auth, {k.lower(): v for k, v in ours().items()})  # header names in any case


@pytest.mark.parametrize("headers, body", [
    (ours(secret="wrong-secret"), BODY),
    (ours(), BODY + b" "),  # tampered body
    (ours(ts=int(NOW) - 301), BODY),  # stale
    (ours(ts=int(NOW) + 301), BODY),  # from the future
    ({"X-Tsgbot-Signature": ours()["X-Tsgbot-Signature"]}, BODY),  # timestamp missing
    ({"X-Tsgbot-Timestamp": str(int(NOW))}, BODY),  # signature missing
    ({**ours(), "X-Tsgbot-Timestamp": "1800000000.5"}, BODY),
    ({**ours(), "X-Tsgbot-Signature": ours()["X-Tsgbot-Signature"].removeprefix("sha256=")}, BODY),
    ({}, BODY),
])
def test_our_signature_refused(headers, body):
    assert not verify(hmac_auth, headers, body=body)


def test_window_edges():
    assert verify(hmac_auth, ours(ts=int(NOW) - 300))
    assert verify(AlertAuth(hmac_secret=SECRET, window_seconds=1000), ours(ts=int(NOW) - 900))


@pytest.mark.parametrize("headers", [
    grafana(),
    grafana(ts=None),  # no timestamp header configured: the body alone is signed
    grafana(header="X-Grafana-Alert-Signature"),
    {"X-Grafana-Alerting-Signature": sign(SECRET, f"{int(NOW)}:".encode() + BODY),
     "X-Grafana-Alerting-Timestamp": str(int(NOW))},
])
def test_grafana_signature_is_accepted(headers):
    assert verify(hmac_auth, headers)


@pytest.mark.parametrize("headers, body", [
    (grafana(secret="wrong"), BODY),
    (grafana(), b'{"title": "x"}'),
    (grafana(ts=int(NOW) - 3600), BODY),  # stale, even though the signature is right
    ({"X-Grafana-Alerting-Signature": grafana()["X-Grafana-Alerting-Signature"]}, BODY),  # timestamp stripped
    ({"X-Grafana-Alerting-Signature-Timestamp": str(int(NOW))}, BODY),
])
def test_grafana_signature_refused(headers, body):
    assert not verify(hmac_auth, headers, body=body)


def test_bearer_basic_and_path_token():
    assert verify(token_auth, {"Authorization": f"Bearer {TOKEN}"})
    assert verify(token_auth, {"authorization": f"bearer  {TOKEN} "})
    assert verify(token_auth, basic("alertmanager", TOKEN))
    assert verify(token_auth, basic("", TOKEN))
    assert verify(token_auth, {}, path_token=TOKEN)


@pytest.mark.parametrize("headers, path_token", [
    ({"Authorization": "Bearer nope"}, None),
    ({"Authorization": f"Token {TOKEN}"}, None),
    ({"Authorization": TOKEN}, None),
    (basic(TOKEN, "nope"), None),  # the token as user name is not the password
    ({"Authorization": "Basic !!not-base64!!"}, None),
    ({"Authorization": "Basic " + base64.b64encode(TOKEN.encode()).decode()}, None),  # no colon
    ({}, "nope"),
    ({}, TOKEN + "x"),
    ({}, ""),
    ({}, None),
])
def test_wrong_tokens_are_refused(headers, path_token):
    assert not verify(token_auth, headers, path_token=path_token)


def test_token_is_not_accepted_as_signature_secret_and_back():
    assert not verify(token_auth, ours(secret=TOKEN))
    assert not verify(hmac_auth, {"Authorization": f"Bearer {SECRET}"}, path_token=SECRET)


def test_either_configured_method_is_enough():
    both = AlertAuth(token=TOKEN, hmac_secret=SECRET)
    assert verify(both, ours()) and verify(both, {}, path_token=TOKEN)
    assert not verify(both, {"Authorization": "Bearer nope"})


def test_non_ascii_values_do_not_crash():
    assert not verify(token_auth, {"Authorization": "Bearer tökén"}, path_token="päth")
    assert not verify(hmac_auth, {"X-Tsgbot-Timestamp": "１８００", "X-Tsgbot-Signature": "sha256=ü"})
