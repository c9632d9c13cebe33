"""Who may post alerts: a shared token (bearer, basic password or URL path) or an HMAC signature of the body.

Accepted signatures:

- Grafana's webhook contact point with "HMAC Signature" set: lowercase hex HMAC-SHA256 of the raw
  body in `X-Grafana-Alerting-Signature` (Grafana's placeholder; its sender's own default name is
  `X-Grafana-Alert-Signature`, accepted too). When a timestamp header is configured Grafana signs
  `"<unix seconds>:<body>"` and sends the seconds in that header; name it
  `X-Grafana-Alerting-Signature-Timestamp` (or `X-Grafana-Alerting-Timestamp`) so the age is checked.
- Our own scheme for scripts: `X-Tsgbot-Timestamp: <unix seconds>` and
  `X-Tsgbot-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>`.

A signed timestamp older or newer than `window_seconds` is refused, so a captured request cannot be
replayed later. Every comparison is constant-time.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass

GRAFANA_SIGNATURE_HEADERS = ("x-grafana-alerting-signature", "x-grafana-alert-signature")
GRAFANA_TIMESTAMP_HEADERS = ("x-grafana-alerting-signature-timestamp", "x-grafana-alerting-timestamp",
                             "x-grafana-alert-signature-timestamp", "x-grafana-alert-timestamp")
TSGBOT_SIGNATURE_HEADER = "x-tsgbot-signature"
TSGBOT_TIMESTAMP_HEADER = "x-tsgbot-timestamp"


@dataclass(frozen=True)
class AlertAuth:
    """The configured ways to authenticate an alert request; any one that verifies is enough."""

    token: str | None = None  # ALERT_WEBHOOK_TOKEN
    hmac_secret: str | None = None  # ALERT_WEBHOOK_HMAC_SECRET
    window_seconds: int = 300

    @property
    def enabled(self) -> bool:
        return bool(self.token or self.hmac_secret)

    def verify(self, *, headers: Mapping[str, str], body: bytes, path_token: str | None, now: float) -> bool:
        """True when a configured method accepts the request; False when none does or none is configured."""
        lowered = {str(name).lower(): str(value) for name, value in headers.items()}
        if self.token:
            if _same(path_token, self.token) or _same(_authorization_secret(lowered), self.token):
                return True
        if self.hmac_secret:
            key = self.hmac_secret.encode()
            if self._grafana(lowered, body, key, now) or self._tsgbot(lowered, body, key, now):
                return True
        return False

    def _grafana(self, headers: dict[str, str], body: bytes, key: bytes, now: float) -> bool:
        signature = next((headers[h] for h in GRAFANA_SIGNATURE_HEADERS if h in headers), None)
        if signature is None:
            return False
        stamp = next((headers[h] for h in GRAFANA_TIMESTAMP_HEADERS if h in headers), None)
        if stamp is None:
            signed = body  # Grafana without a timestamp header signs the body alone
        elif self._fresh(stamp, now):
            signed = stamp.strip().encode() + b":" + body
        else:
            return False
        given = signature.strip().lower().removeprefix("sha256=")
        return _same(given, hmac.new(key, signed, hashlib.sha256).hexdigest())

    def _tsgbot(self, headers: dict[str, str], body: bytes, key: bytes, now: float) -> bool:
        signature, stamp = headers.get(TSGBOT_SIGNATURE_HEADER), headers.get(TSGBOT_TIMESTAMP_HEADER)
        if signature is None or stamp is None or not self._fresh(stamp, now):
            return False
        expected = hmac.new(key, stamp.strip().encode() + b"." + body, hashlib.sha256).hexdigest()
        return _same(signature.strip().lower(), f"sha256={expected}")

    def _fresh(self, stamp: str, now: float) -> bool:
        stamp = stamp.strip()
        if not stamp.isascii() or not stamp.isdigit() or len(stamp) > 12:
            return False
        return abs(now - int(stamp)) <= self.window_seconds


def _authorization_secret(headers: dict[str, str]) -> str | None:
    """The token of `Authorization: Bearer <t>`, or the password of `Authorization: Basic base64(user:t)`."""
    scheme, _, value = headers.get("authorization", "").strip().partition(" ")
    value = value.strip()
    if scheme.lower() == "bearer":
        return value or None
    if scheme.lower() == "basic":
        try:
            decoded = base64.b64decode(value, validate=True).decode("utf-8")
        except (binascii.Error, ValueError):
            return None
        _user, colon, password = decoded.partition(":")
        return password if colon else None
    return None


def _same(given: str | None, expected: str) -> bool:
    return given is not None and hmac.compare_digest(given.encode(), expected.encode())
